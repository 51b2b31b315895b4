"""The vote's transition table (ballot.states): its shape, and a walk of a real vote
through every state in which each operation is tried and must be refused for its state
exactly when the table says so."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ballot.cards import operations as cards_ops
from ballot.counting import operations as counting
from ballot.db import db
from ballot.errors import ApiError
from ballot.polls import ceremony
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.states import STATE_LABELS, TRANSITIONS, Action, State, after, allowed, may
from ballot.voting.casting import cast
from tally.count import decrypt_with_share, parse_totals
from tests.voting_helpers import PASSPHRASES, ballot_body, make_vote

WRONG_STATE = {"wrong_state"}


def test_the_moves_are_the_documented_chain() -> None:
    moves = {(s, to, a) for a, table in TRANSITIONS.items() for s, to in table.items() if s != to}
    assert moves == {
        (State.DRAFT, State.READY, Action.FREEZE),
        (State.READY, State.OPEN, Action.OPEN),
        (State.OPEN, State.CLOSED, Action.CLOSE),
        (State.CLOSED, State.TALLIED, Action.TALLY),
        (State.TALLIED, State.PUBLISHED, Action.PUBLISH),
    }
    # Walking the moves from draft visits every state once, in the enum's order.
    seen, state = [State.DRAFT], State.DRAFT
    while nxt := [to for _, t in TRANSITIONS.items() for s, to in t.items() if s == state != to]:
        assert len(nxt) == 1, f"two ways out of {state}"
        state = nxt[0]
        assert state not in seen, "a move goes back"
        seen.append(state)
    assert seen == list(State)


def test_every_action_is_allowed_somewhere_and_refused_elsewhere() -> None:
    assert set(TRANSITIONS) == set(Action)
    for action, table in TRANSITIONS.items():
        assert table and set(table) <= set(State) and set(table.values()) <= set(State)
        assert allowed(action) == tuple(s for s in State if s in table)
        for state in State:
            assert may(action, state) == (state in table) == may(action, str(state))
            if state in table:
                assert after(action, state) == table[state] == after(action, state.value)
            else:
                with pytest.raises(ValueError):
                    after(action, state)
    assert not may(Action.CAST, "opened") and set(STATE_LABELS) == set(State)


def _probes(vote: Any) -> dict[Action, list[tuple[Callable[[Poll], Any], set[str]]]]:
    """Operations that check the state, each with the codes meaning "not in this state"."""
    return {
        Action.PREPARE: [
            (lambda p: polls.add_official("thuky", p, "Ông Mới", "Ủy viên"), WRONG_STATE),
            (lambda p: ceremony.restart("thuky", p, "thử lại"), WRONG_STATE),
            (lambda p: cards_ops.discard_cards("thuky", p), WRONG_STATE),
        ],
        Action.FREEZE: [(lambda p: polls.freeze("thuky", p), WRONG_STATE)],
        Action.CHECK_IN: [(lambda p: polls.check_in("thuky", p, 1), WRONG_STATE)],
        Action.MANAGE_CARDS: [
            (lambda p: cards_ops.revoke("thuky", p, "0001"), WRONG_STATE),
            (lambda p: cards_ops.issue_spare("thuky", p, "0005"), WRONG_STATE),
        ],
        Action.OPEN: [(lambda p: polls.open_poll("thuky", p), WRONG_STATE)],
        Action.CLOSE: [(lambda p: polls.close_poll("thuky", p), WRONG_STATE)],
        Action.COUNT: [(lambda p: counting.start_count("thuky", p), WRONG_STATE)],
        Action.PUBLISH: [(lambda p: counting.publish("thuky", p), WRONG_STATE)],
        Action.READ_RECORD: [(counting.check_data, {"not_closed"})],
        # The cast commits, so it is tried for real (last) where it is allowed; before
        # the freeze there is no manifest to encrypt under, and any JSON is refused.
        Action.CAST: [(lambda p: cast(p.id, _ballot(vote, p)), {"not_open", "closed"})],
    }


def _ballot(vote: Any, poll: Poll) -> bytes:
    return b"{}" if poll.manifest is None else ballot_body(vote, 3, [1, 2])


def _try_every_action(vote: Any, state: State) -> None:
    poll = db.session.get(Poll, vote.poll_id)
    assert poll is not None and poll.state == state
    for action, probes in _probes(vote).items():
        for probe, codes in probes:
            if action == Action.CAST and may(action, state):
                continue
            refused_for_state = False
            savepoint = db.session.begin_nested()
            try:
                probe(poll)
            except ApiError as err:
                refused_for_state = err.code in codes
            savepoint.rollback()
            db.session.expire_all()
            assert refused_for_state != may(action, state), (action, state)
            assert db.session.get(Poll, vote.poll_id).state == state


def test_a_vote_walks_the_table(app) -> None:
    with app.app_context():
        vote = make_vote(members=4, officials=2, spares=1, state="draft")

        def move(action: Action, step: Callable[[Poll], Any]) -> None:
            poll = db.session.get(Poll, vote.poll_id)
            before = State(poll.state)
            step(poll)
            db.session.commit()
            assert db.session.get(Poll, vote.poll_id).state == after(action, before)

        _try_every_action(vote, State.DRAFT)
        move(Action.FREEZE, lambda p: polls.freeze("thuky", p))
        _try_every_action(vote, State.READY)
        for _ in range(4):
            polls.check_in("thuky", db.session.get(Poll, vote.poll_id), 1)
        db.session.commit()
        move(Action.OPEN, lambda p: polls.open_poll("thuky", p))
        _try_every_action(vote, State.OPEN)
        receipt = cast(vote.poll_id, ballot_body(vote, 0, [1, 2]))  # CAST, for real
        assert receipt.seq == 1
        db.session.commit()
        assert db.session.get(Poll, vote.poll_id).state == after(Action.CAST, State.OPEN)
        move(Action.CLOSE, lambda p: polls.close_poll("thuky", p))
        _try_every_action(vote, State.CLOSED)
        move(Action.COUNT, lambda p: counting.start_count("thuky", p))

        def tally(poll: Poll) -> None:
            manifest = counting.manifest_of(poll)
            totals, _ = parse_totals(json.loads(counting.get_count(poll).tally), manifest)
            for i in (0, 1):  # k = 2: the second partial completes the count
                share = vote.shares[i][1]
                part = decrypt_with_share(manifest, totals, share, PASSPHRASES[i])
                counting.submit_partial("thuky", poll, part.to_json())

        move(Action.TALLY, tally)
        _try_every_action(vote, State.TALLIED)
        move(Action.PUBLISH, lambda p: counting.publish("thuky", p))
        _try_every_action(vote, State.PUBLISHED)
