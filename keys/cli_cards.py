"""``python -m keys cards DEFINITION``: make the cards on a laptop that never talks to the server.

It reads the ballot definition downloaded from the cards page, recomputes the ballot
fingerprint from it (what is printed is what the phone checks), draws every card
secret with ``secrets``, and writes two files: ``cards.pdf`` (the printable cards, the
only place the secrets ever go, written with 0600 permissions) and
``cards-public.json`` (``phieu-cards/1``: serials and public keys only), which the
secretariat uploads on the cards page. On any error nothing is written, exit status 1.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from keys import cards as card_keys
from keys.cardfile import PublicCard, card_commitment, public_file, read_definition
from keys.cardsheet import PrintedCard, cards_pdf
from keys.cli_trustee import fail
from keys.codes import group_code
from keys.errors import CryptoError

PDF_NAME = "cards.pdf"
PUBLIC_NAME = "cards-public.json"


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` (refusing an existing one) readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


@click.command("cards")
@click.argument("definition_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for cards.pdf and cards-public.json.",
)
@click.option("--spares", type=click.IntRange(0, 1000), help="Spare cards (default: the file's).")
@click.option("--base-url", help="Address printed on the cards (default: the file's).")
def cards(definition_file: Path, folder: Path, spares: int | None, base_url: str | None) -> None:
    """Make the printable cards PDF and the public card file from a ballot definition."""
    try:
        definition = read_definition(definition_file.read_bytes())
    except OSError:
        fail(f"Lỗi: không đọc được {definition_file}\nError: cannot read {definition_file}")
    except CryptoError as err:
        fail(err)
    count = definition.summoned + (definition.spares if spares is None else spares)
    address = (base_url or definition.base_url).strip().rstrip("/")
    if not address.startswith(("http://", "https://")) or any(c.isspace() for c in address):
        fail(f"Lỗi: địa chỉ không hợp lệ: {address!r}\nError: not an http(s) address: {address!r}")
    if not 1 <= count <= 5000:
        fail("Lỗi: cần từ 1 đến 5000 thẻ\nError: between 1 and 5000 cards")
    pdf_path, public_path = folder / PDF_NAME, folder / PUBLIC_NAME
    for path in (pdf_path, public_path):
        if path.exists():
            fail(f"Lỗi: tệp đã tồn tại: {path}\nError: file exists: {path}")
    eid = definition.election_id
    printed: list[PrintedCard] = []
    public: list[PublicCard] = []
    for i in range(count):
        secret = card_keys.new_secret()
        serial, spare = f"{i + 1:04d}", i >= definition.summoned
        key = card_keys.public_key(card_keys.signing_key(eid, secret))
        printed.append(PrintedCard(serial, card_keys.encode_code(secret), spare))
        public.append(PublicCard(serial, key, spare))
    pdf = cards_pdf(
        title=definition.title,
        public_id=eid,
        base_url=address,
        printed=printed,
        fingerprint=definition.fingerprint,
    )
    printed.clear()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_private(pdf_path, pdf)
        try:
            public_path.write_bytes(public_file(eid, definition.fingerprint, public))
        except OSError:
            pdf_path.unlink()
            raise
    except OSError as err:
        fail(f"Lỗi: không ghi được tệp: {err}\nError: cannot write: {err}")
    commitment = card_commitment([(c.serial, c.key) for c in public]).hex()
    click.echo(
        f"{definition.title}\n"
        f"Số thẻ / cards: {count} ({count - definition.summoned} dự phòng / spares)\n"
        "Mã đối chiếu lá phiếu / ballot fingerprint: "
        f"{group_code(definition.fingerprint.hex()[:16])}"
        "\n  (so với trang Thẻ của máy chủ / compare with the server's cards page)\n"
        f"Cam kết bộ thẻ / card commitment: {group_code(commitment[:16])}\n"
        "  (so với bản kê khai trước khi xác nhận / compare with the candidate manifest's"
        " cards.commitment before confirming)\n"
        f"  {pdf_path}  (in rồi xóa / print, then delete)\n"
        f"  {public_path}  (tải lên trang Thẻ / upload on the cards page)"
    )
