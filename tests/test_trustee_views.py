"""The JSON endpoints of the in-browser count: ballots.json and partial.json.

Permissions (anonymous and auditor refused), CSRF required, hostile bodies answered
with a 4xx (never a 500) and nothing stored, duplicates refused, the count completes
at k and nothing more is accepted after it.
"""

import json
import re

import pytest

from ballot.counting import operations as counting
from ballot.counting.export import build_record
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from tally.count import decrypt_with_share, parse_totals
from tests.conftest import extract_csrf
from tests.voting_helpers import PASSPHRASES, ballot_body, make_vote

JSON_HEADERS = {"Accept": "application/json"}


@pytest.fixture
def counted_vote(app):
    """A closed vote with three ballots whose count is started (the encrypted totals)."""
    with app.app_context():
        vote = make_vote(members=4, officials=2)
        for i, c in enumerate([[1, 3], [3, 3], [2, 0]]):
            cast(vote.poll_id, ballot_body(vote, i, c))
        poll = db.session.get(Poll, vote.poll_id)
        polls.close_poll("thuky", poll)
        counting.start_count("thuky", poll)
        db.session.commit()
    return vote


def _partial(app, vote, trustee):
    """What the trustee's browser posts: the PartialDecryption JSON only."""
    with app.app_context():
        poll = db.session.get(Poll, vote.poll_id)
        manifest = counting.manifest_of(poll)
        totals, _ = parse_totals(json.loads(counting.get_count(poll).tally), manifest)
        share_file = vote.shares[trustee - 1][1]
        return decrypt_with_share(manifest, totals, share_file, PASSPHRASES[trustee - 1]).to_json()


def _state(app, vote):
    with app.app_context():
        poll = db.session.get(Poll, vote.poll_id)
        return poll.state, [p.trustee for p in counting.partials(poll)]


def _token(client, vote):
    page = client.get(f"/polls/{vote.public_id}/count").get_data(as_text=True)
    match = re.search(r'data-csrf="([^"]+)"', page)
    return match.group(1) if match else extract_csrf(page)


def _post(client, vote, body, token, **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        f"/polls/{vote.public_id}/count/partial.json",
        data=data,
        headers={"Content-Type": "application/json", "X-CSRFToken": token, **headers},
    )


def test_ballots_json_is_the_records_public_part(app, client, auth, make_user, counted_vote):
    """What the trustee's page verifies: the record's files as in record.zip; no totals to trust."""
    make_user("thuky")
    auth.login("thuky")
    vote = counted_vote
    r = client.get(f"/polls/{vote.public_id}/count/ballots.json", headers=JSON_HEADERS)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    names = ("manifest", "cards", "revocations", "ballots", "checkpoints", "confirmations")
    assert set(body) == {*names, "tally"}
    with app.app_context():
        poll = db.session.get(Poll, vote.poll_id)
        record = build_record(poll)
        for name in names:
            assert body[name] == record.json(f"{name}.json"), name
        assert body["tally"] == json.loads(counting.get_count(poll).tally)
    # every trustee's confirmation comes along, for the page to check (n proofs)
    assert [c["trustee"] for c in body["confirmations"]] == [1, 2, 3]
    assert len(body["ballots"]["ballots"]) == 3 and body["checkpoints"]["close"]["count"] == 3
    # Nothing secret: no share, no share file, no passphrase.
    text = r.get_data(as_text=True)
    assert "cipher" not in text and PASSPHRASES[0] not in text
    # the old endpoint whose totals decided what was decrypted is gone
    assert client.get(f"/polls/{vote.public_id}/count/totals.json").status_code == 404


def test_count_page_has_one_form_per_missing_trustee(app, client, auth, make_user, counted_vote):
    make_user("thuky")
    auth.login("thuky")
    vote = counted_vote
    token = _token(client, vote)
    assert _post(client, vote, _partial(app, vote, 3), token).status_code == 200
    page = client.get(f"/polls/{vote.public_id}/count").get_data(as_text=True)
    assert 'id="trustee-1"' in page and 'id="trustee-2"' in page and 'id="trustee-3"' not in page
    assert 'type="password"' in page and "js/trustee-page.js" in page
    assert 'id="trustee-strings"' in page
    assert "/count/partial" in page  # the offline upload is still there


def test_browser_partials_complete_the_count(app, client, auth, make_user, counted_vote):
    make_user("thuky")
    auth.login("thuky")
    vote = counted_vote
    token = _token(client, vote)
    part2 = _partial(app, vote, 2)
    r = _post(client, vote, part2, token)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["trustee"] == 2 and r.get_json()["complete"] is False
    # The same trustee again: refused, nothing changes.
    r = _post(client, vote, part2, token)
    assert r.status_code == 400 and r.get_json()["error"] == "duplicate_trustee"
    assert "đã tham gia" in r.get_json()["message"]
    assert _state(app, vote) == ("closed", [2])
    page = client.get(f"/polls/{vote.public_id}/count").get_data(as_text=True)
    assert 'id="trustee-2"' not in page and 'id="trustee-1"' in page
    r = _post(client, vote, _partial(app, vote, 1), token)
    assert r.status_code == 200 and r.get_json()["complete"] is True
    assert r.get_json()["state"] == "tallied"
    assert _state(app, vote) == ("tallied", [1, 2])
    # After the count: nothing more is accepted, the page has no trustee forms.
    r = _post(client, vote, _partial(app, vote, 3), token)
    assert r.status_code == 409 and r.get_json()["error"] == "wrong_state"
    page = client.get(f"/polls/{vote.public_id}/count").get_data(as_text=True)
    assert "trustee-page.js" not in page and 'id="trustee-1"' not in page
    assert client.get(f"/polls/{vote.public_id}/results").status_code == 200


def test_anonymous_and_auditor_are_refused(app, client, auth, make_user, counted_vote):
    vote = counted_vote
    base = f"/polls/{vote.public_id}/count"
    part = _partial(app, vote, 1)
    assert client.get(base + "/ballots.json", headers=JSON_HEADERS).status_code == 401
    assert client.get(base + "/ballots.json").status_code == 302
    token = extract_csrf(client.get("/account/login").get_data(as_text=True))
    assert _post(client, vote, part, token).status_code == 401
    make_user("kiemtoan", role="auditor")
    auth.login("kiemtoan")
    # the auditor may read it: the same data is in record.zip, which staff download
    assert client.get(base + "/ballots.json", headers=JSON_HEADERS).status_code == 200
    page = client.get(base).get_data(as_text=True)
    assert 'id="trustee-app"' not in page and "trustee-page.js" not in page
    assert _post(client, vote, part, extract_csrf(page)).status_code == 403
    assert _state(app, vote) == ("closed", [])


def test_csrf_token_is_required(app, client, auth, make_user, counted_vote):
    make_user("thuky")
    auth.login("thuky")
    vote = counted_vote
    part = _partial(app, vote, 1)
    url = f"/polls/{vote.public_id}/count/partial.json"
    r = client.post(url, json=part)
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"
    assert _post(client, vote, part, "not-a-token").status_code == 400
    assert _state(app, vote) == ("closed", [])


def test_ballots_json_before_close_and_before_the_count(app, client, auth, make_user):
    make_user("thuky")
    auth.login("thuky")
    with app.app_context():
        vote = make_vote(members=2, officials=1)
        cast(vote.poll_id, ballot_body(vote, 0, [1]))
    url = f"/polls/{vote.public_id}/count/ballots.json"
    r = client.get(url, headers=JSON_HEADERS)
    assert r.status_code == 409 and r.get_json()["error"] == "not_closed"
    with app.app_context():
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
    body = client.get(url, headers=JSON_HEADERS).get_json()
    assert body["tally"] is None and len(body["ballots"]["ballots"]) == 1
    missing = client.get("/polls/no-such-vote/count/ballots.json", headers=JSON_HEADERS)
    assert missing.status_code == 404


def _bent(part, change):
    body = json.loads(json.dumps(part))
    change(body)
    return body


def test_bad_bodies_are_4xx_and_change_nothing(app, client, auth, make_user, counted_vote):
    make_user("thuky")
    auth.login("thuky")
    vote = counted_vote
    token = _token(client, vote)
    part = _partial(app, vote, 1)
    other = _partial(app, vote, 2)
    bodies = [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[" * 100_000 + b"]" * 100_000,
        "[]",
        "null",
        "12",
        {},
        {"trustee": 1},
        {"trustee": "1", "shares": part["shares"], "proofs": part["proofs"]},
        {"trustee": True, "shares": part["shares"], "proofs": part["proofs"]},
        {"trustee": 10**400, "shares": part["shares"], "proofs": part["proofs"]},
        {"trustee": 0, "shares": part["shares"], "proofs": part["proofs"]},
        {"trustee": 4, "shares": part["shares"], "proofs": part["proofs"]},
        {"trustee": 1, "shares": "x", "proofs": []},
        {"trustee": 1, "shares": [1, 2], "proofs": [[], None]},
        {"trustee": 1, "shares": part["shares"][:1], "proofs": part["proofs"][:1]},
        {"trustee": 1, "shares": part["shares"], "proofs": [{"c": 1, "s": 2}] * 2},
        {"trustee": 1, "shares": ["zz", "00"], "proofs": part["proofs"]},
        {"trustee": 1, "shares": part["shares"], "proofs": [{"c": "ff" * 32, "s": "00"}] * 2},
        _bent(part, lambda b: b.update(trustee=2)),
        _bent(part, lambda b: b["proofs"][0].update(s=other["proofs"][0]["s"])),
        _bent(part, lambda b: b["shares"].reverse()),
        _bent(part, lambda b: b.update(manifest="00" * 32)),
        _bent(part, lambda b: b.update(manifest=["x"])),
    ]
    for body in bodies:
        r = _post(client, vote, body, token)
        shown = body if isinstance(body, dict) else repr(body)[:40]
        assert 400 <= r.status_code < 500, (shown, r.status_code)
        assert r.is_json and r.get_json()["error"], shown
    r = client.post(
        f"/polls/{vote.public_id}/count/partial.json",
        data=json.dumps(part),
        headers={"Content-Type": "text/plain", "X-CSRFToken": token},
    )
    assert r.status_code == 415
    r = _post(client, vote, json.dumps(part) + " " * (2 * 1024 * 1024), token)
    assert r.status_code == 413
    assert _state(app, vote) == ("closed", [])
    assert _post(client, vote, part, token).status_code == 200
