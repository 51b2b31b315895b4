"""The share-file refusals checked in the browser (tests/js/trustee.test.mjs) give the
same error codes in Python (keys.sharefile.open_share, tally.count.decrypt_with_share).
"""

import json
from pathlib import Path

import pytest

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
