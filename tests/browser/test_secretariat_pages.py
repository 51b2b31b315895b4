"""The secretariat's pages in Chromium at 360 px: no sideways scroll, a label on every
input, and nothing refused by the Content-Security-Policy (no inline script or style).
"""

from __future__ import annotations

import os

import pytest

from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from tests.browser.live import FOOTER, LAYOUT, PHONE, WIDTHS, chromium, live_server
from tests.conftest import DEFAULT_PASSWORD
from tests.voting_helpers import make_vote

pytestmark = pytest.mark.browser

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.type !== 'submit')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


@pytest.fixture
def browser():
    """Debian's Chromium (the test is skipped with a reason when it is missing)."""
    with chromium() as b:
        yield b


def _vote(app, state):
    with app.app_context():
        vote = make_vote(members=4, officials=3, state=state)
        poll = db.session.get(Poll, vote.poll_id)
        if state == "open":
            polls.check_in("thuky", poll, -1)
            db.session.commit()
        return vote.public_id


def test_pages_fit_a_phone_have_labels_and_obey_the_csp(app, make_user, browser):
    make_user("thuky")
    draft = _vote(app, "draft")
    ready = _vote(app, "ready")
    opened = _vote(app, "open")
    paths = ["/polls/", "/polls/new"]
    for pid in (draft, ready, opened):
        paths += [
            f"/polls/{pid}/{page}"
            for page in (
                "",
                "officials",
                "ceremony",
                "cards",
                "freeze",
                "checkin",
                "open",
                "close",
                "log",
            )
        ]
    shots = os.environ.get("SECRETARIAT_SCREENSHOTS")  # a folder, to look at the pages
    with live_server(app) as base:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda msg: problems.append(msg.text)
            if "Content Security Policy" in msg.text or msg.type == "error"
            else None,
        )
        page.goto(f"{base}/account/login")
        page.fill("#username", "thuky")
        page.fill("#password", DEFAULT_PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(f"{base}/")
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, (path, width)
            assert page.evaluate(UNLABELLED) == [], path
            got = page.evaluate(LAYOUT)
            assert not got["bad"], (path, got["bad"])  # every box inside the phone's width
            assert not any(f in got["text"] for f in FOOTER), path  # not the members' footer
            if shots:
                name = path.strip("/").replace("/", "_") or "index"
                page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)
        # The check-in buttons work with a tap (a real form POST with its CSRF token).
        page.goto(f"{base}/polls/{opened}/checkin")
        page.click("text=+1 có mặt")
        page.wait_for_selector("text=Có mặt 4 / triệu tập 4")
        context.close()
        # The same pages of the open vote on a laptop, the projector's laptop and a big screen.
        for width in WIDTHS[1:]:
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
            page = context.new_page()
            page.goto(f"{base}/account/login")
            page.fill("#username", "thuky")
            page.fill("#password", DEFAULT_PASSWORD)
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_url(f"{base}/")
            for path in [p for p in paths if opened in p or p in ("/polls/", "/polls/new")]:
                page.goto(base + path)
                got = page.evaluate(LAYOUT)
                assert not got["hscroll"] and not got["bad"], (width, path, got["bad"])
            context.close()
        assert problems == []
