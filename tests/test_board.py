"""The public board and the projector: fingerprints, trackers in chain order, search,
turnout and countdown; never a result or anything per official."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from ballot.board import views as board_views
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from ballot.voting.models import BallotEntry
from keys.hashing import ballot_fingerprint
from tests.voting_helpers import ballot_body, make_vote

JSON = {"Accept": "application/json"}


def _cast_all(vote, n):
    trackers = []
    for i in range(n):
        trackers.append(cast(vote.poll_id, ballot_body(vote, i, [1 + i % 3, 0, 2])).tracker.hex())
    db.session.commit()
    return trackers


def _spaced(hex_text):
    return " ".join(hex_text[i : i + 4] for i in range(0, len(hex_text), 4))


def test_board_lists_trackers_in_chain_order_with_fingerprints(app, client, monkeypatch):
    monkeypatch.setattr(board_views, "PAGE_SIZE", 2)
    with app.app_context():
        vote = make_vote(members=4)
        trackers = _cast_all(vote, 3)
        poll = db.session.get(Poll, vote.poll_id)
        manifest_hash, head = poll.manifest_hash.hex(), poll.chain_head.hex()
        fingerprint = ballot_fingerprint(json.loads(poll.manifest)).hex()
    html = client.get(f"/board/{vote.public_id}").get_data(as_text=True)
    assert _spaced(manifest_hash) in html and _spaced(head) in html
    assert _spaced(fingerprint) in html
    assert html.index(_spaced(trackers[0])) < html.index(_spaced(trackers[1]))
    assert _spaced(trackers[2]) not in html  # on the next page
    assert "after=2" in html
    page2 = client.get(f"/board/{vote.public_id}?after=2").get_data(as_text=True)
    assert _spaced(trackers[2]) in page2 and _spaced(trackers[0]) not in page2
    data = client.get(f"/board/{vote.public_id}/board.json").get_json()
    assert data["ballots"] == 3 and data["chain_head"] == head
    assert [t["tracker"] for t in data["trackers"]] == trackers[:2]
    assert data["next_after"] == 2
    assert data["fingerprints"]["manifest_hash"] == manifest_hash
    assert data["fingerprints"]["close"] is None
    rest = client.get(f"/board/{vote.public_id}/board.json?after=2").get_json()
    assert [t["tracker"] for t in rest["trackers"]] == trackers[2:]
    assert rest["next_after"] is None
    assert client.get(f"/board/{vote.public_id}?after=abc").status_code == 200
    assert client.get("/board/nope", headers=JSON).status_code == 404


def test_search_by_tracker_or_prefix(app, client):
    with app.app_context():
        vote = make_vote(members=3)
        trackers = _cast_all(vote, 2)
    url = f"/board/{vote.public_id}"
    full = client.get(url, query_string={"q": trackers[1]}).get_data(as_text=True)
    assert 'class="panel found"' in full and "số 2" in full.lower()
    spaced = client.get(url, query_string={"q": _spaced(trackers[0]).upper()})
    assert 'class="panel found"' in spaced.get_data(as_text=True)
    prefix = client.get(url, query_string={"q": trackers[0][:9]}).get_data(as_text=True)
    assert 'class="panel found"' in prefix and _spaced(trackers[0]) in prefix
    short = client.get(url, query_string={"q": trackers[0][:7]}).get_data(as_text=True)
    assert 'class="panel not-found"' in short and "8" in short
    for bad in ("zzzzzzzzzz", "<script>alert(1)</script>", "f" * 65):
        page = client.get(url, query_string={"q": bad})
        assert page.status_code == 200
        assert "<script>alert" not in page.get_data(as_text=True)
    absent = "0" * 64 if not trackers[0].startswith("00000000") else "f" * 64
    missing = client.get(url, query_string={"q": absent}).get_data(as_text=True)
    assert 'class="panel not-found"' in missing


def test_board_after_close_shows_the_signed_final_head(app, client):
    with app.app_context():
        vote = make_vote(members=3)
        _cast_all(vote, 2)
        poll = db.session.get(Poll, vote.poll_id)
        polls.close_poll("thuky", poll)
        db.session.commit()
        head = db.session.get(Poll, vote.poll_id).chain_head.hex()
    html = client.get(f"/board/{vote.public_id}").get_data(as_text=True)
    assert "(2 " in html and _spaced(head) in html
    close = client.get(f"/board/{vote.public_id}/board.json").get_json()["fingerprints"]["close"]
    assert close["head"] == head and close["count"] == 2 and len(close["signature"]) == 128
    status = client.get(f"/projector/{vote.public_id}/status.json").get_json()
    assert status["state"] == "closed" and status["fingerprints"]["close"]["head"] == head
    assert status["seconds_left"] is None


def test_draft_vote_has_no_fingerprint_yet(app, client):
    with app.app_context():
        vote = make_vote(members=3, state="draft")
    html = client.get(f"/board/{vote.public_id}").get_data(as_text=True)
    assert 'id="manifest-hash"' not in html
    status = client.get(f"/projector/{vote.public_id}/status.json").get_json()
    assert status["fingerprints"]["manifest_hash"] is None and status["cast"] == 0


def test_projector_shows_turnout_and_countdown_never_results(app, client):
    with app.app_context():
        ready = make_vote(members=3, state="ready")
        vote = make_vote(members=6, officials=3)
        poll = db.session.get(Poll, vote.poll_id)
        poll.closes_at = polls.now() + timedelta(minutes=10)
        db.session.commit()
        _cast_all(vote, 2)
        names = [o["name"] for o in json.loads(poll.manifest)["officials"]]
        positions = [o["position"] for o in json.loads(poll.manifest)["officials"]]
        ready_hash = db.session.get(Poll, ready.poll_id).manifest_hash.hex()
    before = client.get(f"/projector/{ready.public_id}").get_data(as_text=True)
    assert _spaced(ready_hash) in before  # before opening: the manifest fingerprint
    page = client.get(f"/projector/{vote.public_id}")
    html = page.get_data(as_text=True)
    assert 'src="/static/js/projector.js"' in html
    status = client.get(f"/projector/{vote.public_id}/status.json").get_json()
    assert status["cast"] == 2 and status["present"] == 6 and status["issued"] == 6
    assert status["summoned"] == 6 and status["quorum_needed"] == 4 and status["quorum_met"]
    assert 590 <= status["seconds_left"] <= 600
    assert status["state"] == "open"
    body = json.dumps(status, ensure_ascii=False) + html
    for word in names + positions + ["tin_nhiem", "Tín nhiệm cao", "Tín nhiệm thấp", "levels"]:
        assert word not in body, word
    allowed = {
        "state", "state_label", "cast", "issued", "present", "summoned", "quorum_needed",
        "quorum_met", "closes_at", "closes_at_text", "seconds_left", "fingerprints",
    }  # fmt: skip
    assert set(status) == allowed


@pytest.mark.parametrize("path", ["/board/{id}", "/projector/{id}", "/projector/{id}/status.json"])
def test_public_pages_need_no_login_and_carry_no_ballot(app, client, path):
    with app.app_context():
        vote = make_vote(members=3)
        _cast_all(vote, 1)
        entry = db.session.scalar(select(BallotEntry))
        body = json.loads(entry.body)
    response = client.get(path.format(id=vote.public_id))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert body["card"] not in text and body["rows"][0]["alpha"] not in text
    assert response.headers["Cache-Control"] == "no-store"
