"""The count in the web layer: partial decryptions checked on arrival, results, a record
that ``tally verify`` accepts (on SQLite and on PostgreSQL)."""

import json

import pytest

from ballot.counting import operations as counting
from ballot.counting.export import build_record
from ballot.db import db
from ballot.errors import ApiError
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from tally.count import decrypt_with_share, parse_totals
from tally.verify import verify_record
from tests.voting_helpers import PASSPHRASES, ballot_body, make_vote


def _partial(poll, trustee):
    count = counting.get_count(poll)
    manifest = counting.manifest_of(poll)
    totals, _ = parse_totals(json.loads(count.tally), manifest)
    return manifest, totals


def test_whole_vote_counts_and_verifies(app):
    with app.app_context():
        vote = make_vote(members=5, officials=3)
        choices = [[1, 2, 3], [3, 3, 0], [1, 1, 1], [2, 3, 3]]
        for i, c in enumerate(choices):
            cast(vote.poll_id, ballot_body(vote, i, c))
        poll = db.session.get(Poll, vote.poll_id)
        with pytest.raises(ApiError):
            counting.start_count("thuky", poll)  # still open: no count
        db.session.rollback()
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
        poll = db.session.get(Poll, vote.poll_id)
        counting.start_count("thuky", poll)
        db.session.commit()
        manifest, totals = _partial(poll, 1)
        part3 = decrypt_with_share(manifest, totals, vote.shares[2][1], PASSPHRASES[2])
        counting.submit_partial("thuky", poll, part3.to_json())
        db.session.commit()
        with pytest.raises(ApiError) as err:  # the same trustee again
            counting.submit_partial("thuky", poll, part3.to_json())
        assert err.value.code == "duplicate_trustee"
        db.session.rollback()
        poll = db.session.get(Poll, vote.poll_id)
        part1 = decrypt_with_share(manifest, totals, vote.shares[0][1], PASSPHRASES[0])
        bent = part1.to_json()
        bent["proofs"][1]["s"] = f"{int(bent['proofs'][1]['s'], 16) ^ 1:064x}"
        with pytest.raises(ApiError) as err:
            counting.submit_partial("thuky", poll, bent)
        assert err.value.code == "bad_decryption" and "1" in err.value.message
        db.session.rollback()
        poll = db.session.get(Poll, vote.poll_id)
        assert poll.state == "closed"
        with pytest.raises(ApiError) as err:
            counting.submit_partial("thuky", poll, {"manifest": "00" * 32, **part1.to_json()})
        assert err.value.code == "wrong_vote"
        db.session.rollback()
        poll = db.session.get(Poll, vote.poll_id)
        counting.submit_partial("thuky", poll, part1.to_json())
        db.session.commit()
        poll = db.session.get(Poll, vote.poll_id)
        assert poll.state == "tallied"
        record = build_record(poll)
        count = counting.get_count(poll)
        assert record.hash() == count.record_hash
        report = verify_record(record, workers=1)
        assert report.record_hash == count.record_hash.hex()
        res = record.json("results.json")
        first = res["officials"][0]
        assert first["counts"] == {"tin_nhiem_cao": 2, "tin_nhiem": 1, "tin_nhiem_thap": 1}
        third = res["officials"][2]
        assert third["counts"] == {"tin_nhiem_cao": 1, "tin_nhiem": 0, "tin_nhiem_thap": 2}
        assert first["blank"] == 0 and third["blank"] == 1 and res["figures"]["returned"] == 4
        assert res["trustees"] == [1, 3]
        counting.publish("thuky", poll)
        db.session.commit()
        poll = db.session.get(Poll, vote.poll_id)
        assert build_record(poll).hash() == count.record_hash  # later actions not in it
