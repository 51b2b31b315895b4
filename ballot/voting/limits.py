"""Cast limits that protect members behind one NAT address.

A whole room usually reaches the server from one Wi-Fi address, so a per-address limit
on casting would let one hostile phone (or a busy room) block everyone. Instead:

* ``CAST_RATE_LIMIT`` counts per **card**: only requests whose card signature verified
  (made by the card's holder; a card's public key alone is public in the manifest, so
  counting before the signature would let anyone exhaust someone else's card);
* ``CAST_ADDRESS_RATE_LIMIT`` counts, per client address, only requests that fail
  **before a card is known** (not JSON, no such card, bad signature, vote not open…).
  When it is exhausted, a request whose body names no card at all is refused before
  its JSON is parsed; any other still gets its cheap checks, so a member with a valid
  card is never refused because of someone else's junk.

* ``CAST_BAD_RATE_LIMIT`` counts, per **card**, ballots whose signature verified but
  whose proofs did not (only the holder can make one): once exhausted, that card's
  casts are refused before parsing until the window ends. A broken or hostile phone
  slows its own card down, never the room;
* a refused ballot's digest (SHA-256 of the exact body) is remembered for
  ``CAST_REFUSED_MEMORY`` seconds in the limits storage (Redis in production, so every
  worker and app server shares it): the same bytes sent again are refused before they
  are parsed, without checking a proof.

The card key is found with one regular expression on the raw body (after the size
checks), never trusted: the full parse decides.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from ballot.extensions import limiter

#: The first "card": "<64 hex>" of the body (the only field read before parsing).
_CARD_FIELD = re.compile(rb'"card"\s*:\s*"([0-9a-fA-F]{64})"')


def card_field(body: bytes) -> str | None:
    """The card public key the body claims (lower-case hex), or None."""
    match = _CARD_FIELD.search(body)
    return match[1].decode().lower() if match else None


def _items(setting: str) -> list[RateLimitItem]:
    return list(parse_many(str(current_app.config[setting])))


def _enabled() -> bool:
    return bool(current_app.config["RATELIMIT_ENABLED"]) and limiter.enabled


def _too_many(setting: str) -> TooManyRequests:
    """The usual 429 page or JSON error (ballot.errors), with Retry-After."""
    return TooManyRequests(retry_after=max(item.get_expiry() for item in _items(setting)))


@dataclass
class CastLimits:
    """The two buckets of one cast request."""

    poll_id: int
    address: str

    def _ids(self, kind: str, who: str) -> tuple[str, ...]:
        prefix = str(current_app.config["RATELIMIT_KEY_PREFIX"])
        return (prefix, "cast", kind, str(self.poll_id), who)

    def _allows(self, setting: str, ids: tuple[str, ...], hit: bool) -> bool:
        if not _enabled():
            return True
        strategy = limiter.limiter
        if hit:
            return all([strategy.hit(item, *ids) for item in _items(setting)])
        return all(strategy.test(item, *ids) for item in _items(setting))

    def _refused_key(self, body: bytes) -> str:
        return "/".join((*self._ids("refused", ""), hashlib.sha256(body).hexdigest()))

    def refused_before(self, body: bytes) -> bool:
        """True when these exact bytes were refused for a bad proof (and still remembered)."""
        if not _enabled():
            return False
        return bool(limiter.limiter.storage.get(self._refused_key(body)))

    def precheck(self, claimed_card: str | None) -> None:
        """Before parsing: refuse a card over its limits, or junk from a flooding address."""
        if claimed_card is not None:
            if not self._allows("CAST_RATE_LIMIT", self._ids("card", claimed_card), hit=False):
                raise _too_many("CAST_RATE_LIMIT")
            if not self._allows("CAST_BAD_RATE_LIMIT", self._ids("bad", claimed_card), False):
                raise _too_many("CAST_BAD_RATE_LIMIT")
        elif not self._allows("CAST_ADDRESS_RATE_LIMIT", self._ids("addr", self.address), False):
            raise _too_many("CAST_ADDRESS_RATE_LIMIT")

    def card_known(self, card_key: bytes) -> None:
        """The card's signature verified: count it against that card."""
        if not self._allows("CAST_RATE_LIMIT", self._ids("card", card_key.hex()), hit=True):
            raise _too_many("CAST_RATE_LIMIT")

    def failed(self) -> None:
        """The request failed before a card was known: count it against the address."""
        if not self._allows("CAST_ADDRESS_RATE_LIMIT", self._ids("addr", self.address), True):
            raise _too_many("CAST_ADDRESS_RATE_LIMIT")

    def bad_ballot(self, card_key: bytes, body: bytes) -> None:
        """A signed ballot failed its proofs: remember its bytes, count it on its card."""
        if not _enabled():
            return
        memory = int(current_app.config["CAST_REFUSED_MEMORY"])  # Redis: whole seconds
        limiter.limiter.storage.incr(self._refused_key(body), memory)
        self._allows("CAST_BAD_RATE_LIMIT", self._ids("bad", card_key.hex()), hit=True)


class NoLimits(CastLimits):
    """For commands and tests that call the operation directly."""

    def __init__(self) -> None:
        super().__init__(0, "")

    def precheck(self, claimed_card: str | None) -> None:
        """Nothing is limited."""

    def card_known(self, card_key: bytes) -> None:
        """Nothing is limited."""

    def failed(self) -> None:
        """Nothing is limited."""

    def refused_before(self, body: bytes) -> bool:
        """Nothing is remembered."""
        return False

    def bad_ballot(self, card_key: bytes, body: bytes) -> None:
        """Nothing is remembered."""
