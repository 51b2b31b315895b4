"""``flask --app wsgi server-key ...``: rotate the SECRET_KEY that encrypts the server's
signing key, and show that key's public half.

The signing key itself never changes (it is the ``server_key`` of every frozen
manifest, and every receipt and close is signed with it); rotating re-encrypts its
file under a new SECRET_KEY. Procedure (docs/operations.md, "Rotating SECRET_KEY"):
stop gunicorn (refused while it runs: ballot.serverkey.exclusive), run ``server-key
rotate``, put the new SECRET_KEY in ``instance/config.py``, start gunicorn (its start-up
check opens the key with it).
The previous file is kept beside it, still under the old SECRET_KEY, until deleted.
"""

from __future__ import annotations

import os
import secrets
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ballot.db import db
from ballot.startup import secret_weakness
from ballot.states import State
from keys import signing
from keys.errors import CryptoError

server_key_cli = AppGroup("server-key", help="The server's signing key and its SECRET_KEY.")


def _fail(vi: str, en: str) -> None:
    click.echo(f"Lỗi: {vi}\nError: {en}", err=True)
    sys.exit(1)


def _open_current() -> tuple[os.PathLike[str], bytes, bytes]:
    """(path, file bytes, public key) of the current key, opened with this SECRET_KEY."""
    from ballot.serverkey import key_path

    path = key_path()
    if not path.exists():
        _fail(
            f"chưa có tệp khóa ký của máy chủ {path}: không có gì để đổi khóa.",
            f"there is no server signing key file {path} yet: nothing to re-encrypt.",
        )
    data = path.read_bytes()
    try:
        key = signing.private_from_pem(data, str(current_app.config["SECRET_KEY"]).encode())
    except CryptoError:
        _fail(
            f"tệp {path} không mở được bằng SECRET_KEY hiện tại: chạy lệnh với SECRET_KEY "
            "đã dùng khi tạo khóa.",
            f"{path} does not open with the current SECRET_KEY: run this with the "
            "SECRET_KEY it was made with.",
        )
    return path, data, signing.public_bytes(key)


def _new_secret(generate: bool) -> str:
    if generate:
        return secrets.token_hex(32)
    value: str = click.prompt(
        "SECRET_KEY mới / New SECRET_KEY",
        hide_input=True,
        confirmation_prompt="Nhập lại / Repeat",
    )
    return value.strip()


@server_key_cli.command("rotate")
@click.option(
    "--generate", is_flag=True, help="Draw the new SECRET_KEY (printed once) instead of asking."
)
def rotate_command(generate: bool) -> None:
    """Re-encrypt the server signing key under a new SECRET_KEY (stop gunicorn first)."""
    from ballot.serverkey import InUse, exclusive

    path, old_bytes, public = _open_current()
    try:
        with exclusive():  # no server uses the file, and none starts to, until done
            _rotate(path, old_bytes, public, generate)
    except InUse:
        _fail(
            f"một máy chủ đang chạy với tệp khóa {path}: dừng gunicorn trước, rồi đổi "
            "khóa (một tiến trình mới của nó sẽ không mở được tệp đã đổi).",
            f"a server is running with the key file {path}: stop gunicorn first, then "
            "rotate (a worker it forks later could not open the re-encrypted file).",
        )


def _rotate(path: os.PathLike[str], old_bytes: bytes, public: bytes, generate: bool) -> None:
    from ballot.polls.models import Poll

    open_votes = db.session.scalars(
        select(Poll.public_id).where(Poll.state == State.OPEN).order_by(Poll.public_id)
    ).all()
    db.session.remove()
    if open_votes:
        _fail(
            f"cuộc bỏ phiếu {', '.join(open_votes)} đang mở: không đổi SECRET_KEY khi đang "
            "nhận phiếu. Làm việc này trước khi mở hoặc sau khi đóng.",
            f"vote(s) {', '.join(open_votes)} are open: SECRET_KEY is not changed while "
            "ballots are being taken. Do it before opening or after closing.",
        )
    new = _new_secret(generate)
    weakness = secret_weakness(new)
    if weakness:
        _fail(
            "SECRET_KEY mới yếu, không dùng. Tạo bằng --generate hoặc "
            'python -c "import secrets; print(secrets.token_hex(32))".',
            f"the new SECRET_KEY is weak ({weakness}). Use --generate, or "
            'python -c "import secrets; print(secrets.token_hex(32))".',
        )
    if new == str(current_app.config["SECRET_KEY"]):
        _fail("SECRET_KEY mới trùng khóa cũ.", "the new SECRET_KEY is the current one.")
    key = signing.private_from_pem(old_bytes, str(current_app.config["SECRET_KEY"]).encode())
    backup = f"{path}.{time.strftime('%Y%m%d-%H%M%S')}.old"
    temporary = f"{path}.new"
    for target, data in (
        (backup, old_bytes),
        (temporary, signing.private_to_pem(key, new.encode())),
    ):
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    with open(temporary, "rb") as f:  # read back before it replaces the key
        check = signing.public_bytes(signing.private_from_pem(f.read(), new.encode()))
    if check != public:  # cannot happen short of a broken disk; never replace then
        os.unlink(temporary)
        _fail("khóa ghi lại không đọc được.", "the re-encrypted key did not read back.")
    os.replace(temporary, path)
    from ballot.serverkey import _CACHE

    _CACHE.pop(str(path), None)
    click.echo(
        f"Đã mã hóa lại khóa ký của máy chủ {path} (khóa công khai không đổi: {public.hex()}).\n"
        f"Server signing key {path} re-encrypted (public key unchanged: {public.hex()}).\n"
        f"Previous file (opens with the old SECRET_KEY): {backup}\n"
        "Now: put the new SECRET_KEY in instance/config.py (or PHIEU_SECRET_KEY), start "
        "gunicorn, then delete the previous file. Every login session ends."
    )
    if generate:
        click.echo(f"SECRET_KEY = {new!r}")


@server_key_cli.command("show")
def show_command() -> None:
    """Print the server's public signing key (the manifests' ``server_key``)."""
    _path, _data, public = _open_current()
    click.echo(public.hex())
