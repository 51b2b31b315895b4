"""The web layer's record: issued enforced at cast time, one log per vote, signed receipts."""

import json

import pytest

from ballot.cards import operations as cards_ops
from ballot.counting.export import build_record
from ballot.db import db
from ballot.errors import ApiError
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from tally.receipts import check_receipt
from tally.verify import (
    Report,
    check_cards,
    check_chain,
    check_figures,
    check_log,
    load_manifest,
)
from tests.voting_helpers import ballot_body, make_vote


def test_card_nobody_was_handed_is_refused_then_the_record_binds_everything(app):
    with app.app_context():
        vote = make_vote(members=4, officials=2, spares=1)  # 4 checked in, spare 0005 unissued
        receipts = [cast(vote.poll_id, ballot_body(vote, i, [1, 2])) for i in range(4)]
        with pytest.raises(ApiError) as err:
            cast(vote.poll_id, ballot_body(vote, 4, [1, 1]))  # the spare: nobody handed it out
        assert err.value.code == "not_issued" and "4" in err.value.message
        db.session.rollback()
        poll = db.session.get(Poll, vote.poll_id)
        with pytest.raises(ApiError):  # uncounting a member would make issued < returned
            polls.check_in("thuky", poll, -1)
        db.session.rollback()
        poll = db.session.get(Poll, vote.poll_id)
        cards_ops.issue_spare("thuky", poll, "0005")
        db.session.commit()
        receipts.append(cast(vote.poll_id, ballot_body(vote, 4, [1, 1])))
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
        poll = db.session.get(Poll, vote.poll_id)
        from ballot.counting import operations as counting

        counting.start_count("thuky", poll)
        db.session.commit()
        record = build_record(db.session.get(Poll, vote.poll_id))
        manifest = load_manifest(record)
        report = Report()
        committed, revoked = check_cards(record, manifest, report)
        _, close = check_chain(record, manifest, committed, revoked, report)
        facts = check_log(record, manifest, close, report)
        figures = check_figures(record, manifest, facts, close, report)
        assert (figures.present, figures.issued, figures.returned) == (4, 5, 5)
        actions = record.json("actions.json")["actions"]
        assert all(a["details"]["poll"] == vote.public_id for a in actions)
        assert not any(a["action"].startswith("account.") for a in actions)
        assert [a["seq"] for a in actions] == list(range(1, len(actions) + 1))
        for r in receipts:
            assert r.signed is not None
            assert f"ballot #{r.seq} is in the record" in check_receipt(record, r.signed)
        html = app.test_client().get(f"/board/{vote.public_id}").get_data(as_text=True)
        assert 'id="close-actions-head"' in html
        figures_json = record.json("figures.json")
        assert figures_json["closed_at"] == record.json("checkpoints.json")["close"]["at"]
        assert json.dumps(figures_json["opened_at"]).endswith('+00:00"')


def test_checkpoints_are_signed_while_open_and_shown_on_the_board(app):
    from keys import signing
    from keys.hashing import TAG_CHECKPOINT
    from tally.record import head_message

    app.config["CHECKPOINT_BALLOTS"] = 2
    with app.app_context():
        vote = make_vote(members=4, officials=2, spares=0)
        for i in range(3):
            cast(vote.poll_id, ballot_body(vote, i, [1, 0]))
        poll = db.session.get(Poll, vote.poll_id)
        manifest = json.loads(poll.manifest)
    page = app.test_client().get(f"/board/{vote.public_id}/board.json").get_json()
    cp = page["fingerprints"]["checkpoint"]
    assert cp["count"] == 2 and set(cp) == {"count", "head", "at", "signature"}
    message = head_message(
        TAG_CHECKPOINT, bytes.fromhex(page["fingerprints"]["manifest_hash"]), 2,
        bytes.fromhex(cp["head"]), cp["at"],
    )  # fmt: skip
    signing.verify(bytes.fromhex(manifest["server_key"]), message, bytes.fromhex(cp["signature"]))
    html = app.test_client().get(f"/board/{vote.public_id}").get_data(as_text=True)
    assert 'id="checkpoint-head"' in html


def test_each_checkpoint_is_logged_in_the_vote_chain_the_close_signs(app):
    """The record's checkpoints.json is exactly the checkpoints the vote's chain logs."""
    from ballot.counting import operations as counting

    app.config["CHECKPOINT_BALLOTS"] = 2
    with app.app_context():
        vote = make_vote(members=4, officials=2, spares=0)
        for i in range(4):
            cast(vote.poll_id, ballot_body(vote, i, [1, 0]))
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
        counting.start_count("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
        record = build_record(db.session.get(Poll, vote.poll_id))
        manifest = load_manifest(record)
        report = Report()
        committed, revoked = check_cards(record, manifest, report)
        _, close = check_chain(record, manifest, committed, revoked, report)
        facts = check_log(record, manifest, close, report)
        assert [(n > 0, c.count) for n, c in facts.checkpoints] == [(True, 2), (True, 4)]
        listed = record.json("checkpoints.json")["checkpoints"]
        logged = [
            {k: v for k, v in a["details"].items() if k != "poll"}
            for a in record.json("actions.json")["actions"]
            if a["action"] == "poll.checkpoint"
        ]
        assert logged == listed and len(listed) == 2
        assert "OK  2 logged checkpoints, exactly those of checkpoints.json" in report.lines
    from ballot.polls.loglabels import action_label, detail_items

    entry = next(
        a for a in record.json("actions.json")["actions"] if a["action"] == "poll.checkpoint"
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert action_label("poll.checkpoint") == "Checkpoint signed by the server"
        shown = dict(detail_items(entry["details"], "poll.checkpoint"))
    assert shown["ballots"] == "2" and shown["signed at"] == entry["details"]["at"]
    assert shown["chain code at that ballot"].endswith(" …")
    assert (
        shown["server signature"]
        == " ".join(entry["details"]["signature"][i : i + 4] for i in (0, 4, 8, 12)) + " …"
    )
