"""Casting: every rule of docs/security.md at the operations level, and one ballot per card under
concurrency (on SQLite and, with TEST_DATABASE_URL, on PostgreSQL)."""

import json
import threading

import pytest
from sqlalchemy import select

from ballot.cards import operations as cards_ops
from ballot.cards.models import Card
from ballot.db import db
from ballot.errors import ApiError
from ballot.polls import ceremony
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from ballot.voting.models import BallotEntry
from tally.record import chain_link
from tests.voting_helpers import ballot_body, make_vote


def _refused(code, fn, *args, **kwargs):
    with pytest.raises(ApiError) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value.message
    db.session.rollback()
    return err.value


def _state(poll_id):
    db.session.expire_all()
    poll = db.session.get(Poll, poll_id)
    n = db.session.scalar(select(db.func.count()).select_from(BallotEntry))
    used = db.session.scalar(select(db.func.count()).where(Card.status == "used"))
    return poll.ballot_count, n, used


def test_cast_burns_the_card_and_chains(app):
    with app.app_context():
        vote = make_vote()
        body = ballot_body(vote, 0, [1, 2, 3])
        receipt = cast(vote.poll_id, body)
        assert receipt.seq == 1 and not receipt.repeated
        poll = db.session.get(Poll, vote.poll_id)
        entry = db.session.scalar(select(BallotEntry))
        assert entry.prev_hash == poll.manifest_hash
        assert entry.hash == chain_link(poll.manifest_hash, 1, receipt.tracker)
        assert poll.chain_head == entry.hash
        again = cast(vote.poll_id, body)  # lost response, same ballot retried
        assert again.tracker == receipt.tracker and again.repeated
        other = ballot_body(vote, 0, [3, 3, 3])
        err = _refused("card_used", cast, vote.poll_id, other)
        assert "đã được dùng" in err.message or "already" in err.message
        assert _state(vote.poll_id) == (1, 1, 1)
        second = cast(vote.poll_id, ballot_body(vote, 1, [0, 0, 0]))
        assert second.seq == 2


def test_bad_input_changes_nothing(app):
    with app.app_context():
        vote = make_vote()
        good = json.loads(ballot_body(vote, 0, [1, 1, 1]))
        bad_proof = json.loads(json.dumps(good))
        bad_proof["rows"][1]["s"][0] = "00" * 32
        cases = [
            ("bad_ballot", b"not json"),
            ("bad_ballot", b"[]"),
            ("bad_ballot", json.dumps({**good, "rows": good["rows"][:2]}).encode()),
            ("bad_signature", json.dumps(bad_proof).encode()),
            ("too_large", b" " * (300 * 1024)),
        ]
        for code, body in cases:
            _refused(code, cast, vote.poll_id, body)
        assert _state(vote.poll_id) == (0, 0, 0)


def test_other_vote_unknown_revoked_and_state(app):
    with app.app_context():
        vote = make_vote(members=3)
        other = make_vote(members=3)
        foreign = ballot_body(other, 0, [1, 1, 1])
        # Checked against this vote's manifest before any point or card is looked at.
        _refused("wrong_election", cast, vote.poll_id, foreign)
        poll = db.session.get(Poll, vote.poll_id)
        cards_ops.revoke("thuky", poll, "0002")
        db.session.commit()
        _refused("card_revoked", cast, vote.poll_id, ballot_body(vote, 1, [1, 1, 1]))
        cast(vote.poll_id, ballot_body(vote, 0, [2, 2, 2]))
        poll = db.session.get(Poll, vote.poll_id)
        _refused("card_used", cards_ops.revoke, "thuky", poll, "0001")
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
        _refused("closed", cast, vote.poll_id, ballot_body(vote, 2, [1, 1, 1]))
        ready = make_vote(members=3, state="ready")
        _refused("not_open", cast, ready.poll_id, ballot_body(ready, 0, [1, 1, 1]))
        assert _state(vote.poll_id)[0] == 1


def test_state_rules(app):
    with app.app_context():
        draft = make_vote(members=3, state="draft")
        poll = db.session.get(Poll, draft.poll_id)
        _refused("wrong_state", polls.open_poll, "thuky", poll)
        polls.freeze("thuky", poll)
        db.session.commit()
        poll = db.session.get(Poll, draft.poll_id)
        _refused("wrong_state", polls.add_official, "thuky", poll, "Bà Mới", "Ủy viên")
        _refused("wrong_state", ceremony.restart, "thuky", poll, "khóa mới")
        _refused("wrong_state", cards_ops.make_cards, "thuky", poll, 1)
        _refused("no_quorum", polls.open_poll, "thuky", poll)  # 0 of 3 present
        polls.check_in("thuky", poll, 1)
        polls.check_in("thuky", poll, 1)  # 2 of 3 = 2/3: quorum
        polls.open_poll("thuky", poll)
        db.session.commit()
        empty = polls.create_poll(
            "thuky",
            meeting="m",
            title="t",
            kind="confidence",
            summoned=10,
            trustee_names=["A", "B"],
            threshold=2,
        )
        _refused("not_ready", polls.freeze, "thuky", empty)
        _refused(
            "bad_trustees",
            polls.create_poll,
            "thuky",
            meeting="m",
            title="t",
            kind="rating",
            summoned=3,
            trustee_names=["A"],
            threshold=2,
        )


def test_open_without_quorum_needs_a_recorded_reason(app):
    with app.app_context():
        vote = make_vote(members=3, state="draft")
        poll = db.session.get(Poll, vote.poll_id)
        polls.freeze("thuky", poll)
        polls.check_in("thuky", poll, 1)
        db.session.commit()
        _refused("no_quorum", polls.open_poll, "thuky", poll, "   ")
        poll = db.session.get(Poll, vote.poll_id)
        polls.open_poll("thuky", poll, "Đại biểu vắng do bão, Chủ tọa quyết định")
        db.session.commit()
        assert db.session.get(Poll, vote.poll_id).quorum_override.startswith("Đại biểu")


def test_same_card_twenty_times_at_once_gives_one_ballot(app):
    with app.app_context():
        vote = make_vote(members=3)
        body = ballot_body(vote, 0, [1, 2, 3])
        other = ballot_body(vote, 0, [3, 2, 1])
    results, errors = [], []

    def submit(i):
        with app.app_context():
            try:
                results.append(cast(vote.poll_id, body if i % 2 else other).tracker)
            except ApiError as err:
                errors.append(err.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        assert _state(vote.poll_id) == (1, 1, 1)
        entry = db.session.scalar(select(BallotEntry))
        assert set(results) == {bytes(entry.tracker)}
        assert len(results) + len(errors) == 20
        assert set(errors) <= {"card_used"}
