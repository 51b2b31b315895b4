"""The printable cards: what each card carries, the QR link, and that no secret is kept."""

from __future__ import annotations

import io
import logging
import re
import unicodedata

import qrcode
from pypdf import PdfReader
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import select

from ballot.cards.models import Card
from ballot.cards.operations import PrintedCard
from ballot.cards.pdf import card_url, cards_pdf
from ballot.db import db
from keys import cards
from tests.polls_web_helpers import login, poll_row, post, prepare_vote

CODE_RE = re.compile(
    r"\b((?:[0-9A-Z]{4} ){3}[0-9A-Z]{4})\s*\n\s*((?:[0-9A-Z]{4} ){2}[0-9A-Z]{4})\b"
)
TITLE = "Lấy phiếu tín nhiệm người giữ chức vụ do HĐND tỉnh bầu — kỳ họp thứ Mười"


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]


def _codes(text: str) -> list[str]:
    return [f"{a} {b}".replace(" ", "-") for a, b in CODE_RE.findall(text)]


def _qr_matrices(pdf: bytes) -> list[list[list[bool]]]:
    """Each embedded QR image read back as a module matrix (6 px per module)."""
    matrices = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            img = image.image.convert("L")
            size = img.width // 6
            matrices.append(
                [
                    [img.getpixel((x * 6 + 3, y * 6 + 3)) < 128 for x in range(size)]
                    for y in range(size)
                ]
            )
    return matrices


def _expected_matrix(url: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=2)
    qr.add_data(url)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def test_each_card_carries_title_code_fingerprint_serial_and_qr():
    printed = [
        PrintedCard(f"{i + 1:04d}", cards.encode_code(cards.new_secret()), i >= 9)
        for i in range(11)
    ]
    fingerprint = bytes(range(32))
    pdf = cards_pdf(
        title=TITLE,
        public_id="Ab_cd-EF1234",
        base_url="https://phieu.example.vn/",
        printed=printed,
        fingerprint=fingerprint,
    )
    pages = _pages(pdf)
    assert len(pages) == 2  # 8 cards per page
    text = "\n".join(pages)
    assert _codes(text) == [c.code for c in printed]
    for card in printed:
        assert f"Số thẻ {card.serial}" in text
    assert text.count("Mã đối chiếu lá phiếu (mọi thẻ như nhau): 0001 0203 0405 0607") == 11
    assert text.count("THẺ DỰ PHÒNG") == 2 and pages[1].count("THẺ DỰ PHÒNG") == 2
    assert text.count("Lấy phiếu tín nhiệm người giữ chức vụ") == 11
    # the address to type, in a monospaced font, server then /v/<vote id>
    assert "https://phieu.example.vn\n/v/Ab_cd-EF1234" in text
    assert text.count("Mã nhập tay (28 ký tự):") == 11
    # The QR codes encode the card link with the code in the fragment, in card order.
    urls = [
        card_url("https://phieu.example.vn/", "Ab_cd-EF1234", c.code, fingerprint) for c in printed
    ]
    assert urls[0] == (
        "https://phieu.example.vn/v/Ab_cd-EF1234#"
        + printed[0].code.replace("-", "")
        + ".0001020304050607"
    )
    assert _qr_matrices(pdf) == [_expected_matrix(u) for u in urls]
    # The stub (below the dashed line) carries only the serial: the code is printed once.
    for card in printed:
        assert text.count(card.code.replace("-", " ")[:14]) == 1


def test_print_view_gives_the_pdf_and_the_database_keeps_no_secret(app, client, make_user, caplog):
    make_user("thuky")
    login(client, "thuky")
    caplog.set_level(logging.DEBUG)
    pid, pdf = prepare_vote(client, summoned=5, spares=3)
    poll = poll_row(app, pid)
    text = "\n".join(_pages(pdf))
    codes = _codes(text)
    assert len(codes) == 8 and text.count("THẺ DỰ PHÒNG") == 3
    serials = re.findall(r"Số thẻ (\d{4})", text)
    assert serials == [f"{i:04d}" for i in range(1, 9)]
    fingerprint = re.search(
        r"Mã đối chiếu lá phiếu \(mọi thẻ như nhau\): ((?:[0-9a-f]{4} ?){4})", text
    ).group(1)
    assert len(fingerprint.replace(" ", "")) == 16
    with app.app_context():
        stored = dict(db.session.execute(select(Card.serial, Card.public_key)).all())
    # Each printed code derives exactly the public key stored under its serial.
    secrets_ = [cards.decode_code(code) for code in codes]
    derived = [cards.public_key(cards.signing_key(pid, s)) for s in secrets_]
    assert derived == [bytes(stored[s]) for s in serials]
    # No column of any table holds a card code or secret, in any form.
    needles = []
    for code, secret in zip(codes, secrets_, strict=True):
        needles += [code, code.replace("-", ""), secret.hex()]
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                for value in row:
                    blob = value if isinstance(value, bytes) else str(value).encode()
                    for secret in secrets_:
                        assert secret not in blob, table.name
                    for needle in needles:
                        assert needle.encode() not in blob, table.name
    for needle in needles:
        assert needle not in caplog.text
    assert poll.state == "draft"


def test_print_refused_without_csrf_or_as_auditor_and_cached_nowhere(app, client, make_user):
    make_user("thuky")
    make_user("kiemtra", role="auditor")
    login(client, "thuky")
    pid, _pdf = prepare_vote(client)
    with app.app_context():
        before = db.session.scalars(select(Card.public_key).order_by(Card.serial)).all()
    r = client.post(f"/polls/{pid}/cards/print", data={"spares": "1"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "1"})
    assert r.headers["Cache-Control"] == "no-store" and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == f'attachment; filename="the-{pid}.pdf"'
    with app.app_context():
        after = db.session.scalars(select(Card.public_key).order_by(Card.serial)).all()
    assert len(after) == 5 and not set(after) & set(before)  # reprinting replaces every card
    login(client, "kiemtra")
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "1"})
    assert r.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Card.public_key).order_by(Card.serial)).all() == after
