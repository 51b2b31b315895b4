"""Checked (spoiled) ballots in the record: audits.json (docs/record.md, docs/crypto.md §4a).

Each item is a ballot a member chose to check instead of casting: its rows' choices and
nonces are revealed. ``tally verify`` and ``python -m tally check-audit`` check that
every row encrypts exactly the shown choice under the manifest's key, that the audit
tracker is the one stated, and that no checked ballot's row appears in the chain (a
revealed ballot can never be counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keys.audit import AuditedBallot, verify_audit
from keys.ballot import Ballot
from keys.errors import CryptoError
from tally.manifest import Manifest
from tally.records import VerifyError, hexbytes, items, obj


@dataclass(frozen=True)
class Audited:
    """audits.json item: the audit tracker and the revealed ballot."""

    tracker: bytes
    ballot: AuditedBallot

    def to_json(self) -> dict[str, Any]:
        """The JSON item."""
        return {"tracker": self.tracker.hex(), "ballot": self.ballot.to_json()}


def audits_json(audited: list[AuditedBallot]) -> dict[str, Any]:
    """The audits.json body for these checked ballots (in the order they were posted)."""
    return {"audited": [Audited(a.tracker(), a).to_json() for a in audited]}


def parse_audits(raw: Any) -> list[Audited]:
    """audits.json, strictly parsed (the reveal is checked by :func:`check_audits`)."""
    body = obj(raw, "audits.json", "audits.json")
    out = []
    for n, e in enumerate(items(body["audited"], "audits.json audited"), start=1):
        where = f"checked ballot #{n}"
        e = obj(e, where, "audits.json audited[]")
        tracker = hexbytes(e["tracker"], where + " tracker", 32)
        try:
            ballot = AuditedBallot.from_json(e["ballot"])
        except CryptoError as err:
            raise VerifyError(where, err.message("en")) from None
        out.append(Audited(tracker, ballot))
    return out


def check_one(manifest: Manifest, audited: AuditedBallot, where: str) -> None:
    """Every row encrypts its shown choice under the manifest's key; else VerifyError."""
    try:
        verify_audit(manifest.context(), audited)
    except CryptoError as err:
        raise VerifyError(where, err.message("en")) from None


def check_audits(manifest: Manifest, audits: list[Audited], cast: list[list[bytes]]) -> int:
    """Check every checked ballot, and that none shares a row with a cast ballot.

    ``cast`` holds each cast ballot's rows' α, encoded (:func:`cast_alphas`), in chain order.
    """
    seen: set[bytes] = set()
    spoiled: dict[bytes, int] = {}
    for n, a in enumerate(audits, start=1):
        where = f"audits.json, checked ballot #{n}"
        if a.ballot.tracker() != a.tracker:
            raise VerifyError(where, "the audit tracker is not the digest of its rows")
        if a.tracker in seen:
            raise VerifyError(where, "listed twice")
        seen.add(a.tracker)
        check_one(manifest, a.ballot, where)
        for revealed in a.ballot.rows:
            spoiled[revealed.alpha.to_bytes()] = n
    for seq, alphas in enumerate(cast, start=1):
        for alpha in alphas:
            n = spoiled.get(alpha, 0)
            if n:
                raise VerifyError(
                    f"ballot #{seq}", f"shares a row with checked ballot #{n}: it was revealed"
                )
    return len(audits)


def cast_alphas(cast: list[Ballot]) -> list[list[bytes]]:
    """Each parsed ballot's rows' α, encoded, as :func:`check_audits` takes them."""
    return [[row.ct.alpha.to_bytes() for row in ballot.rows] for ballot in cast]
