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
from tally.verify import Report, load_manifest, read


def check_receipt(record: Record, raw: Any, verified: Report | None = None) -> str:
    """Check a member's receipt against a (verified) record; raise VerifyError if the
    server signed acceptance of a ballot the record lacks or has changed.

    ``verified``: the report of :func:`tally.verify.verify_record` on this record; its
    manifest and chain are used instead of parsing the files again.
    """
    receipt = R.parse_receipt(raw)
    if verified is not None and verified.manifest is not None:
        manifest, chain = verified.manifest, verified.chain
    else:
        manifest = load_manifest(record)
        chain = [(e.tracker, e.hash) for e in R.parse_ballots(read(record, "ballots.json"))]
    if receipt.manifest != manifest.hash:
        raise VerifyError("receipt", "is for another vote (manifest hash differs)")
    message = receipt_message(receipt.manifest, receipt.seq, receipt.tracker, receipt.head)
    try:
        signing.verify(manifest.server_key, message, receipt.signature)
    except CryptoError:
        raise VerifyError(
            "receipt", "the server's signature does not verify: not a receipt of this vote"
        ) from None
    where = f"receipt of ballot #{receipt.seq} (tracker {receipt.tracker.hex()[:16]}…)"
    if receipt.seq > len(chain):
        raise VerifyError(
            where,
            f"signed by the server, but the record has only {len(chain)} ballots: "
            "the ballot was dropped",
        )
    tracker, head = chain[receipt.seq - 1]
    if tracker != receipt.tracker or head != receipt.head:
        raise VerifyError(
            where,
            "signed by the server, but the record has another ballot there: "
            "the ballot was dropped or replaced",
        )
    return f"receipt: ballot #{receipt.seq} is in the record with the signed tracker and head"
