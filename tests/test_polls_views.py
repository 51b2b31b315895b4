"""Secretariat pages over HTTP: the happy path, then every refusal (on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from ballot.actionlog import ActionLogEntry, verify_log
from ballot.db import db
from keys import sharefile
from keys.shamir import ElectionKey
from tests.polls_web_helpers import (
    OFFICIALS_CSV,
    PASSPHRASES,
    TRUSTEES,
    ceremony_data,
    create_vote,
    login,
    official_rows,
    poll_row,
    post,
    upload,
)


@pytest.fixture
def secretariat(client, make_user):
    make_user("thuky")
    login(client, "thuky")
    return client


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

    # Key ceremony: the answer is the ZIP; the server keeps only public keys.
    assert "Mật khẩu của Nguyễn Văn An" in _text(client.get(f"/polls/{pid}/ceremony"))
    r = post(client, f"/polls/{pid}/ceremony", ceremony_data())
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert r.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    names = sorted(archive.namelist())
    assert names == [
        "01-nguyen-van-an.share.json",
        "02-le-thi-binh.share.json",
        "03-tran-van-cuong.share.json",
        "README.txt",
    ]
    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "CHỈ nhận tệp của mình" in readme and "cần ít nhất 2" in readme
    opened = sharefile.open_share(archive.read(names[1]), PASSPHRASES[1], pid)
    assert opened.trustee == 2 and opened.name == TRUSTEES[1]
    poll = poll_row(app, pid)
    assert poll.election_key is not None
    assert ElectionKey.from_json(poll.election_key).public_key == opened.public_key

    # Cards: the PDF is the answer, never cached.
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "2"})
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Cache-Control"] == "no-store"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"%PDF")
    page = _text(client.get(f"/polls/{pid}/cards"))
    assert "Đã in" in page and ">6<" in page

    # Freeze: the fingerprint, big.
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
    assert "Có mặt 3 / triệu tập 4" in page and "Đã đủ số lượng" in page
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
