"""Issue 11 as a person sees it, in Chromium at 360, 1024, 1366 and 1920 px wide.

Every page of a conference day (home, votes list, create form, dashboard, officials,
cards, count, results, log; the public board, projector and results page) is opened at
each width: no sideways scroll, every visible element's box inside the viewport's width,
no text cut off in its own box, the words each item asked for, no members' footer on
the secretariat's pages, nothing refused by the strict CSP. The public pages are
opened by an anonymous browser before and after publishing.
"""

from __future__ import annotations

import re

import pytest

from ballot.db import db
from ballot.polls.models import Poll
from tests.browser.live import FOOTER, LAYOUT, WIDTHS, chromium, live_server
from tests.conftest import DEFAULT_PASSWORD
from tests.day_helpers import counted_vote

pytestmark = pytest.mark.browser

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:|\b\d{1,2}/\d{1,2}/\d\d\b")  # raw or 2-digit year
CODES = re.compile(r"\b[a-z]+\.[a-z_]+\b|=None|override=")  # poll.create, override=None


def _watch(page, problems):
    page.on(
        "console",
        lambda m: problems.append(m.text)
        if "Content Security Policy" in m.text or m.type == "error"
        else None,
    )


def _login(page, base):
    page.goto(f"{base}/account/login")
    page.fill("#username", "thuky")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/")


def _look(page, url, width):
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    got = page.evaluate(LAYOUT)
    assert not got["hscroll"], (width, url, "sideways scroll")
    assert not got["bad"], (width, url, got["bad"])
    return got["text"]


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_the_secretariat_pages_fit_every_width_and_say_it_in_words(app, make_user, browser):
    make_user("thuky")
    with app.app_context():
        vote = counted_vote(officials=12, members=9, cast_n=6, long_names=True)
        pid = vote.public_id
    problems: list[str] = []
    with live_server(app) as base:
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
            page = context.new_page()
            _watch(page, problems)
            _login(page, base)
            _look(page, f"{base}/", width)
            assert page.locator("#home-votes").is_visible(), width  # item 6: a way to the votes
            votes = _look(page, f"{base}/polls/", width)
            assert pid in votes and re.search(r"\d{1,2}/\d{1,2}/\d{4}|năm \d{4}", votes), votes
            form = _look(page, f"{base}/polls/new", width)
            # item 13: every choice of the form is a radio with its whole label in view
            labels = page.eval_on_selector_all(
                "input[type=radio]", "els => els.map(e => e.labels[0].innerText.trim())"
            )
            assert "Lấy phiếu tín nhiệm" in " ".join(labels) and "Bỏ phiếu tín nhiệm" in " ".join(
                labels
            ), labels
            assert all(label in form for label in labels)
            dashboard = _look(page, f"{base}/polls/{pid}/", width)
            assert re.search(
                r"\d{1,2} giờ \d\d phút, ngày \d{1,2} tháng \d{1,2} năm \d{4}", dashboard
            )
            assert "+00:00" not in dashboard and not ISO.search(dashboard)
            count = _look(page, f"{base}/polls/{pid}/count", width)
            # item 13: the count is complete with trustees 1 and 2; trustee 3 is not "— chưa"
            trustees = page.inner_text("ul.trustees")
            assert "chưa" not in trustees and "not yet" not in trustees, trustees
            assert "Nguyễn Văn An" in count
            results = _look(page, f"{base}/polls/{pid}/results", width)
            assert "Tín nhiệm cao" in results and "%" in results
            log = _look(page, f"{base}/polls/{pid}/log", width)
            main = page.inner_text("main")
            assert not CODES.search(main), CODES.findall(main)
            assert "Tạo cuộc bỏ phiếu" in log or "Đã tạo" in log, main[:400]
            for text in (votes, form, dashboard, count, results, log):  # home is everyone's
                assert not any(f in text for f in FOOTER), (width, text[-300:])
            context.close()
    assert not problems, problems


def test_public_pages_are_anonymous_only_after_publishing_at_every_width(app, browser):
    with app.app_context():
        vote = counted_vote(officials=12, members=9, cast_n=6, long_names=True)
        pid = vote.public_id
        names = [f"Nguyễn Thị Thanh Hương Số {i + 1}" for i in range(12)]
    problems: list[str] = []
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        board = _look(page, f"{base}/board/{pid}", 360)
        assert not any(n in board for n in names)
        for doc in ("results", "results.csv", "minutes.pdf", "record.zip"):
            r = page.request.get(f"{base}/polls/{pid}/{doc}", max_redirects=0)
            assert r.status == 302 and "/account/login" in r.headers["location"], doc
        context.close()
        with app.app_context():
            from ballot.counting import operations as counting

            counting.publish("thuky", db.session.get(Poll, vote.poll_id))
            db.session.commit()
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
            page = context.new_page()
            _watch(page, problems)
            board = _look(page, f"{base}/board/{pid}", width)
            assert all(n in board for n in names), width
            assert "Biên bản" in board or "biên bản" in board
            results = _look(page, f"{base}/polls/{pid}/results", width)
            assert all(n in results for n in names) and "Đăng xuất" not in results
            if width >= 1024:
                projector = page.goto(f"{base}/projector/{pid}")
                assert projector is not None and projector.status == 200
                assert page.locator("tr.official").count() == 12
            for doc, start in (("minutes.pdf", b"%PDF"), ("record.zip", b"PK")):
                r = page.request.get(f"{base}/polls/{pid}/{doc}", max_redirects=0)
                assert r.status == 200 and r.body()[:4].startswith(start), (doc, r.status)
            context.close()
    assert not problems, problems


def test_english_pages_fit_and_name_levels_in_english(app, make_user, browser):
    make_user("thuky")
    with app.app_context():
        vote = counted_vote(officials=3, choices=[[3, 1, 2], [3, 2, 1], [1, 1, 1]])
        pid = vote.public_id
    with live_server(app) as base:
        for width in (360, 1366):
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="en")
            page = context.new_page()
            _login(page, base)
            page.goto(f"{base}/lang/en?next=/")
            results = _look(page, f"{base}/polls/{pid}/results", width)
            assert "High confidence" in results and "Low confidence at least 2/3" in results
            assert "Tín nhiệm" not in results and "confidence, low" not in results.lower()
            dashboard = _look(page, f"{base}/polls/{pid}/", width)
            assert re.search(r"\d\d:\d\d, \d{1,2} [A-Z][a-z]+ \d{4}", dashboard), dashboard[:600]
            log = _look(page, f"{base}/polls/{pid}/log", width)
            assert "Vote created" in log and not CODES.search(page.inner_text("main"))
            new = _look(page, f"{base}/polls/new", width)
            assert "Low confidence" in new or "low confidence" in new, new[:800]
            context.close()


def test_preparing_a_vote_by_hand_at_every_width(make_app, make_user, browser):
    """Officials corrected and removed, samples offered, the cards page naming the address
    it prints and warning about a loopback one, a revocation refused without its tick."""
    from sqlalchemy import select

    from ballot.cards.models import Card
    from ballot.polls.models import Official
    from tests.voting_helpers import make_vote

    app = make_app(BASE_URL="")  # the cards carry the address the page is opened at
    make_user("thuky")
    with app.app_context():
        draft = make_vote(members=3, officials=3, state="keys").public_id
        opened = make_vote(members=3, officials=2)
    problems: list[str] = []
    with live_server(app) as base:
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
            page = context.new_page()
            _watch(page, problems)
            _login(page, base)
            _look(page, f"{base}/polls/{draft}/officials", width)
            assert (
                page.locator("#sample-csv").is_visible()
                and page.locator("#sample-xlsx").is_visible()
            )
            cards = _look(page, f"{base}/polls/{draft}/cards", width)
            shown = page.inner_text("#card-address-url")
            assert shown == f"{base}/v/{draft}", shown  # the exact address the cards carry
            assert page.locator("#card-address-problem").is_visible(), "no loopback warning"
            assert "điện thoại không mở được" in cards or "127.0.0.1" in cards
            _look(page, f"{base}/polls/{opened.public_id}/cards", width)
            context.close()
        # At a phone's width: correct one official, remove another, by hand.
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        page = context.new_page()
        _watch(page, problems)
        _login(page, base)
        page.goto(f"{base}/polls/{draft}/officials")
        first = page.locator("ol.officials > li").first
        first.locator("summary").click()
        first.locator("input[name=name]").fill("Nguyễn Văn Đã Sửa")
        first.locator("button[type=submit]", has_text="Lưu").click()
        page.wait_for_load_state()
        assert "Nguyễn Văn Đã Sửa" in page.inner_text("ol.officials")
        second = page.locator("ol.officials > li").nth(1)
        second.locator("summary").click()
        second.locator("button.danger").click()
        page.wait_for_load_state()
        assert page.locator("ol.officials > li").count() == 2
        assert not page.evaluate(LAYOUT)["bad"]
        # A revocation without its tick is refused, and nothing is revoked.
        page.goto(f"{base}/polls/{opened.public_id}/cards")
        page.fill("#revoke-serial", "1")
        page.locator("form", has=page.locator("#revoke-serial")).locator("button").click()
        page.wait_for_load_state()
        with app.app_context():
            revoked = db.session.scalars(
                select(Card).where(Card.poll_id == opened.poll_id, Card.status == "revoked")
            ).all()
            names = list(db.session.scalars(select(Official.name).order_by(Official.id)))
        assert revoked == [], "revoked without the confirmation tick"
        assert "Nguyễn Văn Đã Sửa" in names
        page.check("#revoke-confirm")
        page.fill("#revoke-serial", "1")
        page.locator("form", has=page.locator("#revoke-serial")).locator("button").click()
        page.wait_for_load_state()
        with app.app_context():
            db.session.rollback()
            revoked = db.session.scalars(
                select(Card).where(Card.poll_id == opened.poll_id, Card.status == "revoked")
            ).all()
        assert len(revoked) == 1
        context.close()
    assert not problems, problems


def test_the_ballot_never_shows_an_encrypted_count_beside_the_chosen_one(app, browser):
    """Item 13: "Đã mã hóa 12/12 dòng" beside "0/12 đã chọn" read like two counts of choices."""
    import time

    from tests.browser.live import PHONE, card_link
    from tests.voting_helpers import make_vote

    with app.app_context():
        vote = make_vote(members=2, officials=12)
        link = card_link("BASE", vote.public_id, vote.codes[0], vote.poll_id)
    with live_server(app) as base:
        for viewport in (PHONE, {"viewport": {"width": 1366, "height": 768}, "locale": "vi-VN"}):
            context = browser.new_context(**viewport)
            page = context.new_page()
            page.goto(link.replace("BASE", base))
            page.wait_for_selector("#vote-app[data-ready=ballot]", timeout=20_000)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and "Sẵn sàng" not in page.inner_text("#encrypting"):
                time.sleep(0.2)
            encrypting = page.inner_text("#encrypting")
            assert encrypting.startswith("Sẵn sàng: mỗi lựa chọn được mã hóa"), encrypting
            assert "/" not in encrypting and "12" not in encrypting
            assert page.inner_text("#progress") == "0/12 đã chọn"
            width = viewport["viewport"]["width"]
            got = page.evaluate(LAYOUT)
            assert not got["hscroll"] and not got["bad"], (width, got["bad"])
            context.close()


def test_threshold_errors_stand_beside_their_field(app, make_user, browser):
    """Item 13: a wrong threshold is said under its own box, not only at the top."""
    make_user("thuky")
    with live_server(app) as base:
        for width in (360, 1366):
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
            page = context.new_page()
            _login(page, base)
            page.goto(f"{base}/polls/new")
            page.fill("#meeting", "Kỳ họp thứ Mười")
            page.fill("#title", "Lấy phiếu tín nhiệm")
            page.fill("#summoned", "")  # another error before it in the form
            page.fill("#trustee_names", "A\nB")
            page.fill("#threshold", "2")
            page.fill("#low_more_than", "3/4")
            page.fill("#low_at_least", "2/3")
            page.locator("form button[type=submit], form input[type=submit]").last.click()
            page.wait_for_load_state()
            error = page.locator("#low_at_least-error")
            assert error.is_visible(), page.inner_text("main")[:800]
            box, field = error.bounding_box(), page.locator("#low_at_least").bounding_box()
            assert box and field and 0 <= box["y"] - (field["y"] + field["height"]) < 60, (
                box,
                field,
            )
            assert page.get_attribute("#low_at_least", "aria-invalid") == "true"
            assert page.locator("#summoned-error").is_visible()
            got = page.evaluate(LAYOUT)
            assert not got["hscroll"] and not got["bad"], (width, got["bad"])
            context.close()


def test_the_codes_people_compare_read_the_same_on_phone_projector_and_board(app, browser):
    """Item 7 as people compare them: the ballot check code on the phone (360 px) is the
    string the projector (1366 px) and the board (1920 px) show, under one name, in fours."""
    import json
    import time

    from keys.hashing import ballot_fingerprint
    from tally.codes import group_code
    from tests.browser.live import PHONE, card_link
    from tests.voting_helpers import make_vote

    with app.app_context():
        vote = make_vote(members=2, officials=2)
        poll = db.session.get(Poll, vote.poll_id)
        check = group_code(ballot_fingerprint(json.loads(poll.manifest)).hex()[:16])
        manifest = group_code(poll.manifest_hash.hex())
        link = card_link("BASE", vote.public_id, vote.codes[0], vote.poll_id)
    with live_server(app) as base:
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(link.replace("BASE", base))
        phone.wait_for_selector("#vote-app[data-ready=ballot]", timeout=20_000)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not phone.inner_text("#fingerprint").strip():
            time.sleep(0.2)
        assert phone.inner_text("#fingerprint").strip() == check
        assert "Mã đối chiếu lá phiếu" in phone.inner_text("#ballot")
        for width, path in ((1366, "projector"), (1920, "board")):
            viewport = {"width": width, "height": 800}
            page = browser.new_context(viewport=viewport, locale="vi-VN").new_page()
            text = _look(page, f"{base}/{path}/{vote.public_id}", width)
            assert check in text and manifest in text, (path, check, manifest)
            assert "Mã đối chiếu lá phiếu" in text and "Dấu vân tay cuộc bỏ phiếu" in text, path
            page.context.close()
        phone.context.close()
