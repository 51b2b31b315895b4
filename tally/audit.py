"""What the vote's own action chain proves: who was present, what was issued and revoked.

``tally verify`` derives these from actions.json (whose head is inside the signed close)
and compares them with figures.json, revocations.json and the manifest, so a figure
cannot be changed without breaking a signature (docs/record.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tally.actions import CHECKPOINT_ACTION, vote_action_hash, vote_log_seed
from tally.manifest import Manifest
from tally.records import (
    Action,
    Card,
    SignedHead,
    VerifyError,
    hexbytes,
    integer,
    obj,
    text,
    timestamp,
)
from tally.rules import quorum_met

#: Actions that change what the figures say, or sign the chain while voting; none may
#: follow the close.
BEFORE_CLOSE = (
    "poll.freeze",
    "poll.checkin",
    "poll.open",
    "cards.spare",
    "cards.revoke",
    CHECKPOINT_ACTION,
)


@dataclass
class LogFacts:
    """Facts derived from the log up to the signed close."""

    present: int = 0
    spares: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    opened_at: str | None = None
    override: str | None = None
    #: The checkpoints the log records, in order, with their action numbers.
    checkpoints: list[tuple[int, SignedHead]] = field(default_factory=list)

    @property
    def issued(self) -> int:
        """Cards issued: one per member checked in, plus each spare handed out."""
        return self.present + len(self.spares)


def check_chain(manifest: Manifest, actions: list[Action]) -> None:
    """Entries numbered from 1 and hash-chained from the vote's seed."""
    prev = vote_log_seed(manifest.election_id)
    for n, a in enumerate(actions, start=1):
        where = f"actions.json, action {n}"
        if a.seq != n:
            raise VerifyError(where, f"numbered {a.seq}, expected {n} (entry missing or moved)")
        if a.details.get("poll") != manifest.election_id:
            raise VerifyError(where, "belongs to another vote")
        prev = vote_action_hash(prev, a.fields())
        if a.hash != prev:
            raise VerifyError(where, "hash does not match its content and the previous entry")


def _detail(a: Action, n: int, name: str) -> Any:
    if name not in a.details:
        raise VerifyError(f"actions.json, action {n} ({a.action})", f"details lack {name}")
    return a.details[name]


def derive(
    manifest: Manifest, actions: list[Action], close: SignedHead, cards: list[Card]
) -> LogFacts:
    """Replay the log up to the close; refuse any step the server itself would refuse."""
    assert close.actions is not None and close.actions_head is not None  # noqa: S101 - parsed
    if close.actions > len(actions):
        raise VerifyError("actions.json", f"the signed close covers {close.actions} entries")
    if actions[close.actions - 1].hash != close.actions_head:
        raise VerifyError("actions.json", "differs from the action-log head signed at the close")
    serials = {c.serial for c in cards}
    # Cards are printed summoned first, then the spares (ballot/cards/operations.py).
    spare_serials = set(sorted(serials)[manifest.summoned :])
    facts = LogFacts()
    frozen = opened = False
    for n, a in enumerate(actions[: close.actions], start=1):
        where = f"actions.json, action {n} ({a.action})"
        if a.action == "poll.freeze":
            if hexbytes(_detail(a, n, "manifest"), where, 32) != manifest.hash or frozen:
                raise VerifyError(where, "freezes another manifest, or a second time")
            frozen = True
        elif a.action == "poll.checkin":
            present = integer(_detail(a, n, "present"), where + " present", 0, manifest.summoned)
            if abs(present - facts.present) != 1:
                raise VerifyError(where, f"present jumps from {facts.present} to {present}")
            facts.present = present
        elif a.action == "poll.open":
            if not frozen or opened:
                raise VerifyError(where, "opens before the freeze, or a second time")
            if integer(_detail(a, n, "present"), where, 0) != facts.present:
                raise VerifyError(
                    where, f"says present {a.details['present']}, log {facts.present}"
                )
            reason = _detail(a, n, "override")
            if reason is not None:
                reason = text(reason, where + " override").strip() or None
            if not quorum_met(facts.present, manifest.summoned) and reason is None:
                raise VerifyError(
                    where,
                    f"opened with {facts.present} of {manifest.summoned} present, below quorum, "
                    "and no reason recorded",
                )
            opened, facts.opened_at, facts.override = True, a.at, reason
        elif a.action in ("cards.spare", "cards.revoke"):
            s = _detail(a, n, "serial")
            if not frozen or s not in serials or s in facts.spares + facts.revoked:
                raise VerifyError(where, f"card {s!r:.20} is unknown, already used here, or early")
            if a.action == "cards.spare" and s not in spare_serials:
                raise VerifyError(where, f"card {s} is not a spare (spares follow the summoned)")
            (facts.spares if a.action == "cards.spare" else facts.revoked).append(s)
        elif a.action == CHECKPOINT_ACTION:
            cp = logged_checkpoint(a, where)
            last = facts.checkpoints[-1][1].count if facts.checkpoints else 0
            if not opened or cp.count <= last:
                raise VerifyError(where, "before the open, or not after the previous checkpoint")
            facts.checkpoints.append((n, cp))
        elif a.action == "poll.close":
            if n != close.actions or not opened:
                raise VerifyError(where, "is not the signed close's last entry, or before an open")
            if _detail(a, n, "ballots") != close.count or _detail(a, n, "head") != close.head.hex():
                raise VerifyError(where, "its ballots or head differ from the signed close")
    if actions[close.actions - 1].action != "poll.close":
        raise VerifyError("actions.json", "the signed close's last entry is not poll.close")
    for n, a in enumerate(actions[close.actions :], start=close.actions + 1):
        if a.action in (*BEFORE_CLOSE, "poll.close"):
            raise VerifyError(f"actions.json, action {n} ({a.action})", "after the close")
    return facts


def logged_checkpoint(a: Action, where: str) -> SignedHead:
    """The signed checkpoint a ``poll.checkpoint`` entry records (tally.actions)."""
    d = obj(a.details, where, "actions.json poll.checkpoint details")
    timestamp(d["at"], where + " at")
    return SignedHead(
        integer(d["count"], where + " count", 1),
        hexbytes(d["head"], where + " head", 32),
        d["at"],
        hexbytes(d["signature"], where + " signature", 64),
    )


def check_logged_checkpoints(
    logged: list[tuple[int, SignedHead]], listed: list[SignedHead]
) -> None:
    """checkpoints.json lists exactly the checkpoints the log records, same bytes, in order.

    Both lists are in increasing count (checked before), so at the first difference
    the smaller count is the one the other list lacks; equal counts mean altered.
    """
    for i in range(max(len(logged), len(listed))):
        n, want = logged[i] if i < len(logged) else (0, None)
        got = listed[i] if i < len(listed) else None
        if got == want:
            continue
        if want is not None and (got is None or want.count < got.count):
            raise VerifyError(
                "checkpoints.json",
                f"the checkpoint logged at action {n} (ballot #{want.count}) is missing: "
                "left out of the record",
            )
        if got is not None and (want is None or got.count < want.count):
            raise VerifyError(
                f"checkpoint {i + 1}",
                f"(ballot #{got.count}) is not in the action log: "
                "every checkpoint the server signs is logged",
            )
        assert got is not None and want is not None  # noqa: S101 - equal counts here
        differ = [k for k in ("head", "at", "signature") if getattr(got, k) != getattr(want, k)]
        raise VerifyError(
            f"checkpoint {i + 1}",
            f"differs from the one logged at action {n} ({', '.join(differ)})",
        )
