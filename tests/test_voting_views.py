"""The member's HTTP endpoints: voting page, manifest, card status and cast.

Every refusal answers JSON {"error", "message"} in the member's language and changes
nothing; no bad body ever gives a 500; the cast endpoint needs no CSRF token but is
rate-limited.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import func, select

from ballot.cards import operations as cards_ops
from ballot.db import db
from ballot.polls.models import Poll
from ballot.voting.models import BallotEntry
from keys import cards
from keys.ballot import Ballot, encrypt_ballot, sign_ballot
from keys.hashing import manifest_hash
from tally.manifest import parse_manifest
from tests.voting_helpers import ballot_body, make_vote

JSON = "application/json"


def _count():
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(BallotEntry))


def _context(vote):
    poll = db.session.get(Poll, vote.poll_id)
    return parse_manifest(json.loads(poll.manifest)).context()


def _sk(vote, card):
    return cards.signing_key(vote.public_id, cards.decode_code(vote.codes[card]))


def _post(client, vote, body, **kw):
    return client.post(f"/v/{vote.public_id}/cast", data=body, content_type=JSON, **kw)


def _refused(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    data = response.get_json()
    assert data["error"] == code, data
    assert data["message"]
    return data["message"]


def test_vote_page_is_a_shell_under_the_csp(app, client):
    with app.app_context():
        vote = make_vote()
    response = client.get(f"/v/{vote.public_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'type="module" src="/static/js/vote-page.js"' in html
    assert "ballot-worker.js" in html
    # The only inline <script> is a JSON data block (never executed); no inline style.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="vote-strings"']
    assert "style=" not in html
    strings = json.loads(re.search(r'id="vote-strings">(.*?)</script>', html, re.S).group(1))
    assert strings["blank"] == "Để trống"
    assert strings["levels"]["tin_nhiem_thap"] == "Tín nhiệm thấp"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    english = client.get(f"/v/{vote.public_id}", headers={"Accept-Language": "en"})
    assert "Leave blank" in english.get_data(as_text=True)
    assert client.get("/v/no-such-vote").status_code == 404


def test_manifest_is_served_exactly_as_frozen(app, client):
    with app.app_context():
        vote = make_vote()
        draft = make_vote(state="draft")
        poll = db.session.get(Poll, vote.poll_id)
        stored, stored_hash = poll.manifest, bytes(poll.manifest_hash)
    response = client.get(f"/v/{vote.public_id}/manifest.json")
    assert response.status_code == 200 and response.mimetype == JSON
    assert stored in response.get_data(as_text=True)
    data = response.get_json()
    assert data["state"] == "open"
    assert manifest_hash(data["manifest"]) == stored_hash
    assert client.get(f"/v/{draft.public_id}/manifest.json").get_json() == {
        "state": "draft",
        "manifest": None,
    }
    assert client.get("/v/nope/manifest.json", headers={"Accept": JSON}).status_code == 404


def test_card_status(app, client):
    with app.app_context():
        vote = make_vote(members=3)
        keys = [cards.public_key(_sk(vote, i)).hex() for i in range(3)]
        body = ballot_body(vote, 0, [1, 1, 1])
        cards_ops.revoke("thuky", db.session.get(Poll, vote.poll_id), "0002")
        db.session.commit()
    assert _post(client, vote, body).status_code == 200
    url = f"/v/{vote.public_id}/card/"
    assert client.get(url + keys[0]).get_json() == {"status": "used", "state": "open"}
    assert client.get(url + keys[1]).get_json()["status"] == "revoked"
    assert client.get(url + keys[2]).get_json()["status"] == "unused"
    assert client.get(url + "ab" * 32).get_json()["status"] == "unknown"
    _refused(client.get(url + "XYZ", headers={"Accept": JSON}), 400, "bad_card")
    _refused(client.get(url + keys[2].upper(), headers={"Accept": JSON}), 400, "bad_card")


def test_cast_receipt_repeat_and_used_card(app, client):
    with app.app_context():
        vote = make_vote(members=3)
        body = ballot_body(vote, 0, [1, 2, 3])
        other = ballot_body(vote, 0, [3, 3, 3])
    first = _post(client, vote, body)
    assert first.status_code == 200
    receipt = first.get_json()
    assert receipt["seq"] == 1 and receipt["repeated"] is False
    assert re.fullmatch(r"[0-9a-f]{64}", receipt["tracker"])
    again = _post(client, vote, body)  # the answer was lost; the phone sends it again
    assert again.status_code == 200
    assert again.get_json() == {**receipt, "repeated": True}
    message = _refused(_post(client, vote, other), 409, "card_used")
    assert message == "Thẻ này đã được dùng để bỏ phiếu."
    english = _post(client, vote, other, headers={"Accept-Language": "en"})
    assert _refused(english, 409, "card_used") == "This card has already been used to vote."
    with app.app_context():
        assert _count() == 1
        entry = db.session.scalar(select(BallotEntry))
        assert entry.tracker.hex() == receipt["tracker"]


def test_every_refusal_code(app, client):
    with app.app_context():
        vote = make_vote(members=4)
        other = make_vote(members=3)
        ready = make_vote(members=3, state="ready")
        closed = make_vote(members=3, state="closed")
        good = json.loads(ballot_body(vote, 0, [1, 1, 1]))
        # Flip one bit: a fixed replacement byte would be a no-op 1 time in 256.
        sig = bytearray.fromhex(good["signature"])
        sig[-1] ^= 1
        tampered = {**good, "signature": sig.hex()}
        ballot = Ballot.from_json(good)
        ctx = _context(vote)
        swapped = sign_ballot(ctx, _sk(vote, 0), [ballot.rows[1], ballot.rows[0], ballot.rows[2]])
        # The card of this vote, but the ballot made for another vote's manifest.
        foreign_ctx = encrypt_ballot(_context(other), _sk(vote, 1), [1, 1, 1])
        stranger = encrypt_ballot(_context(vote), _sk(other, 0), [1, 1, 1])
        cards_ops.revoke("thuky", db.session.get(Poll, vote.poll_id), "0003")
        db.session.commit()
        cases = [
            (vote, json.dumps(tampered).encode(), 400, "bad_signature"),
            (vote, json.dumps(swapped.to_json()).encode(), 400, "bad_proof"),
            (vote, json.dumps(foreign_ctx.to_json()).encode(), 400, "wrong_election"),
            (vote, ballot_body(other, 0, [1, 1, 1]), 400, "wrong_election"),
            # This vote's manifest, but a card of another vote.
            (vote, json.dumps(stranger.to_json()).encode(), 403, "unknown_card"),
            (vote, ballot_body(vote, 2, [1, 1, 1]), 403, "card_revoked"),
            (ready, ballot_body(ready, 0, [1, 1, 1]), 409, "not_open"),
            (closed, ballot_body(closed, 0, [1, 1, 1]), 409, "closed"),
        ]
    for target, body, status, code in cases:
        _refused(_post(client, target, body), status, code)
    with app.app_context():
        assert _count() == 0
        assert db.session.get(Poll, vote.poll_id).ballot_count == 0
    assert _post(client, vote, json.dumps(good).encode()).status_code == 200


MALFORMED = {
    "not json": (b"not json", JSON, 400, "bad_ballot"),
    "empty": (b"", JSON, 400, "bad_ballot"),
    "not utf-8": (b"\xff\xfe\x00", JSON, 400, "bad_ballot"),
    "a list": (b"[]", JSON, 400, "bad_ballot"),
    "wrapped number": (b'{"ballot": 1}', JSON, 400, "bad_ballot"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, JSON, 400, "bad_ballot"),
    "bad fields": (
        b'{"version": 1, "manifest": "zz", "card": 1, "rows": [], "signature": ""}',
        JSON,
        400,
        "bad_ballot",
    ),
    "over 256 KiB": (b" " * (300 * 1024), JSON, 413, "too_large"),
    "over 4 MiB": (b"x" * (5 * 1024 * 1024), JSON, 413, "too_large"),
    "a form": (b"ballot=1", "application/x-www-form-urlencoded", 415, "bad_ballot"),
    "plain text": (b"{}", "text/plain", 415, "bad_ballot"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_bodies_are_4xx_never_500(app, client, case):
    body, content_type, status, code = MALFORMED[case]
    with app.app_context():
        vote = make_vote(members=3)
    response = client.post(
        f"/v/{vote.public_id}/cast",
        data=body,
        content_type=content_type,
        headers={"Accept": JSON},
    )
    _refused(response, status, code)
    with app.app_context():
        assert _count() == 0


def test_wrong_vote_and_method(app, client):
    with app.app_context():
        vote = make_vote(members=3)
        body = ballot_body(vote, 0, [1, 1, 1])
    _refused(client.post("/v/nope/cast", data=body, content_type=JSON), 404, "unknown_vote")
    response = client.get(f"/v/{vote.public_id}/cast", headers={"Accept": JSON})
    _refused(response, 405, "method_not_allowed")


def test_no_csrf_token_needed_but_rate_limited(app, make_app):
    limited_app = make_app(CAST_ADDRESS_RATE_LIMIT="3 per minute", CARD_RATE_LIMIT="2 per minute")
    client = limited_app.test_client()
    assert limited_app.config["WTF_CSRF_ENABLED"] is True
    with app.app_context():
        vote = make_vote(members=3)
        body = ballot_body(vote, 0, [1, 1, 1])
    for _ in range(3):  # failures before a card is known count against the address
        assert _post(client, vote, b'{"x": 1}').status_code == 400
    limited = _post(client, vote, b'{"x": 1}')
    _refused(limited, 429, "too_many_requests")
    assert "Retry-After" in limited.headers
    # A valid card from the same address still votes (no token, no cookie), twice the same.
    assert _post(client, vote, body).status_code == 200
    assert _post(client, vote, body).status_code == 200
    # Another address is not limited by this one.
    other = _post(client, vote, b'{"x": 1}', environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 400
    url = f"/v/{vote.public_id}/card/{'ab' * 32}"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"Accept": JSON}).status_code == 429


def test_nothing_secret_is_logged(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        vote = make_vote(members=3)
        body = ballot_body(vote, 0, [1, 2, 3])
        card = json.loads(body)["card"]
    receipt = _post(client, vote, body).get_json()
    client.get(f"/v/{vote.public_id}/card/{card}")
    _post(client, vote, ballot_body_for_log(app, vote))
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (card, receipt["tracker"], vote.codes[0], vote.codes[0].replace("-", "")):
        assert secret not in text


def ballot_body_for_log(app, vote):
    """A refused ballot (the card is used), to log whatever a refusal would log."""
    with app.app_context():
        return ballot_body(vote, 0, [3, 3, 3])
