"""Cast or check in Chromium: a member checks the encryption twice, then casts; the board
lists and verifies both checked ballots; a dishonest page (a test double served through
route interception) is caught by the check."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from ballot.db import db
from ballot.voting.models import AuditedEntry, BallotEntry, SignedHead
from tests.browser.live import PHONE, card_link, chromium, live_server
from tests.voting_helpers import make_vote

pytestmark = pytest.mark.browser
TIMEOUT_MS = 20_000


@pytest.fixture
def app_config(app_config):
    """A signed checkpoint after every ballot, so the receipt has one covering it."""
    return {**app_config, "CHECKPOINT_BALLOTS": 1}


@pytest.fixture
def browser():
    """Debian's Chromium (the test is skipped with a reason when it is missing)."""
    with chromium() as b:
        yield b


def _choose(page, choices):
    page.wait_for_selector("#vote-app[data-ready=ballot]", timeout=TIMEOUT_MS)
    for i, choice in enumerate(choices):
        page.locator(f"#row-{i} button[data-choice='{choice}']").click()
    page.locator("#to-review").click()


def _check(page):
    page.locator("#check").click()
    page.wait_for_selector("#vote-app[data-ready=audit]", timeout=TIMEOUT_MS)
    tracker = page.locator("#audit-tracker").get_attribute("data-hex")
    page.locator("#reveal").click()
    page.wait_for_selector(
        "#vote-app[data-ready^=audit]:not([data-ready=audit])", timeout=TIMEOUT_MS
    )
    return tracker, page.locator("#vote-app").get_attribute("data-ready")


def test_check_twice_then_cast(app, browser):
    with app.app_context():
        vote = make_vote(members=3, officials=3)
        link = card_link("BASE", vote.public_id, vote.codes[0], vote.poll_id)
        with live_server(app) as base:
            page = browser.new_context(**PHONE).new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(link.replace("BASE", base))
            _choose(page, [1, 2, 0])
            assert (
                "không phải là phiếu bầu" in page.locator("#review").inner_text().lower()
                or page.locator("#check").is_visible()
            )
            first, ready = _check(page)
            assert ready == "audited"
            page.locator("#audit-back").click()
            second, ready = _check(page)
            assert ready == "audited" and second != first  # encrypted afresh
            page.locator("#audit-back").click()
            page.locator("#submit").click()
            page.wait_for_selector("#vote-app[data-ready=receipt]", timeout=TIMEOUT_MS)
            tracker = page.locator("#tracker").get_attribute("data-hex")
            db.session.rollback()
            cast = list(db.session.scalars(select(BallotEntry)))
            audited = list(db.session.scalars(select(AuditedEntry)))
            assert [bytes(e.tracker).hex() for e in cast] == [tracker]
            assert {bytes(a.tracker).hex() for a in audited} == {first, second}
            cast_alphas = {r["alpha"] for r in json.loads(cast[0].body)["rows"]}
            for a in audited:
                assert not cast_alphas & {r["alpha"] for r in json.loads(a.body)["rows"]}
            # The receipt: one tap shows it on the board with the signed head covering it.
            page.locator("#board-link").click()
            page.wait_for_selector("#found")
            found = page.locator("#found").inner_text().replace(" ", "")
            assert tracker in found
            covering = page.locator("div.covering#covering-1")
            assert covering.count() == 1  # the signed checkpoint after ballot 1
            head = db.session.scalar(select(SignedHead).where(SignedHead.kind == "checkpoint"))
            assert head is not None and head.count == 1
            assert bytes(head.head).hex() in covering.inner_text().replace(" ", "")
            assert bytes(head.signature).hex() in covering.inner_text()
            # The board lists both checked ballots and checks them on this device.
            page.locator("#check-audits").click()
            page.wait_for_selector("#audits[data-checked]", timeout=TIMEOUT_MS)
            assert page.locator("#audits").get_attribute("data-checked") == "2"
            assert page.locator(".audit-result[data-ok=true]").count() == 2
            assert not errors, errors


def test_dishonest_page_is_caught(app, browser):
    with app.app_context():
        vote = make_vote(members=3, officials=2)
        link = card_link("BASE", vote.public_id, vote.codes[1], vote.poll_id)
        with live_server(app) as base:
            context = browser.new_context(**PHONE)

            def dishonest(route):
                # The test double of a dishonest server: every row encrypts "blank" (0)
                # whatever was tapped, while the page still reports the tapped choice.
                body = route.fetch().text()
                body = body.replace(
                    "const row = B.encryptRow(this.ctx, this.card, i, choice, this.nonces);",
                    "const row = B.encryptRow(this.ctx, this.card, i, 0, this.nonces);",
                )
                assert "encryptRow(this.ctx, this.card, i, 0," in body
                route.fulfill(body=body, content_type="text/javascript")

            context.route(re.compile(r".*/js/ballot-session\.js.*"), dishonest)
            page = context.new_page()
            page.goto(link.replace("BASE", base))
            _choose(page, [1, 2])
            _, ready = _check(page)
            assert ready == "audit-refused"
            assert (
                "không mã hóa đúng" in page.locator("#audit-status").inner_text()
                or "encrypt" in page.locator("#audit-status").inner_text()
            )
            db.session.rollback()
            assert list(db.session.scalars(select(AuditedEntry))) == []
