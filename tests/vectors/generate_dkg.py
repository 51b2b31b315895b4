"""Deterministic vectors of the key ceremony (dkg.json) and the passphrase rules
(passphrases.json); see tests/vectors/generate.py.

Each trustee's device draws from its own stream
DeterministicNonces(utf8("dkg-vector-trustee-" + str(i))) for the whole ceremony:
start() takes e_i, w(E_i), a_i0, w(C_i0), …; make_shares() one scalar per recipient
(ascending) whose first 12 bytes are the AES-GCM nonce; done_message() one w; confirm()
one w.
"""

from __future__ import annotations

import copy
import unicodedata
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys import dkg, sharefile
from keys.errors import CryptoError
from keys.group import N
from keys.hashing import TAG_DKG_SHARE_KEY, digest, u32
from keys.nonces import DeterministicNonces

ELECTION = "hđnd-2026"
NAMES = ["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"]
K = 2
ROUND = 1
CONFIRM_MANIFEST = digest(b"phieu/test-manifest", b"dkg")


@lru_cache(maxsize=1)
def ceremony() -> dict[str, Any]:
    """Run the ceremony once; everything public and secret a vector may need."""
    n = len(NAMES)
    streams = [DeterministicNonces(f"dkg-vector-trustee-{i}".encode()) for i in range(1, n + 1)]
    states, commits = [], []
    for i, nonces in enumerate(streams, start=1):
        state, msg = dkg.start(ELECTION, ROUND, NAMES, K, i, nonces)
        states.append(state)
        commits.append(msg)
    contributions = [dkg.verify_commit(m, ELECTION, ROUND, NAMES, K) for m in commits]
    shares_msgs = [dkg.make_shares(s, contributions, streams[s.index - 1]) for s in states]
    results = [dkg.receive(s, contributions, shares_msgs) for s in states]
    xs = []
    for r in results:
        assert not isinstance(r, dkg.Complaint)
        xs.append(r[0])
    key = results[0][1]  # type: ignore[index]
    digest_ = dkg.transcript_of(contributions)
    dones = [
        dkg.done_message(s, xs[s.index - 1], key, digest_, streams[s.index - 1]) for s in states
    ]
    confirms = [
        dkg.confirm(CONFIRM_MANIFEST, j, x, streams[j - 1], election_id=ELECTION)
        for j, x in enumerate(xs, start=1)
    ]
    return {
        "dones": dones,
        "confirms": confirms,
        "streams": streams,
        "states": states,
        "commits": commits,
        "contributions": contributions,
        "shares_msgs": shares_msgs,
        "shares": xs,
        "key": key,
        "ceremony": dkg.ceremony_json(ROUND, contributions),
    }


def _sub_shares(c: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for state in c["states"]:
        i = state.index
        for other in c["contributions"]:
            j = other.index
            if j == i:
                continue
            ikm = state._ecdh(other)
            out.append(
                {
                    "from": i,
                    "to": j,
                    "value": f"{state.evaluate(j):064x}",
                    "ikm": ikm.hex(),
                    "key": dkg._share_key(state.ctx, i, j, ikm).hex(),
                    "aad": dkg._aad(
                        state.ctx, i, j, c["contributions"][i - 1].ceremony_key, other.ceremony_key
                    ).hex(),
                }
            )
    return out


def _expect(run: Any) -> str:
    try:
        result = run()
    except CryptoError as err:
        return err.code
    if isinstance(result, dkg.Complaint):
        return f"complaint:{result.against}:{result.reason}"
    return "ok"


def _negative(c: dict[str, Any]) -> list[dict[str, Any]]:
    """Messages that must be refused, each with the expected code (or complaint)."""
    out: list[dict[str, Any]] = []

    def commit_case(name: str, msg: dict[str, Any], index: int | None = None) -> None:
        code = _expect(lambda: dkg.verify_commit(msg, ELECTION, ROUND, NAMES, K, index))
        out.append({"name": name, "kind": "commit", "index": index, "message": msg, "expect": code})

    forged = copy.deepcopy(c["commits"][1])
    forged["proofs"][1]["u"] = f"{(int(forged['proofs'][1]['u'], 16) + 1) % N:064x}"
    commit_case("forged coefficient proof", forged)
    forged_key = copy.deepcopy(c["commits"][0])
    forged_key["ceremony_key_proof"]["c"] = c["commits"][1]["ceremony_key_proof"]["c"]
    commit_case("forged ceremony-key proof", forged_key)
    _, old = dkg.start(ELECTION, ROUND + 1, NAMES, K, 3, DeterministicNonces(b"dkg/old"))
    commit_case("message of another round", old)
    _, foreign = dkg.start("other-vote", ROUND, NAMES, K, 3, DeterministicNonces(b"dkg/other"))
    commit_case("message for another vote", foreign)
    relabelled = copy.deepcopy(c["commits"][2]) | {"trustee": 2}
    commit_case("commitments of trustee 3 relabelled as trustee 2", relabelled)
    commit_case("trustee 1 posting trustee 2's index", c["commits"][1], 1)
    extra = copy.deepcopy(c["commits"][0]) | {"extra": 1}
    commit_case("unknown key", extra)
    boolean = copy.deepcopy(c["commits"][0]) | {"trustee": True}
    commit_case("boolean trustee index", boolean)
    # A bad sub-share: trustee 2 encrypts s_23 + 1 to trustee 3 (correct key, nonce, AAD).
    bad = copy.deepcopy(c["shares_msgs"])
    state2, contributions = c["states"][1], c["contributions"]
    nonce = digest(b"phieu/test-bad-share", u32(1))[:12]
    aes = dkg._share_key(state2.ctx, 2, 3, state2._ecdh(contributions[2]))
    aad = dkg._aad(state2.ctx, 2, 3, contributions[1].ceremony_key, contributions[2].ceremony_key)
    wrong = (state2.evaluate(3) + 1) % N
    data = AESGCM(aes).encrypt(nonce, wrong.to_bytes(32, "big"), aad)
    bad[1]["shares"][1] = {"to": 3, "nonce": nonce.hex(), "data": data.hex()}
    code = _expect(lambda: dkg.receive(c["states"][2], contributions, bad))
    out.append(
        {
            "name": "bad sub-share from 2 to 3",
            "kind": "shares",
            "receiver": 3,
            "messages": bad,
            "expect": code,
        }
    )
    # The sub-share meant for trustee 1 sent to trustee 3 instead: it does not decrypt.
    swapped = copy.deepcopy(c["shares_msgs"])
    for_one = swapped[1]["shares"][0]
    swapped[1]["shares"][1] = {"to": 3, "nonce": for_one["nonce"], "data": for_one["data"]}
    code = _expect(lambda: dkg.receive(c["states"][2], contributions, swapped))
    out.append(
        {
            "name": "trustee 1's sub-share delivered to trustee 3",
            "kind": "shares",
            "receiver": 3,
            "messages": swapped,
            "expect": code,
        }
    )
    old_shares = copy.deepcopy(c["shares_msgs"][0]) | {"ceremony": ROUND + 1}
    code = _expect(lambda: dkg.verify_shares_message(old_shares, ELECTION, ROUND, 3, 1))
    out.append(
        {
            "name": "shares message of another round",
            "kind": "shares_message",
            "sender": 1,
            "message": old_shares,
            "expect": code,
        }
    )
    return out


def dkg_vectors() -> dict[str, Any]:
    """dkg.json: context, every message, every secret of the deterministic ceremony."""
    c = ceremony()
    key = c["key"]
    ctx = dkg.context(ELECTION, ROUND, NAMES, K)
    digest_ = dkg.transcript(ctx, c["ceremony"]["contributions"])
    confirms = c["confirms"]
    for j, msg in enumerate(confirms, start=1):
        assert dkg.verify_confirm(msg, CONFIRM_MANIFEST, key, ELECTION) == j
        assert dkg.verify_done(c["dones"][j - 1], ctx, digest_, key, election_id=ELECTION) == j
    forged_confirm = copy.deepcopy(confirms[0]) | {"trustee": 2}
    forged_done = copy.deepcopy(c["dones"][0]) | {"trustee": 2}
    other_manifest = digest(b"phieu/test-manifest", b"other")
    return {
        "election_id": ELECTION,
        "round": ROUND,
        "names": NAMES,
        "threshold": K,
        "context": ctx.hex(),
        "share_key_info": TAG_DKG_SHARE_KEY.decode(),
        "trustees": [
            {
                "index": s.index,
                "nonces": [f"{w:064x}" for w in c["streams"][s.index - 1].drawn],
                "commit": c["commits"][s.index - 1],
                "shares": c["shares_msgs"][s.index - 1],
                "done": c["dones"][s.index - 1],
                "share": f"{c['shares'][s.index - 1]:064x}",
            }
            for s in c["states"]
        ],
        "sub_shares": _sub_shares(c),
        "public_key": key.public_key.hex(),
        "commitments": [a.hex() for a in key.commitments],
        "verification_keys": [x.hex() for x in key.verification_keys],
        "ceremony": c["ceremony"],
        "transcript": digest_.hex(),
        "fingerprint": dkg.fingerprint(digest_),
        "done_negative": [
            {
                "name": "trustee 1's done posted as trustee 2",
                "message": forged_done,
                "expect": _expect(lambda: dkg.verify_done(forged_done, ctx, digest_, key)),
            },
            {
                "name": "done checked against another transcript",
                "message": c["dones"][0],
                "transcript": bytes(32).hex(),
                "expect": _expect(lambda: dkg.verify_done(c["dones"][0], ctx, bytes(32), key)),
            },
        ],
        "confirm": {
            "manifest_hash": CONFIRM_MANIFEST.hex(),
            "confirmations": confirms,
            "negative": [
                {
                    "name": "trustee 1's proof posted as trustee 2",
                    "message": forged_confirm,
                    "manifest_hash": CONFIRM_MANIFEST.hex(),
                    "expect": _expect(
                        lambda: dkg.verify_confirm(forged_confirm, CONFIRM_MANIFEST, key)
                    ),
                },
                {
                    "name": "confirmation checked against another manifest",
                    "message": confirms[0],
                    "manifest_hash": other_manifest.hex(),
                    "expect": _expect(lambda: dkg.verify_confirm(confirms[0], other_manifest, key)),
                },
            ],
        },
        "negative": _negative(c),
    }


TRAANG = "Trăng rằm tháng Tám 2026"
PASSPHRASE_CASES = [
    ("ngắn quá", "", "too_short"),
    ("12345678901", "", "too_short"),
    (unicodedata.normalize("NFD", "Trăng rằm 1"), "", "too_short"),
    ("aaaaaaaaaaaa", "", "one_character"),
    ("            ", "", "one_character"),
    ("abcdefghijklmnop", "", "sequence"),
    ("0123456789012", "", "sequence"),
    ("QWERTY uiop asdf", "", "sequence"),
    ("9876 5432 1098", "", "sequence"),
    ("ZYXWVUTSRQPONM", "", "sequence"),
    ("abcabcabcabc", "", "repeated"),
    ("hahahahahaha", "", "repeated"),
    ("Ab1!Ab1!Ab1!", "", "repeated"),
    ("Nguyễn Văn An 2026!", "Nguyễn Văn An", "name"),
    (unicodedata.normalize("NFD", "mật khẩu của LÊ THỊ BÌNH"), "Lê Thị Bình", "name"),
    ("abc\u00a0abc\tabc\nabc", "", "repeated"),
    ("1234\u00a05678\t90", "", "sequence"),
    ("STRAUSS spielt Walzer", "Strauß", None),
    ("ĐÀ NẴNG VÀ HUẾ 99", "đà nẵng", "name"),
    ("an toàn là trên hết", "An", None),
    (TRAANG, "", None),
    (unicodedata.normalize("NFD", TRAANG), "Trần Văn Cường", None),
    ("correct horse battery staple", "", None),
    ("Phở bò tái chín lúc 4 giờ sáng", "Nguyễn Văn An", None),
]


def passphrase_vectors() -> dict[str, Any]:
    """passphrases.json: each rule with its reason code, and NFC/NFD pairs that derive alike."""
    cases = [
        {
            "passphrase": p,
            "name": name,
            "nfc": unicodedata.normalize("NFC", p),
            "reason": sharefile.passphrase_weakness(p, name),
        }
        for p, name, _ in PASSPHRASE_CASES
    ]
    for case, (_, _, want) in zip(cases, PASSPHRASE_CASES, strict=True):
        assert case["reason"] == want, case
    salt = digest(b"phieu/test-passphrase-salt", b"")[:16]
    pairs = []
    for text in (TRAANG, "Lê Thị Bình có mật khẩu", "Đà Nẵng ngày 2 tháng 9"):
        nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
        assert nfc != nfd
        pairs.append(
            {
                "nfc": nfc,
                "nfd": nfd,
                "kdf_input": sharefile.kdf_input(nfd).hex(),
                "salt": salt.hex(),
                "scrypt_n": sharefile.MIN_SCRYPT_N,
                "derived_key": sharefile._kdf(nfd, salt, sharefile.MIN_SCRYPT_N, 8, 1).hex(),
            }
        )
        assert (
            sharefile._kdf(nfc, salt, sharefile.MIN_SCRYPT_N, 8, 1).hex()
            == pairs[-1]["derived_key"]
        )
    return {
        "min_length": sharefile.MIN_PASSPHRASE,
        "sequences": list(sharefile.SEQUENCES),
        "cases": cases,
        "nfc_pairs": pairs,
    }
