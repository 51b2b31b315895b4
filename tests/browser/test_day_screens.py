"""Conference-day screens in Chromium: the projector's results fit 1366×768 and
1920×1080 up to 20 officials and page by themselves beyond; the turnout tiles never
spill; the dashboard, check-in and close pages update by themselves; no CSP refusal.
"""

from __future__ import annotations

import time

import pytest

from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from tests.browser.live import PHONE, chromium, live_server
from tests.conftest import DEFAULT_PASSWORD
from tests.day_helpers import counted_vote
from tests.voting_helpers import ballot_body, make_vote

pytestmark = pytest.mark.browser

BOXES = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const rows = [...document.querySelectorAll('tr.official')];
  const shown = rows.filter(r => !r.hidden);
  const outside = shown.filter(r => { const b = r.getBoundingClientRect();
    return b.top < 0 || b.bottom > vh + 0.5 || b.left < 0 || b.right > vw + 0.5; }).length;
  return { rows: rows.length, shown: shown.length, outside,
    hscroll: document.documentElement.scrollWidth > vw,
    vscroll: document.documentElement.scrollHeight > vh,
    pages: document.getElementById('results-projector')?.dataset.pages,
    header: !!document.querySelector('.site-header'),
    text: document.body.innerText };
}"""

TILES = """() => [...document.querySelectorAll('.turnout dd')].map(dd => ({
  text: dd.innerText, spill: dd.scrollWidth > dd.clientWidth + 0.5,
  out: dd.getBoundingClientRect().right
    > dd.parentElement.getBoundingClientRect().right + 0.5 }))"""
FIRST_SHOWN = "tr.official:not([hidden])"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _watch(page, problems):
    page.on(
        "console",
        lambda m: problems.append(m.text)
        if "Content Security Policy" in m.text or m.type == "error"
        else None,
    )


def _until(check, seconds=12.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


def test_projector_results_fit_and_page_by_themselves(app, browser):
    with app.app_context():
        twenty = counted_vote(officials=20, publish=True, long_names=True).public_id
        thirty = counted_vote(officials=30, publish=True, long_names=True).public_id
    problems: list[str] = []
    with live_server(app) as base:
        for width, height in ((1366, 768), (1920, 1080)):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            _watch(page, problems)
            page.goto(f"{base}/projector/{twenty}")
            got = page.evaluate(BOXES)
            assert got["rows"] == 20 and got["shown"] == 20, (width, got)
            assert got["outside"] == 0 and not got["vscroll"] and not got["hscroll"], (width, got)
            assert not got["header"] and "Đăng xuất" not in got["text"]
            # count and percentage in cells of their own: never "6 66,67 %" run together
            cells = page.locator("tr.official").first.locator("td.count, td.pct").all_inner_texts()
            assert cells[0].strip().isdigit() and cells[1].strip().endswith("%"), cells
            page.goto(f"{base}/projector/{thirty}")
            got = page.evaluate(BOXES)
            assert int(got["pages"]) >= 2 and 0 < got["shown"] < 30, (width, got)
            assert got["outside"] == 0 and not got["vscroll"] and not got["hscroll"], (width, got)
            first = page.locator("tr.official:not([hidden])").first.get_attribute("data-index")
            # the pages turn every 12 s by themselves
            shown = page.locator(FIRST_SHOWN).first
            assert _until(lambda s=shown, f=first: s.get_attribute("data-index") != f, 16), (
                "the projector did not turn the page"
            )
            context.close()
    assert not problems, problems


def test_turnout_tiles_never_spill(app, browser):
    with app.app_context():
        vote = make_vote(members=47, officials=2)
        poll = db.session.get(Poll, vote.poll_id)
        for _ in range(7):
            polls.check_in("thuky", poll, -1)
        db.session.commit()
    with live_server(app) as base:
        for width, height in ((1366, 768), (1024, 768)):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(f"{base}/projector/{vote.public_id}")
            tiles = page.evaluate(TILES)
            assert any(t["text"].replace(" ", "") == "40/47" for t in tiles), tiles
            assert not any(t["spill"] or t["out"] for t in tiles), (width, tiles)
            context.close()


def test_second_screens_update_by_themselves(app, make_user, browser):
    make_user("thuky")
    with app.app_context():
        vote = make_vote(members=6, officials=2)
        poll = db.session.get(Poll, vote.poll_id)
        polls.check_in("thuky", poll, -1)
        db.session.commit()
    pid = vote.public_id
    problems: list[str] = []
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        page = context.new_page()
        _watch(page, problems)
        page.goto(f"{base}/account/login")
        page.fill("#username", "thuky")
        page.fill("#password", DEFAULT_PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(f"{base}/")
        screens = {}
        for name in ("", "checkin", "close"):
            screens[name] = context.new_page()
            _watch(screens[name], problems)
            screens[name].goto(f"{base}/polls/{pid}/{name}")
        assert screens["checkin"].inner_text("#present-count") == "5"
        with app.app_context():  # another laptop checks a member in and a ballot arrives
            polls.check_in("thuky", db.session.get(Poll, vote.poll_id), 1)
            db.session.commit()
            from ballot.voting.casting import cast

            cast(vote.poll_id, ballot_body(vote, 0, [1, 2]))
            db.session.commit()
        for name, field, want in (
            ("checkin", "#present-count", "6"),
            ("", "#present-count", "6"),
            ("", "#cast-count", "1"),
            ("close", "#cast-count", "1"),
        ):
            shown = screens[name]
            assert _until(lambda s=shown, f=field, w=want: s.inner_text(f) == w), (name, field)
        with app.app_context():  # closed on another screen: the pages follow
            polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
            db.session.commit()
        closed = screens["close"]
        assert _until(lambda: "already closed" in closed.inner_text("main").lower()
                      or "đã đóng" in closed.inner_text("main").lower())  # fmt: skip
        context.close()
    assert not problems, problems


def test_manual_entry_groups_the_code_as_typed_and_matches_the_card(app, browser):
    with app.app_context():
        vote = make_vote(members=2, officials=2)
    code = vote.codes[0]
    with live_server(app) as base:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.goto(f"{base}/v/{vote.public_id.upper()}")  # typed in capitals: sent on
        assert page.url.endswith(f"/v/{vote.public_id}")
        page.wait_for_selector("#entry:not([hidden])")
        label = page.inner_text("label[for=code]")
        assert "Mã nhập tay" in label and "QR" in label
        page.locator("#code").press_sequentially(code.replace("-", "").lower()[:10])
        assert page.input_value("#code") == code[:12].rstrip("-")
        page.locator("#code").press_sequentially(code.replace("-", "")[10:])
        assert page.input_value("#code") == code
        box = page.locator("#code").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        context.close()


def test_count_and_results_pages_have_the_tab_bar_and_fit_a_phone(app, make_user, browser):
    make_user("thuky")
    with app.app_context():
        pid = counted_vote(officials=12, long_names=True).public_id
    problems: list[str] = []
    with live_server(app) as base:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        _watch(page, problems)
        page.goto(f"{base}/account/login")
        page.fill("#username", "thuky")
        page.fill("#password", DEFAULT_PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(f"{base}/")
        assert page.locator("#home-votes").is_visible()
        for path in ("count", "results"):
            page.goto(f"{base}/polls/{pid}/{path}")
            nav = page.locator("nav.poll-nav")
            for target in (f"/polls/{pid}/count", f"/polls/{pid}/results", f"/polls/{pid}/"):
                link = nav.locator(f'a[href="{target}"]')
                box = link.bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, (path, target)
            assert nav.locator('a[aria-current="page"]').count() == 1
            assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        context.close()
    assert not problems, problems
