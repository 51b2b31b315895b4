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
from keys.shamir import ElectionKey, check_parameters, deal

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


@main.command()
@click.option("--election-id", required=True, help="Identifier of the vote the keys belong to.")
@click.option("--trustee", "trustees", multiple=True, required=True, help="A trustee's name.")
@click.option("-k", "--threshold", type=int, required=True, help="Trustees needed to decrypt.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the share files and election-key.json.",
)
@click.option(
    "--scrypt-log-n",
    type=click.IntRange(14, 18),
    default=17,
    show_default=True,
    help="scrypt cost (2^N); 17 uses 128 MiB.",
)
def ceremony(
    election_id: str, trustees: tuple[str, ...], threshold: int, out_dir: Path, scrypt_log_n: int
) -> None:
    """Make the election key, split it k-of-n and seal one share file per trustee.

    The full secret exists only in memory during this command and is never written.
    """
    names = [t.strip() for t in trustees]
    try:
        check_parameters(threshold, len(names))
    except CryptoError as err:
        _fail(err)
    if any(not n for n in names) or len(set(names)) != len(names):
        _fail("Lỗi: tên thành viên trống hoặc trùng / Error: empty or duplicate trustee name")
    files = [out_dir / f"trustee-{i}-{_slug(n)}.share.json" for i, n in enumerate(names, 1)]
    key_path = out_dir / KEY_FILE
    existing = [p for p in [*files, key_path] if p.exists()]
    if existing:
        _fail(f"Lỗi: tệp đã tồn tại / Error: file exists: {existing[0]}")
    passphrases = [_ask_passphrase(n) for n in names]
    if len(set(passphrases)) != len(passphrases):
        _fail("Lỗi: hai thành viên dùng cùng mật khẩu / Error: two trustees share a passphrase")
    key, shares = deal(threshold, len(names))
    blobs = [
        sharefile.seal(election_id, key.public_key, i, n, s, p, scrypt_n=1 << scrypt_log_n)
        for i, (n, s, p) in enumerate(zip(names, shares, passphrases, strict=True), 1)
    ]
    shares.clear()
    passphrases.clear()
    public = {"election_id": election_id, "trustees": names} | key.to_json()
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, blob in zip(files, blobs, strict=True):
        path.write_bytes(blob)
    key_path.write_text(json.dumps(public, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"Khóa công khai / public key: {key.public_key.hex()}")
    for path in files:
        click.echo(f"  {path}")
    click.echo(f"  {key_path}")


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
