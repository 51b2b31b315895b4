"""The minutes (biên bản kiểm phiếu): a printable PDF in Vietnamese, from the record alone.

Font: Noto Serif (SIL Open Font License, tally/fonts/LICENSE-Noto.txt), bundled so
that every Vietnamese diacritic prints the same on any machine.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tally.manifest import parse_manifest
from tally.record import Record
from tally.rules import LEVEL_LABELS

FONTS: Final = Path(__file__).parent / "fonts"
DENOMINATOR_TEXT: Final = {
    "returned": "tổng số phiếu thu về",
    "members_total": "tổng số đại biểu",
    "summoned": "tổng số người được triệu tập",
    "issued": "tổng số phiếu phát ra",
}


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text))


class _Minutes(FPDF):  # type: ignore[misc]
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Serif", size=8)
        self.cell(0, 6, f"Trang {self.page_no()}/{{nb}}", align="C")


def _line(pdf: FPDF, text: str, size: float = 11, bold: bool = False, align: str = "L") -> None:
    pdf.set_font("Serif", "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.55, _nfc(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def minutes_pdf(record: Record) -> bytes:
    """Render the minutes of a counted record (manifest, figures, results, close, hash)."""
    manifest = parse_manifest(record.json("manifest.json"))
    figures: dict[str, Any] = record.json("figures.json")
    res: dict[str, Any] = record.json("results.json")
    close: dict[str, Any] = record.json("checkpoints.json")["close"]
    pdf = _Minutes(orientation="L", format="A4")
    pdf.add_font("Serif", "", str(FONTS / "NotoSerif-Regular.ttf"))
    pdf.add_font("Serif", "B", str(FONTS / "NotoSerif-Bold.ttf"))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, 16)
    pdf.alias_nb_pages()
    pdf.add_page()
    _line(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 11, True, "C")
    _line(pdf, "Độc lập - Tự do - Hạnh phúc", 11, True, "C")
    pdf.ln(3)
    _line(pdf, "BIÊN BẢN KIỂM PHIẾU", 15, True, "C")
    _line(pdf, manifest.title, 12, True, "C")
    _line(pdf, manifest.meeting, 11, False, "C")
    pdf.ln(2)
    _line(pdf, f"Thời gian mở bỏ phiếu: {figures.get('opened_at', '—')}")
    _line(pdf, f"Thời gian kết thúc bỏ phiếu: {figures.get('closed_at', '—')}")
    _line(
        pdf,
        f"Số người được triệu tập: {figures['summoned']}; có mặt: {figures['present']}; "
        f"số phiếu phát ra: {figures['issued']}; số phiếu thu về: {figures['returned']}.",
    )
    den = res["denominator"]
    _line(
        pdf,
        f"Tỷ lệ phần trăm tính trên {DENOMINATOR_TEXT[den['name']]} ({den['value']}).",
    )
    pdf.ln(2)
    _results_table(pdf, manifest.levels, res["officials"])
    pdf.ln(2)
    flags = {t.flag: t.label for t in manifest.thresholds}
    used = sorted({f for o in res["officials"] for f in o["flags"]})
    if used:
        _line(pdf, "Ghi chú:", 10, True)
        for i, flag in enumerate(sorted(flags), start=1):
            if flag in used:
                _line(pdf, f"({i}) {flags[flag]}", 10)
    else:
        _line(pdf, "Ghi chú: không có trường hợp nào đến ngưỡng theo quy định.", 10)
    pdf.ln(2)
    _line(pdf, "Dấu xác thực (fingerprints):", 10, True)
    _line(pdf, f"Mã băm bản kê khai (manifest): {manifest.hash.hex()}", 9)
    _line(pdf, f"Đầu chuỗi cuối cùng đã ký (final chain head): {close['head']}", 9)
    _line(pdf, f"Mã băm hồ sơ (record hash): {record.hash().hex()}", 9)
    names = [manifest.trustee_names[i - 1] for i in res["trustees"]]
    _line(pdf, "Thành viên tổ kiểm phiếu tham gia giải mã: " + ", ".join(names) + ".", 10)
    _signatures(pdf, list(manifest.trustee_names))
    return bytes(pdf.output())


def _results_table(pdf: FPDF, levels: tuple[str, ...], officials: list[dict[str, Any]]) -> None:
    head = ["STT", "Họ và tên", "Chức vụ"]
    for lv in levels:
        head += [f"{LEVEL_LABELS[lv]} (phiếu)", "%"]
    head += ["Không đánh dấu", "Ghi chú"]
    fixed = 10 + 45 + 45 + 16 + 18
    rest = (pdf.epw - fixed) / (2 * len(levels))
    widths = [10, 45, 45]
    for _ in levels:
        widths += [rest * 1.1, rest * 0.9]
    widths += [16, 18]
    flag_order: dict[str, int] = {}
    pdf.set_font("Serif", size=8)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=4.5) as table:
        row = table.row()
        pdf.set_font("Serif", "B", 8)
        for h in head:
            row.cell(_nfc(h))
        pdf.set_font("Serif", "", 8)
        for o in officials:
            row = table.row()
            row.cell(str(o["index"]))
            row.cell(_nfc(o["name"]), align="LEFT")
            row.cell(_nfc(o["position"]), align="LEFT")
            for lv in levels:
                row.cell(str(o["counts"][lv]))
                row.cell(o["percent"][lv])
            row.cell(str(o["blank"]))
            marks = []
            for f in o["flags"]:
                marks.append(str(flag_order.setdefault(f, len(flag_order) + 1)))
            row.cell(" ".join(f"({m})" for m in marks))


def _signatures(pdf: FPDF, names: list[str]) -> None:
    pdf.ln(4)
    _line(pdf, "TỔ KIỂM PHIẾU (ký, ghi rõ họ tên)", 11, True, "C")
    pdf.ln(2)
    per_row = 4
    width = pdf.epw / per_row
    for start in range(0, len(names), per_row):
        if pdf.will_page_break(30):
            pdf.add_page()
        y = pdf.get_y()
        for j, name in enumerate(names[start : start + per_row]):
            pdf.set_xy(pdf.l_margin + j * width, y + 18)
            pdf.set_font("Serif", "", 10)
            pdf.cell(width, 5, "......................................", align="C")
            pdf.set_xy(pdf.l_margin + j * width, y + 24)
            pdf.cell(width, 5, _nfc(name), align="C")
        pdf.set_y(y + 32)
