"""What a trustee checks before decrypting: the ballots themselves, never the server's sums.

A partial decryption of whatever totals the server hands over would let it decrypt one
member's rows in place of the totals. So the trustee's tool recomputes the totals from
the ballots it verified, with the verifier's own checks (tally/verify.py):

* the manifest, and the committed card set against the manifest's card commitment;
* the chain from the manifest hash up to the server-signed close head, the close's
  count equal to the chain length, one ballot per committed, unrevoked card;
* every trustee's confirmation of this exact manifest (confirmations.json);
* every ballot's card signature and row proofs (on every core);

then sums each official's row over those ballots. Only these sums are decrypted. A
tally.json in the record is merely compared with them, and any difference refused.
It is the same code path as ``tally verify``'s (tally/verify.py's public checks, each
ballot parsed once in tally/ballotcheck.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from keys.elgamal import Ciphertext
from tally.codes import group_code
from tally.manifest import Manifest
from tally.record import Record
from tally.records import parse_tally
from tally.verify import (
    Report,
    VerifyError,
    check_cards,
    check_chain,
    check_confirmations,
    check_proofs,
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
    committed, revoked = check_cards(record, manifest, report)
    # Each ballot is parsed and checked once, on every core; the workers hand back the
    # per-official partial sums, so the sums below cost a few point additions.
    workers = workers or os.cpu_count() or 1
    checked, close = check_chain(record, manifest, committed, revoked, report, workers)
    # Without the n confirmations a server could freeze a manifest with extra cards or
    # other officials that no trustee confirmed, and have it decrypted.
    check_confirmations(record, manifest, report)
    check_proofs(checked)
    return Verified(manifest, checked.sums(), close.head, len(checked.links))


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
