"""The member's page in Chromium on a phone-sized screen, against a real HTTP server.

1. Open a card link, choose every row, review, submit, get a receipt that is on the
   board; the same link again shows the card as used; another ballot is refused.
2. The connection drops during submit (response lost after the commit; offline; a
   reload while the server is unreachable): the retry gives the same receipt and the
   box holds exactly one ballot.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from ballot.db import db
from ballot.voting.models import BallotEntry
from tests.browser.live import PHONE, card_link, chromium, live_server
from tests.voting_helpers import ballot_body, make_vote

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000


@pytest.fixture
def browser():
    """Debian's Chromium (the test is skipped with a reason when it is missing)."""
    with chromium() as b:
        yield b


def _ballots():
    db.session.rollback()
    return list(db.session.scalars(select(BallotEntry).order_by(BallotEntry.seq)))


def _open_ballot(page, link):
    t0 = time.perf_counter()
    page.goto(link)
    page.wait_for_selector("#vote-app[data-ready=ballot]", timeout=TIMEOUT_MS)
    elapsed = time.perf_counter() - t0
    assert "#" not in page.url, "the card secret must leave the address bar"
    return elapsed


def _choose_all(page, choices):
    for i, choice in enumerate(choices):
        button = page.locator(f"#row-{i} button[data-choice='{choice}']")
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        assert page.locator(f"#row-{i} button[aria-pressed=true]").count() == 1
    total = len(choices)
    assert page.locator("#progress").inner_text() == f"{total}/{total} đã chọn"


def _submit(page):
    page.locator("#to-review").click()
    assert page.locator("#review-list li").count() > 0
    page.locator("#submit").click()


def test_member_votes_and_finds_the_receipt(app, browser, capsys):
    with app.app_context():
        vote = make_vote(members=3, officials=4)
        link = card_link("BASE", vote.public_id, vote.codes[0], vote.poll_id)
        with live_server(app) as base:
            link = link.replace("BASE", base)
            context = browser.new_context(**PHONE)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            ready_s = _open_ballot(page, link)
            assert page.locator("#rows > li").count() == 4
            assert page.locator("#row-0 button.level").count() == 4  # 3 levels + blank
            assert page.locator("#row-0 legend").inner_text().startswith("1.")
            _choose_all(page, [1, 2, 3, 0])
            page.locator("#row-1 button[data-choice='3']").click()  # change of mind
            assert (
                page.locator("#row-1 button[aria-pressed=true]")
                .inner_text()
                .endswith("Tín nhiệm thấp")
            )
            t0 = time.perf_counter()
            _submit(page)
            page.wait_for_selector("#vote-app[data-ready=receipt]", timeout=TIMEOUT_MS)
            submit_s = time.perf_counter() - t0
            tracker = page.locator("#tracker").get_attribute("data-hex")
            assert page.locator("#tracker").inner_text().replace(" ", "") == tracker
            entries = _ballots()
            assert [bytes(e.tracker).hex() for e in entries] == [tracker]
            stored = page.evaluate("Object.entries(localStorage)")
            assert any(json.loads(v).get("status") == "accepted" for _, v in stored)
            # The server's signed receipt verified on the phone (phieu-receipt.js) and kept.
            kept = [json.loads(v) for _, v in stored if json.loads(v).get("status") == "accepted"]
            assert kept[0]["receipt"]["tracker"] == tracker
            assert page.locator("#copy-signed").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            timings = page.evaluate("window.phieuTimings")

            page.locator("#board-link").click()
            page.wait_for_selector("#found")
            assert "found" in (page.locator("#found").get_attribute("class") or "")
            # grouped by four on the board exactly as on the phone
            shown = f"{tracker[:4]} {tracker[4:8]}"
            assert shown in page.locator("#found").inner_text()
            assert shown in page.locator("table.trackers").inner_text()

            # The same link on the same phone: the card is used, here is the receipt.
            page.goto(link)
            page.wait_for_selector("#vote-app[data-ready=receipt]", timeout=TIMEOUT_MS)
            assert "đã được dùng" in page.locator("#receipt-title").inner_text()
            assert page.locator("#tracker").get_attribute("data-hex") == tracker

            # On another phone: the server says the card is used.
            other = browser.new_context(**PHONE).new_page()
            other.goto(link)
            other.wait_for_selector("#problem:not([hidden])", timeout=TIMEOUT_MS)
            assert "đã được dùng" in other.locator("#problem-title").inner_text()

            # A different ballot with the used card is refused, in Vietnamese.
            second = page.request.post(
                f"{base}/v/{vote.public_id}/cast",
                data=ballot_body(vote, 0, [0, 0, 0, 0]),
                headers={"Content-Type": "application/json"},
            )
            assert second.status == 409
            assert second.json()["error"] == "card_used"
            assert "đã được dùng" in second.json()["message"]
            assert len(_ballots()) == 1
            assert not errors, errors
            context.close()
    with capsys.disabled():
        print(
            f"\n[vote page] link → ballot shown {ready_s * 1000:.0f} ms; "
            f"submit → receipt {submit_s * 1000:.0f} ms; page timings {timings}"
        )


def test_lost_response_and_offline_give_the_same_receipt(app, browser):
    with app.app_context():
        vote = make_vote(members=3, officials=3)
        with live_server(app) as base:
            # (a) The server commits but the answer never reaches the phone.
            context = browser.new_context(**PHONE)
            page = context.new_page()
            lost = []

            def lose_first_answer(route):
                if not lost:
                    route.fetch()  # the server receives and commits the ballot
                    lost.append(1)
                    route.abort("connectionreset")
                else:
                    route.continue_()

            page.route("**/cast", lose_first_answer)
            _open_ballot(page, card_link(base, vote.public_id, vote.codes[0], vote.poll_id))
            _choose_all(page, [2, 0, 1])
            _submit(page)
            page.wait_for_selector("#vote-app[data-ready=receipt]", timeout=TIMEOUT_MS)
            tracker = page.locator("#tracker").get_attribute("data-hex")
            assert lost and [bytes(e.tracker).hex() for e in _ballots()] == [tracker]
            context.close()

            # (b) Offline at submit, then back online: sent once the connection returns.
            context = browser.new_context(**PHONE)
            page = context.new_page()
            _open_ballot(page, card_link(base, vote.public_id, vote.codes[1], vote.poll_id))
            _choose_all(page, [1, 1, 1])
            context.set_offline(True)
            _submit(page)
            _wait_until(page, "document.querySelector('#send-status').textContent.length > 40")
            pending = _pending(page)
            assert len(_ballots()) == 1
            context.set_offline(False)
            page.wait_for_selector("#vote-app[data-ready=receipt]", timeout=TIMEOUT_MS)
            assert page.locator("#tracker").get_attribute("data-hex") == pending
            context.close()

            # (c) The server is unreachable; the member reloads: the stored ballot is
            # sent (never re-encrypted) once it is reachable again.
            context = browser.new_context(**PHONE)
            page = context.new_page()
            page.route("**/cast", lambda route: route.abort("connectionrefused"))
            _open_ballot(page, card_link(base, vote.public_id, vote.codes[2], vote.poll_id))
            _choose_all(page, [3, 2, 0])
            _submit(page)
            _wait_until(page, "Object.keys(localStorage).length === 1")
            pending = _pending(page)
            page.reload()
            page.wait_for_selector("#sending:not([hidden])", timeout=TIMEOUT_MS)
            assert _pending(page) == pending
            page.unroute("**/cast")
            page.wait_for_selector("#vote-app[data-ready=receipt]", timeout=TIMEOUT_MS)
            assert page.locator("#tracker").get_attribute("data-hex") == pending
            context.close()

        entries = _ballots()
        assert len(entries) == 3
        assert bytes(entries[-1].tracker).hex() == pending
        assert db.session.scalar(select(func.count()).select_from(BallotEntry)) == 3


def _wait_until(page, expression, timeout_s=TIMEOUT_MS / 1000):
    """Poll a JS expression from Python (wait_for_function needs eval: the CSP forbids it)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _pending(page):
    values = page.evaluate("Object.values(localStorage)")
    records = [json.loads(v) for v in values]
    assert len(records) == 1 and records[0]["status"] == "pending", records
    return records[0]["tracker"]


def test_fingerprint_typed_code_language_and_not_open(app, browser):
    with app.app_context():
        vote = make_vote(members=3, officials=3, kind="confidence")
        ready = make_vote(members=3, officials=3, state="ready")
        with live_server(app) as base:
            link = card_link(base, vote.public_id, vote.codes[0], vote.poll_id)
            context = browser.new_context(**PHONE)
            page = context.new_page()
            # A server that swapped anything the card's fingerprint covers is refused.
            forged = link[:-16] + ("0" if link[-16] != "0" else "1") + link[-15:]
            page.goto(forged)
            page.wait_for_selector("#problem:not([hidden])", timeout=TIMEOUT_MS)
            assert "không khớp" in page.locator("#problem-title").inner_text()
            assert "#" not in page.url

            # Typed code: a mistyped character is caught by the check characters.
            page.goto(f"{base}/v/{vote.public_id}")
            page.wait_for_selector("#entry:not([hidden])")
            code = vote.codes[1]
            typo = code[:-6] + ("X" if code[-6] != "X" else "Y") + code[-5:]
            page.locator("#code").fill(typo)
            page.locator("#entry-form button[type=submit]").click()
            assert page.locator("#code-error").is_visible()
            assert page.locator("#code").get_attribute("aria-invalid") == "true"
            page.locator("#code").fill("ABC")
            page.locator("#entry-form button[type=submit]").click()
            assert "28" in page.locator("#code-error").inner_text()
            page.locator("#code").fill(code.lower())
            page.locator("#entry-form button[type=submit]").click()
            page.wait_for_selector("#vote-app[data-ready=ballot]", timeout=TIMEOUT_MS)
            assert page.locator("#row-0 button.level").count() == 3  # 2 levels + blank
            assert page.locator("#fingerprint").inner_text().replace(" ", "") == link[-16:]

            # The language switch keeps the card (in the fragment, never sent).
            with page.expect_navigation():
                page.locator(".lang-switch a[lang=en]").click()
            page.wait_for_selector("#vote-app[data-ready=ballot]", timeout=TIMEOUT_MS)
            assert page.locator("#progress").inner_text() == "0/3 chosen"
            assert "#" not in page.url

            # Not open yet: a clear page with "try again".
            page.goto(card_link(base, ready.public_id, ready.codes[0], ready.poll_id))
            page.wait_for_selector("#problem:not([hidden])", timeout=TIMEOUT_MS)
            assert page.locator("#retry").is_visible()
            assert "not opened" in page.locator("#problem-title").inner_text()
            context.close()
