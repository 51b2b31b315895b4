"""The ballots of ballots.json, each parsed and checked exactly once.

Parsing a ballot decompresses and validates 2 points per official; checking it costs
~12 variable-base multiplications per official. Both happen once, in the process that
holds the parsed ballot: with several workers, each worker parses its ballots, checks
their card signature and row proofs, and returns only what the main process needs —
per ballot the manifest hash, card, recomputed tracker and any failure (as text), per
chunk the per-official partial sums as encoded points. The main process then runs the
ordered checks (tally/verify.py) on these facts and never touches a ballot's points.

Failures are reported in the order tally verify always used: a ballot that does not
parse is reported where ballots.json is read (:func:`parse_chain`), a failing proof where
the proofs are checked (:meth:`CheckedBallots.proof_failure`). With one worker (and for a
handful of ballots) the proofs are checked lazily, only if the checks before them held.
With several workers every ballot's proofs are checked before the cheap checks after the
reading of ballots.json report: a record broken there still takes the full time to be
called INVALID (the verdict and its message are the same).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from keys.ballot import Ballot, ElectionContext, verify_ballot
from keys.elgamal import Ciphertext
from keys.errors import CryptoError
from keys.group import Point, point_sum
from keys.proofs import verify_row
from tally import records as R
from tally.count import aggregate_ballots
from tally.manifest import Manifest, parse_manifest

#: Below this many ballots a pool costs more than it saves.
POOL_MIN_BALLOTS = 8
#: Chunks per worker: small enough that no worker idles long at the end.
CHUNKS_PER_WORKER = 16


@dataclass(frozen=True, slots=True)
class BallotFacts:
    """What the ordered checks need from one parsed ballot (its points stay in the worker)."""

    manifest_hash: bytes
    card: bytes
    tracker: bytes


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One ballots.json item: the stated chain fields and the facts of its ballot."""

    seq: int
    prev: bytes
    hash: bytes
    tracker: bytes
    ballot: BallotFacts
    raw_ballot: dict[str, Any]


def facts_of(ballot: Ballot) -> BallotFacts:
    """The facts of a parsed ballot (its tracker recomputed)."""
    return BallotFacts(ballot.manifest_hash, ballot.card, ballot.tracker())


def proof_failure(ctx: ElectionContext, ballot: Ballot) -> str | None:
    """None if the card signature and every row proof hold, else what fails (officials from 1)."""
    try:
        verify_ballot(ctx, ballot)
    except CryptoError as err:
        if err.code != "bad_proof":
            return err.message("en")
        for r, row in enumerate(ballot.rows):  # name the official, numbered from 1
            try:
                verify_row(
                    ctx.manifest_hash, ctx.public_key, ballot.card, r, ctx.values,
                    row.ct, row.proof,
                )  # fmt: skip
            except CryptoError:
                return f"the encryption proof for official {r + 1} fails"
        return err.message("en")
    return None


# -- the worker side ----------------------------------------------------------------------
_CTX: Any = None
_ITEMS: list[tuple[int, Any]] = []
#: One checked ballot: (position from 1, parse error, facts, proof failure).
Outcome = tuple[int, str | None, BallotFacts | None, str | None]
#: One chunk: its outcomes, and the per-official sums of its parsed ballots (encoded α, β).
ChunkResult = tuple[list[Outcome], list[tuple[bytes, bytes]]]


def _init_worker(manifest_raw: dict[str, Any], items: list[tuple[int, Any]]) -> None:
    global _CTX, _ITEMS
    _CTX = parse_manifest(manifest_raw).context()
    _ITEMS = items


def check_span(span: tuple[int, int]) -> ChunkResult:
    """:func:`check_chunk` of the items the worker inherited (fork), items[start:stop]."""
    return check_chunk(_ITEMS[span[0] : span[1]])


def check_chunk(chunk: list[tuple[int, Any]]) -> ChunkResult:
    """Parse and check each (position, raw ballot) of a chunk, in a worker; sum their rows."""
    outcomes: list[Outcome] = []
    parsed: list[Ballot] = []
    for n, raw in chunk:
        try:
            ballot = Ballot.from_json(raw)
        except CryptoError as err:
            outcomes.append((n, err.message("en"), None, None))
            continue
        outcomes.append((n, None, facts_of(ballot), proof_failure(_CTX, ballot)))
        if len(ballot.rows) == _CTX.rows:
            parsed.append(ballot)
    sums = [
        (
            point_sum([b.rows[r].ct.alpha for b in parsed]).to_bytes(),
            point_sum([b.rows[r].ct.beta for b in parsed]).to_bytes(),
        )
        for r in range(_CTX.rows)
    ]
    return outcomes, sums


# -- the main side ------------------------------------------------------------------------
class CheckedBallots:
    """ballots.json read once: the chain links, each ballot's proof outcome, the sums."""

    def __init__(self, manifest: Manifest, links: list[ChainLink]) -> None:
        self.manifest = manifest
        self.links = links

    def proof_failure(self) -> tuple[int, str] | None:
        """(position, reason) of the first ballot whose signature or proofs fail, or None."""
        raise NotImplementedError

    def sums(self) -> list[Ciphertext]:
        """Per-official homomorphic sums of every ballot (meaningful once all are checked)."""
        raise NotImplementedError

    def alphas(self) -> list[list[bytes]]:
        """Each ballot's rows' α, encoded (for the checked-ballot rule of audits.json).

        A parsed point's 33-byte compressed encoding is unique, so the lowercase hex of
        a ballot that parsed is exactly its point's encoding.
        """
        return [[bytes.fromhex(row["alpha"]) for row in e.raw_ballot["rows"]] for e in self.links]


class _InProcess(CheckedBallots):
    """One process: the parsed ballots are kept, proofs checked only when asked."""

    def __init__(self, manifest: Manifest, links: list[ChainLink], ballots: list[Ballot]) -> None:
        super().__init__(manifest, links)
        self.ballots = ballots

    def proof_failure(self) -> tuple[int, str] | None:
        ctx = self.manifest.context()
        for n, ballot in enumerate(self.ballots, start=1):
            reason = proof_failure(ctx, ballot)
            if reason is not None:
                return n, reason
        return None

    def sums(self) -> list[Ciphertext]:
        return aggregate_ballots(self.manifest, self.ballots)


class _Pooled(CheckedBallots):
    """Several processes: everything was checked eagerly in the workers."""

    def __init__(
        self,
        manifest: Manifest,
        links: list[ChainLink],
        failures: dict[int, str],
        sums: list[list[tuple[bytes, bytes]]],
    ) -> None:
        super().__init__(manifest, links)
        self.failures = failures
        self.chunk_sums = sums

    def proof_failure(self) -> tuple[int, str] | None:
        if not self.failures:
            return None
        n = min(self.failures)
        return n, self.failures[n]

    def sums(self) -> list[Ciphertext]:
        out = []
        for r in range(len(self.manifest.officials)):
            parts = [
                Ciphertext(
                    Point.from_bytes(a, "partial sum", allow_infinity=True),
                    Point.from_bytes(b, "partial sum", allow_infinity=True),
                )
                for a, b in (chunk[r] for chunk in self.chunk_sums)
            ]
            out.append(
                Ciphertext(point_sum([p.alpha for p in parts]), point_sum([p.beta for p in parts]))
            )
        return out


def _raw_ballots(raw: Any) -> list[tuple[int, Any]]:
    """(position, raw ballot) of every well-formed item up to the first malformed one.

    Items after a malformed one are never needed: parse_chain stops there.
    """
    body = raw.get("ballots") if isinstance(raw, dict) else None
    if not isinstance(body, list) or len(body) > R.MAX_ITEMS:
        return []
    keys = set(R.KEYS["ballots.json ballots[]"])
    out = []
    for n, e in enumerate(body, start=1):
        if not isinstance(e, dict) or set(e) != keys:
            break
        out.append((n, e["ballot"]))
    return out


def parse_chain(raw: Any, ballot: Callable[[int, Any], BallotFacts]) -> list[ChainLink]:
    """ballots.json, strictly, as :func:`tally.records.parse_ballots` reads it.

    ``ballot(n, raw)`` gives the facts of item n's ballot or raises CryptoError (or
    VerifyError) — the same error at the same place as parsing it here.
    """
    body = R.obj(raw, "ballots.json", "ballots.json")
    out = []
    for n, e in enumerate(R.items(body["ballots"], "ballots.json ballots"), start=1):
        where = f"ballot #{n}"
        e = R.obj(e, where, "ballots.json ballots[]")
        try:
            facts = ballot(n, e["ballot"])
        except CryptoError as err:
            raise R.VerifyError(where, err.message("en")) from None
        out.append(
            ChainLink(
                R.integer(e["seq"], where + " seq", 1),
                R.hexbytes(e["prev"], where + " prev", 32),
                R.hexbytes(e["hash"], where + " hash", 32),
                R.hexbytes(e["tracker"], where + " tracker", 32),
                facts,
                e["ballot"],
            )
        )
    return out


def check_ballots(manifest: Manifest, raw: Any, workers: int = 1) -> CheckedBallots:
    """Read ballots.json (raw JSON) once; raise VerifyError for the first malformed item.

    With ``workers`` > 1 (and enough ballots) every ballot is parsed and checked in a
    pool now; otherwise here, proofs later and only if asked.
    """
    items = _raw_ballots(raw)
    if workers <= 1 or len(items) < POOL_MIN_BALLOTS:
        parsed: list[Ballot] = []

        def here(n: int, obj: Any) -> BallotFacts:
            b = Ballot.from_json(obj)
            parsed.append(b)
            return facts_of(b)

        links = parse_chain(raw, here)
        return _InProcess(manifest, links, parsed)
    size = max(1, len(items) // (workers * CHUNKS_PER_WORKER))
    spans = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    if "fork" in multiprocessing.get_all_start_methods():
        # The workers inherit initargs, the raw ballots included, instead of receiving
        # them pickled: only the spans and the small results cross the pipes.
        mp, init = multiprocessing.get_context("fork"), (manifest.raw, items)
        with ProcessPoolExecutor(workers, mp, initializer=_init_worker, initargs=init) as pool:
            results = list(pool.map(check_span, spans))
    else:  # spawn: each chunk is sent with its own items, once
        init = (manifest.raw, [])
        chunks = [items[a:b] for a, b in spans]
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=init) as pool:
            results = list(pool.map(check_chunk, chunks))
    facts: dict[int, BallotFacts] = {}
    errors: dict[int, str] = {}
    failures: dict[int, str] = {}
    for outcomes, _ in results:
        for n, error, fact, failure in outcomes:
            if error is not None:
                errors[n] = error
            elif fact is not None:
                facts[n] = fact
            if failure is not None:
                failures[n] = failure

    def pooled(n: int, obj: Any) -> BallotFacts:
        if n in errors:
            raise R.VerifyError(f"ballot #{n}", errors[n])
        return facts[n]

    links = parse_chain(raw, pooled)
    return _Pooled(manifest, links, failures, [s for _, s in results])
