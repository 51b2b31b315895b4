"""A whole vote set up in one call, through the real operations: for the demo, rehearsals,
benchmarks and tests (the secretariat does the same steps one page at a time).

The key ceremony is played by :class:`ballot.polls.devices.SimulatedDevices` through the
real bulletin board: this one process then plays every trustee's device and knows every
share, which is fine for a demo or a test and never the path of a real vote.

Transactions: :func:`quick_vote` is a command-level entry point, as a CLI command is
in the rule of ballot/db.py (operations never commit; the view or command that runs
them commits once). Its callers are the demo's start-up (ballot/demo.py), ``flask
rehearse``, the benchmarks and the tests, never an operation or a view, and each wants
the whole vote committed before it goes on (rehearse serves it over HTTP next); so it
commits once, at its end, instead of every caller repeating that commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ballot.cards import operations as cards_ops
from ballot.db import db
from ballot.polls import ceremony, ceremony_post
from ballot.polls import operations as polls
from ballot.polls.devices import SimulatedDevices
from ballot.polls.models import Poll
from ballot.states import State
from tally.vocab import Kind

#: "keys": the ceremony is done, no cards yet (the secretariat prints them next).
STATES = ("keys", State.DRAFT, State.READY, State.OPEN, State.CLOSED)


@dataclass
class QuickVote:
    """The vote, its printed cards and the simulated trustees' share files."""

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
    kind: str = Kind.RATING,
    spares: int = 0,
    present: int | None = None,
    state: str = State.OPEN,
) -> QuickVote:
    """Create, import, ceremony (simulated devices on the board), print cards, the
    devices' confirmations, then (per ``state``) freeze, check in, open, close; commit once."""
    if state not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}")
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
    devices, post = simulated_ceremony(actor, poll)
    shares = devices.share_files(passphrases)
    if state == "keys":
        db.session.commit()  # the entry point's one commit (module docstring)
        return QuickVote(poll, [], b"", shares)
    printed, fingerprint = cards_ops.make_cards(actor, poll, spares)
    raw = ceremony.candidate(poll)
    assert raw is not None  # noqa: S101 - keys and cards exist
    devices.confirm(post, raw)  # even a "draft" quick vote is ready to freeze
    if state != State.DRAFT:
        polls.freeze(actor, poll)
        for _ in range(members if present is None else present):
            polls.check_in(actor, poll, 1)
    if state in (State.OPEN, State.CLOSED):
        polls.open_poll(actor, poll)
    if state == State.CLOSED:
        polls.close_poll(actor, poll)
    db.session.commit()  # the entry point's one commit (module docstring)
    return QuickVote(poll, printed, fingerprint, shares)


def simulated_ceremony(actor: str, poll: Poll) -> tuple[SimulatedDevices, Any]:
    """Start the ceremony and let simulated devices run it on the board (in process)."""
    links = {link.index: link.token for link in ceremony.start(actor, poll)}

    def post(index: int, message: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(message).encode()
        return ceremony_post.post_message(poll, links[index], body)

    devices = SimulatedDevices(
        poll.public_id, list(poll.trustee_names), poll.threshold, poll.ceremony_round
    )
    devices.run(post)
    return devices, post
