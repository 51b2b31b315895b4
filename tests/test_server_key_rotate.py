"""The documented SECRET_KEY rotation (issue 10): ``flask server-key rotate`` re-encrypts
the server's signing key under a new SECRET_KEY, the key itself (every manifest's
``server_key``) unchanged; production then starts with the new SECRET_KEY only, and a
weak, repeated or mistyped new key, a wrong current key or an open vote change nothing.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from ballot.db import db
from ballot.polls.models import Poll
from ballot.startup import ConfigurationError
from keys import signing
from keys.errors import CryptoError
from tests.voting_helpers import make_vote

STRONG = secrets.token_hex(32)


@pytest.fixture
def app_config() -> dict[str, str]:
    return {"SECRET_KEY": STRONG}


@pytest.fixture(autouse=True)
def _no_worker_env(monkeypatch) -> None:
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY", "PHIEU_WORKERS"):
        monkeypatch.delenv(name, raising=False)


def _closed_vote(app) -> tuple[str, Path, bytes]:
    with app.app_context():
        vote = make_vote(members=2, officials=1)
        db.session.execute(db.update(Poll).where(Poll.id == vote.poll_id).values(state="closed"))
        db.session.commit()
    path = Path(app.config["SERVER_KEY_PATH"])
    return vote.public_id, path, path.read_bytes()


def _public(data: bytes, secret: str) -> bytes:
    return signing.public_bytes(signing.private_from_pem(data, secret.encode()))


def _production(make_app, secret: str):
    return make_app(
        ENV_NAME="production",
        SESSION_COOKIE_SECURE=True,
        SECRET_KEY=secret,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
    )


def test_rotate_with_a_generated_key(app, make_app, runner) -> None:
    _pid, path, before = _closed_vote(app)
    public = _public(before, STRONG)
    result = runner.invoke(args=["server-key", "rotate", "--generate"])
    assert result.exit_code == 0, result.output
    new = re.search(r"SECRET_KEY = '([0-9a-f]{64})'", result.output)[1]
    assert public.hex() in result.output and "instance/config.py" in result.output
    after = path.read_bytes()
    assert after != before and _public(after, new) == public
    with pytest.raises(CryptoError):
        _public(after, STRONG)
    backups = list(path.parent.glob(path.name + ".*.old"))
    assert len(backups) == 1 and _public(backups[0].read_bytes(), STRONG) == public
    assert path.stat().st_mode & 0o077 == 0 and backups[0].stat().st_mode & 0o077 == 0
    assert not Path(f"{path}.new").exists()
    # Production starts with the new SECRET_KEY (the closed vote's server_key still
    # matches) and refuses the old one.
    _production(make_app, new)
    with pytest.raises(ConfigurationError, match="does not open with this SECRET_KEY"):
        _production(make_app, STRONG)


def test_rotate_with_a_typed_key(app, runner) -> None:
    _pid, path, before = _closed_vote(app)
    new = secrets.token_urlsafe(32)
    result = runner.invoke(args=["server-key", "rotate"], input=f"{new}\n{new}\n")
    assert result.exit_code == 0, result.output
    assert new not in result.output  # a typed key is never echoed
    assert _public(path.read_bytes(), new) == _public(before, STRONG)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("a" * 32 + "\n" + "a" * 32 + "\n", "weak"),
        (f"{STRONG}\n{STRONG}\n", "current one"),
    ],
)
def test_bad_new_keys_change_nothing(app, runner, typed, message) -> None:
    _pid, path, before = _closed_vote(app)
    result = runner.invoke(args=["server-key", "rotate"], input=typed)
    assert result.exit_code == 1 and message in result.output
    assert "Lỗi:" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before
    left = [f for f in path.parent.glob(path.name + ".*") if f.suffix != ".in-use"]
    assert left == []  # no backup, no half-written file (the lock file is empty)


def test_mismatched_confirmation_changes_nothing(app, runner) -> None:
    _pid, path, before = _closed_vote(app)
    one, two = secrets.token_hex(32), secrets.token_hex(32)
    result = runner.invoke(args=["server-key", "rotate"], input=f"{one}\n{two}\n")
    assert result.exit_code != 0
    assert path.read_bytes() == before


def test_wrong_current_key_or_open_vote_is_refused(app, make_app) -> None:
    with app.app_context():
        vote = make_vote(members=2, officials=1)  # open
    path = Path(app.config["SERVER_KEY_PATH"])
    before = path.read_bytes()
    result = app.test_cli_runner().invoke(args=["server-key", "rotate", "--generate"])
    assert result.exit_code == 1 and vote.public_id in result.output and "open" in result.output
    other = make_app(SECRET_KEY=secrets.token_hex(32))
    result = other.test_cli_runner().invoke(args=["server-key", "rotate", "--generate"])
    assert result.exit_code == 1 and "does not open with the current SECRET_KEY" in result.output
    assert path.read_bytes() == before
    shown = app.test_cli_runner().invoke(args=["server-key", "show"])
    assert shown.output.strip() == _public(before, STRONG).hex()


def test_rotate_refuses_while_a_server_holds_the_key(app, runner) -> None:
    """A running server (here: its lock, as gunicorn's master takes it) keeps forking
    workers that open the key file with the SECRET_KEY it started with: rotating under it
    is refused and changes nothing; once it has stopped, rotating works."""
    import os

    from ballot.serverkey import InUse, exclusive, hold_in_use

    _pid, path, before = _closed_vote(app)
    with app.app_context():
        fd = hold_in_use()
        assert fd is not None
        with pytest.raises(InUse), exclusive():
            pass
    result = runner.invoke(args=["server-key", "rotate", "--generate"])
    assert result.exit_code == 1, result.output
    assert "stop gunicorn first" in result.output and "Lỗi: một máy chủ đang chạy" in result.output
    assert path.read_bytes() == before and not list(path.parent.glob(path.name + ".*.old"))
    os.close(fd)  # the server stopped
    with app.app_context(), exclusive():  # free now; and a server starting waits meanwhile
        import fcntl

        probe = os.open(f"{path}.in-use", os.O_RDONLY)
        with pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
        os.close(probe)
    assert runner.invoke(args=["server-key", "rotate", "--generate"]).exit_code == 0


def test_rotate_refuses_under_running_gunicorn(tmp_path) -> None:
    """The same on real gunicorn: its master holds the lock for itself and its workers."""
    import os
    import subprocess
    import sys

    import sqlalchemy

    from tests.gunicorn_helpers import ROOT, drop_database, make_server, prepare_vote

    srv = make_server(tmp_path, workers=2)
    prepare_vote(srv, 1, 1)
    key = Path(srv.env["PHIEU_SERVER_KEY_PATH"])
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "server-key", "rotate", "--generate"]
    env = {**os.environ, **srv.env}
    srv.start()
    try:
        before = key.read_bytes()
        refused = subprocess.run(  # our own interpreter and app
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "stop gunicorn first" in refused.stderr and "Traceback" not in refused.stderr
        assert key.read_bytes() == before
        srv.stop()
        engine = sqlalchemy.create_engine(srv.env["DATABASE_URL"])
        with engine.begin() as conn:  # the vote closed (an open one refuses rotation too)
            conn.execute(sqlalchemy.text("UPDATE polls SET state = 'closed'"))
        engine.dispose()
        done = subprocess.run(  # our own interpreter and app
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert key.read_bytes() != before
    finally:
        srv.stop()
        drop_database(srv.pg_name)
