"""A member's signed receipt against a record: a dropped or replaced ballot is provable.

The receipt (docs/record.md §7) is the server's Ed25519 signature over the manifest
hash, the ballot's position, its tracker and the chain head after it.
"""

from __future__ import annotations

from typing import Any

from keys import signing
from keys.errors import CryptoError
from tally import records as R
from tally.record import Record, receipt_message
from tally.records import VerifyError
from tally.verify import load_manifest, read


def check_receipt(record: Record, raw: Any) -> str:
    """Check a member's receipt against a (verified) record; raise VerifyError if the
    server signed acceptance of a ballot the record lacks or has changed."""
    receipt = R.parse_receipt(raw)
    manifest = load_manifest(record)
    if receipt.manifest != manifest.hash:
        raise VerifyError("receipt", "is for another vote (manifest hash differs)")
    message = receipt_message(receipt.manifest, receipt.seq, receipt.tracker, receipt.head)
    try:
        signing.verify(manifest.server_key, message, receipt.signature)
    except CryptoError:
        raise VerifyError(
            "receipt", "the server's signature does not verify: not a receipt of this vote"
        ) from None
    entries = R.parse_ballots(read(record, "ballots.json"))
    where = f"receipt of ballot #{receipt.seq} (tracker {receipt.tracker.hex()[:16]}…)"
    if receipt.seq > len(entries):
        raise VerifyError(
            where,
            f"signed by the server, but the record has only {len(entries)} ballots: "
            "the ballot was dropped",
        )
    entry = entries[receipt.seq - 1]
    if entry.tracker != receipt.tracker or entry.hash != receipt.head:
        raise VerifyError(
            where,
            "signed by the server, but the record has another ballot there: "
            "the ballot was dropped or replaced",
        )
    return f"receipt: ballot #{receipt.seq} is in the record with the signed tracker and head"
