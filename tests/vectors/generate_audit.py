"""Deterministic vectors of cast or check (audit.json); see tests/vectors/generate.py.

Rows are encrypted as the phone does (keys.ballot.encrypt_row, nonces r, u, c_j, s_j per
row from one DeterministicNonces stream); the checked ballot reveals each row's first
nonce r. ``bad`` lists altered reveals with the error code both twins must raise.
"""

from __future__ import annotations

import copy
from typing import Any

from keys import cards
from keys.audit import AuditedBallot, AuditedRow, verify_audit
from keys.ballot import ElectionContext, encrypt_row
from keys.errors import CryptoError
from keys.group import N
from keys.hashing import TAG_AUDIT_TRACKER, digest
from keys.nonces import DeterministicNonces
from tests.keys_helpers import deal


def _case(kind: str, choices: list[int]) -> dict[str, Any]:
    key, _ = deal(2, 3, DeterministicNonces(b"audit/" + kind.encode() + b"/key"))
    ctx = ElectionContext(
        digest(b"phieu/test-manifest", b"audit/" + kind.encode()),
        key.public_key,
        kind,
        len(choices),
        7,
    )
    card = cards.public_key(cards.signing_key("demo", bytes(16)))
    nonces = DeterministicNonces(b"audit-nonces/" + kind.encode())
    revealed, wire = [], []
    for i, ch in enumerate(choices):
        start = len(nonces.drawn)
        row = encrypt_row(ctx, card, i, ch, nonces)
        wire.append(row.to_json())
        revealed.append(AuditedRow(row.ct.alpha, row.ct.beta, ch, nonces.drawn[start]))
    audited = AuditedBallot(ctx.manifest_hash, tuple(revealed))
    verify_audit(ctx, audited)
    good = audited.to_json()
    bad = []
    wrong_choice = copy.deepcopy(good)
    wrong_choice["rows"][0]["choice"] = (choices[0] + 1) % len(ctx.values)
    wrong_nonce = copy.deepcopy(good)
    wrong_nonce["rows"][-1]["r"] = f"{(revealed[-1].r + 1) % N:064x}"
    other = copy.deepcopy(good)
    other["manifest"] = digest(b"phieu/test-manifest", b"another vote").hex()
    too_few = copy.deepcopy(good)
    too_few["rows"].pop()
    for name, obj in (
        ("wrong_choice", wrong_choice),
        ("wrong_nonce", wrong_nonce),
        ("other_manifest", other),
        ("too_few_rows", too_few),
    ):
        try:
            verify_audit(ctx, AuditedBallot.from_json(obj))
        except CryptoError as err:
            bad.append({"name": name, "audit": obj, "code": err.code})
        else:  # pragma: no cover - the generator refuses to write a passing "bad" case
            raise AssertionError(name)
    return {
        "context": {
            "manifest_hash": ctx.manifest_hash.hex(),
            "public_key": ctx.public_key.hex(),
            "kind": kind,
            "rows": ctx.rows,
            "base": ctx.base,
        },
        "card": card.hex(),
        "choices": choices,
        "nonces": [f"{k:064x}" for k in nonces.drawn],
        "rows": wire,
        "audit": good,
        "tracker": audited.tracker().hex(),
        "tag": TAG_AUDIT_TRACKER.decode(),
        "bad": bad,
    }


def audit_vectors() -> list[dict[str, Any]]:
    """One rating and one confidence checked ballot, with their bad variants."""
    return [_case("rating", [1, 0, 3, 2]), _case("confidence", [2, 0, 1])]
