"""Secretariat pages over HTTP: the happy path, then every refusal (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ballot.actionlog import ActionLogEntry, verify_log
from ballot.cards.models import Card
from ballot.db import db
from keys import sharefile
from keys.shamir import ElectionKey
from tests.polls_web_helpers import (
    OFFICIALS_CSV,
    PASSPHRASES,
    TRUSTEES,
    ceremony_over_http,
    confirm_all,
    create_vote,
    frozen_vote,
    login,
    official_rows,
    poll_row,
    post,
    prepare_vote,
    token,
    upload,
)


@pytest.fixture
def secretariat(client, make_user):
    make_user("thuky")
    login(client, "thuky")
    return client


def _plain(html: str) -> str:
    """The page's text without tags (live figures sit in spans of their own)."""
    return re.sub(r"<[^>]+>", "", html)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _log_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ActionLogEntry)) or 0


def test_whole_morning_through_the_pages(app, secretariat):
    client = secretariat
    assert "Chưa có cuộc bỏ phiếu nào" in _text(client.get("/polls/"))
    page = _text(client.get("/polls/new"))
    assert "Tín nhiệm thấp trên 1/2 và dưới 2/3" in page  # default thresholds shown
    pid = create_vote(client, summoned=4)
    dashboard = _text(client.get(f"/polls/{pid}/"))
    assert "Lấy phiếu tín nhiệm giữa nhiệm kỳ" in dashboard
    assert "Thêm hoặc nhập danh sách người được lấy phiếu" in dashboard  # next step
    assert pid in _text(client.get("/polls/"))

    # Officials: one by form, then an import that replaces the list, then reorder.
    r = post(
        client, f"/polls/{pid}/officials", {"name": "Phạm Văn Bốn", "position": "Chánh Văn phòng"}
    )
    assert r.status_code == 302
    assert official_rows(app, pid) == [(1, "Phạm Văn Bốn", "Chánh Văn phòng")]
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    rows = official_rows(app, pid)
    assert [r[1] for r in rows] == ["Nguyễn Văn Một", "Trần Thị Hai", "Lê Văn Ba"]
    with app.app_context():
        from ballot.polls.models import Official

        third = db.session.scalar(select(Official.id).where(Official.name == "Lê Văn Ba"))
    assert (
        post(client, f"/polls/{pid}/officials/{third}/move", {"direction": "up"}).status_code == 302
    )
    assert [r[1] for r in official_rows(app, pid)] == [
        "Nguyễn Văn Một",
        "Lê Văn Ba",
        "Trần Thị Hai",
    ]
    page = _text(client.get(f"/polls/{pid}/officials"))
    assert page.index("Lê Văn Ba") < page.index("Trần Thị Hai")

    # Key ceremony: links shown once; the trustees' devices post to the board; the server
    # computes the key from the published commitments and keeps only public values.
    page = _text(client.get(f"/polls/{pid}/ceremony"))
    assert "/ceremony/start" in page and "password" not in page
    devices = ceremony_over_http(client, pid)
    poll = poll_row(app, pid)
    assert poll.election_key is not None and poll.ceremony["round"] == 1
    files = devices.share_files(PASSPHRASES)
    opened = sharefile.open_share(files[1][1], PASSPHRASES[1], pid)
    assert opened.trustee == 2 and opened.name == TRUSTEES[1]
    assert ElectionKey.from_json(poll.election_key).public_key == opened.public_key
    page = _text(client.get(f"/polls/{pid}/ceremony"))
    assert "#t=" not in page  # the links are shown once, never again

    # Cards: the PDF is the answer, never cached.
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "2"})
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Cache-Control"] == "no-store"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"%PDF")
    page = _text(client.get(f"/polls/{pid}/cards"))
    assert "Đã in" in page and ">6<" in page

    # Freeze: refused until every trustee confirmed this manifest; then the fingerprint.
    r = post(client, f"/polls/{pid}/freeze", {"confirm": "y"})
    assert r.status_code == 409 and poll_row(app, pid).state == "draft"
    confirm_all(client, pid)
    assert "rồi chốt danh sách và khóa" in _text(client.get(f"/polls/{pid}/"))  # next step
    r = post(client, f"/polls/{pid}/freeze", {"confirm": "y"})
    assert r.status_code == 302
    poll = poll_row(app, pid)
    assert poll.state == "ready"
    page = _text(client.get(f"/polls/{pid}/freeze"))
    grouped = " ".join(poll.manifest_hash.hex()[i : i + 4] for i in range(0, 64, 4))
    assert f'<p class="fingerprint">{grouped}</p>' in page

    # Check-in: a counter, then open with a countdown, then close.
    for _ in range(3):
        assert post(client, f"/polls/{pid}/checkin", {"delta": "plus"}).status_code == 302
    page = _text(client.get(f"/polls/{pid}/checkin"))
    assert "Có mặt 3 / triệu tập 4" in _plain(page) and "Đã đủ số lượng" in page
    assert "Mở cuộc bỏ phiếu" in _text(client.get(f"/polls/{pid}/open"))
    r = post(client, f"/polls/{pid}/open", {"minutes": "30", "confirm": "y"})
    assert r.status_code == 302
    poll = poll_row(app, pid)
    assert poll.state == "open" and poll.closes_at is not None and poll.quorum_override is None
    assert 29 * 60 < (poll.closes_at - poll.opened_at).total_seconds() <= 30 * 60
    assert post(client, f"/polls/{pid}/close", {}).status_code == 400  # no confirmation
    assert poll_row(app, pid).state == "open"
    r = post(client, f"/polls/{pid}/close", {"confirm": "y"})
    assert r.status_code == 302 and poll_row(app, pid).state == "closed"
    dashboard = _text(client.get(f"/polls/{pid}/"))
    assert "Kiểm phiếu cùng tổ kiểm phiếu" in dashboard
    assert f'href="/polls/{pid}/count"' in dashboard

    # The action log page lists this vote's entries; the chain holds.
    page = _text(client.get(f"/polls/{pid}/log"))
    for action in (
        "poll.create",
        "poll.ceremony",
        "cards.make",
        "poll.freeze",
        "poll.open",
        "poll.close",
    ):
        assert action in page
    with app.app_context():
        assert verify_log().ok


def _routes(pid: str, official_id: int) -> tuple[list[str], list[str], list[str]]:
    """(read-only GET pages, secretariat-only GET pages, POST actions) of one vote."""
    staff_pages = [
        "/polls/",
        f"/polls/{pid}/",
        f"/polls/{pid}/officials",
        f"/polls/{pid}/cards",
        f"/polls/{pid}/freeze",
        f"/polls/{pid}/checkin",
        f"/polls/{pid}/open",
        f"/polls/{pid}/close",
        f"/polls/{pid}/log",
    ]
    secretariat_pages = ["/polls/new", f"/polls/{pid}/ceremony"]
    actions = [
        "/polls/new",
        f"/polls/{pid}/officials",
        f"/polls/{pid}/officials/import",
        f"/polls/{pid}/officials/{official_id}/move",
        f"/polls/{pid}/ceremony/start",
        f"/polls/{pid}/ceremony/restart",
        f"/polls/{pid}/cards/print",
        f"/polls/{pid}/cards/discard",
        f"/polls/{pid}/cards/revoke",
        f"/polls/{pid}/cards/spare",
        f"/polls/{pid}/freeze",
        f"/polls/{pid}/checkin",
        f"/polls/{pid}/open",
        f"/polls/{pid}/close",
    ]
    return staff_pages, secretariat_pages, actions


def _first_official(app, pid: str) -> int:
    from ballot.polls.models import Official, Poll

    with app.app_context():
        poll_id = db.session.scalar(select(Poll.id).where(Poll.public_id == pid))
        return db.session.scalar(
            select(Official.id).where(Official.poll_id == poll_id).order_by(Official.id)
        )


# A form that would change something on every action, were it accepted.
ANY_DATA = {
    "meeting": "M",
    "title": "T",
    "kind": "rating",
    "summoned": "3",
    "denominator": "returned",
    "trustee_names": "A\nB",
    "threshold": "1",
    "name": "Người Lạ",
    "position": "X",
    "direction": "down",
    "spares": "1",
    "confirm": "y",
    "serial": "0001",
    "delta": "plus",
    "reason": "thử",
}


def test_every_route_refuses_anonymous_auditor_and_missing_csrf(app, client, make_user):
    make_user("thuky")
    make_user("kiemtra", role="auditor")
    login(client, "thuky")
    pid = create_vote(client)
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    official_id = _first_official(app, pid)
    staff_pages, secretariat_pages, actions = _routes(pid, official_id)
    before = _log_count(app), official_rows(app, pid)

    # Secretariat without the CSRF token: refused, nothing changes.
    for url in actions:
        r = client.post(url, data=dict(ANY_DATA))
        assert r.status_code == 400, url
    assert (_log_count(app), official_rows(app, pid)) == before

    # Anonymous: sent to the login page (with or without a token), nothing changes.
    client.post("/account/logout", data={"csrf_token": token(client)})
    for url in staff_pages + secretariat_pages:
        r = client.get(url)
        assert r.status_code == 302 and "/account/login" in r.headers["Location"], url
    for url in actions:
        r = post(client, url, dict(ANY_DATA))
        assert r.status_code in (302, 400), url
        if r.status_code == 302:
            assert "/account/login" in r.headers["Location"], url
    assert client.get(f"/polls/{pid}/", headers={"Accept": "application/json"}).status_code == 401

    # Auditor: reads every staff page, is refused every change (403).
    login(client, "kiemtra")
    for url in staff_pages:
        assert client.get(url).status_code == 200, url
    for url in secretariat_pages:
        assert client.get(url).status_code == 403, url
    for url in actions:
        assert post(client, url, dict(ANY_DATA)).status_code == 403, url
    page = _text(client.get(f"/polls/{pid}/officials"))
    assert "officials/import" not in page and "/move" not in page  # no forms shown
    assert (_log_count(app) - 2, official_rows(app, pid)) == before  # logout + login only


def test_no_page_changes_a_frozen_manifest(app, secretariat):
    client = secretariat
    pid = frozen_vote(client)
    poll = poll_row(app, pid)
    official_id = _first_official(app, pid)
    with app.app_context():
        cards = db.session.scalars(select(Card.public_key).order_by(Card.serial)).all()
    before = (poll.manifest, poll.manifest_hash, poll.election_key, official_rows(app, pid), cards)
    attempts = [
        (f"/polls/{pid}/officials", {"name": "Người Mới", "position": "P"}),
        (f"/polls/{pid}/officials/{official_id}/move", {"direction": "down"}),
        (f"/polls/{pid}/ceremony/restart", {"reason": "thử lại"}),
        (f"/polls/{pid}/cards/print", {"spares": "1"}),
        (f"/polls/{pid}/cards/discard", {"confirm": "y"}),
        (f"/polls/{pid}/freeze", {"confirm": "y"}),
    ]
    for url, data in attempts:
        r = post(client, url, data, follow_redirects=True)
        assert r.status_code in (200, 400, 409), url
        assert r.mimetype == "text/html", url  # no ZIP, no PDF
        assert "Không thể thực hiện lúc này" in _text(r), url
    r = upload(client, pid, OFFICIALS_CSV.encode())
    assert r.status_code == 409 and "Không thể thực hiện lúc này" in _text(r)
    poll = poll_row(app, pid)
    with app.app_context():
        cards = db.session.scalars(select(Card.public_key).order_by(Card.serial)).all()
    after = (poll.manifest, poll.manifest_hash, poll.election_key, official_rows(app, pid), cards)
    assert after == before
    page = _text(client.get(f"/polls/{pid}/officials"))
    assert "không bao giờ thay đổi" in page and "/move" not in page


def test_open_without_quorum_needs_a_reason(app, secretariat):
    client = secretariat
    pid = frozen_vote(client, summoned=6)
    for _ in range(3):  # 3 of 6 < 2/3
        post(client, f"/polls/{pid}/checkin", {"delta": "plus"})
    page = _text(client.get(f"/polls/{pid}/open"))
    assert "cần ít nhất 4 trên 6" in page and 'name="reason"' in page
    r = post(client, f"/polls/{pid}/open", {"confirm": "y"})
    assert r.status_code == 409 and "Chưa đủ" in _text(r)
    r = post(client, f"/polls/{pid}/open", {"confirm": "y", "reason": "   "})
    assert r.status_code == 409
    r = post(client, f"/polls/{pid}/open", {"reason": "Đại biểu vắng do bão"})
    assert r.status_code == 400 and "đánh dấu vào ô" in _text(r)  # no confirmation
    assert poll_row(app, pid).state == "ready"
    r = post(client, f"/polls/{pid}/open", {"confirm": "y", "reason": "Đại biểu vắng do bão"})
    assert r.status_code == 302
    poll = poll_row(app, pid)
    assert poll.state == "open" and poll.quorum_override == "Đại biểu vắng do bão"
    assert poll.closes_at is None
    assert "Đại biểu vắng do bão" in _text(client.get(f"/polls/{pid}/log"))
    assert "Đại biểu vắng do bão" in _text(client.get(f"/polls/{pid}/"))
    r = post(client, f"/polls/{pid}/open", {"confirm": "y", "reason": "lần nữa"})
    assert r.status_code == 409  # already open


def test_checkin_counts_within_bounds_and_names_nobody(app, secretariat):
    client = secretariat
    pid = frozen_vote(client, summoned=2)
    r = post(client, f"/polls/{pid}/checkin", {"delta": "minus"}, follow_redirects=True)
    assert "từ 0 đến số được triệu tập" in _text(r) and poll_row(app, pid).present == 0
    for _ in range(3):
        post(client, f"/polls/{pid}/checkin", {"delta": "plus"})
    assert poll_row(app, pid).present == 2
    for bad in ("0", "2", "", "plus2", "-1"):
        post(client, f"/polls/{pid}/checkin", {"delta": bad})
    assert poll_row(app, pid).present == 2
    page = _text(client.get(f"/polls/{pid}/checkin"))
    assert "Có mặt 2 / triệu tập 2" in _plain(page)
    assert "0001" not in page and "thuky" not in page.split("<main", 1)[1]


def test_revoke_and_spare_by_serial_with_reconciliation(app, secretariat):
    client = secretariat
    pid = frozen_vote(client, summoned=4, spares=2)
    # Without the confirmation tick nothing is revoked.
    r = post(client, f"/polls/{pid}/cards/revoke", {"serial": "1"}, follow_redirects=True)
    assert "Đã thu hồi thẻ số 0001" not in _text(r)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Card.status == "revoked")) == 0
    yes = {"confirm": "y"}
    r = post(client, f"/polls/{pid}/cards/revoke", {"serial": "1", **yes}, follow_redirects=True)
    assert "Đã thu hồi thẻ số 0001" in _text(r)
    r = post(client, f"/polls/{pid}/cards/revoke", {"serial": "0001", **yes}, follow_redirects=True)
    assert "đã bị thu hồi" in _text(r) or "đã được thu hồi" in _text(r) or r.status_code == 200
    r = post(client, f"/polls/{pid}/cards/spare?back=freeze", {"serial": "0005"})
    assert r.status_code == 302 and f"/polls/{pid}/freeze" in r.headers["Location"]
    for url, serial in (
        ("spare", "0001"),  # not a spare
        ("spare", "0005"),  # already handed out
        ("revoke", "9999"),  # unknown
        ("revoke", "abc"),
        ("revoke", ""),
        ("revoke", "1" * 40),
    ):
        data = {"serial": serial, **(yes if url == "revoke" else {})}
        r = post(client, f"/polls/{pid}/cards/{url}", data, follow_redirects=True)
        assert r.status_code == 200 and "flash-error" in _text(r), (url, serial)
    with app.app_context():
        statuses = dict(db.session.execute(select(Card.serial, Card.status)).all())
        issued = db.session.scalars(select(Card.serial).where(Card.spare_issued.is_(True))).all()
    assert statuses["0001"] == "revoked" and list(statuses.values()).count("revoked") == 1
    assert issued == ["0005"]
    page = _text(client.get(f"/polls/{pid}/cards"))
    for label, value in (("Đã in", 6), ("Đã thu hồi", 1), ("Chưa dùng", 5), ("đã phát", 1)):
        assert f"{label}</dt><dd>{value}</dd>" in page
    assert "Hủy các thẻ đã in" not in page  # not after freezing


def test_create_form_refuses_bad_input_without_a_500(app, secretariat):
    client = secretariat
    from ballot.polls.models import Poll

    base = {
        "meeting": "Kỳ họp",
        "title": "Lấy phiếu",
        "kind": "rating",
        "summoned": "10",
        "denominator": "returned",
        "trustee_names": "An\nBình",
        "threshold": "2",
    }
    cases = [
        ({"threshold": "3"}, "k không được lớn hơn"),
        ({"denominator": "members_total"}, "cần tổng số thành viên"),
        ({"meeting": ""}, "Hãy nhập tên hội nghị"),
        ({"summoned": "abc"}, "Hãy nhập một số nguyên"),
        ({"summoned": "0"}, "Từ 1 đến 4000"),
        ({"kind": "other"}, "Hãy chọn một trong các mục"),
        ({"trustee_names": "An\nAn"}, "phải khác nhau"),
        ({"trustee_names": "\n \n"}, "Hãy nhập ít nhất một thành viên"),
        ({"title": "x" * 400}, "Tối đa 300 ký tự"),
    ]
    for change, needle in cases:
        r = post(client, "/polls/new", {**base, **change})
        assert r.status_code == 400, change
        assert needle in _text(r), (change, _text(r).split("<main", 1)[1][:3000])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Poll)) == 0
    r = post(client, "/polls/new", {**base, "denominator": "members_total", "members_total": "12"})
    assert r.status_code == 302


def test_printed_cards_lock_the_list_until_discarded(app, secretariat):
    client = secretariat
    pid, _pdf = prepare_vote(client)
    before = official_rows(app, pid)
    r = post(client, f"/polls/{pid}/officials", {"name": "Người Mới", "position": ""})
    assert r.status_code == 409 and "Hãy hủy các thẻ đó trước" in _text(r)
    r = post(client, f"/polls/{pid}/ceremony/restart", {"reason": "khóa mới"})
    assert r.status_code == 409 and r.mimetype == "text/html"
    assert official_rows(app, pid) == before
    r = post(client, f"/polls/{pid}/cards/discard", {})
    assert r.status_code == 400
    r = post(client, f"/polls/{pid}/cards/discard", {"confirm": "y"}, follow_redirects=True)
    assert "Đã hủy 6 thẻ" in _text(r)
    r = post(client, f"/polls/{pid}/officials", {"name": "Người Mới", "position": ""})
    assert r.status_code == 302 and official_rows(app, pid)[-1][1] == "Người Mới"
    r = post(client, f"/polls/{pid}/ceremony/restart", {"reason": "khóa mới"})
    assert r.status_code == 200 and "#t=" in _text(r)  # no cards: a new round, new links
    r = post(client, f"/polls/{pid}/freeze", {"confirm": "y"})
    assert r.status_code == 409 and "In thẻ" in _text(r) or "thẻ" in _text(r)
    assert poll_row(app, pid).state == "draft"


def test_bad_values_and_unknown_ids_never_give_a_500(app, secretariat):
    client = secretariat
    pid = create_vote(client)
    assert client.get("/polls/khong-co/").status_code == 404
    assert post(client, "/polls/khong-co/checkin", {"delta": "plus"}).status_code == 404
    r = post(
        client, f"/polls/{pid}/officials/999999/move", {"direction": "up"}, follow_redirects=True
    )
    assert r.status_code == 200 and "flash-error" in _text(r)
    assert client.get(f"/polls/{pid}/officials/1/move").status_code == 405
    for url, data in (
        (f"/polls/{pid}/cards/print", {"spares": "-1"}),
        (f"/polls/{pid}/cards/print", {"spares": "abc"}),
        (f"/polls/{pid}/cards/print", {"spares": "5000"}),
        (f"/polls/{pid}/cards/print", {"spares": "3"}),  # no officials, no keys
        (f"/polls/{pid}/freeze", {"confirm": "y"}),
        (f"/polls/{pid}/open", {"confirm": "y", "minutes": "-5"}),
        (f"/polls/{pid}/open", {"confirm": "y", "minutes": "abc"}),
        (f"/polls/{pid}/open", {"confirm": "y"}),
        (f"/polls/{pid}/close", {"confirm": "y"}),
        (f"/polls/{pid}/officials", {"name": "", "position": ""}),
        (f"/polls/{pid}/officials", {"name": "x" * 500}),
    ):
        r = post(client, url, data)
        assert 400 <= r.status_code < 500, (url, data, r.status_code)
    assert poll_row(app, pid).state == "draft"
    assert official_rows(app, pid) == []
