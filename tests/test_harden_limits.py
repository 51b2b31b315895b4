"""Limits that protect members: a room behind one NAT address is never blocked by one
hostile phone's junk, a card's own limit can only be used up by its holder, and wrong
passwords for one account never lock out another (issue 10)."""

from __future__ import annotations

import json
import secrets

import pytest

from ballot.db import db
from ballot.polls.models import Poll
from keys import cards
from keys.ballot import Ballot, sign_ballot
from tally.manifest import parse_manifest
from tests.conftest import AuthActions
from tests.voting_helpers import ballot_body, make_vote

JSON = "application/json"
NAT = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def app_config() -> dict[str, str]:
    return {"CAST_ADDRESS_RATE_LIMIT": "5 per minute", "CAST_RATE_LIMIT": "2 per minute"}


def _post(client, public_id: str, body: bytes, addr: dict[str, str] = NAT):
    return client.post(f"/v/{public_id}/cast", data=body, content_type=JSON, environ_base=addr)


def _bad_proof(vote, card: int, aux: bytes | None = None) -> bytes:
    """Signed by the card (only its holder can), but with the rows' proofs swapped."""
    good = Ballot.from_json(json.loads(ballot_body(vote, card, [1, 2])))
    poll = db.session.get(Poll, vote.poll_id)
    ctx = parse_manifest(json.loads(poll.manifest)).context()
    sk = cards.signing_key(vote.public_id, cards.decode_code(vote.codes[card]))
    swapped = sign_ballot(ctx, sk, [good.rows[1], good.rows[0]], aux)
    return json.dumps(swapped.to_json()).encode()


def test_hostile_phone_behind_the_nat_does_not_block_the_room(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=4, officials=2)
        bodies = [ballot_body(vote, i, [1, 2]) for i in range(4)]
        victim = json.loads(bodies[3])
    forged = {**victim, "signature": secrets.token_hex(64)}  # a member's public card key
    junk = [b"not json", b'{"x": 1}', json.dumps(forged).encode()] * 10
    statuses = [_post(client, vote.public_id, body).status_code for body in junk]
    assert statuses.count(429) == len(junk) - 5, statuses
    # Once the address is flooding, junk naming no card is refused before parsing.
    assert _post(client, vote.public_id, b"[" * 10000).status_code == 429
    # Every member in the same room (same address) still votes.
    for body in bodies:
        r = _post(client, vote.public_id, body)
        assert r.status_code == 200, r.get_json()
    with app.app_context():
        assert db.session.get(Poll, vote.poll_id).ballot_count == 4


def test_a_card_limit_is_used_up_only_by_its_holder(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=3, officials=2)
        # Distinct bytes each time (the same bytes again are refused unparsed).
        holder_junk = [_bad_proof(vote, 0, bytes([i]) * 32) for i in range(3)]
        good0 = ballot_body(vote, 0, [1, 1])
        good1 = ballot_body(vote, 1, [2, 2])
    # Anyone can send junk naming card 1 (its key is public): it is not counted on card 1.
    forged = {**json.loads(good1), "signature": secrets.token_hex(64)}
    for _ in range(4):
        r = _post(client, vote.public_id, json.dumps(forged).encode(), {"REMOTE_ADDR": "10.9.9.9"})
        assert r.status_code in (400, 429)
    assert _post(client, vote.public_id, good1).status_code == 200
    # The holder of card 0 floods expensive proof checks: limited per card, any address.
    r1 = _post(client, vote.public_id, holder_junk[0], {"REMOTE_ADDR": "10.0.0.1"})
    r2 = _post(client, vote.public_id, holder_junk[1], {"REMOTE_ADDR": "10.0.0.2"})
    assert (r1.status_code, r2.status_code) == (400, 400)
    assert r1.get_json()["error"] == "bad_proof"
    r3 = _post(client, vote.public_id, holder_junk[2], {"REMOTE_ADDR": "10.0.0.3"})
    assert r3.status_code == 429 and "Retry-After" in r3.headers
    assert _post(client, vote.public_id, good0).status_code == 429  # its own doing
    with app.app_context():
        assert db.session.get(Poll, vote.poll_id).ballot_count == 1


def test_resent_receipts_are_not_counted(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=2, officials=2)
        body = ballot_body(vote, 0, [1, 1])
    answers = {_post(client, vote.public_id, body).get_json()["tracker"] for _ in range(6)}
    assert len(answers) == 1


def test_login_limit_is_per_account_and_address(app, make_user) -> None:
    make_user("thuky")
    make_user("kiemtoan", role="auditor")
    attacker = AuthActions(app.test_client())
    for _ in range(10):  # the default limit: 10 per minute
        r = attacker.login("kiemtoan", "wrong-password", environ_base=NAT)
        assert r.status_code == 200
    assert attacker.login("kiemtoan", "wrong-password", environ_base=NAT).status_code == 429
    # The secretariat, at the same address, logs in with the right password.
    secretary = AuthActions(app.test_client())
    assert secretary.login("thuky", environ_base=NAT).status_code == 302
    # Wrong passwords for thuky are still limited for thuky.
    for _ in range(9):
        assert attacker.login("thuky", "wrong-password", environ_base=NAT).status_code == 200
    assert attacker.login("ThuKy ", "wrong-password", environ_base=NAT).status_code == 429


def test_room_guessing_the_secretariat_password_does_not_lock_it_out(app, make_user) -> None:
    """Issue 10, attack 1: ten wrong passwords for the secretariat's own account from
    the room's address; the secretariat's laptop, behind the same address, logged in
    there before (the day before): its correct login still works."""
    make_user("thuky")
    make_user("kiemtoan", role="auditor")
    laptop_client = app.test_client()
    laptop = AuthActions(laptop_client)
    # The day before, at the office.
    assert laptop.login("thuky", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 302
    assert laptop.logout().status_code == 302
    room = AuthActions(app.test_client())
    statuses = [room.login("thuky", "wrong-password", environ_base=NAT).status_code]
    statuses += [
        room.login("ThuKy ", "sai-mat-khau", environ_base=NAT).status_code for _ in range(10)
    ]
    assert statuses == [200] * 10 + [429], statuses  # the guessing stays limited
    assert laptop.login("thuky", environ_base=NAT).status_code == 302
    # Another new browser at that address is a guesser like any other: limited.
    assert AuthActions(app.test_client()).login("thuky", environ_base=NAT).status_code == 429
    # A device cookie is only worth something for its own account, unaltered.
    device = laptop_client.get_cookie("phieu_device", path="/account/")
    assert device is not None
    for value, user in ((device.value, "kiemtoan"), (device.value[:-2] + "xx", "thuky")):
        other = app.test_client()
        other.set_cookie("phieu_device", value, path="/account/")
        for _ in range(10):
            AuthActions(other).login("kiemtoan", "wrong-password", environ_base=NAT)
        r = AuthActions(other).login(user, "wrong-password", environ_base=NAT)
        assert r.status_code == 429, (user, r.status_code)
    # The laptop's own wrong passwords are limited in its own bucket.
    laptop.logout()
    mine = [laptop.login("thuky", "typo-password", environ_base=NAT).status_code for _ in range(11)]
    assert mine == [200] * 10 + [429], mine
