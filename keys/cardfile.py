"""Cards made away from the server: the ballot definition file and the public card file.

The secretariat downloads the *ballot definition* (format ``phieu-ballot-definition/1``)
from the cards page, carries it to a laptop that never talks to the server, and runs
``python -m keys cards``. That command recomputes the ballot fingerprint from the
definition itself, draws every card secret there, prints the PDF and writes the
*public card file* (format ``phieu-cards/1``): the vote id, the fingerprint, and per
card only ``{serial, key, spare}``. The server is given the public file alone, checks it
strictly (:func:`parse_public_file`) and stores the keys as if it had made the cards.
Formats: docs/record.md, "Cards made offline".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from coincurve import PublicKeyXOnly

from keys.errors import CryptoError
from keys.hashing import TAG_CARDS, ballot_definition, ballot_fingerprint, digest, u32

DEFINITION_FORMAT: Final = "phieu-ballot-definition/1"
PUBLIC_FORMAT: Final = "phieu-cards/1"
MAX_CARDS: Final = 5000
MAX_SPARES: Final = 1000
#: Bytes of a public card file at most: ~110 bytes a card, with room for indentation.
MAX_PUBLIC_FILE: Final = 200 * MAX_CARDS + 4096
MAX_DEFINITION_FILE: Final = 4 * 1024 * 1024


def card_commitment(cards: list[tuple[str, bytes]]) -> bytes:
    """The committed card set: digest(TAG_CARDS, u32(count), then for each card in serial
    order: serial UTF-8, its 32-byte key). Serials are bound too, so a revocation or a
    spare named by serial cannot be moved to another card. The manifest carries it
    (tally/manifest.py); ``python -m keys cards`` prints it for comparison."""
    parts: list[bytes] = []
    for serial, key in sorted(cards):
        parts += [serial.encode(), key]
    return digest(TAG_CARDS, u32(len(cards)), *parts)


@dataclass(frozen=True)
class Definition:
    """What ``python -m keys cards`` needs: read from the downloaded definition file."""

    election_id: str
    title: str
    summoned: int
    spares: int
    base_url: str
    fingerprint: bytes  # recomputed here from ``definition``, never taken from the file


@dataclass(frozen=True)
class PublicCard:
    """One card as the server stores it: its serial, x-only public key, and whether spare."""

    serial: str
    key: bytes
    spare: bool


def definition_file(
    *, manifest: dict[str, Any], summoned: int, spares: int, base_url: str
) -> dict[str, Any]:
    """The definition the cards page offers for download (``manifest``: the draft one)."""
    definition = ballot_definition(manifest)
    return {
        "format": DEFINITION_FORMAT,
        "election_id": definition["election_id"],
        "title": definition["title"],
        "summoned": summoned,
        "spares": spares,
        "base_url": base_url,
        "ballot_fingerprint": ballot_fingerprint(definition).hex(),
        "definition": definition,
    }


def _bad(code: str, detail: str) -> CryptoError:
    return CryptoError(code, detail)


def read_definition(data: bytes) -> Definition:
    """Parse and check a definition file; the fingerprint is recomputed from its content."""
    if len(data) > MAX_DEFINITION_FILE:
        raise _bad("bad_definition", "file too large")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad("bad_definition", "not JSON") from None
    if not isinstance(raw, dict) or raw.get("format") != DEFINITION_FORMAT:
        raise _bad("bad_definition", f"format is not {DEFINITION_FORMAT}")
    definition = raw.get("definition")
    if not isinstance(definition, dict):
        raise _bad("bad_definition", "no definition")
    election_id, title = raw.get("election_id"), raw.get("title")
    if not isinstance(election_id, str) or not election_id or not isinstance(title, str):
        raise _bad("bad_definition", "vote id or title missing")
    if definition.get("election_id") != election_id or definition.get("title") != title:
        raise _bad("bad_definition", "vote id or title differs from the definition's")
    summoned, spares = raw.get("summoned"), raw.get("spares")
    for name, value, top in (("summoned", summoned, MAX_CARDS), ("spares", spares, MAX_SPARES)):
        if type(value) is not int or not 0 <= value <= top:
            raise _bad("bad_definition", f"{name} is not a whole number 0..{top}")
    assert isinstance(summoned, int) and isinstance(spares, int)  # noqa: S101 - for mypy
    if definition.get("summoned") != summoned:
        raise _bad("bad_definition", "summoned differs from the definition's")
    if not 1 <= summoned + spares <= MAX_CARDS:
        raise _bad("bad_definition", f"between 1 and {MAX_CARDS} cards")
    base_url = raw.get("base_url")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise _bad("bad_definition", "base_url is not an http(s) address")
    try:
        fingerprint = ballot_fingerprint(definition)
    except (TypeError, ValueError) as err:
        raise _bad("bad_definition", f"definition cannot be hashed: {err}") from None
    stated = raw.get("ballot_fingerprint")
    if stated is not None and stated != fingerprint.hex():
        raise _bad("bad_definition", "its ballot_fingerprint is not the hash of its definition")
    return Definition(election_id, title, summoned, spares, base_url.rstrip("/"), fingerprint)


def public_file(election_id: str, fingerprint: bytes, cards: list[PublicCard]) -> bytes:
    """The public card file (UTF-8 JSON, no secret in it)."""
    body = {
        "format": PUBLIC_FORMAT,
        "election_id": election_id,
        "ballot_fingerprint": fingerprint.hex(),
        "cards": [{"serial": c.serial, "key": c.key.hex(), "spare": c.spare} for c in cards],
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode() + b"\n"


def _valid_key(text: Any) -> bytes | None:
    if not isinstance(text, str) or len(text) != 64 or text != text.lower():
        return None
    try:
        key = bytes.fromhex(text)
        PublicKeyXOnly(key)  # libsecp256k1: x must be on the curve
    except (ValueError, TypeError):
        return None
    return key


def parse_public_file(
    data: bytes, *, election_id: str, fingerprint: bytes, summoned: int
) -> list[PublicCard]:
    """Check a public card file strictly against the vote; return its cards in order.

    Refused (``CryptoError``): too large, not ``phieu-cards/1``, another vote, another
    ballot fingerprint, fewer cards than members summoned or more than the limit, serials
    not ``0001``… consecutive, a spare before a summoned member's card, a key that is not
    a valid x-only BIP340 key, or a key twice.
    """
    if len(data) > MAX_PUBLIC_FILE:
        raise _bad("cards_too_large", f"more than {MAX_PUBLIC_FILE} bytes")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad("cards_bad_file", "not JSON") from None
    if not isinstance(raw, dict) or raw.get("format") != PUBLIC_FORMAT:
        raise _bad("cards_bad_file", f"format is not {PUBLIC_FORMAT}")
    if set(raw) != {"format", "election_id", "ballot_fingerprint", "cards"}:
        raise _bad("cards_bad_file", "unexpected or missing fields")
    if raw["election_id"] != election_id:
        raise _bad("cards_other_vote", str(raw["election_id"])[:40])
    if raw["ballot_fingerprint"] != fingerprint.hex():
        raise _bad("cards_fingerprint", str(raw["ballot_fingerprint"])[:16])
    items = raw["cards"]
    if not isinstance(items, list):
        raise _bad("cards_bad_file", "cards is not a list")
    if not summoned <= len(items) <= min(summoned + MAX_SPARES, MAX_CARDS):
        raise _bad("cards_count", f"{len(items)} cards for {summoned} members summoned")
    out: list[PublicCard] = []
    seen: set[bytes] = set()
    for i, item in enumerate(items):
        serial = f"{i + 1:04d}"
        if not isinstance(item, dict) or set(item) != {"serial", "key", "spare"}:
            raise _bad("cards_bad_file", f"card {serial}")
        if item["serial"] != serial:
            raise _bad("cards_serial", f"{str(item['serial'])[:8]}, expected {serial}")
        if item["spare"] is not (i >= summoned):
            raise _bad("cards_spare", serial)
        key = _valid_key(item["key"])
        if key is None:
            raise _bad("cards_bad_key", serial)
        if key in seen:
            raise _bad("cards_duplicate", serial)
        seen.add(key)
        out.append(PublicCard(serial, key, i >= summoned))
    return out
