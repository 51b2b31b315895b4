"""Attacks on the web layer: fuzzed cast bodies, every staff route without login, with the
wrong role or without CSRF, and security headers on every page."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ballot.db import db
from ballot.voting.models import BallotEntry
from tests.conftest import DEFAULT_PASSWORD, extract_csrf
from tests.voting_helpers import ballot_body, make_vote

#: Endpoints anyone may reach (members, the public board, the projector, static files).
# The ceremony board's JSON, its message endpoint (the trustee's token authenticates)
# and the trustee page are public on purpose: tests/test_ceremony_board.py covers them.
PUBLIC = re.compile(
    r"^(static|home\.|i18n\.|voting\.|board\.|accounts\.login|.*healthz|.*\.static"
    r"|polls\.ceremony_(board|manifest|message)$|polls\.trustee_page$)"
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture
def open_vote(app):
    with app.app_context():
        vote = make_vote(members=3, officials=2)
        good = json.loads(ballot_body(vote, 0, [1, 2]))
    return vote, good


def _mutations(good):
    keys = ["version", "manifest", "card", "rows", "signature"]
    return st.one_of(
        JSONISH,
        st.builds(lambda k, v: {**good, k: v}, st.sampled_from(keys), JSONISH),
        st.builds(
            lambda i, k, v: {
                **good,
                "rows": [{**r, k: v} if n == i else r for n, r in enumerate(good["rows"])],
            },
            st.integers(0, 1),
            st.sampled_from(["alpha", "beta", "c", "s"]),
            JSONISH,
        ),
        st.builds(
            lambda s: {**good, "rows": [{**good["rows"][0], "alpha": s}, good["rows"][1]]},
            st.text(alphabet="0123456789abcdef", min_size=66, max_size=66),
        ),
    )


def test_fuzzed_cast_bodies_are_refused_cleanly(app, open_vote):
    vote, good = open_vote
    client = app.test_client()
    url = f"/v/{vote.public_id}/cast"

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_mutations(good))
    def check(body):
        raw = json.dumps(body).encode()
        if body == good:
            return
        r = client.post(url, data=raw, content_type="application/json")
        assert 400 <= r.status_code < 500, (r.status_code, raw[:200])
        answer = r.get_json()
        assert answer["error"] and answer["message"]

    check()
    for raw in (b"", b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b'{"a": 1e999}', b" " * 400_000):
        r = client.post(url, data=raw, content_type="application/json")
        assert 400 <= r.status_code < 500, raw[:20]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BallotEntry)) == 0


def test_replayed_and_foreign_ballots(app, open_vote):
    vote, good = open_vote
    client = app.test_client()
    url = f"/v/{vote.public_id}/cast"
    with app.app_context():
        other = make_vote(members=3, officials=2)
        foreign = ballot_body(other, 0, [1, 1])
    r = client.post(url, data=foreign, content_type="application/json")
    assert r.status_code in (400, 403) and r.get_json()["message"]
    first = client.post(url, data=json.dumps(good), content_type="application/json")
    assert first.status_code == 200
    again = client.post(url, data=json.dumps(good), content_type="application/json")
    assert again.get_json()["tracker"] == first.get_json()["tracker"]
    r = client.post(
        f"/v/{other.public_id}/cast", data=json.dumps(good), content_type="application/json"
    )
    assert r.status_code in (400, 403)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BallotEntry)) == 1


def _routes(app):
    """(endpoint, url, methods) for every non-public route, with placeholder arguments."""
    out = []
    for rule in app.url_map.iter_rules():
        if PUBLIC.match(rule.endpoint):
            continue
        url = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m: {"public_id": "x"}.get(m[1], "1"), rule.rule
        )
        out.append((rule.endpoint, url, sorted(rule.methods - {"HEAD", "OPTIONS"})))
    return out


def _login(client, username):
    token = extract_csrf(client.get("/account/login").get_data(as_text=True))
    client.post(
        "/account/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )


def test_every_staff_route_refuses_anonymous_wrong_role_and_missing_csrf(app, make_user):
    routes = _routes(app)
    assert len(routes) > 10, routes
    anonymous = app.test_client()
    for endpoint, url, methods in routes:
        for method in methods:
            r = anonymous.open(url, method=method)
            assert r.status_code in (302, 400, 401, 405), (endpoint, method, r.status_code)
            if r.status_code == 302:
                assert "/account/login" in r.headers["Location"], endpoint
    make_user("kiemtoan", role="auditor")
    auditor = app.test_client()
    _login(auditor, "kiemtoan")
    make_user("thuky")
    secretary = app.test_client()
    _login(secretary, "thuky")
    token = extract_csrf(auditor.get("/").get_data(as_text=True))  # the logout form's
    for endpoint, url, methods in routes:
        if endpoint == "accounts.logout":
            continue
        for method in (m for m in methods if m != "GET"):
            r = auditor.open(
                url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
            )
            assert r.status_code == 403, (endpoint, "auditor with a valid token", r.status_code)
            r = secretary.open(url, method=method, data={})
            assert r.status_code in (400, 404), (endpoint, "no csrf", r.status_code)
            assert r.status_code != 500


def test_security_headers_on_every_page(app, open_vote, make_user):
    vote, _ = open_vote
    make_user("thuky")
    client = app.test_client()
    _login(client, "thuky")
    urls = [
        "/",
        "/account/login",
        "/nonexistent",
        f"/v/{vote.public_id}",
        f"/board/{vote.public_id}",
        f"/projector/{vote.public_id}",
        f"/v/{vote.public_id}/manifest.json",
    ]
    urls += [url for _, url, methods in _routes(app) if "GET" in methods]
    for url in urls:
        r = client.get(
            url.replace("/x/", f"/{vote.public_id}/").replace("/x", f"/{vote.public_id}")
        )
        assert r.status_code != 500, url
        csp = r.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, url
        assert "unsafe-inline" not in csp, url
        assert r.headers.get("X-Content-Type-Options") == "nosniff", url
        assert r.headers.get("Referrer-Policy") == "no-referrer", url
        assert "frame-ancestors 'none'" in csp, url
