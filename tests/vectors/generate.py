"""Generate the shared Python/JavaScript test vectors deterministically.

Run ``make vectors`` (python -m tests.vectors.generate). The output is committed; both
test suites check it byte for byte, so the two implementations cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from keys import cards, shamir
from keys.ballot import ElectionContext, encrypt_row, sign_ballot
from keys.hashing import (
    TAG_BALLOT,
    canonical_json,
    digest,
    encode_parts,
    hash_to_scalar,
    manifest_hash,
)
from keys.nonces import DeterministicNonces

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
    }


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
    key, _ = shamir.deal(2, 3, DeterministicNonces(seed + b"/key"))
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


def main() -> None:
    """Write every vector file."""
    _write("hashing.json", hashing_vectors())
    _write("cards.json", card_vectors())
    _write("rows.json", row_vectors())
    _write("ballots.json", ballot_vectors())


if __name__ == "__main__":
    main()
