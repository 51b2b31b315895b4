"""``tally verify``: check a whole election record with nothing but the record.

The checks run in the order below and stop at the first broken item, named as the
minutes name it (ballot #n and official r numbered from 1, trustee i, the file and the
figure). Every file is read through tally/records.py (exact keys and types). Ballot
proofs, the expensive part, are checked on every core, and every ballot is parsed only
once (tally/ballotcheck.py). docs/record.md lists the checks. The checks are public
so that a trustee's tool (tally/trustee.py) runs exactly the same ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from keys import dkg, signing
from keys.decryption import PartialDecryption
from keys.errors import CryptoError
from keys.proofs import verify_decryption
from tally import audit
from tally import records as R
from tally.ballotcheck import CheckedBallots, check_ballots
from tally.checked import check_audits, parse_audits
from tally.count import results
from tally.manifest import Manifest, card_commitment, parse_manifest
from tally.record import TAG_CHECKPOINT, Record, chain_link, close_message, head_message
from tally.records import Unreadable, VerifyError
from tally.rules import Figures

__all__ = [
    "Report",
    "Unreadable",
    "VerifyError",
    "check_cards",
    "check_chain",
    "check_confirmations",
    "check_decryptions",
    "check_figures",
    "check_log",
    "check_proofs",
    "load_manifest",
    "read",
    "verify_record",
]


@dataclass
class Report:
    """What was checked, for the short readable report."""

    lines: list[str] = field(default_factory=list)
    record_hash: str = ""
    #: Once the record verified: its manifest and each ballot's (tracker, chain hash),
    #: so that ``--receipt`` (tally/receipts.py) parses nothing again.
    manifest: Manifest | None = None
    chain: list[tuple[bytes, bytes]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        """Note a check that held."""
        self.lines.append(f"OK  {text}")


def _fail(item: str, err: Exception | str) -> VerifyError:
    reason = err.message("en") if isinstance(err, CryptoError) else str(err)
    return VerifyError(item, reason)


def read(record: Record, name: str) -> Any:
    """A record file as strict JSON, or :class:`Unreadable`."""
    try:
        return record.json(name)
    except CryptoError as err:
        raise Unreadable(name, err.message("en").removeprefix("record: ")) from None


def load_manifest(record: Record) -> Manifest:
    """The manifest, or a VerifyError naming manifest.json."""
    try:
        return parse_manifest(read(record, "manifest.json"))
    except CryptoError as err:
        raise _fail("manifest.json", err) from None


# -- ballot proofs on every core -------------------------------------------------
def check_proofs(checked: CheckedBallots) -> None:
    """Every ballot's card signature and row proofs (checked once, see tally/ballotcheck.py).

    Raises VerifyError naming the first failing ballot, and the official (from 1).
    """
    bad = checked.proof_failure()
    if bad:
        seq, reason = bad
        prefix = "the encryption proof for official "
        if reason.startswith(prefix):  # set by ballotcheck.proof_failure: a number from 1
            r = int(reason[len(prefix) :].split()[0])
            reason = reason.replace(
                f"official {r}", f"official {r} ({checked.manifest.officials[r - 1].name})"
            )
        raise VerifyError(f"ballot #{seq}", reason)


# -- the checks -----------------------------------------------------------------
def check_cards(
    record: Record, manifest: Manifest, report: Report
) -> tuple[dict[bytes, str], set[bytes]]:
    """cards.json against the manifest's commitment; revocations.json against cards.json.

    Returns the committed cards (key → serial) and the revoked keys; raises VerifyError.
    """
    cards = R.parse_cards(read(record, "cards.json"))
    if len(cards) != manifest.card_count:
        raise VerifyError(
            "cards.json", f"{len(cards)} cards, the manifest commits to {manifest.card_count}"
        )
    by_key = {c.key: c.serial for c in cards}
    if len(by_key) != len(cards) or len({c.serial for c in cards}) != len(cards):
        raise VerifyError("cards.json", "a card key or serial appears twice")
    if card_commitment([(c.serial, c.key) for c in cards]) != manifest.card_commitment:
        raise VerifyError(
            "cards.json", "the cards (serial, key) differ from the manifest's commitment"
        )
    revoked: set[bytes] = set()
    for n, rv in enumerate(R.parse_cards(read(record, "revocations.json"), "revocations.json"), 1):
        if by_key.get(rv.key) != rv.serial:
            raise VerifyError(
                f"revocations.json item {n}", f"card {rv.serial} is not that committed card"
            )
        revoked.add(rv.key)
    report.ok(f"{len(cards)} cards (serial and key) match the commitment; {len(revoked)} revoked")
    return by_key, revoked


def check_chain(
    record: Record,
    manifest: Manifest,
    committed: Any,
    revoked: set[bytes],
    report: Report,
    workers: int = 1,
) -> tuple[CheckedBallots, R.SignedHead]:
    """The ballot chain from the manifest hash to the signed close, and the checkpoints.

    ballots.json is read once by :func:`tally.ballotcheck.check_ballots` (with ``workers``
    > 1, every ballot's proofs are checked there too, but reported by
    :func:`check_proofs`). Returns the checked ballots and the signed close.
    """
    checked = check_ballots(manifest, read(record, "ballots.json"), workers)
    entries = checked.links
    prev, heads = manifest.hash, {0: manifest.hash}
    used: dict[bytes, int] = {}
    for n, e in enumerate(entries, start=1):
        item = f"ballot #{n}"
        if e.seq != n:
            raise VerifyError(item, f"numbered {e.seq}, expected {n}")
        if e.ballot.manifest_hash != manifest.hash:
            if n == 1 and e.prev == e.ballot.manifest_hash:
                raise VerifyError(
                    "manifest.json",
                    "changed after the vote: the ballots and the chain were made under "
                    "another manifest",
                )
            raise VerifyError(item, "made for another manifest")
        if e.tracker != e.ballot.tracker:
            raise VerifyError(item, "tracker does not match the ballot")
        if e.prev != prev:
            raise VerifyError(item, "does not link to the previous ballot (deleted or reordered?)")
        if e.hash != chain_link(prev, n, e.tracker):
            raise VerifyError(item, "chain hash is wrong")
        if e.ballot.card not in committed:
            raise VerifyError(item, "cast with a card outside the committed set")
        if e.ballot.card in revoked:
            raise VerifyError(item, f"cast with revoked card {committed[e.ballot.card]}")
        if e.ballot.card in used:
            raise VerifyError(item, f"second ballot of the card of ballot #{used[e.ballot.card]}")
        used[e.ballot.card] = n
        prev = heads[n] = e.hash
    report.ok(f"{len(entries)} ballots chained from the manifest hash, one per unrevoked card")
    cps, close = R.parse_checkpoints(read(record, "checkpoints.json"))
    if close is None:
        raise VerifyError("checkpoints.json", "the signed close is missing")
    _check_close(manifest, close, heads, len(entries))
    last_count, last_at = 0, None
    for n, c in enumerate(cps, start=1):
        item = f"checkpoint {n}"
        if c.count not in heads or (n > 1 and c.count <= last_count):
            raise VerifyError(
                item, f"count {c.count} is beyond the chain or not after the previous"
            )
        if c.head != heads[c.count]:
            raise VerifyError(
                item,
                f"signed head is not the chain's at ballot #{c.count}: "
                "the chain was rewritten after it",
            )
        _signature(
            manifest, head_message(TAG_CHECKPOINT, manifest.hash, c.count, c.head, c.at), c, item
        )
        at = datetime.fromisoformat(c.at)
        if (last_at and at < last_at) or at > datetime.fromisoformat(close.at):
            raise VerifyError(item, "signed at a time before the previous one or after the close")
        last_count, last_at = c.count, at
    report.ok(f"{len(cps)} signed checkpoints are prefixes of the final chain")
    report.ok(f"signed close over {len(entries)} ballots, head {prev.hex()[:16]}…")
    return checked, close


def check_confirmations(record: Record, manifest: Manifest, report: Report) -> None:
    """Every trustee confirmed this exact manifest: n proofs of x_j over its hash."""
    items = read(record, "confirmations.json")
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


def _signature(manifest: Manifest, message: bytes, c: R.SignedHead, item: str) -> None:
    try:
        signing.verify(manifest.server_key, message, c.signature)
    except CryptoError:
        raise VerifyError(item, "server signature does not verify") from None


def _check_close(manifest: Manifest, close: R.SignedHead, heads: dict[int, bytes], n: int) -> None:
    if close.count != n:
        raise VerifyError("signed close", f"signed ballot count {close.count}, the chain has {n}")
    if close.head != heads[n]:
        raise VerifyError("signed close", "signed head differs from the chain's head")
    assert close.actions is not None and close.actions_head is not None  # noqa: S101 - parsed
    message = close_message(
        manifest.hash, n, close.head, close.at, close.actions, close.actions_head
    )
    _signature(manifest, message, close, "signed close")


def check_log(
    record: Record, manifest: Manifest, close: R.SignedHead, report: Report
) -> audit.LogFacts:
    """actions.json: chained from the vote's seed, head signed at the close; the facts."""
    actions = R.parse_actions(read(record, "actions.json"))
    audit.check_chain(manifest, actions)
    cards = R.parse_cards(read(record, "cards.json"))
    facts = audit.derive(manifest, actions, close, cards)
    revs = [c.serial for c in R.parse_cards(read(record, "revocations.json"), "revocations.json")]
    if revs != facts.revoked:
        raise VerifyError(
            "revocations.json", f"lists {revs}, the action log revokes {facts.revoked}"
        )
    audit.check_logged_checkpoints(
        facts.checkpoints, R.parse_checkpoints(read(record, "checkpoints.json"))[0]
    )
    report.ok(f"action log: {len(actions)} entries of this vote, chained; head signed at the close")
    report.ok(f"{len(facts.checkpoints)} logged checkpoints, exactly those of checkpoints.json")
    return facts


def check_figures(
    record: Record, manifest: Manifest, facts: audit.LogFacts, close: R.SignedHead, report: Report
) -> Figures:
    """figures.json against the manifest, the action log and the signed close."""
    f = R.parse_figures_file(read(record, "figures.json"))
    expected = {
        "summoned": (manifest.summoned, "the manifest"),
        "members_total": (manifest.members_total, "the manifest"),
        "present": (facts.present, "the action log's check-ins"),
        "issued": (facts.issued, "check-ins + spares handed out in the action log"),
        "returned": (close.count, "the ballots in the signed chain"),
        "opened_at": (facts.opened_at, "the action log's poll.open"),
        "closed_at": (close.at, "the signed close"),
    }
    for name, (want, source) in expected.items():
        if getattr(f, name) != want:
            raise VerifyError(
                f"figures.json {name}", f"is {getattr(f, name)!r}, {source} says {want!r}"
            )
    if not f.returned <= f.issued <= manifest.card_count:
        raise VerifyError(
            "figures.json issued",
            f"returned {f.returned} ≤ issued {f.issued} ≤ cards {manifest.card_count} "
            "does not hold: "
            "ballots were cast with cards nobody was handed",
        )
    report.ok(
        f"figures bound: summoned {f.summoned}, present {f.present}, "
        f"issued {f.issued}, returned {f.returned}"
    )
    return f.figures()


def check_decryptions(
    record: Record, manifest: Manifest, totals: list[Any]
) -> list[PartialDecryption]:
    """decryptions.json: each trustee once, one share and valid proof per official total."""
    parts: list[PartialDecryption] = []
    for p in R.parse_decryptions(read(record, "decryptions.json")):
        item = f"decryptions.json, trustee {p.trustee}"
        if not 1 <= p.trustee <= manifest.key.trustees or any(
            q.trustee == p.trustee for q in parts
        ):
            raise VerifyError(item, "not a trustee of this vote, or twice")
        item += f" ({manifest.trustee_names[p.trustee - 1]})"
        if len(p.shares) != len(totals) or len(p.proofs) != len(totals):
            raise VerifyError(item, f"expected one share and proof per official ({len(totals)})")
        vk = manifest.key.verification_keys[p.trustee - 1]
        for r, ct in enumerate(totals):
            try:
                verify_decryption(
                    manifest.hash, manifest.key.public_key, p.trustee, vk, r, ct,
                    p.shares[r], p.proofs[r],
                )  # fmt: skip
            except CryptoError:
                name = manifest.officials[r].name
                raise VerifyError(item, f"proof for official {r + 1} ({name}) fails") from None
        parts.append(p)
    return parts


def verify_record(record: Record, workers: int | None = None) -> Report:
    """Check everything; return the report or raise VerifyError on the first broken item."""
    report = Report(record_hash=record.hash().hex())
    if "record-hash.txt" in record.files:
        # Exactly the hex, with or without one newline: no strip() whose whitespace set
        # another verifier would have to copy (docs/record.md §4).
        raw = record.files["record-hash.txt"]
        if raw not in (report.record_hash.encode(), report.record_hash.encode() + b"\n"):
            stated = raw.decode("utf-8", "replace").removesuffix("\n")
            raise VerifyError(
                "record-hash.txt", f"says {stated[:80]!r}, the files hash to {report.record_hash}"
            )
    manifest = load_manifest(record)
    report.ok(f"manifest {manifest.hash.hex()} ({len(manifest.officials)} officials)")
    report.ok(
        f"key ceremony round {manifest.ceremony_round}: {manifest.key.trustees} contributions, "
        "every proof, election key and trustee keys consistent (Feldman)"
    )
    committed, revoked = check_cards(record, manifest, report)
    workers = workers or os.cpu_count() or 1
    checked, close = check_chain(record, manifest, committed, revoked, report, workers)
    check_confirmations(record, manifest, report)
    listed = parse_audits(read(record, "audits.json"))
    audits = check_audits(manifest, listed, checked.alphas() if listed else [])
    report.ok(f"{audits} checked ballots: each encrypts its shown choices, none in the chain")
    facts = check_log(record, manifest, close, report)
    figures = check_figures(record, manifest, facts, close, report)
    check_proofs(checked)
    n = len(checked.links)
    report.ok(f"every proof and card signature of {n} ballots")
    totals, count = R.parse_tally(read(record, "tally.json"), len(manifest.officials))
    if count != n:
        raise VerifyError("tally.json ballots", f"is {count}, the chain has {n}")
    for r, (got, want) in enumerate(zip(totals, checked.sums(), strict=True)):
        if got != want:
            name = manifest.officials[r].name
            raise VerifyError(
                f"tally.json, official {r + 1} ({name})", "is not the sum of the ballots"
            )
    report.ok(f"per-official sums over {n} ballots")
    parts = check_decryptions(record, manifest, totals)
    report.ok(f"{len(parts)} partial decryptions with valid proofs (k = {manifest.key.threshold})")
    published = read(record, "results.json")
    try:
        recomputed = results(manifest, figures, totals, parts, published)
    except CryptoError as err:
        raise _fail("decryptions.json", err) from None
    diff = R.first_difference(published, recomputed)
    if diff is not None:
        where = diff
        if diff.startswith("officials["):
            r = int(diff[len("officials[") :].split("]")[0])
            if 1 <= r <= len(manifest.officials):
                name = manifest.officials[r - 1].name
                where = f"official {r} ({name})" + diff.split("]", 1)[1]
        raise VerifyError(f"results.json, {where}", _describe(published, recomputed, diff))
    report.ok("combined totals, counts, blank rows, percentages and flags")
    report.manifest = manifest
    report.chain = [(e.tracker, e.hash) for e in checked.links]
    return report


def _describe(published: Any, recomputed: Any, path: str) -> str:
    """'published X, recomputed Y' at a first_difference path (officials named from 1)."""

    def at(value: Any) -> Any:
        for part in path.replace("[", " [").split():
            if part.startswith("["):
                idx = int(part.strip("[]")) - 1
                value = value[idx] if isinstance(value, list) and idx < len(value) else None
            elif part != "(whole" and part != "file)" and part != "(length)":
                value = value.get(part) if isinstance(value, dict) else None
        return value

    return f"published {at(published)!r:.200}, recomputed {at(recomputed)!r:.200}"
