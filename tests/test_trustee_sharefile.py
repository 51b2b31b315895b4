"""The share-file refusals checked in the browser (tests/js/trustee.test.mjs) give the
same error codes in Python (keys.sharefile.open_share, tally.count.decrypt_with_share).
"""

import json
import unicodedata
from pathlib import Path

import pytest

from keys import sharefile
from keys.errors import CryptoError
from keys.sharefile import open_share

VECTOR = json.loads((Path(__file__).parent / "vectors" / "sharefile.json").read_text("utf-8"))
FILE = VECTOR["files"][0]


def _flip(text: str, at: int) -> str:
    return text[:at] + format(int(text[at], 16) ^ 1, "x") + text[at + 1 :]


def _edit(change):
    body = json.loads(FILE["file"])
    change(body)
    return json.dumps(body, indent=2, ensure_ascii=False).encode()


EDITS = [
    (lambda b: b["trustee"].update(name="Kẻ mạo danh"), "wrong_passphrase"),
    (lambda b: b["kdf"].update(extra=1), "wrong_passphrase"),
    (lambda b: b["cipher"].update(data=_flip(b["cipher"]["data"], 10)), "wrong_passphrase"),
    (lambda b: b["cipher"].update(nonce=_flip(b["cipher"]["nonce"], 0)), "wrong_passphrase"),
    (lambda b: b["kdf"].update(n=2**19), "bad_share"),
    (lambda b: b["kdf"].update(n=3 * 2**14), "bad_share"),
    (lambda b: b["kdf"].update(n=2**13), "bad_share"),
    (lambda b: b["kdf"].update(r=16), "bad_share"),
    (lambda b: b["kdf"].update(p=2), "bad_share"),
    (lambda b: b["kdf"].update(n="16384"), "bad_share"),
    (lambda b: b["kdf"].update(r=True), "bad_share"),
    (lambda b: b["kdf"].pop("salt"), "bad_share"),
    (lambda b: b["cipher"].update(data=b["cipher"]["data"][2:]), "bad_share"),
    (lambda b: b["cipher"].update(nonce=b["cipher"]["nonce"] + "00"), "bad_share"),
    (lambda b: b["trustee"].update(index=0), "bad_share"),
    (lambda b: b["trustee"].update(name=7), "bad_share"),
    (lambda b: b.update(format="phieu-share/1"), "bad_share"),
    (lambda b: b["election"].update(ceremony=2), "wrong_passphrase"),
    (lambda b: b["election"].update(transcript="00" * 32), "wrong_passphrase"),
    (lambda b: b["election"]["verification_keys"].reverse(), "wrong_passphrase"),
    (lambda b: b["election"].update(ceremony=True), "bad_share"),
    (lambda b: b["election"].update(transcript="00"), "bad_share"),
    (lambda b: b["election"].update(verification_keys=[]), "bad_share"),
    (lambda b: b["kdf"].update(salt=b["kdf"]["salt"].upper()), "bad_encoding"),
    (lambda b: b["trustee"].update(verification_key="02" + "00" * 32), "bad_point"),
    (lambda b: b["election"].update(id="other-vote"), "share_other_election"),
]
RAW = [
    b"",
    b"not json",
    b"[]",
    b'{"format": "phieu-share/1"}',
    "\ufeff".encode() + FILE["file"].encode(),
    FILE["file"].replace('"n": 16384', '"n": 16384.0').encode(),
    FILE["file"].replace('"index": 1', '"index": 1e0').encode(),
    bytes(64 * 1024 + 1),
    b"\xff\xfe",
]


def test_vector_opens():
    opened = open_share(FILE["file"].encode(), FILE["passphrase"], VECTOR["election_id"])
    assert f"{opened.secret_share:064x}" == FILE["secret_share"]


@pytest.mark.parametrize("change, code", EDITS)
def test_edited_file_refused_with_the_same_code(change, code):
    with pytest.raises(CryptoError) as err:
        open_share(_edit(change), FILE["passphrase"], VECTOR["election_id"])
    assert err.value.code == code


@pytest.mark.parametrize("raw", RAW)
def test_garbage_refused_as_bad_share(raw):
    with pytest.raises(CryptoError) as err:
        open_share(raw, FILE["passphrase"], VECTOR["election_id"])
    assert err.value.code == "bad_share"


def test_wrong_passphrase():
    with pytest.raises(CryptoError) as err:
        open_share(FILE["file"].encode(), VECTOR["files"][1]["passphrase"])
    assert err.value.code == "wrong_passphrase"


PASSPHRASES = json.loads(
    (Path(__file__).parent / "vectors" / "passphrases.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", PASSPHRASES["cases"], ids=lambda c: c["reason"] or "good")
def test_each_weak_passphrase_rule_is_refused_with_its_reason(case):
    if case["reason"] is None:
        sharefile.check_passphrase(case["passphrase"], case["name"])
        return
    with pytest.raises(CryptoError) as err:
        sharefile.check_passphrase(case["passphrase"], case["name"])
    assert (err.value.code, err.value.detail) == ("weak_passphrase", case["reason"])
    vi, en = err.value.message("vi"), err.value.message("en")
    assert vi.startswith("Mật khẩu quá yếu (") and en.startswith("The passphrase is too weak (")


def test_nfd_and_nfc_typings_derive_the_same_key():
    for pair in PASSPHRASES["nfc_pairs"]:
        assert pair["nfc"] != pair["nfd"]
        salt = bytes.fromhex(pair["salt"])
        for typed in (pair["nfc"], pair["nfd"]):
            assert sharefile.kdf_input(typed).hex() == pair["kdf_input"]
            assert sharefile._kdf(typed, salt, pair["scrypt_n"], 8, 1).hex() == pair["derived_key"]


def test_an_nfd_typed_passphrase_opens_a_file_sealed_from_nfc():
    third = VECTOR["files"][2]
    assert unicodedata.normalize("NFC", third["passphrase"]) == third["passphrase"]
    nfd = unicodedata.normalize("NFD", third["passphrase"])
    assert nfd != third["passphrase"]
    opened = open_share(third["file"].encode(), nfd, VECTOR["election_id"])
    assert f"{opened.secret_share:064x}" == third["secret_share"]


def test_a_share_file_of_another_vote_or_trustee_is_refused():
    """A file copied from another vote, or a file relabelled for another trustee."""
    with pytest.raises(CryptoError) as err:
        open_share(FILE["file"].encode(), FILE["passphrase"], "other-vote")
    assert err.value.code == "share_other_election"
    second = VECTOR["files"][1]
    body = json.loads(second["file"])
    body["trustee"] = json.loads(FILE["file"])["trustee"]
    with pytest.raises(CryptoError) as err:
        open_share(json.dumps(body).encode(), second["passphrase"], VECTOR["election_id"])
    assert err.value.code == "wrong_passphrase"


def test_every_statement_of_the_passphrase_minimum_is_the_rule(app):
    """The refusal's words (CLI and verifier, trustee page) and the page's help sentence
    state keys.sharefile.MIN_PASSPHRASE, the length the rule enforces."""
    from ballot.polls.ceremony_strings import trustee_strings
    from keys.errors import DETAILS

    n = sharefile.MIN_PASSPHRASE
    assert sharefile.passphrase_weakness("x" * (n - 1)) == "too_short"
    assert sharefile.passphrase_weakness("x" * n) == "one_character"  # long enough
    assert DETAILS["too_short"] == (f"ít hơn {n} ký tự", f"fewer than {n} characters")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        strings = trustee_strings()
    assert strings["too_short"] == f"fewer than {n} characters."
    assert f"at least {n} characters" in strings["passphrase_help"]
