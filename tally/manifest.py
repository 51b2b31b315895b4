"""The frozen manifest of a vote: what every ballot, proof and result is bound to.

The web layer builds it with :func:`build_definition` and :func:`with_cards` (or
:func:`build_manifest`, both at once), the verifier parses it with
:func:`parse_manifest`; the manifest hash is ``keys.hashing.manifest_hash`` of its JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from keys import dkg
from keys.ballot import ElectionContext
from keys.cardfile import card_commitment  # shared with python -m keys cards
from keys.errors import CryptoError
from keys.hashing import manifest_hash
from keys.shamir import ElectionKey
from tally.rules import DEFAULT_THRESHOLDS, Threshold
from tally.vocab import DENOMINATOR_VALUES, KIND_LEVELS, Denominator

FORMAT: Final = "phieu-manifest/1"
__all__ = [
    "build_definition",
    "build_manifest",
    "card_commitment",
    "parse_manifest",
    "with_cards",
]


@dataclass(frozen=True)
class Official:
    """A row of the ballot."""

    name: str
    position: str


@dataclass(frozen=True)
class Manifest:
    """A parsed, validated manifest."""

    raw: dict[str, Any]
    hash: bytes
    election_id: str
    meeting: str
    title: str
    kind: str
    officials: tuple[Official, ...]
    base: int
    denominator: str
    thresholds: tuple[Threshold, ...]
    summoned: int
    members_total: int | None
    trustee_names: tuple[str, ...]
    key: ElectionKey
    ceremony_round: int
    card_count: int
    card_commitment: bytes
    server_key: bytes

    @property
    def levels(self) -> tuple[str, ...]:
        """Level codes in ballot order."""
        return KIND_LEVELS[self.kind]

    def context(self) -> ElectionContext:
        """What keys/ needs to verify this vote's ballots."""
        return ElectionContext(
            self.hash, self.key.public_key, self.kind, len(self.officials), self.base
        )


def build_definition(
    *,
    election_id: str,
    meeting: str,
    title: str,
    kind: str,
    officials: list[tuple[str, str]],
    summoned: int,
    trustee_names: list[str],
    ceremony: dict[str, Any],
    server_key: bytes,
    denominator: str = Denominator.RETURNED,
    members_total: int | None = None,
    thresholds: tuple[Threshold, ...] | None = None,
) -> dict[str, Any]:
    """The ballot definition: the manifest without ``cards`` and ``base``, known before
    any card exists (its hash is the ballot fingerprint, keys.hashing.ballot_fingerprint).

    ``ceremony`` is the key ceremony's public record (keys.dkg.ceremony_json); the
    election key is recomputed from it here, every proof checked. ``thresholds``: the
    kind's defaults when not given.
    """
    key = _ceremony_key(ceremony, election_id, trustee_names)
    chosen = DEFAULT_THRESHOLDS[kind] if thresholds is None else thresholds
    return {
        "format": FORMAT,
        "election_id": election_id,
        "meeting": meeting,
        "title": title,
        "kind": kind,
        "levels": list(KIND_LEVELS[kind]),
        "officials": [{"name": n, "position": p} for n, p in officials],
        "rules": {
            "denominator": denominator,
            "members_total": members_total,
            "thresholds": [t.to_json() for t in chosen],
        },
        "summoned": summoned,
        "trustees": {"names": list(trustee_names), **key.to_json(), "ceremony": ceremony},
        "server_key": server_key.hex(),
    }


def with_cards(definition: dict[str, Any], cards: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The manifest JSON: a definition (:func:`build_definition`) with its card set, the
    committed ``cards`` section and ``base`` = card count + 1, keys in the usual order."""
    # The usual key order (base before rules, cards before server_key): canonical JSON
    # sorts the keys anyway, but the order is kept wherever the manifest is shown as is.
    out: dict[str, Any] = {}
    for name, value in definition.items():
        if name == "rules":
            out["base"] = len(cards) + 1
        if name == "server_key":
            out["cards"] = {"count": len(cards), "commitment": card_commitment(cards).hex()}
        out[name] = value
    return out


def build_manifest(*, cards: list[tuple[str, bytes]], **fields: Any) -> dict[str, Any]:
    """The manifest JSON (parse it back with :func:`parse_manifest` to validate):
    :func:`build_definition` of ``fields`` :func:`with_cards` ``cards``."""
    return with_cards(build_definition(**fields), cards)


def _ceremony_key(ceremony: Any, election_id: str, names: list[str]) -> ElectionKey:
    """k is the number of commitments of each contribution (checked by keys.dkg)."""
    try:
        k = len(ceremony["contributions"][0]["commitments"])
    except (KeyError, IndexError, TypeError):
        raise CryptoError("dkg_bad_message", "ceremony: no contributions") from None
    return dkg.joint_key_of(ceremony, election_id, names, k)


def _int(obj: dict[str, Any], name: str, minimum: int = 0) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise CryptoError("bad_encoding", f"manifest: {name} must be an integer ≥ {minimum}")
    return value


def _str(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise CryptoError("bad_encoding", f"manifest: {name} must be a string")
    return value


def parse_manifest(raw: Any) -> Manifest:
    """Validate a manifest JSON object; raise CryptoError naming the first bad field."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise CryptoError("bad_encoding", f"manifest: format is not {FORMAT}")
    kind = _str(raw, "kind")
    if kind not in KIND_LEVELS or raw.get("levels") != list(KIND_LEVELS[kind]):
        raise CryptoError("bad_encoding", "manifest: unknown kind or levels")
    officials_raw = raw.get("officials")
    if not isinstance(officials_raw, list) or not officials_raw:
        raise CryptoError("bad_encoding", "manifest: officials must be a non-empty list")
    officials = tuple(Official(_str(o, "name"), _str(o, "position")) for o in officials_raw)
    rules = raw.get("rules")
    trustees = raw.get("trustees")
    cards = raw.get("cards")
    if not isinstance(rules, dict) or not isinstance(trustees, dict) or not isinstance(cards, dict):
        raise CryptoError("bad_encoding", "manifest: rules, trustees and cards are objects")
    denominator = rules.get("denominator")
    if denominator not in DENOMINATOR_VALUES:
        raise CryptoError("bad_encoding", f"manifest: unknown denominator {denominator!r}")
    members_total = rules.get("members_total")
    if members_total is not None:
        members_total = _int(rules, "members_total", 1)
    elif denominator == Denominator.MEMBERS_TOTAL:
        raise CryptoError("bad_encoding", "manifest: members_total is required by the denominator")
    try:
        thresholds = tuple(Threshold.from_json(t) for t in rules.get("thresholds", []))
    except (ValueError, KeyError, TypeError) as err:
        raise CryptoError("bad_encoding", f"manifest: bad threshold ({err})") from None
    if any(t.level not in KIND_LEVELS[kind] for t in thresholds):
        raise CryptoError("bad_encoding", "manifest: a threshold names an unknown level")
    names = trustees.get("names")
    threshold = trustees.get("threshold")
    if not isinstance(names, list) or not isinstance(threshold, int):
        raise CryptoError("bad_encoding", "manifest: trustees need names and a threshold")
    election_id = _str(raw, "election_id")
    # Recompute ctx, verify every contribution's proofs, A_l = Σ C_il, Y and every X_m.
    key = dkg.check_ceremony(trustees, election_id, names, threshold)
    card_count = _int(cards, "count", 1)
    base = _int(raw, "base", 2)
    if base != card_count + 1:
        # Exactly cards + 1: a larger base makes the count's discrete logarithm endless,
        # and a base chosen modulo N (B² ≡ 1) would fold one level into another.
        raise CryptoError("bad_encoding", "manifest: base must be the number of cards + 1")
    try:
        commitment = bytes.fromhex(_str(cards, "commitment"))
        server_key = bytes.fromhex(_str(raw, "server_key"))
    except ValueError:
        raise CryptoError("bad_encoding", "manifest: commitment or server key is not hex") from None
    return Manifest(
        raw=raw,
        hash=manifest_hash(raw),
        election_id=election_id,
        meeting=_str(raw, "meeting"),
        title=_str(raw, "title"),
        kind=kind,
        officials=officials,
        base=base,
        denominator=denominator,
        thresholds=thresholds,
        summoned=_int(raw, "summoned", 0),
        members_total=members_total,
        trustee_names=tuple(str(n) for n in names),
        key=key,
        ceremony_round=trustees["ceremony"]["round"],
        card_count=card_count,
        card_commitment=commitment,
        server_key=server_key,
    )
