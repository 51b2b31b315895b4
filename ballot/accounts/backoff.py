"""Login backoff: after each consecutive wrong password for one bucket, the next attempt
in that bucket waits twice as long (1 s, 2 s, 4 s … up to ``LOGIN_BACKOFF_MAX``).

The bucket is the login limit's (ballot.accounts.views.login_limit_key): the account
and the client address, or the browser's known device (ballot.accounts.devices). So a
room guessing the secretariat's password slows only the room's own bucket: the
secretariat's laptop, which logged in before, has a bucket of its own and is never
made to wait by anyone else's wrong passwords.

Kept in the rate limits' storage (Redis in production, so every worker and app server
sees the same waits; memory:// in tests and on one process), as two kinds of counter:

* ``…|n`` — the number of consecutive failures, forgotten ``LOGIN_BACKOFF_MEMORY``
  seconds after the first one, and cleared by a correct login;
* ``…|t|<n>`` — when failure number *n* happened (milliseconds). Each failure writes
  its own key (its *n* comes from the atomic increment), so two failures at once never
  add their times together; a key left from before a reset is cleared first;
* ``…|busy`` — a password of this bucket is being checked. Without it, passwords sent
  in parallel would all pass :func:`wait_seconds` before the first failure is recorded,
  and the doubling waits would not hold. :func:`claim` takes it by an atomic increment
  (only the request that made it 1 checks a password; the others are refused, and
  counted as no failure), :func:`release` clears it after the check; it expires after
  ``LOGIN_CHECK_SECONDS`` should a worker die in between.

The clock is :func:`now` (tests move it instead of sleeping).
"""

from __future__ import annotations

import math
import time

from flask import current_app

from ballot.extensions import limiter


def now() -> float:
    """Seconds since the epoch (a function so that tests can move the clock)."""
    return time.time()


def _enabled() -> bool:
    return (
        bool(current_app.config["RATELIMIT_ENABLED"])
        and limiter.enabled
        and float(current_app.config["LOGIN_BACKOFF_BASE"]) > 0
    )


def _key(bucket: str, *rest: str) -> str:
    prefix = str(current_app.config["RATELIMIT_KEY_PREFIX"])
    return "|".join((prefix, "login-backoff", bucket, *rest))


def delay(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures (0 for none)."""
    if failures <= 0:
        return 0.0
    base = float(current_app.config["LOGIN_BACKOFF_BASE"])
    cap = float(current_app.config["LOGIN_BACKOFF_MAX"])
    return float(min(cap, base * 2 ** min(failures - 1, 32)))


def wait_seconds(bucket: str) -> int:
    """Whole seconds this bucket must still wait before its next attempt (0: go on)."""
    if not _enabled():
        return 0
    storage = limiter.limiter.storage
    failures = int(storage.get(_key(bucket, "n")))
    if failures <= 0:
        return 0
    last_ms = int(storage.get(_key(bucket, "t", str(failures))))
    if last_ms <= 0:  # the failure is being written right now: let this one through
        return 0
    left = last_ms / 1000 + delay(failures) - now()
    return math.ceil(left) if left > 0 else 0


def failed(bucket: str) -> None:
    """A wrong password in this bucket: one more failure, and its time."""
    if not _enabled():
        return
    storage = limiter.limiter.storage
    memory = int(current_app.config["LOGIN_BACKOFF_MEMORY"])
    failures = int(storage.incr(_key(bucket, "n"), memory))
    # Kept as long as its wait can last (whole seconds: Redis expiries). Cleared first:
    # a key of this number may be left from before a correct login reset the count.
    keep = math.ceil(delay(failures)) + 1
    when = _key(bucket, "t", str(failures))
    storage.clear(when)
    storage.incr(when, keep, amount=int(now() * 1000))


def succeeded(bucket: str) -> None:
    """A correct login: this bucket's failures are forgotten."""
    if _enabled():
        limiter.limiter.storage.clear(_key(bucket, "n"))


def claim(bucket: str) -> bool:
    """Take this bucket's one password check in flight; False while another is checked."""
    if not _enabled():
        return True
    keep = int(current_app.config["LOGIN_CHECK_SECONDS"])
    return int(limiter.limiter.storage.incr(_key(bucket, "busy"), keep)) == 1


def release(bucket: str) -> None:
    """The password check of :func:`claim` is over: the next attempt may be checked."""
    if _enabled():
        limiter.limiter.storage.clear(_key(bucket, "busy"))
