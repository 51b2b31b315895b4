"""Publishing publishes: before, nothing of the count is public; after, all of it is."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ballot.counting import operations as counting
from ballot.db import db
from ballot.polls.models import Poll
from tests.day_helpers import counted_vote

DOCS = ("results", "results.json", "results.csv", "minutes.pdf", "record.zip", "results/projector")


@pytest.fixture
def tallied(app):
    with app.app_context():
        return counted_vote(officials=3)


def _names(app, vote):
    with app.app_context():
        manifest = json.loads(db.session.get(Poll, vote.poll_id).manifest)
    return [o["name"] for o in manifest["officials"]]


def test_before_publication_nothing_of_the_count_is_public(app, client, tallied):
    pid = tallied.public_id
    for doc in DOCS:
        r = client.get(f"/polls/{pid}/{doc}")
        assert r.status_code == 302 and "/account/login" in r.headers["Location"], doc
    board = client.get(f"/board/{pid}").get_data(as_text=True)
    projector = client.get(f"/projector/{pid}").get_data(as_text=True)
    board_json = client.get(f"/board/{pid}/board.json").get_json()
    assert board_json["results"] is None and board_json["downloads"] is None
    for name in _names(app, tallied):
        assert name not in board and name not in projector
    assert "minutes.pdf" not in board and 'id="published-results"' not in board


def test_after_publication_everything_is_public(app, client, tallied):
    pid = tallied.public_id
    with app.app_context():
        poll = db.session.get(Poll, tallied.poll_id)
        counting.publish("thuky", poll)
        db.session.commit()
        results = counting.results_of(poll)
    names = _names(app, tallied)
    for doc in DOCS:
        r = client.get(f"/polls/{pid}/{doc}")
        assert r.status_code == 200, doc
    assert client.get(f"/polls/{pid}/record.zip").data[:2] == b"PK"
    assert client.get(f"/polls/{pid}/minutes.pdf").data[:4] == b"%PDF"
    assert json.loads(client.get(f"/polls/{pid}/results.json").data) == results
    page = client.get(f"/polls/{pid}/results").get_data(as_text=True)
    assert all(n in page for n in names)
    assert "Đăng xuất" not in page and "Log out" not in page  # no account chrome
    assert f'href="/board/{pid}"' in page  # a way back to the board
    board = client.get(f"/board/{pid}").get_data(as_text=True)
    assert 'id="published-results"' in board and all(n in board for n in names)
    for doc in ("minutes.pdf", "record.zip", "results.csv", "results.json"):
        assert f"/polls/{pid}/{doc}" in board
    first = results["officials"][0]
    assert f'<td class="num count">{first["counts"]["tin_nhiem_cao"]}</td>' in board
    board_json = client.get(f"/board/{pid}/board.json").get_json()
    assert board_json["results"] == results
    assert board_json["downloads"]["record_zip"].endswith(f"/polls/{pid}/record.zip")
    projector = client.get(f"/projector/{pid}").get_data(as_text=True)
    assert all(n in projector for n in names) and "results-projector.js" in projector
    assert "không có kết quả" not in projector.lower()
    # Still the secretariat's alone: publishing, the count page and its totals.
    assert client.get(f"/polls/{pid}/count").status_code == 302
    assert client.get(f"/polls/{pid}/count/totals.json").status_code in (302, 401)


def test_csv_notes_are_the_rules_in_words(app, client):
    with app.app_context():
        vote = counted_vote(officials=2, choices=[[3, 1], [3, 2], [1, 1]], publish=True)
        results = counting.results_of(db.session.get(Poll, vote.poll_id))
    body = client.get(f"/polls/{vote.public_id}/results.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][-1] == "Ghi chú"
    flagged = [o for o in results["officials"] if o["flags"]]
    assert flagged, results  # official 1: two of three "thấp"
    for o in results["officials"]:
        note = rows[o["index"]][-1]
        assert "_" not in note  # no internal code such as thap_tren_mot_nua
        assert bool(note) == bool(o["flags"])
        if o["flags"]:
            assert note.startswith("Tín nhiệm thấp") or "tín nhiệm" in note.lower()
