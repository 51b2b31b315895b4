"""``tally verify``: check a whole election record with nothing but the record.

The checks run in the order below and stop at the first broken item, which is named
(which ballot, which card, which trustee, which official, which figure).
Ballot proofs, the expensive part, are checked on every core.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from keys import dkg, signing
from keys.ballot import Ballot, verify_ballot
from keys.decryption import PartialDecryption
from keys.errors import CryptoError

from tally.actions import verify_actions
from tally.count import accept_partial, aggregate_ballots, parse_figures, parse_totals, results
from tally.manifest import Manifest, card_commitment, parse_manifest
from tally.record import TAG_CHECKPOINT, TAG_CLOSE, Record, chain_link, head_message


class VerifyError(Exception):
    """The first broken item of a record."""

    def __init__(self, item: str, reason: str) -> None:
        self.item = item
        self.reason = reason
        super().__init__(f"{item}: {reason}")


@dataclass
class Report:
    """What was checked, for the short readable report."""

    lines: list[str] = field(default_factory=list)
    record_hash: str = ""

    def ok(self, text: str) -> None:
        """Note a check that held."""
        self.lines.append(f"OK  {text}")


def _fail(item: str, err: Exception | str) -> VerifyError:
    reason = err.message("en") if isinstance(err, CryptoError) else str(err)
    return VerifyError(item, reason)


# -- ballot proofs on every core -------------------------------------------------
_CTX: Any = None


def _init_worker(manifest_raw: dict[str, Any]) -> None:
    global _CTX
    _CTX = parse_manifest(manifest_raw).context()


def _check_chunk(chunk: list[tuple[int, dict[str, Any]]]) -> tuple[int, str] | None:
    for seq, obj in chunk:
        try:
            verify_ballot(_CTX, Ballot.from_json(obj))
        except CryptoError as err:
            return seq, err.message("en")
    return None


def _check_proofs(manifest: Manifest, entries: list[dict[str, Any]], workers: int) -> None:
    items = [(e["seq"], e["ballot"]) for e in entries]
    if workers <= 1 or len(items) < 8:
        _init_worker(manifest.raw)
        bad = _check_chunk(items)
        if bad:
            raise VerifyError(f"ballot #{bad[0]}", bad[1])
        return
    size = max(1, len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(manifest.raw,)) as pool:
        failures = [f for f in pool.map(_check_chunk, chunks) if f is not None]
    if failures:
        seq, reason = min(failures)
        raise VerifyError(f"ballot #{seq}", reason)


# -- the checks -----------------------------------------------------------------
def _hex(value: Any, item: str, size: int) -> bytes:
    try:
        data = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        data = b""
    if len(data) != size:
        raise VerifyError(item, f"expected {size} bytes of hex")
    return data


def _check_cards(
    record: Record, manifest: Manifest, report: Report
) -> tuple[set[bytes], set[bytes]]:
    cards = record.json("cards.json").get("cards", [])
    keys = [_hex(c.get("key"), f"card {c.get('serial')}", 32) for c in cards]
    if len(set(keys)) != len(keys) or len(keys) != manifest.card_count:
        raise VerifyError("cards.json", "card keys are duplicated or not the committed count")
    if card_commitment(keys) != manifest.card_commitment:
        raise VerifyError("cards.json", "the card set does not match the manifest's commitment")
    committed = set(keys)
    revoked = set()
    for rv in record.json("revocations.json").get("revocations", []):
        key = _hex(rv.get("key"), f"revocation of card {rv.get('serial')}", 32)
        if key not in committed:
            raise VerifyError(f"revocation of card {rv.get('serial')}", "not a committed card")
        revoked.add(key)
    report.ok(f"{len(keys)} cards match the committed set; {len(revoked)} revoked")
    return committed, revoked


def _check_chain(
    record: Record, manifest: Manifest, committed: set[bytes], revoked: set[bytes], report: Report
) -> tuple[list[dict[str, Any]], list[Ballot]]:
    entries = record.json("ballots.json").get("ballots", [])
    parsed: list[Ballot] = []
    prev = manifest.hash
    heads = {0: prev}
    used: dict[bytes, int] = {}
    for n, entry in enumerate(entries, start=1):
        item = f"ballot #{n}"
        if entry.get("seq") != n:
            raise VerifyError(item, f"sequence number is {entry.get('seq')!r}, expected {n}")
        try:
            ballot = Ballot.from_json(entry.get("ballot"))
        except CryptoError as err:
            raise _fail(item, err) from None
        tracker = ballot.tracker()
        if _hex(entry.get("tracker"), item, 32) != tracker:
            raise VerifyError(item, "tracker does not match the ballot")
        if _hex(entry.get("prev"), item, 32) != prev:
            raise VerifyError(item, "does not link to the previous ballot (deleted or reordered?)")
        link = chain_link(prev, n, tracker)
        if _hex(entry.get("hash"), item, 32) != link:
            raise VerifyError(item, "chain hash is wrong")
        if ballot.card not in committed:
            raise VerifyError(item, "cast with a card outside the committed set")
        if ballot.card in revoked:
            raise VerifyError(item, "cast with a revoked card")
        if ballot.card in used:
            raise VerifyError(item, f"second ballot of the card of ballot #{used[ballot.card]}")
        used[ballot.card] = n
        parsed.append(ballot)
        prev = link
        heads[n] = link
    report.ok(f"{len(entries)} ballots chained from the manifest hash, one per unrevoked card")
    cp = record.json("checkpoints.json")
    for i, c in enumerate(cp.get("checkpoints", [])):
        _check_signed(manifest, TAG_CHECKPOINT, c, heads, f"checkpoint {i + 1}")
    close = cp.get("close")
    if not isinstance(close, dict):
        raise VerifyError("checkpoints.json", "the signed close is missing")
    _check_signed(manifest, TAG_CLOSE, close, heads, "signed close")
    if close.get("count") != len(entries):
        raise VerifyError("signed close", "signed ballot count differs from the chain")
    report.ok(f"signed final head {prev.hex()[:16]}… over {len(entries)} ballots")
    return entries, parsed


def _check_confirmations(record: Record, manifest: Manifest, report: Report) -> None:
    """Every trustee confirmed this exact manifest: n proofs of x_j over its hash."""
    try:
        items = record.json("confirmations.json")
    except CryptoError as err:
        raise _fail("confirmations.json", err) from None
    n = manifest.key.trustees
    if not isinstance(items, list):
        raise VerifyError("confirmations.json", "expected a list of confirmations")
    if len(items) != n:
        raise VerifyError("confirmations.json", f"expected {n} confirmations, found {len(items)}")
    for position, msg in enumerate(items, start=1):
        claimed = msg.get("trustee") if isinstance(msg, dict) else None
        item = f"confirmation {position} (trustee {claimed!r})"
        try:
            j = dkg.verify_confirm(msg, manifest.hash, manifest.key, manifest.election_id)
        except CryptoError as err:
            raise _fail(item, err) from None
        if j != position:
            raise VerifyError(item, f"expected trustee {position}: ascending, each trustee once")
    report.ok(f"{n} trustees confirmed the manifest (proofs of their shares)")


def _check_signed(
    manifest: Manifest, tag: bytes, c: dict[str, Any], heads: dict[int, bytes], item: str
) -> None:
    count, at = c.get("count"), c.get("at")
    if not isinstance(count, int) or count not in heads or not isinstance(at, str):
        raise VerifyError(item, "count or time is missing or beyond the chain")
    head = _hex(c.get("head"), item, 32)
    if head != heads[count]:
        raise VerifyError(item, f"head differs from the chain at ballot {count}")
    message = head_message(tag, manifest.hash, count, head, at)
    try:
        signing.verify(manifest.server_key, message, _hex(c.get("signature"), item, 64))
    except CryptoError:
        raise VerifyError(item, "server signature does not verify") from None


def verify_record(record: Record, workers: int | None = None) -> Report:
    """Check everything; return the report or raise VerifyError on the first broken item."""
    report = Report(record_hash=record.hash().hex())
    try:
        manifest = parse_manifest(record.json("manifest.json"))
    except CryptoError as err:
        raise _fail("manifest", err) from None
    report.ok(f"manifest {manifest.hash.hex()} ({len(manifest.officials)} officials)")
    report.ok(
        f"key ceremony round {manifest.ceremony_round}: {manifest.key.trustees} contributions, "
        "every proof, election key and trustee keys consistent (Feldman)"
    )
    _check_confirmations(record, manifest, report)
    committed, revoked = _check_cards(record, manifest, report)
    try:
        actions = verify_actions(record.json("actions.json").get("actions", []))
    except CryptoError as err:
        raise _fail("action log", err) from None
    report.ok(f"action log: {actions} entries hash-chained")
    entries, ballots = _check_chain(record, manifest, committed, revoked, report)
    _check_proofs(manifest, entries, workers or os.cpu_count() or 1)
    report.ok(f"every proof and card signature of {len(entries)} ballots")
    try:
        totals, count = parse_totals(record.json("tally.json"), manifest)
        figures = parse_figures(record.json("figures.json"))
    except CryptoError as err:
        raise _fail("tally", err) from None
    expected = aggregate_ballots(manifest, ballots)
    for r, (got, want) in enumerate(zip(totals, expected, strict=True)):
        if got != want:
            raise VerifyError(f"sum of official {r + 1}", "does not equal the sum of the ballots")
    if count != len(entries) or figures.returned != len(entries):
        raise VerifyError("figure returned", "differs from the number of ballots in the chain")
    if figures.issued < figures.returned or figures.present > figures.summoned:
        raise VerifyError("figures", "issued < returned or present > summoned")
    report.ok(f"per-official sums over {len(entries)} ballots")
    parts: list[PartialDecryption] = []
    for obj in record.json("decryptions.json").get("decryptions", []):
        item = (
            f"partial decryption of trustee {obj.get('trustee') if isinstance(obj, dict) else '?'}"
        )
        try:
            parts.append(accept_partial(manifest, totals, parts, obj))
        except CryptoError as err:
            raise _fail(item, err) from None
    report.ok(f"{len(parts)} partial decryptions with valid proofs (k = {manifest.key.threshold})")
    try:
        recomputed = results(manifest, figures, totals, parts)
    except CryptoError as err:
        raise _fail("combination", err) from None
    _compare_results(record.json("results.json"), recomputed)
    report.ok("combined totals, counts, blank rows, percentages and flags")
    return report


def _compare_results(published: Any, recomputed: dict[str, Any]) -> None:
    if not isinstance(published, dict):
        raise VerifyError("results.json", "expected an object")
    for key in ("denominator", "figures", "trustees"):
        if published.get(key) != recomputed[key]:
            raise VerifyError(
                f"results {key}",
                f"published {published.get(key)!r}, recomputed {recomputed[key]!r}",
            )
    pub_officials = published.get("officials")
    if not isinstance(pub_officials, list) or len(pub_officials) != len(recomputed["officials"]):
        raise VerifyError("results.json", "wrong number of officials")
    for pub, rec in zip(pub_officials, recomputed["officials"], strict=True):
        for key in (
            "name",
            "position",
            "total",
            "counts",
            "blank",
            "percent",
            "blank_percent",
            "flags",
        ):
            if pub.get(key) != rec[key]:
                raise VerifyError(
                    f"official {rec['index']} ({rec['name']}) {key}",
                    f"published {pub.get(key)!r}, recomputed {rec[key]!r}",
                )
