"""Counting pages over HTTP: upload checked on arrival, results, downloads, permissions."""

import csv
import io
import json
import zipfile

import pytest

from ballot.counting import operations as counting
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from tally.count import decrypt_with_share, parse_totals
from tally.record import Record
from tally.verify import verify_record
from tests.conftest import DEFAULT_PASSWORD, extract_csrf
from tests.voting_helpers import PASSPHRASES, ballot_body, make_vote


def _login(client, username):
    token = extract_csrf(client.get("/account/login").get_data(as_text=True))
    r = client.post(
        "/account/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert r.status_code == 302


@pytest.fixture
def closed_vote(app):
    with app.app_context():
        vote = make_vote(members=4, officials=2)
        for i, c in enumerate([[1, 3], [3, 3], [2, 0]]):
            cast(vote.poll_id, ballot_body(vote, i, c))
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
    return vote


def _part_file(app, vote, trustee):
    with app.app_context():
        poll = db.session.get(Poll, vote.poll_id)
        count = counting.get_count(poll)
        manifest = counting.manifest_of(poll)
        totals, _ = parse_totals(json.loads(count.tally), manifest)
        part = decrypt_with_share(
            manifest, totals, vote.shares[trustee - 1][1], PASSPHRASES[trustee - 1]
        )
        body = {"election_id": vote.public_id, "manifest": manifest.hash.hex()} | part.to_json()
        return json.dumps(body).encode()


def _upload(client, vote, data):
    page = client.get(f"/polls/{vote.public_id}/count").get_data(as_text=True)
    token = extract_csrf(page)
    return client.post(
        f"/polls/{vote.public_id}/count/partial",
        data={"csrf_token": token, "part": (io.BytesIO(data), "part.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_count_through_the_pages(app, client, make_user, closed_vote):
    make_user("thuky")
    _login(client, "thuky")
    vote = closed_vote
    page = client.get(f"/polls/{vote.public_id}/count")
    token = extract_csrf(page.get_data(as_text=True))
    r = client.post(f"/polls/{vote.public_id}/count/start", data={"csrf_token": token})
    assert r.status_code == 302
    part2 = _part_file(app, vote, 2)
    r = _upload(client, vote, part2)
    assert "2" in r.get_data(as_text=True) and r.status_code == 200
    # A duplicate, garbage, a bent proof: each refused with a message, nothing changes.
    for bad, needle in (
        (part2, "đã tham gia"),
        (b"not json", "không phải"),
        (b"{}", "không phải"),
        (part2.replace(b'"trustee": 2', b'"trustee": 1'), "không kiểm chứng được"),
    ):
        text = _upload(client, vote, bad).get_data(as_text=True)
        assert needle in text, needle
    with app.app_context():
        assert db.session.get(Poll, vote.poll_id).state == "closed"
    r = client.get(f"/polls/{vote.public_id}/results")
    assert r.status_code == 409
    _upload(client, vote, _part_file(app, vote, 3))
    with app.app_context():
        assert db.session.get(Poll, vote.poll_id).state == "tallied"
    html = client.get(f"/polls/{vote.public_id}/results").get_data(as_text=True)
    assert "Tín nhiệm thấp" in html and "66,67 %" in html and "<svg" in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/polls/{vote.public_id}/results.csv").get_data().decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["STT", "Họ và tên", "Chức vụ"] and len(rows) == 3
    assert rows[2][rows[0].index("Tín nhiệm thấp")] == "2"
    data = client.get(f"/polls/{vote.public_id}/results.json").get_json()
    assert data["officials"][1]["blank"] == 1
    z = client.get(f"/polls/{vote.public_id}/record.zip").get_data()
    with zipfile.ZipFile(io.BytesIO(z)) as archive:
        record = Record({n: archive.read(n) for n in archive.namelist()})
    verify_record(record, workers=1)
    pdf = client.get(f"/polls/{vote.public_id}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    page = client.get(f"/polls/{vote.public_id}/count").get_data(as_text=True)
    token = extract_csrf(page)
    client.post(f"/polls/{vote.public_id}/publish", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Poll, vote.poll_id).state == "published"


def test_count_pages_refuse_without_login_role_or_csrf(app, client, make_user, closed_vote):
    vote = closed_vote
    base = f"/polls/{vote.public_id}"
    for url in ("/count", "/results", "/results.csv", "/record.zip", "/minutes.pdf"):
        assert client.get(base + url).status_code in (302, 401)
    assert client.post(base + "/count/start").status_code in (302, 400, 401)
    make_user("kiemtoan", role="auditor")
    _login(client, "kiemtoan")
    assert client.get(base + "/count").status_code == 200
    token = extract_csrf(client.get(base + "/count").get_data(as_text=True))
    assert client.post(base + "/count/start", data={"csrf_token": token}).status_code == 403
    client.get("/account/logout")
    make_user("thuky")
    client2 = app.test_client()
    _login(client2, "thuky")
    r = client2.post(base + "/count/start", data={})
    assert r.status_code == 400  # no CSRF token
    with app.app_context():
        assert counting.get_count(db.session.get(Poll, vote.poll_id)) is None
