"""The minutes (biên bản kiểm phiếu): a printable PDF in Vietnamese, from the record alone.

Its shape follows the minutes used for confidence votes under NQ 96/2023/QH15 and
QĐ 96-QĐ/TW: the body's header block beside the national motto, place and date, the
title, the counting committee (tổ kiểm phiếu) and who of it took part, the figures
(summoned, present, ballots issued and returned, valid and invalid), the quorum, the
cards revoked and the spares handed out, the results table and its notes, the
fingerprints to compare, the complaints raised during the count (written in by hand),
and the signature lines. Every time is on the clocks of the
vote's time zone (tally.timefmt).

Font: Noto Serif (SIL Open Font License, tally/fonts/LICENSE-Noto.txt), bundled so
that every Vietnamese diacritic prints the same on any machine.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tally.codes import group_code
from tally.manifest import Manifest, parse_manifest
from tally.record import Record
from tally.records import FiguresFile, parse_figures_file
from tally.rules import quorum_met, quorum_needed
from tally.timefmt import format_date, format_time
from tally.vocab import DENOMINATOR_TEXT, LEVEL_LABELS

FONTS: Final = Path(__file__).parent / "fonts"
DOTS: Final = "…………………"
#: The counting committee's name and its chair's title: a session of the National Assembly
#: or a People's Council under NQ 96/2023/QH15 elects a "Ban kiểm phiếu"; a party
#: committee or an agency usually has a "Tổ kiểm phiếu".
COMMITTEES: Final = {
    "to": ("Tổ kiểm phiếu", "Tổ trưởng", "TỔ TRƯỞNG TỔ KIỂM PHIẾU"),
    "ban": ("Ban kiểm phiếu", "Trưởng ban", "TRƯỞNG BAN KIỂM PHIẾU"),
}


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text))


class _Minutes(FPDF):  # type: ignore[misc]
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Serif", size=8)
        self.cell(0, 6, f"Trang {self.page_no()}/{{nb}}", align="C")


def _line(pdf: FPDF, text: str, size: float = 11, style: str = "", align: str = "L") -> None:
    pdf.set_font("Serif", style, size)
    pdf.multi_cell(0, size * 0.55, _nfc(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _spares_issued(record: Record, election_id: str) -> int:
    actions = record.json("actions.json").get("actions", [])
    return sum(
        1
        for a in actions
        if a.get("action") == "cards.spare" and (a.get("details") or {}).get("poll") == election_id
    )


def _header(pdf: FPDF, body: str, place: str, when: str, committee: str) -> None:
    """The two-column header: the body on the left, the national motto on the right."""
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("Serif", "", 11)
    pdf.multi_cell(half - 4, 5.5, _nfc(body.upper()), align="C", new_x=XPos.LMARGIN)
    pdf.set_font("Serif", "B", 11)
    pdf.multi_cell(half - 4, 5.5, committee.upper(), align="C", new_x=XPos.LMARGIN)
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_x(pdf.l_margin + half)
    pdf.multi_cell(half, 5.5, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("Serif", "", 11)
    pdf.multi_cell(half, 5.5, "―――――――――――", align="C")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("Serif", "I", 11)
    pdf.multi_cell(half, 6, _nfc(f"{place}, {when}"), align="C", new_x=XPos.LMARGIN)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 3)


def minutes_pdf(
    record: Record,
    tz: str | None = None,
    body: str | None = None,
    place: str | None = None,
    committee: str = "to",
) -> bytes:
    """Render the minutes of a counted record.

    ``tz`` is the vote's time zone (default Asia/Ho_Chi_Minh); ``body`` the name of the
    body holding the vote for the header block (default: the meeting's name); ``place``
    the place before the date (default: dots, to be written in by hand); ``committee``
    a key of COMMITTEES ("to": Tổ kiểm phiếu, "ban": Ban kiểm phiếu).
    """
    if committee not in COMMITTEES:
        raise ValueError(
            f"tổ chức kiểm phiếu phải là một trong: {', '.join(COMMITTEES)}\n"
            f"the counting committee must be one of: {', '.join(COMMITTEES)}"
        )
    words = COMMITTEES[committee]
    manifest = parse_manifest(record.json("manifest.json"))
    figures = parse_figures_file(record.json("figures.json"))
    res: dict[str, Any] = record.json("results.json")
    close: dict[str, Any] = record.json("checkpoints.json")["close"]
    closed_at = figures.closed_at
    pdf = _Minutes(orientation="L", format="A4")
    pdf.add_font("Serif", "", str(FONTS / "NotoSerif-Regular.ttf"))
    pdf.add_font("Serif", "B", str(FONTS / "NotoSerif-Bold.ttf"))
    pdf.add_font("Serif", "I", str(FONTS / "NotoSerif-Regular.ttf"))
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, 16)
    pdf.alias_nb_pages()
    pdf.add_page()
    when = format_date(closed_at, "vi", tz)
    _header(pdf, body or manifest.meeting, place or DOTS, when, words[0])
    _line(pdf, "BIÊN BẢN KIỂM PHIẾU", 15, "B", "C")
    _line(pdf, manifest.title, 12, "B", "C")
    _line(pdf, manifest.meeting, 11, "", "C")
    pdf.ln(2)
    _committee(pdf, manifest, res, closed_at, tz, words)
    _figures(pdf, record, manifest, figures, tz)
    den = res["denominator"]
    _line(pdf, "II. KẾT QUẢ KIỂM PHIẾU", 11, "B")
    _line(pdf, f"Tỷ lệ phần trăm tính trên {DENOMINATOR_TEXT[den['name']]} ({den['value']}).")
    pdf.ln(1)
    _results_table(pdf, manifest.levels, res["officials"])
    pdf.ln(2)
    _notes(pdf, manifest, res)
    _fingerprints(pdf, record, manifest, close)
    # As on every paper form of a count: what was raised during it, written by hand.
    _line(pdf, "IV. Ý KIẾN, KHIẾU NẠI TRONG KHI KIỂM PHIẾU (NẾU CÓ) VÀ CÁCH GIẢI QUYẾT", 11, "B")
    _line(pdf, DOTS * 6)
    _line(pdf, DOTS * 6)
    pdf.ln(1)
    _line(
        pdf,
        "Biên bản được lập thành …… bản, đọc trước hội nghị và được thông qua vào hồi …… giờ "
        "…… phút cùng ngày.",
    )
    _signatures(pdf, list(manifest.trustee_names), words)
    return bytes(pdf.output())


def _committee(
    pdf: FPDF,
    manifest: Manifest,
    res: dict[str, Any],
    closed_at: str,
    tz: str | None,
    words: tuple[str, str, str],
) -> None:
    at = format_time(closed_at, "vi", tz)
    _line(pdf, f"Hôm nay, sau khi kết thúc bỏ phiếu vào hồi {at}, {words[0]} gồm:")
    for i, name in enumerate(manifest.trustee_names, start=1):
        role = words[1] if i == 1 else "Thành viên"
        _line(pdf, f"    {i}. Ông/Bà {name} — {role}")
    taken = [f"{manifest.trustee_names[i - 1]}" for i in res["trustees"]]
    _line(
        pdf,
        f"đã tiến hành kiểm phiếu. Theo quy định cần ít nhất {manifest.key.threshold} trong "
        f"{len(manifest.trustee_names)} thành viên cùng giải mã kết quả; các thành viên đã "
        f"tham gia giải mã: {', '.join(taken)}.",
    )
    pdf.ln(1)


def _figures(pdf: FPDF, record: Record, manifest: Manifest, f: FiguresFile, tz: str | None) -> None:
    _line(pdf, "I. SỐ LIỆU", 11, "B")
    opened = format_time(f.opened_at, "vi", tz)
    closed = format_time(f.closed_at, "vi", tz)
    _line(pdf, f"Thời gian bỏ phiếu: từ {opened} đến {closed}.")
    summoned, present = f.summoned, f.present
    need = quorum_needed(summoned)
    met = "đủ" if quorum_met(present, summoned) else "không đủ"
    revoked = record.json("revocations.json").get("revocations", [])
    spares = max(0, manifest.card_count - summoned)
    lines = [
        f"1. Số đại biểu được triệu tập: {summoned}.",
        f"2. Số đại biểu có mặt: {present}; cần ít nhất {need} (hai phần ba số được triệu "
        f"tập): {met} điều kiện để tiến hành lấy phiếu.",
        f"3. Số phiếu phát ra: {f.issued}.",
        f"4. Số phiếu thu vào: {f.returned}.",
        f"5. Số phiếu hợp lệ: {f.returned}; số phiếu không hợp lệ: 0 (máy chủ chỉ nhận "
        "lá phiếu có chữ ký của một thẻ hợp lệ và chứng minh đúng quy cách).",
        f"6. Số thẻ bỏ phiếu đã in: {manifest.card_count} (trong đó {spares} thẻ dự phòng); "
        f"số thẻ dự phòng đã phát: {_spares_issued(record, manifest.election_id)}; số thẻ bị "
        f"thu hồi: {len(revoked)}"
        + (f" (số sê-ri {', '.join(str(r['serial']) for r in revoked)})" if revoked else "")
        + ".",
    ]
    for text in lines:
        _line(pdf, "    " + text)
    pdf.ln(1)


def _notes(pdf: FPDF, manifest: Manifest, res: dict[str, Any]) -> None:
    flags = {t.flag: t.label for t in manifest.thresholds}
    order: dict[str, int] = {}
    for o in res["officials"]:
        for flag in o["flags"]:
            order.setdefault(flag, len(order) + 1)
    if order:
        _line(pdf, "Ghi chú:", 10, "B")
        for flag, n in order.items():
            _line(pdf, f"({n}) {flags.get(flag, flag)}", 10)
    else:
        _line(pdf, "Ghi chú: không có trường hợp nào đến ngưỡng theo quy định.", 10)
    pdf.ln(2)


def _fingerprints(pdf: FPDF, record: Record, manifest: Manifest, close: dict[str, Any]) -> None:
    _line(pdf, "III. CÁC MÃ ĐỂ ĐỐI CHIẾU", 11, "B")
    _line(
        pdf,
        "Mỗi mã dưới đây phải trùng với mã đã chiếu trên màn hình và công bố trên bảng công "
        "khai; bất kỳ ai có hồ sơ đều tính lại được bằng lệnh python -m tally verify.",
        10,
    )
    for label, value in (
        ("Dấu vân tay cuộc bỏ phiếu", manifest.hash.hex()),
        ("Mã chuỗi phiếu khi kết thúc, máy chủ đã ký", close["head"]),
        ("Mã hồ sơ kết quả", record.hash().hex()),
    ):
        _line(pdf, f"{label}: {group_code(value)}", 9.5)
    pdf.ln(2)


def _results_table(pdf: FPDF, levels: tuple[str, ...], officials: list[dict[str, Any]]) -> None:
    head = ["STT", "Họ và tên", "Chức vụ"]
    for lv in levels:
        head += [f"{LEVEL_LABELS[lv]}: số phiếu", "Tỷ lệ %"]
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
            marks = [str(flag_order.setdefault(f, len(flag_order) + 1)) for f in o["flags"]]
            row.cell(" ".join(f"({m})" for m in marks))


def _signatures(pdf: FPDF, names: list[str], words: tuple[str, str, str]) -> None:
    """The chair's signature line, then one per other member of the committee."""
    if pdf.will_page_break(45):
        pdf.add_page()
    pdf.ln(4)
    y = pdf.get_y()
    half = pdf.epw / 2
    for col, (title, people) in enumerate(
        (
            (words[2], names[:1]),
            (f"Các thành viên {words[0]}".upper(), names[1:]),
        )
    ):
        x = pdf.l_margin + col * half
        pdf.set_xy(x, y)
        pdf.set_font("Serif", "B", 11)
        pdf.cell(half, 6, title, align="C")
        pdf.set_xy(x, y + 6)
        pdf.set_font("Serif", "I", 10)
        pdf.cell(half, 5, "(Ký và ghi rõ họ tên)", align="C")
        for j, name in enumerate(people):
            top = y + 12 + j * 22
            if top + 22 > pdf.h - pdf.b_margin:
                pdf.add_page()
                y, top = pdf.get_y() - 12 - j * 22, pdf.get_y()
            pdf.set_font("Serif", "", 10)
            pdf.set_xy(x, top + 10)
            pdf.cell(half, 5, "……………………………………", align="C")
            pdf.set_xy(x, top + 15)
            pdf.cell(half, 5, _nfc(name), align="C")
    pdf.set_y(y + 12 + max(1, len(names) - 1) * 22)
