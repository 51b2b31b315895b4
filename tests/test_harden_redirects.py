"""Open redirects: every known bypass of a "local path only" check is refused, on the
language switch and on the login form (issue 10)."""

from __future__ import annotations

import pytest

from ballot.security import safe_next
from tests.conftest import DEFAULT_PASSWORD, extract_csrf

#: Targets that a browser would take to another site (or that are not our paths).
BYPASSES = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%5C/evil.example",
    "/%5cevil.example",
    "/%252F/evil.example",
    "/%25252F/evil.example",
    "https:evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\u3000/evil.example",
    "/\x00/evil.example",
    "/" + "a" * 3000,
    "",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_safe_next_refuses_bypass(target: str) -> None:
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize(
    "target", ["/", "/polls/abc", "/polls/abc/checkin?x=1", "/board/x?q=ab%20cd", "/a#top"]
)
def test_safe_next_keeps_local_paths(target: str) -> None:
    assert safe_next(target, "/home") == target


ENCODED = ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "%2F%2Fevil.example"]


@pytest.mark.parametrize("target", ENCODED + ["https:evil.example", "/%0a/evil.example"])
def test_language_switch_never_leaves_the_site(client, target: str) -> None:
    from urllib.parse import quote

    response = client.get(f"/lang/vi?next={quote(target, safe='%/')}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_attack_from_the_issue(client) -> None:
    response = client.get("/lang/vi?next=/%09/evil.example")
    assert response.headers["Location"] == "/"
    assert client.get("/lang/en?next=/polls/x").headers["Location"] == "/polls/x"


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%5C/evil.example", "//evil.example"])
def test_login_next_never_leaves_the_site(client, make_user, target: str) -> None:
    make_user("thuky")
    page = client.get(f"/account/login?next={target}").get_data(as_text=True)
    response = client.post(
        f"/account/login?next={target}",
        data={"username": "thuky", "password": DEFAULT_PASSWORD, "csrf_token": extract_csrf(page)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
