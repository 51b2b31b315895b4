"""``python -m ballot.demo``: migrate, demo account, real gunicorn, login works."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHIEU_")}
    env.pop("DATABASE_URL", None)
    env.update(
        PORT=str(port),
        PHIEU_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        GUNICORN_WORKERS="2",
    )
    return env


def test_demo_prepare_only(tmp_path: Path) -> None:
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "ballot.demo", "--no-serve"],
        cwd=ROOT,
        env=demo_env(tmp_path, port),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f"http://127.0.0.1:{port}/" in result.stdout
    assert re.search(r"Password \(shown once.*\): (\S+)", result.stdout)
    assert (tmp_path / "demo.sqlite3").exists()


@pytest.mark.slow
def test_demo_serves_with_gunicorn(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ballot.demo"],
        cwd=ROOT,
        env=demo_env(tmp_path, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    output = ""
    try:
        password = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and password is None:
            line = process.stdout.readline()
            output += line
            match = re.search(r"Password \(shown once.*\): (\S+)", line)
            if match:
                password = match.group(1)
        assert password, output
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(100):
            try:
                with opener.open(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        with opener.open(f"{base}/account/login", timeout=5) as response:
            html = response.read().decode()
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"username": "thuky", "password": password, "csrf_token": token}
        ).encode()
        with opener.open(f"{base}/account/login", data=data, timeout=10) as response:
            page = response.read().decode()
        assert "thuky" in page and "Đăng xuất" in page  # logged in, on the home page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            rest, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            rest, _ = process.communicate()
        output += rest or ""
    assert password not in output.split("Password", 1)[1].split("\n", 1)[1]  # printed once
