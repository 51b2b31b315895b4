"""Trustee commands: ``python -m keys trustee …`` (the dealer-free key ceremony, one
trustee's device at a time, see keys/cli_trustee.py), ``python -m keys check-share`` and
``python -m keys cards`` (the cards made offline, see keys/cli_cards.py).

There is no dealer command: no process ever makes the whole election secret.
Passphrases are only ever read at a hidden prompt (twice for a new one), never from
argv or the environment. On any error nothing is written and the exit status is 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from keys import sharefile
from keys.cli_cards import cards
from keys.cli_trustee import fail, trustee
from keys.errors import CryptoError


@click.group()
def main() -> None:
    """Phiếu tín nhiệm — the counting committee's keys."""


main.add_command(trustee)
main.add_command(cards)


@main.command("check-share")
@click.argument("share_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--election-id", help="Refuse a share of any other vote.")
def check_share(share_file: Path, election_id: str | None) -> None:
    """Open a share file with its passphrase and check it against its public keys."""
    data = share_file.read_bytes()
    try:
        sharefile.read_header(data)
    except CryptoError as err:
        fail(err)
    passphrase = click.prompt("Mật khẩu / passphrase", hide_input=True)
    try:
        opened = sharefile.open_share(data, passphrase, election_id)
    except CryptoError as err:
        fail(err)
    click.echo(
        f"Hợp lệ / valid: {opened.name} (#{opened.trustee}), vote {opened.election_id}, "
        f"round {opened.round}, verification key {opened.verification_key.hex()[:16]}…"
    )
