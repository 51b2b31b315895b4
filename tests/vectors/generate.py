"""Generate the shared Python/JavaScript test vectors deterministically.

Run ``make vectors`` (python -m tests.vectors.generate). The output is committed; both
test suites check it byte for byte, so the two implementations cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from keys import cards, dkg, shamir, sharefile
from keys.ballot import ElectionContext, encrypt_row, sign_ballot
from keys.codes import group_code
from keys.decryption import partial_decrypt
from keys.elgamal import ZERO, Ciphertext, encrypt
from keys.hashing import (
    TAG_BALLOT,
    TAG_BALLOT_DEFINITION,
    TAG_SHARE_AAD,
    ballot_definition,
    ballot_fingerprint,
    canonical_json,
    digest,
    encode_parts,
    hash_to_scalar,
    manifest_hash,
    u32,
)
from keys.nonces import DeterministicNonces
from tests.keys_helpers import deal
from tests.vectors import generate_audit, generate_dkg

OUT = Path(__file__).parent


def _write(name: str, data: Any) -> None:
    path = OUT / name
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote", path)


def hashing_vectors() -> dict[str, Any]:
    cases = [
        [],
        [b""],
        [b"abc"],
        [b"phieu", bytes(range(40))],
        ["Nguyễn Thị Hồng — tín nhiệm thấp".encode()],
    ]
    out = []
    for parts in cases:
        tag = b"phieu/v1/test"
        out.append(
            {
                "tag": tag.hex(),
                "parts": [p.hex() for p in parts],
                "encoding": encode_parts([tag, *parts]).hex(),
                "digest": digest(tag, *parts).hex(),
                "hash_to_scalar": f"{hash_to_scalar(tag, *parts):064x}",
            }
        )
    manifest = {
        "title": "Lấy phiếu tín nhiệm năm 2026",
        "officials": [{"name": "Trần Văn Ấn", "position": "Chủ tịch"}],
        "cards": 3,
        "z": [1, 2, {"b": "ß", "a": "ă"}],
    }
    return {
        "parts": out,
        "canonical_json": [
            {
                "value": manifest,
                "canonical": canonical_json(manifest).decode(),
                "manifest_hash": manifest_hash(manifest).hex(),
            }
        ],
        "ballot_fingerprint": fingerprint_vectors(),
        "group_code": [
            {"value": v, "size": size, "grouped": group_code(v, size)}
            for v, size in [("", 4), ("ab12cd34ef", 4), ("ab12 cd34\tef56", 4), ("a" * 64, 8)]
        ],
    }


def fingerprint_vectors() -> list[dict[str, Any]]:
    """The ballot fingerprint printed on the cards: a manifest-shaped value (its ``cards``
    and ``base`` dropped), and the same without them (the definition gives the same)."""
    manifest = {
        "format": "phieu-manifest/1",
        "election_id": "v-2026-ky10",
        "title": "Lấy phiếu tín nhiệm",
        "kind": "rating",
        "levels": ["tin_nhiem_cao", "tin_nhiem", "tin_nhiem_thap"],
        "officials": [{"name": "Trần Văn Ấn", "position": "Chủ tịch"}],
        "base": 4,
        "rules": {"denominator": "returned", "members_total": None, "thresholds": []},
        "summoned": 3,
        "trustees": {"names": ["An", "Bình"], "public_key": "02" + "11" * 32},
        "cards": {"count": 3, "commitment": "22" * 32},
        "server_key": "33" * 32,
        "cardsx": 1,  # only the top-level "cards" and "base" are dropped
    }
    out = []
    for value in (manifest, ballot_definition(manifest)):
        definition = canonical_json(ballot_definition(value))
        out.append(
            {
                "manifest": value,
                "definition": definition.decode(),
                "encoding": encode_parts([TAG_BALLOT_DEFINITION, definition]).hex(),
                "fingerprint": ballot_fingerprint(value).hex(),
            }
        )
    return out


def card_vectors() -> list[dict[str, Any]]:
    out = []
    for i in range(4):
        secret = digest(b"phieu/test-card", bytes([i]))[:16]
        election = ["demo-2026", "hđnd-tỉnh", "e", "x" * 40][i]
        sk = cards.signing_key(election, secret)
        message = digest(b"phieu/test-message", bytes([i]))
        aux = digest(b"phieu/test-aux", bytes([i]))
        out.append(
            {
                "secret": secret.hex(),
                "code": cards.encode_code(secret),
                "election_id": election,
                "signing_key": f"{sk:064x}",
                "public_key": cards.public_key(sk).hex(),
                "message": message.hex(),
                "aux": aux.hex(),
                "signature": cards.sign(sk, message, aux).hex(),
            }
        )
    return out


def _context(kind: str, rows: int, seed: bytes) -> tuple[ElectionContext, shamir.ElectionKey]:
    key, _ = deal(2, 3, DeterministicNonces(seed + b"/key"))
    mh = digest(b"phieu/test-manifest", seed)
    return ElectionContext(mh, key.public_key, kind, rows, 7), key


def _ctx_json(ctx: ElectionContext) -> dict[str, Any]:
    return {
        "manifest_hash": ctx.manifest_hash.hex(),
        "public_key": ctx.public_key.hex(),
        "kind": ctx.kind,
        "rows": ctx.rows,
        "base": ctx.base,
        "values": list(ctx.values),
    }


def row_vectors() -> list[dict[str, Any]]:
    out = []
    for kind in ("rating", "confidence"):
        ctx, _ = _context(kind, 5, kind.encode())
        card = cards.public_key(cards.signing_key("e", bytes(16)))
        for choice in range(len(ctx.values)):
            nonces = DeterministicNonces(f"{kind}/{choice}".encode())
            row = encrypt_row(ctx, card, choice, choice, nonces)
            out.append(
                {
                    "context": _ctx_json(ctx),
                    "card": card.hex(),
                    "index": choice,
                    "choice": choice,
                    "nonces": [f"{k:064x}" for k in nonces.drawn],
                    "row": row.to_json(),
                }
            )
    return out


def ballot_vectors() -> list[dict[str, Any]]:
    out = []
    for kind, choices in (("rating", [1, 0, 3, 2, 1, 1]), ("confidence", [2, 2, 0, 1])):
        ctx, _ = _context(kind, len(choices), b"ballot/" + kind.encode())
        secret = digest(b"phieu/test-ballot-card", kind.encode())[:16]
        sk = cards.signing_key("demo", secret)
        card = cards.public_key(sk)
        nonces = DeterministicNonces(b"ballot-nonces/" + kind.encode())
        rows = [encrypt_row(ctx, card, i, ch, nonces) for i, ch in enumerate(choices)]
        aux = digest(b"phieu/test-aux", kind.encode())
        ballot = sign_ballot(ctx, sk, rows, aux)
        out.append(
            {
                "context": _ctx_json(ctx),
                "election_id": "demo",
                "card_secret": secret.hex(),
                "choices": choices,
                "nonces": [f"{k:064x}" for k in nonces.drawn],
                "aux": aux.hex(),
                "ballot": ballot.to_json(),
                "digest": ballot.digest().hex(),
                "tracker": ballot.tracker().hex(),
                "tag": TAG_BALLOT.decode(),
            }
        )
    return out


def _count_context() -> tuple[bytes, shamir.ElectionKey, list[int], list[Ciphertext]]:
    """The ceremony's 2-of-3 key (dkg.json), a manifest hash and four row totals (the last
    one: no ballots)."""
    c = generate_dkg.ceremony()
    key, shares = c["key"], list(c["shares"])
    mh = digest(b"phieu/test-manifest", b"count")
    nonces = DeterministicNonces(b"count/ballots")
    totals = []
    for row in ([1, 4, 16], [0, 0, 1], [16, 16, 16]):
        cts = [encrypt(key.public_key, m, nonces.scalar()) for m in row]
        totals.append(cts[0] + cts[1] + cts[2])
    return mh, key, shares, [*totals, ZERO]


SHARE_PASSPHRASES = ["mật khẩu thứ nhất", "correct horse battery", generate_dkg.TRAANG]
SHARE_NAMES = generate_dkg.NAMES


def sharefile_vectors() -> dict[str, Any]:
    """Share files sealed by keys.sharefile.seal with a fixed salt and nonce (n = 2^14).

    seal() draws the salt with secrets.token_hex and the nonce with secrets.token_bytes;
    for the vectors only, the module's ``secrets`` is replaced by fixed values.
    """
    mh, key, shares, _ = _count_context()
    files = []
    for i, share in enumerate(shares, start=1):
        salt = digest(b"phieu/test-share-salt", u32(i))[:16]
        nonce = digest(b"phieu/test-share-nonce", u32(i))[:12]
        fixed = SimpleNamespace(
            token_hex=lambda _n, s=salt: s.hex(), token_bytes=lambda _n, c=nonce: c
        )
        with mock.patch.object(sharefile, "secrets", fixed):
            data = dkg.share_file(
                generate_dkg.ELECTION,
                SHARE_NAMES,
                generate_dkg.K,
                generate_dkg.ceremony()["ceremony"],
                i,
                share,
                SHARE_PASSPHRASES[i - 1],
                scrypt_n=sharefile.MIN_SCRYPT_N,
            )
        body = json.loads(data)
        header = {k: v for k, v in body.items() if k != "cipher"}
        opened = sharefile.open_share(data, SHARE_PASSPHRASES[i - 1], generate_dkg.ELECTION)
        assert opened.secret_share == share
        files.append(
            {
                "trustee": i,
                "passphrase": SHARE_PASSPHRASES[i - 1],
                "salt": salt.hex(),
                "nonce": nonce.hex(),
                "derived_key": sharefile._kdf(
                    SHARE_PASSPHRASES[i - 1], salt, sharefile.MIN_SCRYPT_N, 8, 1
                ).hex(),
                "aad": digest(TAG_SHARE_AAD, canonical_json(header)).hex(),
                "secret_share": f"{share:064x}",
                "file_name": sharefile.file_name(generate_dkg.ELECTION, i),
                "file": data.decode(),
            }
        )
    return {
        "election_id": "hđnd-2026",
        "manifest_hash": mh.hex(),
        "public_key": key.public_key.hex(),
        "verification_keys": [v.hex() for v in key.verification_keys],
        "transcript": json.loads(files[0]["file"])["election"]["transcript"],
        "files": files,
    }


def decryption_vectors() -> dict[str, Any]:
    """Each trustee's partial decryption of the same totals with recorded nonces."""
    mh, key, shares, totals = _count_context()
    partials = []
    for i, share in enumerate(shares, start=1):
        nonces = DeterministicNonces(f"count/trustee-{i}".encode())
        part = partial_decrypt(mh, key, i, share, totals, nonces)
        partials.append(
            {
                "trustee": i,
                "secret_share": f"{share:064x}",
                "nonces": [f"{k:064x}" for k in nonces.drawn],
                "partial": part.to_json(),
            }
        )
    return {
        "manifest_hash": mh.hex(),
        "public_key": key.public_key.hex(),
        "verification_keys": [v.hex() for v in key.verification_keys],
        "totals": [t.to_json() for t in totals],
        "row_sums": [21, 1, 48, 0],
        "partials": partials,
    }


def main() -> None:
    """Write every vector file."""
    _write("hashing.json", hashing_vectors())
    _write("cards.json", card_vectors())
    _write("rows.json", row_vectors())
    _write("ballots.json", ballot_vectors())
    _write("sharefile.json", sharefile_vectors())
    _write("decryption.json", decryption_vectors())
    _write("dkg.json", generate_dkg.dkg_vectors())
    _write("passphrases.json", generate_dkg.passphrase_vectors())
    _write("audit.json", generate_audit.audit_vectors())


if __name__ == "__main__":
    main()
