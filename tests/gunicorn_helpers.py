"""Real gunicorn for crash and attack tests: a prepared open vote, a server we can kill."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.secret_scan import remember_receipt

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(tmp: Path) -> tuple[str, str | None]:
    """A fresh database for one server: SQLite in tmp, or a new PostgreSQL database when
    TEST_DATABASE_URL is set. Returns (url, postgres database name or None)."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{tmp}/server.sqlite3", None
    name = f"phieu_srv_{secrets.token_hex(4)}"
    admin = pg.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/pgdb.py"), "create", admin, name], check=True
    )
    return pg.rsplit("/", 1)[0] + "/" + name, name


def drop_database(name: str | None) -> None:
    """Drop a database made by :func:`database_url`."""
    if name:
        pg = os.environ["TEST_DATABASE_URL"]
        admin = pg.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/pgdb.py"), "drop", admin, name], check=False
        )


@dataclass
class Server:
    """A gunicorn master with its workers, on a database of its own."""

    tmp: Path
    env: dict[str, str]
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    pg_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start gunicorn and wait until it answers."""
        with self.log.open("ab") as out:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(  # our own gunicorn, fixed arguments
                [str(GUNICORN), "-c", "config/gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=out,
            )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start: " + self.log.read_text()[-2000:])

    def workers(self) -> list[int]:
        """PIDs of the current workers."""
        assert self.proc is not None
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(x) for x in text.split()]

    def kill_all(self) -> None:
        """kill -9 the master and every worker (a crash of the whole server)."""
        assert self.proc is not None
        pids = [self.proc.pid, *self.workers()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_all()


def make_server(tmp: Path, workers: int = 2, **settings: str) -> Server:
    """A server on a fresh database (not started)."""
    url, pg_name = database_url(tmp)
    env = {
        "DATABASE_URL": url,
        "PHIEU_SECRET_KEY": secrets.token_hex(32),
        "PHIEU_SERVER_KEY_PATH": str(tmp / "server.pem"),
        "PHIEU_SESSION_COOKIE_SECURE": "false",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_LOGLEVEL": "info",
        "PORT": str(free_port()),
        # Off unless a test asks (wrong passwords in a row; tests/test_login_backoff.py).
        "PHIEU_LOGIN_BACKOFF_BASE": "0",
        **{f"PHIEU_{k}": v for k, v in settings.items()},
    }
    return Server(tmp, env, int(env["PORT"]), tmp / "gunicorn.log", pg_name=pg_name)


def prepare_vote(server: Server, members: int, officials: int) -> tuple[str, list[bytes]]:
    """Migrate the server's database, open a vote, and encrypt one ballot per member."""
    from keys import cards
    from keys.ballot import encrypt_ballot
    from tally.manifest import parse_manifest

    out = subprocess.run(  # our own interpreter and module
        [sys.executable, "-m", "tests.prepare_vote", str(members), str(officials)],
        cwd=ROOT,
        env={**os.environ, **server.env},
        capture_output=True,
        check=True,
    )
    data = json.loads(out.stdout)
    ctx = parse_manifest(data["manifest"]).context()
    ballots = []
    for i, c in enumerate(data["codes"]):
        sk = cards.signing_key(data["id"], cards.decode_code(c))
        ballots.append(
            json.dumps(
                encrypt_ballot(ctx, sk, [1 + (i + r) % 3 for r in range(officials)]).to_json()
            ).encode()
        )
    return data["id"], ballots


def get_json(url: str, timeout: float = 10) -> tuple[int, Any]:
    """GET JSON; (status, decoded body), the answer remembered for the session's log scan."""
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
        answer = json.loads(r.read())
    remember_receipt(answer)
    return r.status, answer


def post(url: str, body: bytes, timeout: float = 10) -> tuple[int, dict[str, Any]]:
    """POST JSON; (status, decoded body); status 0 when the connection failed.

    The session's log scan looks for the body's card key and the answer's receipt.
    """
    try:
        remember_receipt(json.loads(body))
    except ValueError:
        pass
    req = urllib.request.Request(  # noqa: S310 - loopback only
        url,
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
            answer = json.loads(r.read())
            remember_receipt(answer)
            return r.status, answer
    except urllib.error.HTTPError as err:
        try:
            return err.code, json.loads(err.read())
        except ValueError:
            return err.code, {}
    except (OSError, ValueError):
        return 0, {}
