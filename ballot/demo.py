"""``python -m ballot.demo`` (``make run``): a local demo on SQLite behind gunicorn.

1. migrates the database (the SQLite file in ``instance/`` unless configured otherwise);
2. creates — or resets the password of — the demo secretariat account ``thuky`` with a
   generated password, printed once to this terminal (never logged);
3. seeds a demo vote (``ballot.polls.demo``: made once, reused by later runs);
4. replaces this process with gunicorn (``config/gunicorn.conf.py``) on
   $HOST:$PORT (127.0.0.1:8000 by default) and prints the addresses to open.

The cards carry the address the server is reached at (``PUBLIC_URL``): the bound host
and port, or with ``HOST=0.0.0.0`` (every interface: ``make run HOST=0.0.0.0`` on a
conference LAN) this machine's LAN address, so phones on the same network open them.
``PUBLIC_URL=http://name:port`` overrides it.

``--no-serve`` stops after step 3 (tests, or to prepare a database).
Plain http on localhost: the demo turns the cookies' Secure flag off for itself only.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import socket
import sys
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
DEMO_USERNAME = "thuky"


def lan_address() -> str | None:
    """This machine's address on its local network (the route a packet out would take).

    A UDP socket "connected" to a private address sends nothing; it only picks the
    interface. None when the machine has no network.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def public_url(host: str, port: int) -> str:
    """The address phones use: PUBLIC_URL, else the bound host (LAN address for 0.0.0.0)."""
    configured = os.environ.get("PUBLIC_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    shown = host
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - describing the bind, not binding
        shown = lan_address() or "127.0.0.1"
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def demo_environment(port: int, host: str = "127.0.0.1") -> None:
    """Settings for a local http demo, shared with the gunicorn workers via the env."""
    # One key per demo folder, kept across runs: the server's signing key in instance/
    # is encrypted under it, so a fresh random key each run would lock that key out.
    key_file = ROOT / "instance" / "demo-secret-key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    os.environ.setdefault("PHIEU_SECRET_KEY", key_file.read_text().strip())
    os.environ.setdefault("PHIEU_SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("PHIEU_REMEMBER_COOKIE_SECURE", "false")
    os.environ.setdefault("GUNICORN_WORKERS", "2")
    os.environ["PORT"] = str(port)
    os.environ["GUNICORN_BIND"] = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    os.environ.setdefault("PHIEU_BASE_URL", public_url(host, port))


def ensure_demo_account(app: Flask) -> str:
    """Create or reset the demo secretariat account; returns its new password."""
    from ballot.accounts.operations import create_user, find_user, set_password
    from ballot.db import db

    password = secrets.token_urlsafe(12)
    with app.app_context():
        user = find_user(DEMO_USERNAME)
        if user is None:
            create_user(DEMO_USERNAME, password, "secretariat", actor="demo")
        else:
            set_password(user, password, actor="demo")
            user.active = True
        db.session.commit()
    return password


def prepare(port: int, host: str = "127.0.0.1") -> tuple[Flask, list[str]]:
    """Migrate, create the demo account and seed; returns the app and lines to print."""
    from ballot import create_app
    from ballot.db import dispose_engines
    from ballot.migrate import upgrade_database
    from ballot.polls.demo import seed_demo

    demo_environment(port, host)
    app = create_app()
    upgrade_database(app)
    base_url = str(app.config["BASE_URL"]).rstrip("/")
    password = ensure_demo_account(app)
    lines = [
        "",
        "Phiếu tín nhiệm — demo",
        f"  Cơ sở dữ liệu / database: {app.config['SQLALCHEMY_DATABASE_URI']}",
        f"  Mở / open: {base_url}/",
        f"  Đăng nhập / login: {base_url}/account/login",
        f"  Các cuộc bỏ phiếu / votes: {base_url}/polls/",
        f"  Thẻ in cho địa chỉ / cards print: {base_url}",
        f"  Tài khoản thư ký / secretariat account: {DEMO_USERNAME}",
        f"  Mật khẩu (chỉ hiện một lần, không lưu ở đâu) / "
        f"Password (shown once, not stored anywhere): {password}",
    ]
    with app.app_context():
        lines += seed_demo(app, base_url)
    dispose_engines(app)
    return app, lines


def serve() -> None:
    """Replace this process with gunicorn on 127.0.0.1:$PORT."""
    os.chdir(ROOT)
    conf = str(ROOT / "config" / "gunicorn.conf.py")
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-c", conf, "wsgi:app"])  # noqa: S606


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m ballot.demo``."""
    parser = argparse.ArgumentParser(prog="python -m ballot.demo", description=__doc__)
    parser.add_argument("--no-serve", action="store_true", help="prepare only, no server")
    args = parser.parse_args(argv)
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    _app, lines = prepare(port, host)
    if host == "localhost" or host.startswith("127.") or host == "::1":
        lines.append(
            "  Chỉ máy này mở được; trong mạng hội nghị: make run HOST=0.0.0.0 / "
            "only this computer can open it; on a conference LAN: make run HOST=0.0.0.0"
        )
    print("\n".join(lines), flush=True)  # the terminal is the audience
    if args.no_serve:
        return 0
    bind = os.environ["GUNICORN_BIND"]
    print(
        f"\nĐang chạy gunicorn / starting gunicorn on {bind} (Ctrl+C để dừng / to stop)\n",
        flush=True,
    )
    serve()
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
