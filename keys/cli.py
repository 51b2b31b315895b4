"""Key-ceremony commands: ``python -m keys ceremony`` and ``python -m keys check-share``.

Passphrases are only ever read at a hidden prompt (twice for a new one), never from
argv or the environment. On any error nothing is written and the exit status is 1.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import NoReturn

import click

from keys import sharefile
from keys.errors import CryptoError
from keys.group import Point
from keys.shamir import ElectionKey

KEY_FILE = "election-key.json"


def _fail(err: CryptoError | str) -> NoReturn:
    if isinstance(err, CryptoError):
        click.echo(f"Lỗi: {err.message('vi')}\nError: {err.message('en')}", err=True)
    else:
        click.echo(err, err=True)
    sys.exit(1)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "trustee"


def _ask_passphrase(name: str) -> str:
    while True:
        value: str = click.prompt(
            f"Mật khẩu cho {name} / passphrase for {name}",
            hide_input=True,
            confirmation_prompt="Nhập lại / repeat",
        )
        try:
            sharefile.check_passphrase(value)
            return value
        except CryptoError as err:
            click.echo(err.message("vi") + " / " + err.message("en"), err=True)


@click.group()
def main() -> None:
    """Phiếu tín nhiệm — key ceremony for the counting committee."""


@main.command("check-share")
@click.argument("share_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="election-key.json to check the share against.",
)
@click.option("--election-id", help="Refuse a share of any other vote.")
def check_share(share_file: Path, key_file: Path | None, election_id: str | None) -> None:
    """Open a share file with its passphrase and check it against its public keys."""
    data = share_file.read_bytes()
    expected: ElectionKey | None = None
    try:
        sharefile.read_header(data)
        if key_file is not None:
            public = json.loads(key_file.read_text(encoding="utf-8"))
            expected = ElectionKey.from_json(public)
            election_id = election_id or public.get("election_id")
    except CryptoError as err:
        _fail(err)
    except (ValueError, KeyError):
        _fail("Lỗi: tệp khóa công khai hỏng / Error: unreadable election key file")
    passphrase = click.prompt("Mật khẩu / passphrase", hide_input=True)
    try:
        opened = sharefile.open_share(data, passphrase, election_id)
        if expected is not None:
            if opened.public_key != expected.public_key:
                raise CryptoError("share_other_election", "public key differs")
            if not 1 <= opened.trustee <= expected.trustees:
                raise CryptoError("share_mismatch", f"trustee {opened.trustee} not in the key")
            if expected.verification_keys[opened.trustee - 1] != opened.verification_key:
                raise CryptoError("share_mismatch", f"trustee {opened.trustee}")
    except CryptoError as err:
        _fail(err)
    click.echo(
        f"Hợp lệ / valid: {opened.name} (#{opened.trustee}), vote {opened.election_id}, "
        f"verification key {Point.to_bytes(opened.verification_key).hex()[:16]}…"
    )
