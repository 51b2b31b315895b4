"""Cheap refusals first (issue 10): what a request costs before it is refused.

Counted with keys.opcount.OPS (every point parsed, every signature checked), not timed:
an oversized ballot is refused before any point is parsed, a refused ballot sent again
is refused without a single check, a card that keeps sending bad ballots is slowed
down alone, and an import never parses on the wrong state nor inside a transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ballot.db import db
from ballot.polls import importing
from ballot.polls.models import Poll
from keys import cards
from keys.ballot import Ballot, sign_ballot
from keys.opcount import OPS, counting
from tally.manifest import parse_manifest
from tests.polls_web_helpers import create_vote, login, upload
from tests.voting_helpers import ballot_body, make_vote
from tests.xlsx_bombs import empty_rows

JSON = "application/json"


@pytest.fixture(autouse=True)
def _counted() -> Iterator[None]:
    with counting():
        yield


@pytest.fixture
def app_config() -> dict[str, str]:
    return {"CAST_BAD_RATE_LIMIT": "3 per minute"}


def _cast(client, public_id: str, body: bytes):
    return client.post(f"/v/{public_id}/cast", data=body, content_type=JSON)


def _bad(vote, card: int) -> bytes:
    """Signed by the card's holder, rows' proofs swapped (each call: new signature)."""
    good = Ballot.from_json(json.loads(ballot_body(vote, card, [1, 2])))
    poll = db.session.get(Poll, vote.poll_id)
    ctx = parse_manifest(json.loads(poll.manifest)).context()
    sk = cards.signing_key(vote.public_id, cards.decode_code(vote.codes[card]))
    return json.dumps(sign_ballot(ctx, sk, [good.rows[1], good.rows[0]]).to_json()).encode()


def _work() -> int:
    return OPS["parse"] + OPS["schnorr"]


def test_oversized_row_count_is_refused_before_any_point_is_parsed(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=2, officials=2, kind="confidence")
        obj = json.loads(ballot_body(vote, 0, [1, 2]))
        other = ballot_body(vote, 1, [1, 1])
    # A first ballot loads the vote's context (its manifest's points, parsed once).
    assert _cast(client, vote.public_id, other).status_code == 200
    big = {**obj, "rows": obj["rows"] * 200}  # 400 rows of valid points, ~220 KB
    body = json.dumps(big, separators=(",", ":")).encode()
    assert 200_000 < len(body) < 256 * 1024
    before = _work()
    r = _cast(client, vote.public_id, body)
    assert r.status_code == 400 and r.get_json()["error"] == "bad_ballot"
    assert _work() == before  # not one point decompressed, no signature checked
    wide = {**obj, "rows": [{**row, "c": row["c"] * 4, "s": row["s"] * 4} for row in obj["rows"]]}
    assert _cast(client, vote.public_id, json.dumps(wide).encode()).status_code == 400
    assert _work() == before


def test_resent_bad_ballot_is_refused_without_any_check(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=2, officials=2)
        bad = _bad(vote, 0)
        good = ballot_body(vote, 0, [1, 1])
    r = _cast(client, vote.public_id, bad)
    assert r.status_code == 400 and r.get_json()["error"] == "bad_proof"
    before = _work()
    for _ in range(5):
        r = _cast(client, vote.public_id, bad)
        assert r.status_code == 400 and r.get_json()["error"] == "bad_proof"
    assert _work() == before  # remembered: not parsed, no signature, no proof
    # One broken ballot does not cost the member the vote.
    assert _cast(client, vote.public_id, good).status_code == 200


def test_bad_ballots_slow_down_their_own_card_only(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=3, officials=2)
        bad = [_bad(vote, 0) for _ in range(6)]
        mine = ballot_body(vote, 0, [1, 1])
        other = ballot_body(vote, 1, [2, 2])
    statuses = [_cast(client, vote.public_id, b).status_code for b in bad[:3]]
    assert statuses == [400, 400, 400]
    before = _work()
    for body in bad[3:]:
        r = _cast(client, vote.public_id, body)
        assert r.status_code == 429 and "Retry-After" in r.headers
    assert _cast(client, vote.public_id, mine).status_code == 429  # its own card waits
    assert _work() == before  # refused before parsing
    assert _cast(client, vote.public_id, other).status_code == 200  # the room votes
    with app.app_context():
        assert db.session.get(Poll, vote.poll_id).ballot_count == 1


def test_import_of_millions_of_empty_rows_is_refused_quickly(app, client, make_user) -> None:
    make_user("thuky")
    login(client, "thuky")
    pid = create_vote(client)
    bomb = empty_rows(5_000_000)
    assert len(bomb) < 64 * 1024
    seen: list[bool] = []
    real = importing.read_officials

    def watched(name: str, data: bytes):
        seen.append(db.session().in_transaction())  # no transaction: no SQLite write lock
        return real(name, data)

    import ballot.polls.views as views

    views.read_officials = watched
    try:
        r = upload(client, pid, bomb, "ds.xlsx")
    finally:
        views.read_officials = real
    assert r.status_code == 400
    assert "too many rows" in r.get_data(as_text=True) or "quá nhiều" in r.get_data(as_text=True)
    assert seen == [False]


def test_import_on_the_wrong_state_is_refused_before_parsing(app, client, make_user) -> None:
    make_user("thuky")
    login(client, "thuky")
    with app.app_context():
        vote = make_vote(members=2, officials=2)
    calls: list[int] = []
    import ballot.polls.views as views

    real = views.read_officials
    views.read_officials = lambda name, data: calls.append(1) or real(name, data)
    try:
        r = upload(client, vote.public_id, empty_rows(5_000_000), "ds.xlsx")
    finally:
        views.read_officials = real
    assert r.status_code == 409 and calls == []
