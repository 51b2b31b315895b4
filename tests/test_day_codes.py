"""Codes people compare: one name and one grouping (fours) on every screen."""

from __future__ import annotations

import json
import re

from ballot.db import db
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from keys.hashing import ballot_fingerprint
from tally.codes import group_code
from tests.polls_web_helpers import login
from tests.voting_helpers import ballot_body, make_vote


def test_one_name_and_groups_of_four_everywhere(app, client, make_user):
    with app.app_context():
        vote = make_vote(members=3)
        tracker = cast(vote.poll_id, ballot_body(vote, 0, [1, 2, 3])).tracker.hex()
        db.session.commit()
        poll = db.session.get(Poll, vote.poll_id)
        manifest_hash = poll.manifest_hash.hex()
        check = ballot_fingerprint(json.loads(poll.manifest)).hex()
    make_user("thuky")
    login(client, "thuky")
    client.get("/lang/en?next=/")
    pid = vote.public_id
    pages = {
        "freeze": client.get(f"/polls/{pid}/freeze").get_data(as_text=True),
        "projector": client.get(f"/projector/{pid}").get_data(as_text=True),
        "board": client.get(f"/board/{pid}").get_data(as_text=True),
    }
    for name, html in pages.items():
        assert "Vote fingerprint" in html, name
        assert group_code(manifest_hash) in html, name
        assert "Manifest fingerprint" not in html and "Mã xác thực" not in html, name
        assert "Ballot check code" in html, name
        assert group_code(check[:16]) in html, name
    board = pages["board"]
    assert group_code(tracker) in board and "Receipt code" in board
    assert not re.search(r"\b[0-9a-f]{8} [0-9a-f]{8}\b", board)  # no group of eight left
    phone = client.get(f"/v/{pid}").get_data(as_text=True)
    assert "Ballot check code" in phone and "Your receipt code" in phone


def test_vote_ids_use_one_unambiguous_alphabet_and_forgive_typing(app, client):
    from ballot.polls.operations import VOTE_ID_ALPHABET, new_vote_id, normalize_vote_id

    ids = {new_vote_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 12 and set(i) <= set(VOTE_ID_ALPHABET) for i in ids)
    assert not set("ilou") & set(VOTE_ID_ALPHABET)
    assert normalize_vote_id("AB-CD IL0O") == "abcd1100"
    with app.app_context():
        vote = make_vote(members=2)
    assert set(vote.public_id) <= set(VOTE_ID_ALPHABET)
    r = client.get(f"/v/{vote.public_id.upper()}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/v/{vote.public_id}")
    assert client.get("/v/zzzzzzzzzzzz").status_code == 404
