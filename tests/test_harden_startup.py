"""Production refuses to start on a weak SECRET_KEY, per-process rate limits with
several workers, or a server signing key that does not open or does not match the
votes in progress; with a clear message in Vietnamese and English, no traceback."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from ballot.startup import ConfigurationError, secret_weakness
from keys import signing
from tests.gunicorn_helpers import GUNICORN, ROOT, free_port
from tests.voting_helpers import make_vote

STRONG = secrets.token_hex(32)


@pytest.fixture
def app_config() -> dict[str, str]:
    return {"SECRET_KEY": STRONG}


@pytest.fixture(autouse=True)
def _no_worker_env(monkeypatch) -> None:
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY", "PHIEU_WORKERS"):
        monkeypatch.delenv(name, raising=False)


def _production(make_app, **settings):
    return make_app(ENV_NAME="production", SESSION_COOKIE_SECURE=True, **settings)


WEAK = [
    "a" * 32,
    "a" * 64,
    "ab" * 16,
    "abcdefgh" * 4,
    "0123456789abcdef" * 2,
    "a" * 31 + "b",
    "hgfedcbaabcdefghhgfedcbaabcdefgh",  # 8 symbols, 96 bits by their frequencies
    "password-password-password-12345",
    "dev-" + secrets.token_hex(32),
    "REPLACE-ME",
    secrets.token_hex(15),
]


@pytest.mark.parametrize("secret", WEAK)
def test_weak_secrets(secret: str) -> None:
    assert secret_weakness(secret) is not None


@pytest.mark.parametrize(
    "secret", [secrets.token_hex(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)]
)
def test_real_secrets(secret: str) -> None:
    assert secret_weakness(secret) is None


def test_low_entropy_secret_refused_at_start(make_app) -> None:
    with pytest.raises(ConfigurationError) as caught:
        _production(make_app, SECRET_KEY="a" * 32)
    text = str(caught.value)
    assert text.startswith("Lỗi: SECRET_KEY yếu") and "\nError: " in text
    assert "token_hex(32)" in text


@pytest.mark.parametrize(
    ("source", "value"), [("config", 3), ("GUNICORN_WORKERS", "4"), ("WEB_CONCURRENCY", "2")]
)
def test_memory_limits_with_several_workers_refused(make_app, monkeypatch, source, value):
    settings = {"RATELIMIT_STORAGE_URI": "memory://"}
    if source == "config":
        settings["WORKERS"] = value
    else:
        monkeypatch.setenv(source, value)
    with pytest.raises(ConfigurationError, match="memory://") as caught:
        _production(make_app, **settings)
    assert "redis://" in str(caught.value) and "Lỗi:" in str(caught.value)


def test_memory_limits_with_one_worker_or_redis_with_many_start(make_app, monkeypatch):
    _production(make_app, RATELIMIT_STORAGE_URI="memory://", WORKERS=1)
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    _production(make_app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")


def test_gunicorn_conf_exports_its_worker_count(monkeypatch) -> None:
    import runpy

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    runpy.run_path(str(ROOT / "config/gunicorn.conf.py"))
    assert os.environ["GUNICORN_WORKERS"] == "3"


def test_server_key_checks(app, make_app) -> None:
    with app.app_context():
        vote = make_vote(members=2, officials=1)  # creates the key under STRONG
    key_file = Path(app.config["SERVER_KEY_PATH"])
    assert key_file.exists()
    _production(make_app)  # the right SECRET_KEY and key: starts
    with pytest.raises(ConfigurationError, match="does not open with this SECRET_KEY"):
        _production(make_app, SECRET_KEY=secrets.token_hex(32))
    original = key_file.read_bytes()
    key_file.write_bytes(signing.private_to_pem(signing.generate(), STRONG.encode()))
    with pytest.raises(ConfigurationError, match="not the server_key") as caught:
        _production(make_app)
    assert vote.public_id in str(caught.value)
    key_file.unlink()
    with pytest.raises(ConfigurationError, match="missing") as caught:
        _production(make_app)
    assert vote.public_id in str(caught.value) and "Lỗi:" in str(caught.value)
    key_file.write_bytes(original)
    _production(make_app)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHIEU_", "GUNICORN_"))}
    env.pop("WEB_CONCURRENCY", None)
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "PHIEU_ENV_NAME": "production",
        "PHIEU_SERVER_KEY_PATH": str(tmp_path / "server.pem"),
        "PHIEU_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        **extra,
    }


def test_flask_command_refuses_without_traceback(tmp_path) -> None:
    result = subprocess.run(  # our own interpreter
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "list"],
        cwd=ROOT,
        env=_env(tmp_path, PHIEU_SECRET_KEY="a" * 32),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Lỗi: SECRET_KEY yếu") and "\nError: " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_gunicorn_refuses_without_traceback(tmp_path) -> None:
    env = _env(
        tmp_path,
        PHIEU_SECRET_KEY=secrets.token_hex(32),
        PHIEU_RATELIMIT_STORAGE_URI="memory://",
        GUNICORN_WORKERS="3",
        PORT=str(free_port()),
    )
    result = subprocess.run(  # our own gunicorn
        [str(GUNICORN), "-c", "config/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "memory://" in result.stderr and "Lỗi:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_gunicorn_command_line_workers_are_the_ones_checked(tmp_path) -> None:
    # GUNICORN_WORKERS=1 told the app "one process", but -w 3 on the command line makes
    # gunicorn fork three, each counting alone in memory://: refused before any fork.
    env = _env(
        tmp_path,
        PHIEU_SECRET_KEY=secrets.token_hex(32),
        PHIEU_RATELIMIT_STORAGE_URI="memory://",
        PHIEU_SESSION_COOKIE_SECURE="true",
        GUNICORN_WORKERS="1",
        PORT=str(free_port()),
    )
    command = [str(GUNICORN), "-c", "config/gunicorn.conf.py", "-w", "3", "wsgi:app"]
    result = subprocess.run(  # our own gunicorn
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3, result.stderr[-2000:]  # gunicorn's boot error
    assert "memory://" in result.stderr and "3 workers" in result.stderr
    assert "Lỗi:" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert "Booting worker" not in result.stderr + result.stdout


def test_gunicorn_refuses_a_changed_or_weak_secret_key(tmp_path) -> None:
    """Attack 8 on real gunicorn: a vote is open under one SECRET_KEY; gunicorn started
    with another (or with 32 × "a") refuses before taking a ballot, and starts again
    with the right one."""
    right = secrets.token_hex(32)
    env = _env(tmp_path, PHIEU_SECRET_KEY=right, PHIEU_SESSION_COOKIE_SECURE="true")
    subprocess.run(  # our own interpreter and module: an open vote, key made under `right`
        [sys.executable, "-m", "tests.prepare_vote", "2", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    command = [str(GUNICORN), "-c", "config/gunicorn.conf.py", "wsgi:app"]
    for secret, message in (
        (secrets.token_hex(32), "does not open with this SECRET_KEY"),
        ("a" * 32, "SECRET_KEY yếu"),
    ):
        result = subprocess.run(  # our own gunicorn
            command,
            cwd=ROOT,
            env={**env, "PHIEU_SECRET_KEY": secret, "PORT": str(free_port())},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 3, result.stderr[-2000:]  # gunicorn's boot error
        assert message in result.stderr and "Lỗi:" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert "Booting worker" not in result.stderr + result.stdout
    port = free_port()
    proc = subprocess.Popen(  # our own gunicorn, the right key
        command,
        cwd=ROOT,
        env={**env, "PORT": str(port), "GUNICORN_WORKERS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import time
        import urllib.request

        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                assert proc.poll() is None
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn with the right SECRET_KEY did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize(
    "command",
    [
        [str(GUNICORN), "wsgi:app"],  # sync workers, no deadlines, no --preload
        [str(GUNICORN), "-c", "config/gunicorn.conf.py", "-k", "sync", "wsgi:app"],
    ],
    ids=["no-conf", "sync-worker"],
)
def test_gunicorn_without_the_shipped_front_door_is_refused(tmp_path, command) -> None:
    """Attack 3: sync workers are stopped by a few idle or slow connections; production
    refuses them (once: gunicorn stops, it does not restart a refusing worker)."""
    port = free_port()
    env = _env(
        tmp_path,
        PHIEU_SECRET_KEY=secrets.token_hex(32),
        PHIEU_SESSION_COOKIE_SECURE="true",
        PORT=str(port),
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port}",
    )
    result = subprocess.run(  # our own gunicorn
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3, result.stderr[-2000:]
    assert "config/gunicorn.conf.py" in result.stderr and "Lỗi:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("Error: in production gunicorn") == 1  # no restart loop


@pytest.mark.parametrize("storage", ["memory://", "redis://127.0.0.1:6379/0"])
def test_a_worker_added_at_runtime_cannot_split_memory_limits(tmp_path, storage) -> None:
    """kill -TTIN adds a gunicorn worker after the start-up check: with memory:// each
    worker would count alone, so production refuses the change (logged, count kept at 1);
    with Redis the worker is added."""
    import signal
    import time

    from tests.gunicorn_helpers import Server

    if storage.startswith("redis"):
        from tests.test_rate_limits_gunicorn import _redis_or_skip

        _redis_or_skip().close()
    env = _env(
        tmp_path,
        PHIEU_SECRET_KEY=secrets.token_hex(32),
        PHIEU_RATELIMIT_STORAGE_URI=storage,
        PHIEU_SESSION_COOKIE_SECURE="true",
        GUNICORN_WORKERS="1",
        PORT=str(free_port()),
    )
    srv = Server(tmp_path, env, int(env["PORT"]), tmp_path / "gunicorn.log")
    srv.start()
    try:
        assert srv.proc is not None and len(srv.workers()) == 1
        os.kill(srv.proc.pid, signal.SIGTTIN)
        deadline = time.time() + 10
        while (
            time.time() < deadline and len(srv.workers()) == 1 and "TTIN" not in srv.log.read_text()
        ):
            time.sleep(0.2)
        time.sleep(1)  # a worker spawned late would show now
        log = srv.log.read_text()
        if storage == "memory://":
            assert len(srv.workers()) == 1
            assert "TTIN refused / TTIN bị từ chối: Lỗi: RATELIMIT_STORAGE_URI là memory://" in log
            assert "with 2 workers" in log and "Traceback" not in log
        else:
            assert len(srv.workers()) == 2 and "TTIN refused" not in log
    finally:
        srv.stop()
