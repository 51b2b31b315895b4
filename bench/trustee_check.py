"""Benchmark of the trustees' check before decrypting: 500 ballots × 44 officials.

    .venv/bin/python bench/trustee_check.py [--members 500] [--officials 44] [--cli-only]

(a) ``tally partial-decrypt``'s check (tally.trustee.verified_totals: cards, chain,
    signed close, every ballot's signature and proofs on every core, the sums);
    target ≤ 15 s on this machine's cores.
(b) the count page's check in headless Chromium (ballot/static/js/trustee-check.js in
    its real Web Workers, navigator.hardwareConcurrency of them, at least 2), on the
    same record served as count/ballots.json is; target ≤ 60 s.

Each with its ratio to the floor measured in the same run: the group operations of
the work × their unit cost (Python: raw libsecp256k1 calls, bench/crypto.py; browser:
the noble calls timed in the page, as bench/crypto_js.mjs), divided by the number of
processes or workers. As in bench/tally.py, the proof-checking operations are counted
on one ballot and multiplied, since every ballot has the same shape.
Uses /usr/bin/chromium (never a browser downloaded by Playwright).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crypto import floor, unit_costs  # noqa: E402
from keys.ballot import Ballot  # noqa: E402
from keys.group import OPS  # noqa: E402
from tally.ballotcheck import facts_of, proof_failure  # noqa: E402
from tally.record import Record  # noqa: E402
from tally.simulate import simulate  # noqa: E402
from tally.trustee import verified_totals  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


def page_data(record: Record) -> bytes:
    """The body of GET count/ballots.json for this record (ballot/counting/operations.py)."""
    names = ("manifest", "cards", "revocations", "ballots", "checkpoints")
    parts = [b'"' + n.encode() + b'":' + record.files[f"{n}.json"] for n in names]
    return b"{" + b",".join([*parts, b'"tally":' + record.files["tally.json"]]) + b"}"


def handler(data: bytes) -> type[http.server.SimpleHTTPRequestHandler]:
    """/static/… from ballot/static, / the bench page, /data.json the record."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".js": "text/javascript",
        }

        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/data.json"):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            super().do_GET()

        def translate_path(self, path: str) -> str:
            path = path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                return str(ROOT / "bench" / "trustee_check.html")
            if path.startswith("/static/"):
                static = (ROOT / "ballot" / "static").resolve()
                target = (static / path[len("/static/") :]).resolve()
                if static in target.parents:
                    return str(target)
            return str(ROOT / "bench" / "does-not-exist")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def browser_check(data: bytes) -> dict | None:
    """Run the page's check in headless Chromium; None when Chromium is missing."""
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: the browser figure is skipped.")
        return None
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler(data)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            page = browser.new_page()
            page.set_default_timeout(600_000)
            page.goto(url)
            page.wait_for_function("window.benchReady === true")
            result = page.evaluate("() => window.bench.check()")
            result["floor"] = page.evaluate("() => window.bench.floor()")
            result["version"] = browser.version
            browser.close()
    finally:
        server.shutdown()
    return result


def main() -> None:
    """Print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--officials", type=int, default=44)
    ap.add_argument("--cli-only", action="store_true", help="Skip the browser figure (b).")
    args = ap.parse_args()
    units = unit_costs()
    t = time.perf_counter()
    sim = simulate(members=args.members, officials=args.officials, k=3, n=5, spares=20)
    print(
        f"simulated {args.members} ballots × {args.officials} officials "
        f"in {time.perf_counter() - t:.1f} s (setup, not measured)"
    )
    record, manifest = sim.record, sim.manifest
    workers = os.cpu_count() or 1

    first = record.json("ballots.json")["ballots"][0]["ballot"]
    OPS.clear()
    one = Ballot.from_json(first)  # a worker's job on one ballot (tally/ballotcheck.py)
    facts_of(one)
    proof_failure(manifest.context(), one)
    per_ballot = Counter(OPS)
    OPS.clear()
    t0 = time.perf_counter()
    checked = verified_totals(record, workers)
    cli_time = time.perf_counter() - t0
    # in this process: the chain's structure, the partial sums; in the pool: every
    # ballot's parse, tracker and proofs
    cli_ops = Counter(OPS) + Counter({k: v * checked.count for k, v in per_ballot.items()})
    cli_floor = floor(cli_ops, units) / workers
    assert checked.count == args.members

    data = page_data(record)
    print(f"count/ballots.json for this record: {len(data) / 1e6:.1f} MB")
    res = None if args.cli_only else browser_check(data)

    print()
    print(
        f"(a) CLI trustee check (tally partial-decrypt, {workers} processes): {cli_time:.1f} s "
        f"(target ≤ 15 s: {'ok' if cli_time <= 15 else 'MISSED'}); floor {cli_floor:.1f} s; "
        f"ratio {cli_time / cli_floor:.2f}"
    )
    if res is None:
        return
    assert res["count"] == args.members and res["progress"] == args.members
    assert res["head"] == checked.close_head.hex(), "the browser ends at another head"
    fl = res["floor"]
    per = sum(fl["ops"].get(k, 0) * fl["units"][k] for k in fl["units"])  # ms per ballot
    browser_floor = per * args.members / res["workers"] / 1000
    secs = res["ms"] / 1000
    print(
        f"(b) browser check (Chromium {res['version']}, {res['workers']} Web Workers, "
        f"hardwareConcurrency {res['cores']}): {secs:.1f} s "
        f"(target ≤ 60 s: {'ok' if secs <= 60 else 'MISSED'}); floor {browser_floor:.1f} s; "
        f"ratio {secs / browser_floor:.2f}; fetch + JSON.parse {res['loadMs'] / 1000:.1f} s "
        "(not included); the served tally.json was compared and matched"
    )
    ops = {k: v for k, v in fl["ops"].items() if v}
    print(f"    per ballot ops {ops}; unit ms {json.dumps(fl['units'])}")


if __name__ == "__main__":
    main()
