"""Crypto-core benchmark: per-row encryption and verification, a 44-row rating ballot's
verification, and each figure's ratio to its floor.

The floor of a figure is Σ (count of each group operation it performed) × (the unit
cost of that operation measured in this same run on raw coincurve calls). A ratio
near 1 means the time goes into libsecp256k1, not into our Python around it.

Run: .venv/bin/python bench/crypto.py  (single process, so one core)
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable

from coincurve import PrivateKey, PublicKey, PublicKeyXOnly

from keys import cards, dkg
from keys.ballot import Ballot, ElectionContext, encrypt_ballot, encrypt_row, verify_ballot
from keys.hashing import digest
from keys.opcount import OPS, counting

ROWS = 44
TARGET_VERIFY_MS = 60.0
TARGET_RATIO = 1.5


def per_call(fn: Callable[[], object], n: int) -> float:
    """Best of three runs of n calls, in seconds per call."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n)
    return best


def unit_costs() -> dict[str, float]:
    """Seconds per raw libsecp256k1 operation, measured now."""
    k = (0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDE).to_bytes(32, "big")
    p = PublicKey.from_secret(k)
    q = PublicKey.from_secret(bytes(31) + b"\x07")
    enc = p.format()
    sk = PrivateKey(k)
    msg = bytes(32)
    sig = sk.sign_schnorr(msg, bytes(32))
    xonly = PublicKeyXOnly.from_secret(k).format()
    many = [PublicKey.from_secret((i + 1).to_bytes(32, "big")) for i in range(500)]
    rec = enc[1:] + k + bytes([enc[0] & 1])  # (r, s = k) with R = p: k·r⁻¹·p + … (one call)
    return {
        "mul": per_call(lambda: p.multiply(k), 3000),
        "base": per_call(lambda: PublicKey.from_valid_secret(k), 3000),
        "muladd": per_call(lambda: p.add(k), 3000),
        "recover": per_call(lambda: PublicKey.from_signature_and_message(rec, k, None), 3000),
        "add": per_call(lambda: PublicKey.combine_keys([p, q]), 5000),
        "sum": per_call(lambda: PublicKey.combine_keys(many), 20) / (len(many) - 1),
        "parse": per_call(lambda: PublicKey(enc), 5000),
        "serialize": per_call(lambda: p.format(), 5000),
        "schnorr": per_call(lambda: PublicKeyXOnly(xonly).verify(sig, msg), 3000),
    }


def measure(fn: Callable[[], object], n: int) -> tuple[float, Counter[str]]:
    """Seconds per call and the group operations of one call."""
    OPS.clear()
    with counting():  # one call counted; the timed ones run uncounted
        fn()
    ops = Counter(OPS)
    return per_call(fn, n), ops


def floor(ops: Counter[str], units: dict[str, float]) -> float:
    """Σ count × unit cost."""
    return sum(count * units[name] for name, count in ops.items())


def main() -> None:
    """Print the figures."""
    units = unit_costs()
    key, _, _ = dkg.simulate("bench", [f"T{i}" for i in range(1, 6)], 3)
    ctx = ElectionContext(digest(b"bench"), key.public_key, "rating", ROWS, 1502)
    sk = cards.signing_key("bench", bytes(16))
    card = cards.public_key(sk)
    choices = [i % 4 for i in range(ROWS)]
    ballot = encrypt_ballot(ctx, sk, choices)
    wire = json.dumps(ballot.to_json())

    figures = [
        ("encrypt one rating row", measure(lambda: encrypt_row(ctx, card, 3, 2), 200)),
        ("verify one rating row (parse + proof)", None),
        (
            f"encrypt a {ROWS}-row rating ballot",
            measure(lambda: encrypt_ballot(ctx, sk, choices), 10),
        ),
        (
            f"verify a {ROWS}-row rating ballot (parse + signature + proofs)",
            measure(lambda: verify_ballot(ctx, Ballot.from_json(json.loads(wire))), 20),
        ),
    ]
    t_ballot, ops_ballot = figures[3][1]  # type: ignore[misc]
    figures[1] = (
        figures[1][0],
        (t_ballot / ROWS, Counter({k: v / ROWS for k, v in ops_ballot.items()})),  # type: ignore[dict-item]
    )
    print("Unit costs (raw libsecp256k1 via coincurve, this run):")
    for name, cost in units.items():
        print(f"  {name:8s} {cost * 1e6:8.2f} µs")
    print()
    print(f"{'figure':58s} {'time':>10s} {'floor':>10s} {'ratio':>6s}  ops")
    worst = 0.0
    for name, (t, ops) in figures:  # type: ignore[misc]
        fl = floor(ops, units)
        ratio = t / fl
        worst = max(worst, ratio)
        opstr = " ".join(f"{k}={v:g}" for k, v in sorted(ops.items()))
        print(f"{name:58s} {t * 1e3:8.2f}ms {fl * 1e3:8.2f}ms {ratio:6.2f}  {opstr}")
    verify_ms = t_ballot * 1e3
    print()
    print(
        f"verify {ROWS}-row ballot: {verify_ms:.1f} ms (target ≤ {TARGET_VERIFY_MS:.0f} ms: "
        f"{'ok' if verify_ms <= TARGET_VERIFY_MS else 'MISSED'}); worst ratio {worst:.2f} "
        f"(target ≤ {TARGET_RATIO}: {'ok' if worst <= TARGET_RATIO else 'MISSED'})"
    )
    print(f"ballot size on the wire: {len(wire)} bytes")


if __name__ == "__main__":
    main()
