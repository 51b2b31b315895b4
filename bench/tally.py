"""Tally benchmark: 500 ballots × 44 officials.

Prints the count (aggregate + k partial decryptions with proofs + their checks +
combination + discrete logs + results) and the full ``verify`` of the record (every
proof, on every core), each with its ratio to the floor: the group operations it
performed × the unit cost of each, measured on raw libsecp256k1 calls in this run.
For verify, which runs on several processes, the floor is divided by the number of
workers; the operations of a worker's job on one ballot (parse, tracker, signature and
proofs: tally/ballotcheck.py) are counted once and multiplied, since every ballot has
the same shape.

Run as a module (as a script, its own name would hide the tally package):
    .venv/bin/python -m bench.tally [--members 500] [--officials 44]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

from bench.crypto import floor, unit_costs
from keys.ballot import Ballot
from keys.decryption import partial_decrypt
from keys.opcount import OPS, counting
from tally.ballotcheck import facts_of, proof_failure
from tally.count import (  # noqa: F401  (documented API)
    accept_partial,
    aggregate_ballots,
    decrypt_with_share,
    results,
)
from tally.rules import Figures
from tally.simulate import simulate
from tally.verify import verify_record


def main() -> None:
    """Print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--officials", type=int, default=44)
    args = ap.parse_args()
    units = unit_costs()
    t = time.perf_counter()
    sim = simulate(members=args.members, officials=args.officials, k=3, n=5, spares=20)
    print(
        f"simulated {args.members} ballots × {args.officials} officials "
        f"in {time.perf_counter() - t:.1f} s (setup, not measured)"
    )
    manifest, record = sim.manifest, sim.record
    ballots = [Ballot.from_json(e["ballot"]) for e in record.json("ballots.json")["ballots"]]
    figures = Figures(
        summoned=args.members + 2, present=args.members, issued=args.members, returned=args.members
    )

    with counting():  # on for these figures only (keys.opcount)
        OPS.clear()
        t0 = time.perf_counter()
        totals = aggregate_ballots(manifest, ballots)
        t1 = time.perf_counter()
        parts = []
        for i in (1, 2, 3):
            part = partial_decrypt(manifest.hash, manifest.key, i, sim.shares[i - 1], totals)
            parts.append(accept_partial(manifest, totals, parts, part))
        t2 = time.perf_counter()
        res = results(manifest, figures, totals, parts)
        t3 = time.perf_counter()
        count_ops = Counter(OPS)
        count_time = t3 - t0
        count_floor = floor(count_ops, units)

        ctx = manifest.context()
        OPS.clear()
        # what a worker does with each ballot (tally/ballotcheck.py): parse, tracker, proofs
        first = Ballot.from_json(record.json("ballots.json")["ballots"][0]["ballot"])
        facts_of(first)
        proof_failure(ctx, first)
        per_ballot = Counter(OPS)
        workers = os.cpu_count() or 1
        OPS.clear()
        t4 = time.perf_counter()
        verify_record(record, workers)
        verify_time = time.perf_counter() - t4
        verify_ops = Counter(OPS) + Counter({k: v * len(ballots) for k, v in per_ballot.items()})
        verify_floor = floor(verify_ops, units) / workers

    flagged = sum(1 for o in res["officials"] if o["flags"])
    print()
    print(
        f"count: aggregate {t1 - t0:.2f} s, 3 trustees decrypt + proofs checked "
        f"{t2 - t1:.2f} s, combine + discrete logs + rules {t3 - t2:.2f} s"
    )
    print(
        f"  total {count_time:.2f} s (target ≤ 5 s: {'ok' if count_time <= 5 else 'MISSED'}); "
        f"floor {count_floor:.2f} s; ratio {count_time / count_floor:.2f}"
    )
    print(f"  ops: {dict(count_ops)}; officials flagged: {flagged}")
    print(
        f"verify (whole record, {workers} workers): {verify_time:.1f} s "
        f"(target ≤ 15 s: {'ok' if verify_time <= 15 else 'MISSED'}); floor "
        f"{verify_floor:.1f} s; ratio {verify_time / verify_floor:.2f}"
    )


if __name__ == "__main__":
    main()
