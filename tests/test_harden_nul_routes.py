"""A NUL character on **every** route of the app (issue 10): in each path variable, in
the query, in a form field and in a JSON body, anonymous and logged in, never a 500
(PostgreSQL refuses NUL in text). Run with TEST_DATABASE_URL for PostgreSQL.

The routes come from the app's own URL map, so a route added later is covered too.
"""

from __future__ import annotations

import re

import pytest

from tests.voting_helpers import make_vote

#: Every variable of a rule becomes this (a NUL between two letters).
NUL_SEGMENT = "a%00b"


def _urls(app, public_id: str) -> list[tuple[str, str, str]]:
    """(rule, method, url) for every rule and method, with a NUL in one place each."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted(m for m in rule.methods or () if m in ("GET", "POST"))
        path = rule.rule
        variables = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", path)

        def fill(nul_in: str | None, path: str = path) -> str:
            def value(match: re.Match[str]) -> str:
                converter = match[1] or ""
                if match[2] == nul_in:
                    return NUL_SEGMENT
                if converter.startswith("int"):
                    return "1"
                if match[2] in ("public_id", "poll_id", "vote_id"):
                    return public_id
                return "x"

            return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", value, path)

        for method in methods:
            for name in variables:
                out.append((path, method, fill(name)))
            out.append((path, method, fill(None) + "?next=%00&q=a%00"))
    return out


def _check(response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code)
    if response.status_code == 400 and response.is_json:
        assert response.json["error"] in ("nul_character", "bad_request", "csrf"), where


@pytest.fixture
def vote(app):
    with app.app_context():
        return make_vote(members=2, officials=1)


@pytest.mark.parametrize("logged_in", [False, True])
def test_nul_everywhere_on_every_route(app, client, auth, make_user, vote, logged_in) -> None:
    make_user("thuky")
    if logged_in:
        auth.login("thuky")
    urls = _urls(app, vote.public_id)
    assert len(urls) > 60  # the whole map, not a handful
    refused = 0
    for rule, method, url in urls:
        where = f"{method} {url} ({rule})"
        if method == "GET":
            for accept in ("text/html", "application/json"):
                r = client.get(url, headers={"Accept": accept})
                _check(r, where)
                refused += r.status_code == 400
        else:
            r = client.post(url, data={"a\x00": "b", "serial": "0\x001"})
            _check(r, where + " form")
            assert r.status_code in (400, 404, 405), where
            r = client.post(
                url,
                data=b'{"name": "a\\u0000b", "reason": "\\u0000", "ballot": {"card": "\\u0000"}}',
                content_type="application/json",
                headers={"Accept": "application/json"},
            )
            _check(r, where + " json")
            assert r.status_code in (400, 404, 405), (where, r.status_code)
            refused += r.status_code == 400
    assert refused > len(urls)  # most answers are the NUL refusal itself


def test_json_body_with_an_escaped_nul_is_refused(client, vote) -> None:
    r = client.post(
        f"/v/{vote.public_id}/cast",
        data=b'{"card": "\\u0000"}',
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 400 and r.json["error"] == "nul_character"
    # A backslash written as text before "u0000" is not a NUL: not refused as one.
    r = client.post(
        f"/v/{vote.public_id}/cast",
        data=b'{"card": "\\\\u0000"}',
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 400 and r.json["error"] != "nul_character"
