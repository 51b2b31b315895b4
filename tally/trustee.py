"""What a trustee checks before decrypting: the ballots themselves, never the server's sums.

A partial decryption of whatever totals the server hands over would let it decrypt one
member's rows in place of the totals. So the trustee's tool recomputes the totals from
the ballots it verified, with the verifier's own checks (tally/verify.py):

* the manifest, and the committed card set against the manifest's card commitment;
* the chain from the manifest hash up to the server-signed close head, the close's
  count equal to the chain length, one ballot per committed, unrevoked card;
* every ballot's card signature and row proofs (on every core);

then sums each official's row over those ballots. Only these sums are decrypted. A
tally.json in the record is merely compared with them, and any difference refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from keys.elgamal import Ciphertext

from tally.codes import group_code
from tally.count import aggregate_ballots
from tally.manifest import Manifest
from tally.record import Record
from tally.records import parse_tally
from tally.verify import (
    Report,
    VerifyError,
    _check_cards,
    _check_chain,
    _check_proofs,
    load_manifest,
)


@dataclass(frozen=True)
class Verified:
    """The per-official sums of the ballots this trustee verified, and the head they end at."""

    manifest: Manifest
    totals: list[Ciphertext]
    close_head: bytes
    count: int


def verified_totals(record: Record, workers: int | None = None) -> Verified:
    """Verify the record's ballots up to the signed close and sum them; raise VerifyError.

    tally.json is not read here: see :func:`compare_tally`.
    """
    report = Report()
    manifest = load_manifest(record)
    committed, revoked = _check_cards(record, manifest, report)
    entries, ballots, close = _check_chain(record, manifest, committed, revoked, report)
    _check_proofs(manifest, entries, workers or os.cpu_count() or 1)
    totals = aggregate_ballots(manifest, ballots)
    return Verified(manifest, totals, close.head, len(entries))


def compare_tally(verified: Verified, tally: Any) -> None:
    """Refuse (VerifyError) a tally.json whose totals or count differ from the verified sums."""
    totals, count = parse_tally(tally, len(verified.manifest.officials))
    if count != verified.count:
        raise VerifyError(
            "tally.json", f"counts {count} ballots, the verified chain has {verified.count}"
        )
    for r, (got, want) in enumerate(zip(totals, verified.totals, strict=True)):
        if got != want:
            raise VerifyError(
                f"tally.json, official {r + 1}", "does not equal the sum of the verified ballots"
            )


def fingerprint(data: bytes) -> str:
    """Hex in groups of four (tally.codes.group_code), as every screen shows the close head."""
    return group_code(data.hex())
