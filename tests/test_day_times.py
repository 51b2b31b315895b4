"""Times shown to people are on the vote's clocks (TIMEZONE), in words of each language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from tests.polls_web_helpers import login
from tests.voting_helpers import make_vote

CLOSES = datetime(2026, 12, 2, 8, 10, 5, tzinfo=UTC)  # 15:10 in Hà Nội


@pytest.fixture
def vote(app):
    with app.app_context():
        vote = make_vote(members=3)
        poll = db.session.get(Poll, vote.poll_id)
        poll.closes_at = CLOSES
        db.session.commit()
    return vote


def test_dashboard_projector_and_board_use_the_vote_time_zone(app, client, make_user, vote):
    make_user("thuky")
    login(client, "thuky")
    pid = vote.public_id
    html = client.get(f"/polls/{pid}/").get_data(as_text=True)
    assert "15 giờ 10 phút, ngày 2 tháng 12 năm 2026" in html
    status = client.get(f"/projector/{pid}/status.json").get_json()
    assert status["closes_at_text"] == "15 giờ 10 phút, ngày 2 tháng 12 năm 2026"
    assert "15 giờ 10 phút" in client.get(f"/projector/{pid}").get_data(as_text=True)
    client.get(f"/lang/en?next=/polls/{pid}/")
    html = client.get(f"/polls/{pid}/").get_data(as_text=True)
    assert "15:10, 2 December 2026" in html
    log = client.get(f"/polls/{pid}/log").get_data(as_text=True)
    assert re.search(r"\d\d:\d\d, \d{1,2} [A-Z][a-z]+ \d{4}", log) and "+00:00" not in log
    with app.app_context():
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
    board = client.get(f"/board/{pid}").get_data(as_text=True)
    assert "+00:00" not in board and "T" + "00:" not in board.split("Final chain code")[1][:200]
    assert re.search(r"\d\d:\d\d, \d{1,2} [A-Z][a-z]+ \d{4}\)", board)


def test_another_time_zone(make_app):
    app = make_app(TIMEZONE="Europe/Paris")
    with app.test_request_context("/"):
        from ballot.localtime import localtime

        assert localtime(CLOSES) == "9 giờ 10 phút, ngày 2 tháng 12 năm 2026"


def test_an_unknown_time_zone_is_refused_at_start(make_app):
    with pytest.raises(ValueError, match="Unknown time zone"):
        make_app(TIMEZONE="Nowhere/Atlantis")


def test_the_board_shows_the_latest_checkpoint_on_the_vote_clocks(make_app):
    """While voting is open the board shows the latest signed checkpoint: its time in
    words of the vote's zone, never the raw record time."""
    from ballot.voting.casting import cast
    from tests.voting_helpers import ballot_body

    app = make_app(CHECKPOINT_BALLOTS=1)
    with app.app_context():
        vote = make_vote(members=3)
        cast(vote.poll_id, ballot_body(vote, 0, [1, 2, 3]))
        db.session.commit()
    client = app.test_client()
    board = client.get(f"/board/{vote.public_id}").get_data(as_text=True)
    assert 'id="checkpoint-head"' in board
    line = board.split("checkpoint-head")[0].rsplit("<dt>", 1)[1]
    assert re.search(r"\d{1,2} giờ \d\d phút, ngày \d{1,2} tháng \d{1,2} năm \d{4}\)", line), line
    assert not re.search(r"\d{4}-\d\d-\d\dT", line) and "+00:00" not in line


def test_the_minutes_downloaded_from_the_web_carry_the_settings_and_local_times(make_app):
    """minutes.pdf as an auditor downloads it: the body and place from the settings, every
    time on the vote's clocks (here Paris: 1 h after UTC in December), no ISO time."""
    import io
    import unicodedata

    from pypdf import PdfReader

    from tally.timefmt import format_time
    from tests.day_helpers import counted_vote

    app = make_app(
        TIMEZONE="Europe/Paris", MINUTES_BODY="Hội đồng nhân dân tỉnh Mẫu", MINUTES_PLACE="Phủ Lý"
    )
    with app.app_context():
        vote = counted_vote(officials=2, publish=True)
        poll = db.session.get(Poll, vote.poll_id)
        closed = format_time(poll.closed_at, "vi", "Europe/Paris")
    pdf = app.test_client().get(f"/polls/{vote.public_id}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    text = " ".join(unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages)).split())
    assert "HỘI ĐỒNG NHÂN DÂN TỈNH MẪU" in text and "Phủ Lý, ngày" in text
    assert closed in text, (closed, text[:1500])
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", text) and "+00:00" not in text
    parts = ["BIÊN BẢN KIỂM PHIẾU", "Tổ kiểm phiếu gồm", "Số đại biểu có mặt", "Số phiếu phát ra"]
    parts += ["II. KẾT QUẢ KIỂM PHIẾU", "III. CÁC MÃ ĐỂ ĐỐI CHIẾU", "(Ký và ghi rõ họ tên)"]
    for part in parts:
        assert part in text, part


def test_the_minutes_committee_setting(make_app):
    """MINUTES_COMMITTEE="ban" names the Ban kiểm phiếu in the web's minutes; an unknown
    value is refused when the app starts, in both languages."""
    import io

    from pypdf import PdfReader

    from ballot.startup import ConfigurationError
    from tests.day_helpers import counted_vote

    app = make_app(MINUTES_COMMITTEE="ban")
    with app.app_context():
        vote = counted_vote(officials=2, publish=True)
    pdf = app.test_client().get(f"/polls/{vote.public_id}/minutes.pdf").data
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Ban kiểm phiếu gồm:" in text and "TRƯỞNG BAN KIỂM PHIẾU" in text
    with pytest.raises(ConfigurationError, match="MINUTES_COMMITTEE phải là một trong"):
        make_app(MINUTES_COMMITTEE="hoi-dong")
