"""The minutes PDF: its extracted text carries the results, diacritics included."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tally.codes import group_code
from tally.minutes import minutes_pdf
from tally.simulate import simulate


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", text)


@pytest.fixture(scope="module")
def counted():
    # 9 members, 3 officials: official 1 gets 6 of 9 "thấp" (exactly 2/3), official 2
    # gets 5 of 9 (more than 1/2), official 3 is left blank by two members.
    choices = [[3, 3, 1]] * 5 + [[3, 1, 2]] + [[1, 2, 0]] * 2 + [[2, 1, 1]]
    return simulate(members=9, officials=3, choices=[list(c) for c in choices], spares=1)


def test_minutes_carry_figures_results_flags_and_fingerprints(counted):
    record = counted.record
    text = _text(minutes_pdf(record, body="Hội đồng nhân dân tỉnh Mẫu", place="Phủ Lý"))
    flat = " ".join(text.split())
    for phrase in (
        # the header block: the body and the national motto, place and date
        "HỘI ĐỒNG NHÂN DÂN TỈNH MẪU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Phủ Lý, ngày 22 tháng 11 năm 2026",
        "BIÊN BẢN KIỂM PHIẾU",
        "Lấy phiếu tín nhiệm",
        "Kỳ họp thứ Mười, Hội đồng nhân dân tỉnh",
        # the committee and who took part
        "1. Ông/Bà Thành viên 1 — Tổ trưởng",
        "3. Ông/Bà Thành viên 3 — Thành viên",
        "cần ít nhất 2 trong 3 thành viên",
        "đã tham gia giải mã: Thành viên 1, Thành viên 2.",
        # figures, quorum, cards
        "Số đại biểu được triệu tập: 11.",
        "Số đại biểu có mặt: 9; cần ít nhất 8 (hai phần ba số được triệu tập): đủ điều kiện",
        "Số phiếu phát ra: 9.",
        "Số phiếu thu vào: 9.",
        "Số phiếu hợp lệ: 9; số phiếu không hợp lệ: 0",
        "Số thẻ bỏ phiếu đã in: 10",
        "số thẻ dự phòng đã phát: 0; số thẻ bị thu hồi: 0.",
        "tổng số phiếu thu vào (9)",
        # times on the vote's clocks (the simulation closes at 10:30 +07:00)
        "từ 9 giờ 00 phút, ngày 22 tháng 11 năm 2026 đến 10 giờ 30 phút, ngày 22 tháng 11 năm 2026",
        # fingerprints, in the groups of four shown on every screen
        "Dấu vân tay cuộc bỏ phiếu: " + group_code(counted.manifest.hash.hex()),
        "Mã hồ sơ kết quả: " + group_code(record.hash().hex()),
        group_code(record.json("checkpoints.json")["close"]["head"]),
        # what was raised during the count, then the adoption and the signature lines
        "IV. Ý KIẾN, KHIẾU NẠI TRONG KHI KIỂM PHIẾU (NẾU CÓ) VÀ CÁCH GIẢI QUYẾT",
        "được thông qua vào hồi",
        "TỔ TRƯỞNG TỔ KIỂM PHIẾU",
        "CÁC THÀNH VIÊN TỔ KIỂM PHIẾU",
        "(Ký và ghi rõ họ tên)",
    ):
        assert phrase in flat, phrase
    # No English word in brackets, no raw ISO time.
    assert not re.search(r"\([A-Za-z ]+\)", flat), re.findall(r"\([^)]*\)", flat)
    assert "T09:00" not in flat and "+07:00" not in flat and "+00:00" not in flat
    results = record.json("results.json")
    lines = text.splitlines()
    for o in results["officials"]:
        row = next(line for line in lines if line.startswith(f"{o['index']} {o['name']}"))
        for lv in counted.manifest.levels:
            assert f"{o['counts'][lv]} {o['percent'][lv]}" in row
    first, second, third = results["officials"]
    assert (
        first["flags"] == ["thap_tu_hai_phan_ba"] and first["percent"]["tin_nhiem_thap"] == "66,67"
    )
    assert second["flags"] == ["thap_tren_mot_nua"]
    assert third["blank"] == 2 and third["flags"] == []
    assert "Tín nhiệm thấp từ 2/3 trở lên" in flat
    assert "Tín nhiệm thấp trên 1/2 và dưới 2/3" in flat
    for name in counted.manifest.trustee_names:
        assert name in text


def test_minutes_use_the_bundled_font_for_every_diacritic(counted):
    """Every Vietnamese letter with tone marks survives the round trip through the PDF."""
    alphabet = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    rec = counted.record
    manifest = rec.json("manifest.json")
    manifest["meeting"] = alphabet + " " + alphabet.upper()
    from tally.record import Record

    changed = Record(dict(rec.files))
    changed.put("manifest.json", manifest)
    text = _text(minutes_pdf(changed))
    assert alphabet in text and alphabet.upper() in text


def test_minutes_times_follow_the_time_zone_setting(counted):
    """A UTC closing time prints on the clocks of the chosen zone, day before month."""
    from tally.record import Record

    rec = Record(dict(counted.record.files))
    figures = rec.json("figures.json")
    rec.put("figures.json", figures | {"closed_at": "2026-12-01T20:10:05+00:00"})
    text = " ".join(_text(minutes_pdf(rec)).split())
    assert "3 giờ 10 phút, ngày 2 tháng 12 năm 2026" in text  # Asia/Ho_Chi_Minh by default
    assert "2026-12-01T20:10:05" not in text
    text = " ".join(_text(minutes_pdf(rec, tz="Europe/Paris")).split())
    assert "21 giờ 10 phút, ngày 1 tháng 12 năm 2026" in text


def test_time_formats_in_both_languages():
    from tally.timefmt import format_time

    assert format_time("2026-12-02T08:10:05Z") == "15 giờ 10 phút, ngày 2 tháng 12 năm 2026"
    assert format_time("2026-12-02T08:10:05Z", "en") == "15:10, 2 December 2026"
    assert format_time("2026-01-05T01:02:00", "en") == "08:02, 5 January 2026"  # naive = UTC
    with pytest.raises(ValueError, match="Múi giờ không tồn tại"):
        format_time("2026-01-05T01:02:00", "vi", "Mars/Base")


def test_a_session_of_a_peoples_council_has_a_ban_kiem_phieu(counted):
    """committee="ban": the committee a National Assembly or People's Council session
    elects under NQ 96/2023/QH15, in the header, the list and the signature lines."""
    text = " ".join(_text(minutes_pdf(counted.record, committee="ban")).split())
    for phrase in (
        "BAN KIỂM PHIẾU",
        "Ban kiểm phiếu gồm:",
        "1. Ông/Bà Thành viên 1 — Trưởng ban",
        "TRƯỞNG BAN KIỂM PHIẾU",
        "CÁC THÀNH VIÊN BAN KIỂM PHIẾU",
    ):
        assert phrase in text, phrase
    assert "Tổ kiểm phiếu" not in text and "TỔ KIỂM PHIẾU" not in text and "BAN BAN" not in text
    with pytest.raises(ValueError, match="counting committee must be one of"):
        minutes_pdf(counted.record, committee="hoi-dong")
