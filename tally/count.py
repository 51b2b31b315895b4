"""The count after close: aggregate the ballots, collect k partial decryptions, combine,
and produce the results under the rules. Individual ballots are never decrypted.
"""

from __future__ import annotations

from typing import Any

from keys.ballot import Ballot
from keys.decryption import (
    DiscreteLog,
    PartialDecryption,
    combine,
    decode_counts,
    partial_decrypt,
    verify_partial,
)
from keys.elgamal import Ciphertext, aggregate
from keys.errors import CryptoError
from keys.group import base_mul
from keys.sharefile import open_share
from tally.manifest import Manifest
from tally.rules import Figures, official_result


def aggregate_ballots(manifest: Manifest, ballots: list[Ballot]) -> list[Ciphertext]:
    """Per-official homomorphic sums of the (already verified) ballots."""
    rows = len(manifest.officials)
    return [aggregate([b.rows[r].ct for b in ballots]) for r in range(rows)]


def tally_json(totals: list[Ciphertext], count: int) -> dict[str, Any]:
    """The record's tally.json."""
    return {"ballots": count, "totals": [t.to_json() for t in totals]}


def parse_totals(obj: Any, manifest: Manifest) -> tuple[list[Ciphertext], int]:
    """Read tally.json (tally/records.py's definition): the totals and the ballot count."""
    from tally.records import VerifyError, parse_tally

    try:
        return parse_tally(obj, len(manifest.officials))
    except VerifyError as err:
        raise CryptoError("bad_encoding", f"{err.item}: {err.reason}") from None


def decrypt_with_share(
    manifest: Manifest, totals: list[Ciphertext], share_file: bytes, passphrase: str
) -> PartialDecryption:
    """A trustee's partial decryption from their share file (the share stays in memory)."""
    opened = open_share(share_file, passphrase, manifest.election_id)
    opened.check_key(manifest.key)
    return partial_decrypt(manifest.hash, manifest.key, opened.trustee, opened.secret_share, totals)


def accept_partial(
    manifest: Manifest,
    totals: list[Ciphertext],
    accepted: list[PartialDecryption],
    candidate: Any,
) -> PartialDecryption:
    """Check one arriving partial decryption (JSON or parsed) against the others.

    Raises CryptoError naming the trustee for a bad proof or a duplicate; changes nothing.
    """
    part = candidate if isinstance(candidate, PartialDecryption) else None
    if part is None:
        part = PartialDecryption.from_json(candidate)
    if any(p.trustee == part.trustee for p in accepted):
        raise CryptoError("duplicate_trustee", f"trustee {part.trustee} already took part")
    verify_partial(manifest.hash, manifest.key, totals, part)
    return part


def results(
    manifest: Manifest,
    figures: Figures,
    totals: list[Ciphertext],
    parts: list[PartialDecryption],
    published: Any = None,
) -> dict[str, Any]:
    """Combine k verified partial decryptions and apply the rules: the results.json object.

    ``published`` (the verifier's results.json, untrusted): an official's published
    ``total`` T is taken when T·G is the combined point and 0 ≤ T ≤ bound, which is one
    multiplication instead of a discrete-log search (the solution in that range is
    unique, so the results are the same); any other is searched.
    """
    chosen = sorted(parts, key=lambda p: p.trustee)[: manifest.key.threshold]
    points = combine(manifest.key, totals, chosen)
    levels = manifest.levels
    bound = figures.returned * manifest.base ** (len(levels) - 1)
    dlog: DiscreteLog | None = None
    hints = published.get("officials") if isinstance(published, dict) else None
    hints = hints if isinstance(hints, list) else []
    denominator = figures.denominator(manifest.denominator)
    officials = []
    for r, (official, point) in enumerate(zip(manifest.officials, points, strict=True)):
        hint = hints[r].get("total") if r < len(hints) and isinstance(hints[r], dict) else None
        if type(hint) is int and 0 <= hint <= bound and base_mul(hint) == point:
            total = hint
        else:
            dlog = dlog or DiscreteLog(bound, len(points))
            total = dlog.solve(point, f"official {r + 1}")
        counts = decode_counts(
            total, manifest.base, len(levels), f"official {r + 1}", figures.returned
        )
        row = official_result(levels, counts, figures.returned, denominator, manifest.thresholds)
        officials.append(
            {"index": r + 1, "name": official.name, "position": official.position, "total": total}
            | row
        )
    return {
        "denominator": {"name": manifest.denominator, "value": denominator},
        "figures": figures_json(figures),
        "trustees": [p.trustee for p in chosen],
        "officials": officials,
    }


def figures_json(f: Figures) -> dict[str, Any]:
    """The figures as published (summoned, present, issued, returned, members_total)."""
    return {
        "summoned": f.summoned,
        "present": f.present,
        "issued": f.issued,
        "returned": f.returned,
        "members_total": f.members_total,
    }
