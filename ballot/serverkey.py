"""The server's Ed25519 signing key (checkpoints and the final chain head).

Kept in a PEM file (``SERVER_KEY_PATH``, default ``instance/server-ed25519.pem``),
encrypted under the app's SECRET_KEY so the file alone does not give the key, created
with mode 0600 on first use. Every app server of one installation shares the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from keys import signing

_CACHE: dict[str, Ed25519PrivateKey] = {}


def key_path() -> Path:
    """Where the server's encrypted signing key is kept (``SERVER_KEY_PATH``)."""
    configured = current_app.config["SERVER_KEY_PATH"]
    return Path(configured or os.path.join(current_app.instance_path, "server-ed25519.pem"))


def server_key() -> Ed25519PrivateKey:
    """Load (or create once) the server's signing key."""
    path = key_path()
    cached = _CACHE.get(str(path))
    if cached is not None:
        return cached
    passphrase = str(current_app.config["SECRET_KEY"]).encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = signing.private_to_pem(signing.generate(), passphrase)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first: read theirs
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    key = signing.private_from_pem(path.read_bytes(), passphrase)
    _CACHE[str(path)] = key
    return key


def server_public_key() -> bytes:
    """The 32-byte public key published in the manifest."""
    return signing.public_bytes(server_key())


def _lock_path() -> Path:
    return key_path().with_name(key_path().name + ".in-use")


def hold_in_use() -> int | None:
    """Mark the key file as in use by this server until the process and its children
    end (a shared lock on ``<key file>.in-use``, inherited by gunicorn's workers).

    A worker forked later (gunicorn recycles them) opens the key file again with the
    SECRET_KEY it was started with, so ``server-key rotate`` must not re-encrypt it under
    this server: it refuses while the lock is held (:func:`exclusive`)."""
    import fcntl

    path = _lock_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError as err:  # a read-only folder: serve anyway, rotation is then unguarded
        current_app.logger.warning("cannot mark %s in use (%s)", path, err.strerror)
        return None
    return fd


class InUse(Exception):
    """A running server holds the key file (:func:`hold_in_use`)."""


@contextmanager
def exclusive() -> Iterator[None]:
    """Hold the key file for a rotation: raise :class:`InUse` while a server holds it,
    and keep any server from starting to use it until the block ends (a gunicorn
    starting meanwhile waits, then checks the key again, ``config/gunicorn.conf.py``)."""
    import fcntl

    path = _lock_path()
    try:  # read-only is enough for a lock, and works on a file another user made
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
    except OSError:
        yield  # no lock file can be made here: nothing can hold one either
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InUse(str(path)) from None
        yield
    finally:
        os.close(fd)  # releases the lock
