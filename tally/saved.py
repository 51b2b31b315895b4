"""A checkpoint or close an observer saved from the board, against the published record.

A server that holds its signing key can, after the close, drop a checkpoint and its log
entry, re-chain the vote's actions and sign a shorter close: that record verifies alone
(docs/record.md §3). What it cannot do is make a head it signed and showed go away from
the hands of whoever saved it. So ``tally verify RECORD --checkpoint FILE``: the saved
head must be signed by this vote's server; a checkpoint must then be in the record's
checkpoints.json byte for byte and be a prefix of its ballot chain, and a close must be
the record's close byte for byte. Anything else shows the server rewrote the record
after the head was shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from keys import signing
from keys.errors import CryptoError
from tally import records as R
from tally.manifest import Manifest
from tally.record import TAG_CHECKPOINT, Record, close_message, head_message
from tally.records import VerifyError
from tally.verify import Report, read

#: The fields of a close, in the order a mismatch names them.
_CLOSE_FIELDS = ("count", "head", "at", "actions", "actions_head", "signature")


def _message(manifest_hash: bytes, saved: R.SavedHead) -> bytes:
    s = saved.signed
    if saved.kind == "close":
        assert s.actions is not None and s.actions_head is not None  # noqa: S101 - parsed
        return close_message(manifest_hash, s.count, s.head, s.at, s.actions, s.actions_head)
    return head_message(TAG_CHECKPOINT, manifest_hash, s.count, s.head, s.at)


def signed_by_the_server(manifest: Manifest, raw: Any, name: str) -> R.SavedHead:
    """A saved signed head (``name``: its file's name) parsed, for this vote, with the
    server's valid signature; else VerifyError. Needs no record: an observer runs it
    (``tally check-head``) right after saving, with the manifest from the board."""
    saved = R.parse_saved_head(raw, name)
    where = f"saved {saved.kind} {name} (ballot #{saved.signed.count})"
    if saved.manifest != manifest.hash:
        raise VerifyError(where, "is for another vote (manifest hash differs)")
    try:
        signing.verify(manifest.server_key, _message(manifest.hash, saved), saved.signed.signature)
    except CryptoError:
        raise VerifyError(
            where,
            "the server's signature does not verify: not signed by this vote's server "
            "(a wrong or altered file proves nothing)",
        ) from None
    return saved


def check_saved(record: Record, raw: Any, name: str, verified: Report) -> str:
    """Check one saved signed head (``name``: its file's name) against a record that
    verified (``verified``: its report); return the report line or raise VerifyError."""
    assert verified.manifest is not None  # noqa: S101 - only after verify_record
    manifest = verified.manifest
    saved = signed_by_the_server(manifest, raw, name)
    s = saved.signed
    where = f"saved {saved.kind} {name} (ballot #{s.count})"
    checkpoints, close = R.parse_checkpoints(read(record, "checkpoints.json"))
    if saved.kind == "close":
        assert close is not None  # noqa: S101 - the record verified
        differ = [f for f in _CLOSE_FIELDS if getattr(s, f) != getattr(close, f)]
        if differ:
            raise VerifyError(
                where,
                f"signed by this vote's server, but the record's close differs "
                f"({', '.join(differ)}): the close was signed again after this one was shown",
            )
        return f"saved close {name}: the record's close, byte for byte"
    chain = verified.chain
    if s.count > len(chain):
        raise VerifyError(
            where,
            f"signed by this vote's server, but the record has only {len(chain)} ballots: "
            "ballots were dropped after it was shown",
        )
    head = manifest.hash if s.count == 0 else chain[s.count - 1][1]
    if head != s.head:
        raise VerifyError(
            where,
            f"signed by this vote's server, but the record's chain differs at ballot "
            f"#{s.count}: the chain was rewritten after it was shown",
        )
    if s not in checkpoints:
        raise VerifyError(
            where,
            "signed by this vote's server and a prefix of the chain, but missing from "
            "checkpoints.json: the record was trimmed after it was shown",
        )
    return f"saved checkpoint {name}: in the record, a prefix of its chain at ballot #{s.count}"


def check_together(manifest: Manifest, saved: list[tuple[str, R.SavedHead]]) -> None:
    """Heads saved by one observer must fit one chain: one head per ballot count, the
    manifest hash at count 0, no checkpoint beyond the close. Each of these already
    proves a dishonest server; ``check-head`` says so when saving, not months later."""
    seen: dict[int, tuple[str, bytes]] = {}
    closes = [(n, h.signed) for n, h in saved if h.kind == "close"]
    for name, h in saved:
        s = h.signed
        where = f"saved {h.kind} {name} (ballot #{s.count})"
        if s.count == 0 and s.head != manifest.hash:
            raise VerifyError(where, "signed for no ballot, but its head is not the manifest hash")
        other = seen.get(s.count)
        if other is not None and other[1] != s.head:
            raise VerifyError(
                where,
                f"and {other[0]}: two different heads signed for ballot #{s.count}: the "
                "server showed two chains (keep both files: together they prove it)",
            )
        seen[s.count] = (name, s.head)
        for close_name, close in closes if h.kind == "checkpoint" else ():
            at, closed = datetime.fromisoformat(s.at), datetime.fromisoformat(close.at)
            if s.count > close.count or at > closed:
                raise VerifyError(
                    where,
                    f"comes after the close {close_name} (ballot #{close.count}, {close.at}): "
                    "the server signed past its own close",
                )
