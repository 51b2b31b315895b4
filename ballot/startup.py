"""Production start-up checks: the app refuses to start on an unsafe setup.

``create_app`` calls :func:`check_settings` before anything is bound and
:func:`check_server_key` once the database is; both only when ``ENV_NAME`` is
``"production"``. A refusal is a :class:`ConfigurationError` whose text says, in
Vietnamese then English, what is wrong and what to do; ``wsgi.py`` prints it and
exits 1 without a traceback (gunicorn and ``flask`` commands alike).

* ``SECRET_KEY``: at least 32 characters, not a placeholder, at least 8 distinct
  characters, not one block repeated, and at least 128 bits by the character-frequency
  estimate (length × Shannon entropy of its characters). ``secrets.token_hex(32)``
  gives about 250.
* Secure cookies.
* ``RATELIMIT_STORAGE_URI = memory://`` with more than one worker: each worker would
  count alone. Workers are read from ``WORKERS`` (``PHIEU_WORKERS``), else the
  environment's ``GUNICORN_WORKERS`` (config/gunicorn.conf.py exports the number it
  uses) or ``WEB_CONCURRENCY``; none of these means one process.
* The server's signing key (ballot.serverkey) must open with this ``SECRET_KEY`` and be
  the ``server_key`` of every open or closed vote's manifest.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from pathlib import Path

from flask import Flask

from keys import signing
from keys.errors import CryptoError

log = logging.getLogger(__name__)

#: SECRET_KEY values that mark a development setup or the example file's placeholder.
WEAK_SECRET_PREFIXES = ("dev", "REPLACE", "change", "test")
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
MIN_SECRET_DISTINCT = 8


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"Lỗi: {vi}\nError: {en}")
        self.vi, self.en = vi, en


def secret_bits(secret: str) -> float:
    """Estimated strength: length × Shannon entropy of the character frequencies."""
    n = len(secret)
    if n == 0:
        return 0.0
    counts = Counter(secret).values()
    return -n * sum(c / n * math.log2(c / n) for c in counts)


def secret_weakness(secret: object) -> str | None:
    """Why ``secret`` is not a real SECRET_KEY (English), or None when it is."""
    if isinstance(secret, bytes):
        secret = secret.decode("latin-1")
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if secret.startswith(WEAK_SECRET_PREFIXES):
        return "a placeholder or development value"
    if len(set(secret)) < MIN_SECRET_DISTINCT:
        return f"fewer than {MIN_SECRET_DISTINCT} distinct characters"
    n = len(secret)
    if any(secret == (secret[:p] * (n // p + 1))[:n] for p in range(1, n // 2 + 1)):
        return "one block repeated"
    if secret_bits(secret) < MIN_SECRET_BITS:
        return f"less than {MIN_SECRET_BITS} bits of estimated entropy"
    return None


def configured_workers(app: Flask) -> int:
    """How many worker processes serve this app, as far as the app can know."""
    for value in (
        app.config["WORKERS"],
        os.environ.get("GUNICORN_WORKERS"),
        os.environ.get("WEB_CONCURRENCY"),
    ):
        if value not in (None, ""):
            try:
                return max(1, int(str(value)))
            except ValueError:
                raise ConfigurationError(
                    f"số tiến trình (workers) không hợp lệ: {value!r}",
                    f"the number of workers is not a number: {value!r}",
                ) from None
    return 1


def check_settings(app: Flask) -> None:
    """SECRET_KEY, cookies and rate-limit storage (production only)."""
    if app.config["ENV_NAME"] != "production":
        return
    weakness = secret_weakness(app.config["SECRET_KEY"])
    if weakness:
        raise ConfigurationError(
            "SECRET_KEY yếu, không khởi động ở chế độ production. Tạo khóa bằng: "
            'python -c "import secrets; print(secrets.token_hex(32))" và ghi vào '
            "instance/config.py (xem config/production.example.py).",
            f"refusing to start in production: the SECRET_KEY is weak ({weakness}). "
            'Make one with: python -c "import secrets; print(secrets.token_hex(32))" '
            "and put it in instance/config.py (see config/production.example.py).",
        )
    if not app.config["SESSION_COOKIE_SECURE"]:
        raise ConfigurationError(
            "không khởi động ở chế độ production khi cookie không bật Secure "
            "(SESSION_COOKIE_SECURE = True, sau HTTPS).",
            "refusing to start in production without secure cookies "
            "(SESSION_COOKIE_SECURE = True, behind HTTPS).",
        )
    storage = str(app.config["RATELIMIT_STORAGE_URI"])
    workers = configured_workers(app)
    if storage.startswith("memory://"):
        if workers > 1:
            raise ConfigurationError(
                f"RATELIMIT_STORAGE_URI là memory:// nhưng có {workers} tiến trình: mỗi "
                "tiến trình đếm riêng nên giới hạn không còn tác dụng. Dùng "
                "redis://127.0.0.1:6379/0, hoặc GUNICORN_WORKERS=1.",
                f"RATELIMIT_STORAGE_URI is memory:// with {workers} workers: each would "
                "count alone and the limits would not hold. Use redis://127.0.0.1:6379/0 "
                "(or run a single worker, GUNICORN_WORKERS=1).",
            )
        log.warning("RATELIMIT_STORAGE_URI is memory://: limits are per process")


def check_server_key(app: Flask) -> None:
    """The server's signing key opens and signs for every open or closed vote."""
    if app.config["ENV_NAME"] != "production":
        return
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from ballot.db import db
    from ballot.polls.models import Poll
    from ballot.serverkey import key_path
    from ballot.states import State

    with app.app_context():
        path = key_path()
        try:
            rows = db.session.execute(
                select(Poll.public_id, Poll.manifest).where(
                    Poll.state.in_((State.OPEN, State.CLOSED))
                )
            ).all()
        except SQLAlchemyError as err:
            # Not migrated yet, or the database is down: `db-upgrade` must still run.
            log.warning("server key not checked against the votes: %s", type(err).__name__)
            rows = []
        finally:
            db.session.remove()
            db.engine.dispose()  # a refused app must leave no connection open
    public = _open_server_key(path, str(app.config["SECRET_KEY"]))
    expected = {pid: _manifest_server_key(text) for pid, text in rows}
    if expected and public is None:
        raise ConfigurationError(
            f"không có tệp khóa ký của máy chủ {path} trong khi các cuộc bỏ phiếu "
            f"{', '.join(sorted(expected))} đang mở hoặc đã đóng. Khôi phục tệp này từ "
            "bản sao lưu thư mục instance/.",
            f"the server signing key file {path} is missing while votes "
            f"{', '.join(sorted(expected))} are open or closed. Restore it from the "
            "backup of the instance/ folder (with its SECRET_KEY).",
        )
    wrong = sorted(pid for pid, key in expected.items() if key != public)
    if wrong:
        raise ConfigurationError(
            f"khóa ký của máy chủ ({path}) không phải khóa trong bản kê của cuộc bỏ phiếu "
            f"{', '.join(wrong)}. Khôi phục tệp khóa và SECRET_KEY đúng từ bản sao lưu.",
            f"the server signing key ({path}) is not the server_key in the manifest of "
            f"vote(s) {', '.join(wrong)}. Restore the key file and its SECRET_KEY from "
            "the backup of instance/; the record of these votes cannot be signed otherwise.",
        )


def _open_server_key(path: Path, secret: str) -> bytes | None:
    if not path.exists():
        return None
    try:
        key = signing.private_from_pem(path.read_bytes(), secret.encode())
    except (CryptoError, OSError):
        raise ConfigurationError(
            f"tệp khóa ký của máy chủ {path} không mở được bằng SECRET_KEY hiện tại. Đặt "
            "lại SECRET_KEY đã dùng khi tạo khóa (instance/config.py trong bản sao lưu); "
            "không bao giờ đổi SECRET_KEY giữa lúc khóa bản kê và lúc công bố hồ sơ.",
            f"the server signing key file {path} does not open with this SECRET_KEY. Put "
            "back the SECRET_KEY it was made with (instance/config.py from the backup); "
            "never change SECRET_KEY between freezing a vote and publishing its record.",
        ) from None
    return signing.public_bytes(key)


def _manifest_server_key(text: str | None) -> bytes | None:
    import json

    try:
        return bytes.fromhex(json.loads(text or "{}")["server_key"])
    except (ValueError, KeyError, TypeError):
        return None
