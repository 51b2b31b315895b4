"""The printable cards: an A4 PDF, 8 cards per page (2 × 4), made in memory only.

Each card carries the vote's title, a QR code of the card link, the manual-entry code,
a short instruction in Vietnamese, the ballot check code ("Mã đối chiếu lá phiếu", the
same on every card) and,
on spares, "THẺ DỰ PHÒNG". Below a dashed line, a tear-off stub carries only the
serial. The card link is ``{BASE_URL}/v/{public_id}#{code}.{fingerprint16}``: the card
secret sits in the URL fragment, which browsers never send to the server.

Nothing here writes to disk or logs: the PDF is built in memory and handed back. Both
the web app (ballot/cards/views.py) and the offline command ``python -m keys cards``
(keys/cli_cards.py) render with this module, so both paths print the same card.
Font: Noto Serif (OFL, bundled in ``tally/fonts``), which has every Vietnamese glyph.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import qrcode
from fpdf import FPDF
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from keys.codes import group_code

FONTS: Final = Path(__file__).resolve().parent.parent / "tally" / "fonts"
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN: Final = 5.0
COLUMNS, ROWS = 2, 4
CARD_W: Final = (PAGE_W - 2 * MARGIN) / COLUMNS  # 100 mm
CARD_H: Final = (PAGE_H - 2 * MARGIN) / ROWS  # 71.75 mm
STUB_H: Final = 11.0
QR_SIZE: Final = 40.0
PAD: Final = 3.5
#: The ballot check code (tally.codes: "ballot_code"): the same on every card of a vote.
FINGERPRINT_LABEL: Final = "Mã đối chiếu lá phiếu (mọi thẻ như nhau)"
SPARE_LABEL: Final = "THẺ DỰ PHÒNG"
#: The code typed when the QR code cannot be scanned; the voting page uses the same words.
MANUAL_LABEL: Final = "Mã nhập tay (28 ký tự)"


@dataclass(frozen=True)
class PrintedCard:
    """What goes on paper; exists only while the PDF is made."""

    serial: str
    code: str
    spare: bool


INSTRUCTION_W: Final = CARD_W - 2 * PAD - QR_SIZE - 1


def instruction_text(base_url: str, public_id: str) -> str:  # one signature
    """What the member does with the card (Vietnamese), printed next to the QR code.

    The address to type is printed below it in a monospaced font (``address_lines``).
    """
    return (
        "Quét mã QR bằng camera điện thoại. Nếu không quét được: mở địa chỉ dưới đây và "
        "gõ mã nhập tay ở trên. Thẻ chỉ dùng một lần. Phiếu được mã hóa trên điện thoại: "
        "không ai biết bạn chọn thế nào."
    )


def address_lines(base_url: str, public_id: str) -> list[str]:
    """The address a member types, in two lines (the server, then ``/v/<vote id>``).

    The vote id uses the card code's alphabet in lower case (no i, l, o, u), so nothing
    printed for typing can be confused with another character.
    """
    return [base_url.rstrip("/"), f"/v/{public_id}"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fingerprint_short(fingerprint: bytes) -> str:
    """The first 16 hex characters of the ballot fingerprint."""
    return fingerprint.hex()[:16]


def card_url(base_url: str, public_id: str, code: str, fingerprint: bytes) -> str:
    """The link in the QR code; the secret is in the fragment (never sent to the server)."""
    compact = code.replace("-", "")
    return f"{base_url.rstrip('/')}/v/{public_id}#{compact}.{fingerprint_short(fingerprint)}"


def qr_png(data: str, scale: int = 6) -> bytes:
    """A QR code of ``data`` as a black-and-white PNG (in memory), ``scale`` px/module.

    The mask pattern is fixed (any of the eight is valid for every reader): choosing
    the "best" one costs ~20 ms per card, 10 s for 500 cards.
    """
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels).convert("1")
    image = image.resize((size * scale, size * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


class _CardsPDF(FPDF):  # type: ignore[misc]
    """FPDF with the bundled fonts."""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("Serif", "", str(FONTS / "NotoSerif-Regular.ttf"))
        self.add_font("Serif", "B", str(FONTS / "NotoSerif-Bold.ttf"))
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.set_creator("Phiếu tín nhiệm")


def _fit_lines(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    lines: list[str] = pdf.multi_cell(width, 4, text, dry_run=True, output="LINES")
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and pdf.get_string_width(last + "…") > width - 1:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def _code(pdf: FPDF, code: str, x: float, y: float) -> None:
    """The manual-entry code in a monospaced font (ASCII only), 4 groups per line."""
    groups = code.split("-")
    pdf.set_font("Courier", "B", 13)
    for line_no, start in enumerate(range(0, len(groups), 4)):
        pdf.set_xy(x, y + line_no * 5.5)
        pdf.cell(0, 5.5, " ".join(groups[start : start + 4]))


def _card(
    pdf: FPDF,
    x: float,
    y: float,
    card: PrintedCard,
    *,
    title: str,
    url: str,
    fingerprint: str,
    instruction: list[str],
    address: list[str],
) -> None:
    inner_w = CARD_W - 2 * PAD
    # Cutting guide around the card.
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, CARD_W, CARD_H)
    # Title (two lines at most) and the spare label.
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Serif", "B", 9)
    title_w = inner_w - (27 if card.spare else 0)
    for i, line in enumerate(_fit_lines(pdf, title, title_w, 2)):
        pdf.set_xy(x + PAD, y + PAD + i * 4)
        pdf.cell(title_w, 4, line)
    if card.spare:
        pdf.set_font("Serif", "B", 8.5)
        pdf.set_xy(x + CARD_W - PAD - 26, y + PAD)
        pdf.set_fill_color(0, 0, 0)
        pdf.set_text_color(255, 255, 255)
        pdf.cell(26, 5, SPARE_LABEL, align="C", fill=True)
        pdf.set_text_color(0, 0, 0)
    top = y + PAD + 9
    pdf.image(io.BytesIO(qr_png(url)), x=x + PAD - 1, y=top, w=QR_SIZE, h=QR_SIZE)
    right_x = x + PAD + QR_SIZE + 1
    right_w = INSTRUCTION_W
    pdf.set_font("Serif", "", 7)
    pdf.set_xy(right_x, top)
    pdf.cell(right_w, 3.5, MANUAL_LABEL + ":")
    _code(pdf, card.code, right_x - 0.8, top + 3.5)
    pdf.set_font("Serif", "", 7)
    for i, line in enumerate(instruction):
        pdf.set_xy(right_x, top + 16 + i * 3.1)
        pdf.cell(right_w, 3.1, line)
    size = 8.0
    pdf.set_font("Courier", "B", size)
    while size > 5 and max(pdf.get_string_width(t) for t in address) > right_w:
        size -= 0.5
        pdf.set_font("Courier", "B", size)
    for i, text in enumerate(address):
        pdf.set_xy(right_x, top + 33 + i * 3.6)
        pdf.cell(right_w, 3.6, text)
    pdf.set_xy(x + PAD, top + QR_SIZE + 0.5)
    pdf.set_font("Serif", "", 7.5)
    label_w = pdf.get_string_width(FINGERPRINT_LABEL + ": ") + 1
    pdf.cell(label_w, 4.5, FINGERPRINT_LABEL + ":")
    pdf.set_font("Serif", "B", 9)
    pdf.cell(inner_w - label_w, 4.5, group_code(fingerprint))
    # Tear-off stub: a dashed line, then only the serial.
    stub_y = y + CARD_H - STUB_H
    pdf.set_draw_color(0, 0, 0)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.line(x + 1, stub_y, x + CARD_W - 1, stub_y)
    pdf.set_dash_pattern()
    pdf.set_font("Serif", "B", 13)
    pdf.set_xy(x + PAD, stub_y + 1.5)
    pdf.cell(inner_w, STUB_H - 3, f"Số thẻ {card.serial}", align="C")


def cards_pdf(
    *,
    title: str,
    public_id: str,
    base_url: str,
    printed: Sequence[PrintedCard],
    fingerprint: bytes,
) -> bytes:
    """Render the printable cards (A4, 2 × 4 per page) and return the PDF bytes."""
    pdf = _CardsPDF()
    pdf.set_title(_nfc(f"Thẻ biểu quyết — {title}"))
    short = fingerprint_short(fingerprint)
    instruction: list[str] = []
    per_page = COLUMNS * ROWS
    for index, card in enumerate(printed):
        if index % per_page == 0:
            pdf.add_page()
        if not instruction:  # measured once, on a page (fpdf2 needs one)
            pdf.set_font("Serif", "", 7)
            instruction = _fit_lines(pdf, instruction_text(base_url, public_id), INSTRUCTION_W, 5)
        slot = index % per_page
        x = MARGIN + (slot % COLUMNS) * CARD_W
        y = MARGIN + (slot // COLUMNS) * CARD_H
        _card(
            pdf,
            x,
            y,
            card,
            title=_nfc(title),
            url=card_url(base_url, public_id, card.code, fingerprint),
            address=address_lines(base_url, public_id),
            fingerprint=short,
            instruction=instruction,
        )
    return bytes(pdf.output())
