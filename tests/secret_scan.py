"""A pytest plugin: nothing that links a moment to a card may appear in any log line
written during the whole test run (docs/security.md, property 7): no card secret, card
code, card public key, receipt (tracker or signature) or passphrase.

It records every such value the run creates or sees (by wrapping the functions that make
them: card codes, decoded codes, card keys, ballot trackers, server signatures — receipts
among them —, share and state passphrases; and the receipts real servers answer, see
:func:`remember_receipt`), captures every log record of the test process, and at the end
also reads the log files of the real gunicorn servers the tests started (their access
logs included). Any hit fails the session.

A tracker is public on the board, but a log line is a moment: "tracker T at 10:02" next
to "card K at 10:02" is the link the guide forbids, so trackers count as secrets here.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

SECRETS: set[str] = set()
LINES: list[str] = []
#: The log files of real servers that the session scan reads (under the session's tmp).
SERVER_LOGS = "gunicorn*.log"
_TOKEN_CHARS = re.compile(r"[0-9A-Za-z-]+")
_TOKEN = re.compile(r"[0-9a-z-]{8,}")
#: Separators a code may be written with (spaces, '+' of a query string, '_', '.', '-',
#: an escaped '-'): a line is also searched with them all removed.
_SEPARATORS = re.compile(r"%2d|[\s+_.\-]", re.IGNORECASE)


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            LINES.append(self.format(record))
        except Exception:  # a broken record must not break the run
            LINES.append(str(record.msg))


def remember(value: str) -> None:
    """Add a secret to look for (and its compact forms)."""
    if len(value) >= 8:
        SECRETS.add(value)
        SECRETS.add(value.replace("-", ""))


def remember_receipt(body: Any) -> None:
    """Remember the tracker, signatures and card key of a receipt or ballot (any nesting)."""
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("tracker", "signature", "card") and isinstance(value, str):
                remember(value)
            else:
                remember_receipt(value)
    elif isinstance(body, list):
        for value in body:
            remember_receipt(value)


def leaks(lines: list[str], secrets: set[str]) -> list[tuple[str, str]]:
    """(secret, line) for every line that contains a secret (letters in any case).

    Secrets made of letters, digits and '-' (codes, hex keys, trackers, signatures) are
    looked up as windows of each line's such runs in a set, so a whole session's
    thousands of card keys cost no more than a few; other secrets (passphrases) are
    searched as substrings. Each line is searched as written and with every separator a
    code may be typed with removed. A truncated prefix of a value is not detected.
    """
    tokens: dict[str, set[str]] = defaultdict(set)
    phrases = []
    for s in secrets:
        if _TOKEN_CHARS.fullmatch(s):
            tokens[s.lower()].add(s)
        else:
            phrases.append(s)
    lengths = sorted({len(t) for t in tokens})
    found = []
    for line in lines:
        here: set[str] = set()
        low = line.lower()
        for text in (low, _SEPARATORS.sub("", low)):
            for run in _TOKEN.findall(text):
                for size in lengths:
                    if size > len(run):
                        break
                    for i in range(len(run) - size + 1):
                        hit = tokens.get(run[i : i + size])
                        if hit:
                            here |= hit
        here.update(p for p in phrases if p in line)
        found += [(s, line) for s in sorted(here)]
    return found


def server_log_lines(root: Path) -> list[str]:
    """Every line of the real servers' log files under ``root`` (access logs included)."""
    lines: list[str] = []
    for log in sorted(root.rglob(SERVER_LOGS)):
        lines += log.read_text(errors="replace").splitlines()
    return lines


def _wrap() -> None:
    from keys import cards, sharefile

    original_encode, original_seal = cards.encode_code, sharefile.seal
    original_decode, original_key = cards.decode_code, cards.public_key

    def encode_code(secret: bytes) -> str:
        code = original_encode(secret)
        remember(code)
        remember(secret.hex())
        return code

    def decode_code(text: str) -> bytes:  # codes made in another process (a server's)
        secret = original_decode(text)
        remember(original_encode(secret))
        remember(secret.hex())
        return secret

    def public_key(sk: int) -> bytes:
        key = original_key(sk)
        remember(key.hex())
        return key

    cards.decode_code = decode_code  # type: ignore[assignment]
    cards.public_key = public_key  # type: ignore[assignment]
    _wrap_receipts()

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


def _wrap_receipts() -> None:
    from keys import signing
    from keys.ballot import Ballot

    original_tracker, original_sign = Ballot.tracker, signing.sign

    def tracker(self: Ballot) -> bytes:
        value = original_tracker(self)
        remember(value.hex())
        return value

    def sign(*args: Any, **kwargs: Any) -> bytes:  # receipts, checkpoints, the close
        signature = original_sign(*args, **kwargs)
        remember(signature.hex())
        return signature

    Ballot.tracker = tracker  # type: ignore[method-assign]
    signing.sign = sign  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    """Start capturing and wrapping before any test runs."""
    handler = _Capture(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # a leak at debug level is a leak too
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
            lines += server_log_lines(root)
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
