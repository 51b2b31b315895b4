"""A pytest plugin: no card secret, card code or passphrase may appear in any log line
written during the whole test run (DESIGN §3.7).

It records every secret the run creates (by wrapping the functions that make them),
captures every log record of the test process, and at the end also reads the log files
of the real gunicorn servers the tests started. Any hit fails the session.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

SECRETS: set[str] = set()
LINES: list[str] = []


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            LINES.append(self.format(record))
        except Exception:  # noqa: BLE001 - a broken record must not break the run
            LINES.append(str(record.msg))


def remember(value: str) -> None:
    """Add a secret to look for (and its compact forms)."""
    if len(value) >= 8:
        SECRETS.add(value)
        SECRETS.add(value.replace("-", ""))


def leaks(lines: list[str], secrets: set[str]) -> list[tuple[str, str]]:
    """(secret, line) for every line that contains a secret."""
    return [(s, line) for line in lines for s in secrets if s in line]


def _wrap() -> None:
    from keys import cards, sharefile

    original_encode, original_seal = cards.encode_code, sharefile.seal

    def encode_code(secret: bytes) -> str:
        code = original_encode(secret)
        remember(code)
        remember(secret.hex())
        return code

    def seal(*args: Any, **kwargs: Any) -> bytes:
        passphrase = kwargs.get("passphrase", args[7] if len(args) > 7 else "")
        remember(str(passphrase))
        return original_seal(*args, **kwargs)

    cards.encode_code = encode_code  # type: ignore[assignment]
    sharefile.seal = seal  # type: ignore[assignment]

    from keys import statefile

    original_state = statefile.seal_state

    def seal_state(*args: Any, **kwargs: Any) -> bytes:
        remember(str(kwargs.get("passphrase", args[1] if len(args) > 1 else "")))
        return original_state(*args, **kwargs)

    statefile.seal_state = seal_state  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    """Start capturing and wrapping before any test runs."""
    handler = _Capture(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    _wrap()
    for p in ("mật khẩu thứ nhất", "mật khẩu thứ hai", "mật khẩu thứ ba"):
        remember(p)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Read the servers' log files too, then fail the run on any leak."""
    lines = list(LINES)
    base = getattr(session.config, "_tmp_path_factory", None)
    if base is not None:
        try:
            root = Path(base.getbasetemp())
        except (OSError, ValueError):
            root = None
        if root is not None:
            for log in root.rglob("gunicorn.log"):
                lines += log.read_text(errors="replace").splitlines()
    found = leaks(lines, SECRETS)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"secret scan: {len(lines)} log lines checked for {len(SECRETS)} secrets, "
            f"{len(found)} leaks"
        )
    if found:
        for secret, line in found[:5]:
            if reporter is not None:
                reporter.write_line(f"LEAK of {secret[:4]}…: {line[:200]}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
