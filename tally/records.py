"""The typed election record: one definition per record file (docs/record.md).

Each file has a ``parse_*`` (strict: exact keys, exact types — a boolean is not an
integer —, bounded sizes, lowercase hex of the right length, one time format) and the
writers build the same JSON through the ``*_json`` functions or the dataclasses'
``to_json``. The manifest is parsed by tally/manifest.py. Every defect is a
:class:`VerifyError` naming the file and the item; :class:`Unreadable` when the file is
missing or is not strict JSON at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from keys.ballot import Ballot
from keys.decryption import PartialDecryption
from keys.elgamal import Ciphertext
from keys.errors import CryptoError
from keys.hashing import canonical_json
from tally.actions import vote_fields
from tally.rules import Figures

MAX_ITEMS: Final = 100_000
MAX_TEXT: Final = 2_000
MAX_DETAILS_BYTES: Final = 8_192
SERIAL_RE: Final = re.compile(r"[0-9A-Za-z-]{1,16}")
#: The one time format of a record: ISO 8601, seconds, with an offset (never naive).
TIME_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
_HEX_RE: Final = re.compile(r"[0-9a-f]*")

#: Exact keys of each object of the record (docs/record.md lists the same; a test compares).
KEYS: Final[dict[str, tuple[str, ...]]] = {
    "cards.json": ("cards",),
    "cards.json cards[]": ("serial", "key"),
    "revocations.json": ("revocations",),
    "revocations.json revocations[]": ("serial", "key"),
    "ballots.json": ("ballots",),
    "ballots.json ballots[]": ("seq", "prev", "hash", "tracker", "ballot"),
    "checkpoints.json": ("checkpoints", "close"),
    "checkpoints.json checkpoints[]": ("count", "head", "at", "signature"),
    "checkpoints.json close": ("count", "head", "at", "actions", "actions_head", "signature"),
    "actions.json": ("actions",),
    "actions.json actions[]": ("seq", "at", "actor", "action", "details", "hash"),
    "actions.json poll.checkpoint details": ("poll", "count", "head", "at", "signature"),
    "figures.json": (
        "summoned",
        "present",
        "issued",
        "returned",
        "members_total",
        "opened_at",
        "closed_at",
    ),
    "tally.json": ("ballots", "totals"),
    "decryptions.json": ("decryptions",),
    "results.json": ("denominator", "figures", "trustees", "officials"),
    "audits.json": ("audited",),
    "audits.json audited[]": ("tracker", "ballot"),
    "receipt": ("format", "manifest", "seq", "tracker", "head", "signature"),
    "saved checkpoint": ("format", "manifest", "kind", "count", "head", "at", "signature"),
    "saved close": (
        "format",
        "manifest",
        "kind",
        "count",
        "head",
        "at",
        "actions",
        "actions_head",
        "signature",
    ),
}
RECEIPT_FORMAT: Final = "phieu-receipt/1"
#: A signed head as an observer saves it from the board (docs/record.md §3).
SAVED_HEAD_FORMAT: Final = "phieu-signed-head/1"


class VerifyError(Exception):
    """The first broken item of a record: which file/item, and what is wrong."""

    def __init__(self, item: str, reason: str) -> None:
        self.item = item
        self.reason = reason
        super().__init__(f"{item}: {reason}")


class Unreadable(VerifyError):
    """A record file that is missing or is not (strict) JSON: exit code 2."""


# -- primitive checks ---------------------------------------------------------------------
def obj(value: Any, where: str, kind: str) -> dict[str, Any]:
    """An object with exactly the keys ``KEYS[kind]``."""
    keys = KEYS[kind]
    if not isinstance(value, dict):
        raise VerifyError(where, f"expected an object with keys {', '.join(keys)}")
    missing = [k for k in keys if k not in value]
    extra = sorted(k for k in value if k not in keys)
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else []
        )
        raise VerifyError(where, "; ".join(parts))
    return value


def integer(value: Any, where: str, low: int = 0, high: int = 2**32 - 1) -> int:
    """An integer (not a boolean) in [low, high]."""
    if type(value) is not int or not low <= value <= high:
        raise VerifyError(where, f"expected an integer from {low} to {high}, got {value!r:.40}")
    return value


def text(value: Any, where: str, limit: int = MAX_TEXT) -> str:
    """A string of at most ``limit`` characters."""
    if not isinstance(value, str) or len(value) > limit:
        raise VerifyError(where, f"expected a string of at most {limit} characters")
    return value


def hexbytes(value: Any, where: str, size: int) -> bytes:
    """Lowercase hex of exactly ``size`` bytes."""
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX_RE.fullmatch(value):
        raise VerifyError(where, f"expected {size} bytes of lowercase hex")
    return bytes.fromhex(value)


def items(value: Any, where: str, limit: int = MAX_ITEMS) -> list[Any]:
    """A list of at most ``limit`` items."""
    if not isinstance(value, list) or len(value) > limit:
        raise VerifyError(where, f"expected a list of at most {limit} items")
    return value


def timestamp(value: Any, where: str) -> datetime:
    """``YYYY-MM-DDTHH:MM:SS±HH:MM`` (the record's one time format)."""
    if not isinstance(value, str) or not TIME_RE.fullmatch(value):
        raise VerifyError(where, "expected a time YYYY-MM-DDTHH:MM:SS±HH:MM")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise VerifyError(where, f"{value} is not a valid time") from None


def record_time(at: datetime) -> str:
    """Write a time in the record's format (UTC; naive values are taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


def serial(value: Any, where: str) -> str:
    """A printed card serial: 1–16 of [0-9A-Za-z-]."""
    if not isinstance(value, str) or not SERIAL_RE.fullmatch(value):
        raise VerifyError(where, "expected a card serial (1-16 letters, digits or -)")
    return value


def _crypto(err: CryptoError) -> str:
    return err.message("en")


# -- files --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    """cards.json item: the printed serial and the card's BIP340 key, committed together."""

    serial: str
    key: bytes

    def to_json(self) -> dict[str, Any]:
        """The JSON item."""
        return {"serial": self.serial, "key": self.key.hex()}


def parse_cards(raw: Any, name: str = "cards.json") -> list[Card]:
    """cards.json (also used, with its own name, for revocations.json)."""
    kind = "cards" if name == "cards.json" else "revocations"
    body = obj(raw, name, name)
    out = []
    for n, c in enumerate(items(body[kind], f"{name} {kind}"), start=1):
        where = f"{name} item {n}"
        c = obj(c, where, f"{name} {kind}[]")
        out.append(Card(serial(c["serial"], where + " serial"), hexbytes(c["key"], where, 32)))
    return out


@dataclass(frozen=True)
class ChainEntry:
    """ballots.json item."""

    seq: int
    prev: bytes
    hash: bytes
    tracker: bytes
    ballot: Ballot
    raw_ballot: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The JSON item."""
        return {
            "seq": self.seq,
            "prev": self.prev.hex(),
            "hash": self.hash.hex(),
            "tracker": self.tracker.hex(),
            "ballot": self.raw_ballot,
        }


def parse_ballots(raw: Any) -> list[ChainEntry]:
    """ballots.json; each ballot strictly parsed (proofs are checked by the verifier)."""
    body = obj(raw, "ballots.json", "ballots.json")
    out = []
    for n, e in enumerate(items(body["ballots"], "ballots.json ballots"), start=1):
        where = f"ballot #{n}"
        e = obj(e, where, "ballots.json ballots[]")
        try:
            ballot = Ballot.from_json(e["ballot"])
        except CryptoError as err:
            raise VerifyError(where, _crypto(err)) from None
        out.append(
            ChainEntry(
                integer(e["seq"], where + " seq", 1),
                hexbytes(e["prev"], where + " prev", 32),
                hexbytes(e["hash"], where + " hash", 32),
                hexbytes(e["tracker"], where + " tracker", 32),
                ballot,
                e["ballot"],
            )
        )
    return out


@dataclass(frozen=True)
class SignedHead:
    """A checkpoint, or the close (which also signs the vote's action-log head)."""

    count: int
    head: bytes
    at: str
    signature: bytes
    actions: int | None = None
    actions_head: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object (close keys only when this is the close)."""
        out: dict[str, Any] = {"count": self.count, "head": self.head.hex(), "at": self.at}
        if self.actions is not None and self.actions_head is not None:
            out |= {"actions": self.actions, "actions_head": self.actions_head.hex()}
        return out | {"signature": self.signature.hex()}


def _signed(raw: Any, where: str, kind: str) -> SignedHead:
    c = obj(raw, where, kind)
    timestamp(c["at"], where + " at")
    close = kind.endswith("close")
    return SignedHead(
        integer(c["count"], where + " count"),
        hexbytes(c["head"], where + " head", 32),
        c["at"],
        hexbytes(c["signature"], where + " signature", 64),
        integer(c["actions"], where + " actions", 1) if close else None,
        hexbytes(c["actions_head"], where + " actions_head", 32) if close else None,
    )


def parse_checkpoints(raw: Any) -> tuple[list[SignedHead], SignedHead | None]:
    """checkpoints.json: the checkpoints in order, and the close (null while open)."""
    body = obj(raw, "checkpoints.json", "checkpoints.json")
    cps = [
        _signed(c, f"checkpoint {n}", "checkpoints.json checkpoints[]")
        for n, c in enumerate(items(body["checkpoints"], "checkpoints.json checkpoints"), 1)
    ]
    close = body["close"]
    return cps, None if close is None else _signed(close, "signed close", "checkpoints.json close")


@dataclass(frozen=True)
class Action:
    """actions.json item: one entry of the vote's own action chain."""

    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]
    hash: bytes

    def fields(self) -> dict[str, Any]:
        """What the entry hash covers."""
        return vote_fields(self.seq, self.at, self.actor, self.action, self.details)

    def to_json(self) -> dict[str, Any]:
        """The JSON item."""
        return self.fields() | {"hash": self.hash.hex()}


def parse_actions(raw: Any) -> list[Action]:
    """actions.json."""
    body = obj(raw, "actions.json", "actions.json")
    out = []
    for n, e in enumerate(items(body["actions"], "actions.json actions"), start=1):
        where = f"action {n}"
        e = obj(e, where, "actions.json actions[]")
        timestamp(e["at"], where + " at")
        details = e["details"]
        if not isinstance(details, dict):
            raise VerifyError(where + " details", "expected an object")
        try:
            size = len(canonical_json(details))
        except (TypeError, ValueError):
            raise VerifyError(where + " details", "not canonical JSON") from None
        if size > MAX_DETAILS_BYTES:
            raise VerifyError(where + " details", "too large")
        out.append(
            Action(
                integer(e["seq"], where + " seq", 1),
                e["at"],
                text(e["actor"], where + " actor", 64),
                text(e["action"], where + " action", 64),
                details,
                hexbytes(e["hash"], where + " hash", 32),
            )
        )
    return out


@dataclass(frozen=True)
class FiguresFile:
    """figures.json."""

    summoned: int
    present: int
    issued: int
    returned: int
    members_total: int | None
    opened_at: str
    closed_at: str

    def to_json(self) -> dict[str, Any]:
        """The JSON object."""
        return {k: getattr(self, k) for k in KEYS["figures.json"]}

    def figures(self) -> Figures:
        """The figures the rules count with (the times left out)."""
        return Figures(self.summoned, self.present, self.issued, self.returned, self.members_total)


def parse_figures_file(raw: Any) -> FiguresFile:
    """figures.json."""
    f = obj(raw, "figures.json", "figures.json")
    mt = f["members_total"]
    for name in ("opened_at", "closed_at"):
        timestamp(f[name], f"figures.json {name}")
    n = [integer(f[k], f"figures.json {k}") for k in ("summoned", "present", "issued", "returned")]
    return FiguresFile(
        n[0],
        n[1],
        n[2],
        n[3],
        None if mt is None else integer(mt, "figures.json members_total", 1),
        f["opened_at"],
        f["closed_at"],
    )


def parse_tally(raw: Any, officials: int) -> tuple[list[Ciphertext], int]:
    """tally.json: one encrypted total per official (numbered from 1) and the count."""
    t = obj(raw, "tally.json", "tally.json")
    totals = items(t["totals"], "tally.json totals")
    if len(totals) != officials:
        raise VerifyError("tally.json totals", f"{len(totals)} totals for {officials} officials")
    out = []
    for r, c in enumerate(totals, start=1):
        try:
            out.append(Ciphertext.from_json(c, f"total of official {r}"))
        except CryptoError as err:
            raise VerifyError(f"tally.json, official {r}", _crypto(err)) from None
    return out, integer(t["ballots"], "tally.json ballots")


def parse_decryptions(raw: Any) -> list[PartialDecryption]:
    """decryptions.json (the proofs are checked by the verifier)."""
    d = obj(raw, "decryptions.json", "decryptions.json")
    out = []
    for n, p in enumerate(items(d["decryptions"], "decryptions.json decryptions", 1000), 1):
        try:
            out.append(PartialDecryption.from_json(p))
        except CryptoError as err:
            raise VerifyError(f"decryptions.json item {n}", _crypto(err)) from None
    return out


def first_difference(published: Any, expected: Any, path: str = "") -> str | None:
    """Where two JSON values differ, type-aware (``true`` is not ``1``), or None."""
    if type(published) is not type(expected):
        return path or "(whole file)"
    if isinstance(expected, dict):
        for key in sorted(set(published) | set(expected)):
            if key not in published or key not in expected:
                return f"{path} {key}".strip()
            diff = first_difference(published[key], expected[key], f"{path} {key}".strip())
            if diff:
                return diff
        return None
    if isinstance(expected, list):
        if len(published) != len(expected):
            return f"{path} (length)".strip()
        for i, (p, e) in enumerate(zip(published, expected, strict=True), start=1):
            diff = first_difference(p, e, f"{path}[{i}]")
            if diff:
                return diff
        return None
    return None if published == expected else path


@dataclass(frozen=True)
class Receipt:
    """What a member keeps: the server's signature that ballot ``seq`` with this tracker
    was accepted and the chain then had this head."""

    manifest: bytes
    seq: int
    tracker: bytes
    head: bytes
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        """The receipt JSON (docs/record.md §7)."""
        return {
            "format": RECEIPT_FORMAT,
            "manifest": self.manifest.hex(),
            "seq": self.seq,
            "tracker": self.tracker.hex(),
            "head": self.head.hex(),
            "signature": self.signature.hex(),
        }


def parse_receipt(raw: Any) -> Receipt:
    """A receipt JSON object."""
    r = obj(raw, "receipt", "receipt")
    if r["format"] != RECEIPT_FORMAT:
        raise VerifyError("receipt", f"format is not {RECEIPT_FORMAT}")
    return Receipt(
        hexbytes(r["manifest"], "receipt manifest", 32),
        integer(r["seq"], "receipt seq", 1),
        hexbytes(r["tracker"], "receipt tracker", 32),
        hexbytes(r["head"], "receipt head", 32),
        hexbytes(r["signature"], "receipt signature", 64),
    )


@dataclass(frozen=True)
class SavedHead:
    """A checkpoint or the close as an observer saved it from the board, for a later
    comparison with the published record (``tally verify --checkpoint``)."""

    manifest: bytes
    kind: str
    signed: SignedHead

    def to_json(self) -> dict[str, Any]:
        """The saved file's JSON (docs/record.md §3)."""
        return {
            "format": SAVED_HEAD_FORMAT,
            "manifest": self.manifest.hex(),
            "kind": self.kind,
        } | self.signed.to_json()


def parse_saved_head(raw: Any, where: str) -> SavedHead:
    """A saved signed head; ``where`` names it in errors (the file's name)."""
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in ("checkpoint", "close"):
        raise VerifyError(where, 'expected an object whose "kind" is "checkpoint" or "close"')
    body = obj(raw, where, f"saved {kind}")
    if body["format"] != SAVED_HEAD_FORMAT:
        raise VerifyError(where, f"format is not {SAVED_HEAD_FORMAT}")
    signed_kind = "checkpoints.json close" if kind == "close" else "checkpoints.json checkpoints[]"
    fields = {k: body[k] for k in KEYS[signed_kind]}
    return SavedHead(
        hexbytes(body["manifest"], where + " manifest", 32),
        kind,
        _signed(fields, where, signed_kind),
    )
