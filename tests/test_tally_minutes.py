"""The minutes PDF: its extracted text carries the results, diacritics included."""

import io
import unicodedata

import pytest
from pypdf import PdfReader

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
    text = _text(minutes_pdf(record))
    for phrase in (
        "BIÊN BẢN KIỂM PHIẾU",
        "Lấy phiếu tín nhiệm",
        "Kỳ họp thứ Mười, Hội đồng nhân dân tỉnh",
        "Số người được triệu tập: 11; có mặt: 9; số phiếu phát ra: 9; số phiếu thu về: 9.",
        "tổng số phiếu thu về (9)",
        "TỔ KIỂM PHIẾU",
        record.hash().hex(),
        counted.manifest.hash.hex(),
        record.json("checkpoints.json")["close"]["head"],
        "Thành viên 1, Thành viên 2",
    ):
        assert phrase in text, phrase
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
    assert "Tín nhiệm thấp từ 2/3 trở lên" in text
    assert "Tín nhiệm thấp trên 1/2 và dưới 2/3" in text
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
