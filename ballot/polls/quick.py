"""A whole vote set up in one call, through the real operations: for the demo, rehearsals,
benchmarks and tests (the secretariat does the same steps one page at a time)."""

from __future__ import annotations

from dataclasses import dataclass

from ballot.cards import operations as cards_ops
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll

STATES = ("draft", "ready", "open", "closed")


@dataclass
class QuickVote:
    """The vote, its printed cards and the trustees' share files (kept by the caller)."""

    poll: Poll
    printed: list[cards_ops.PrintedCard]
    fingerprint: bytes
    shares: list[tuple[str, bytes]]


def quick_vote(
    actor: str,
    *,
    meeting: str,
    title: str,
    officials: list[tuple[str, str]],
    members: int,
    trustee_names: list[str],
    threshold: int,
    passphrases: list[str],
    kind: str = "rating",
    spares: int = 0,
    present: int | None = None,
    state: str = "open",
) -> QuickVote:
    """Create, import, ceremony, print cards, then (per ``state``) freeze, check in, open,
    close; commit once at the end."""
    if state not in STATES:
        raise ValueError(f"state must be one of {STATES}")
    poll = polls.create_poll(
        actor,
        meeting=meeting,
        title=title,
        kind=kind,
        summoned=members,
        trustee_names=trustee_names,
        threshold=threshold,
    )
    polls.replace_officials(actor, poll, officials)
    shares = polls.run_ceremony(actor, poll, passphrases)
    printed, fingerprint = cards_ops.make_cards(actor, poll, spares)
    if state != "draft":
        polls.freeze(actor, poll)
        for _ in range(members if present is None else present):
            polls.check_in(actor, poll, 1)
    if state in ("open", "closed"):
        polls.open_poll(actor, poll)
    if state == "closed":
        polls.close_poll(actor, poll)
    db.session.commit()
    return QuickVote(poll, printed, fingerprint, shares)
