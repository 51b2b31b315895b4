"""Benchmark of the trustees' check before decrypting: 500 ballots × 44 officials.

    .venv/bin/python bench/trustee_check.py [--members 500] [--officials 44] [--noble]

(--noble: the browser check as before the WebAssembly, noble only, for comparison;
--compare: both, on the same record, one after the other; --skip-cli: no (a);
--cli-only: no (b).)

(a) ``tally partial-decrypt``'s check (tally.trustee.verified_totals: cards, chain,
    signed close, every ballot's signature and proofs on every core, the sums);
    target ≤ 15 s on this machine's cores.
(b) the count page's check in headless Chromium (ballot/static/js/trustee-check.js in
    its real Web Workers, navigator.hardwareConcurrency of them, at least 2), on the
    same record served as count/ballots.json is; target ≤ 60 s.

Each with its ratio to the floor measured in the same run: the group operations of
the work × their unit cost (Python: raw libsecp256k1 calls, bench/crypto.py; browser:
the calls timed in the page, as bench/crypto_js.mjs), divided by the number of
processes or workers. In the browser the operations are those of the engine the
workers used: with libsecp256k1's WebAssembly (phieu-accel.js; since 2026-12-02) each
a·R + b·G of a row proof is one `wmuladd` timed as the WebAssembly call, the rest (k·Y,
additions, parsing, the card signature) noble's; the noble-only floor (every proof with
noble, the floor's meaning before) is printed too. As in bench/tally.py, the
proof-checking operations are counted on one ballot and multiplied, since every ballot
has the same shape.
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
from keys.opcount import OPS, counting  # noqa: E402
from tally.ballotcheck import facts_of, proof_failure  # noqa: E402
from tally.manifest import Manifest  # noqa: E402
from tally.record import Record  # noqa: E402
from tally.simulate import simulate  # noqa: E402
from tally.trustee import verified_totals  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


def page_data(record: Record) -> bytes:
    """The body of GET count/ballots.json for this record (ballot/counting/operations.py)."""
    names = ("manifest", "cards", "revocations", "ballots", "checkpoints", "confirmations")
    parts = [b'"' + n.encode() + b'":' + record.files[f"{n}.json"] for n in names]
    return b"{" + b",".join([*parts, b'"tally":' + record.files["tally.json"]]) + b"}"


def handler(data: bytes) -> type[http.server.SimpleHTTPRequestHandler]:
    """/static/… from ballot/static, / the bench page, /data.json the record."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".js": "text/javascript",
        }

        def do_GET(self) -> None:
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

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def descendants_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's live descendants (the
    Playwright driver and Chromium's processes): on a shared machine, unlike the wall
    time, it hardly depends on what the others run."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        total += int(stats[pid][11]) + int(stats[pid][12])  # utime, stime
        todo += children.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


def browser_check(data: bytes, wasm: bool = True) -> dict | None:
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
            cpu = descendants_cpu()
            result = page.evaluate("(wasm) => window.bench.check(wasm)", wasm)
            result["cpu"] = descendants_cpu() - cpu
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
    ap.add_argument("--noble", action="store_true", help="browser check with noble only")
    ap.add_argument("--compare", action="store_true", help="browser check with both engines")
    ap.add_argument("--skip-cli", action="store_true", help="only the browser check")
    ap.add_argument("--cli-only", action="store_true", help="only the CLI check (a)")
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

    if not args.skip_cli:
        cli_check(record, manifest, workers, units, args.members)
    if args.cli_only:
        return
    head = record.json("checkpoints.json")["close"]["head"]
    data = page_data(record)
    print(f"count/ballots.json for this record: {len(data) / 1e6:.1f} MB")
    runs = [True, False] if args.compare else [not args.noble]
    results = [(wasm, browser_check(data, wasm=wasm)) for wasm in runs]
    print()
    for _, res in results:
        if res is None:
            return
        report_browser(res, args.members, head)
    if len(results) == 2 and all(r for _, r in results):
        (_, a), (_, b) = results
        print(
            f"WebAssembly vs noble only, same record, back to back: wall time ×"
            f"{b['ms'] / a['ms']:.2f}, CPU time ×{b['cpu'] / a['cpu']:.2f} faster"
        )


def cli_check(record: Record, manifest: Manifest, workers: int, units: dict, members: int) -> None:
    """(a): tally.trustee.verified_totals on every core, with its floor."""
    first = record.json("ballots.json")["ballots"][0]["ballot"]
    with counting():  # on for these figures only (keys.opcount)
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
    assert checked.count == members
    print(
        f"(a) CLI trustee check (tally partial-decrypt, {workers} processes): {cli_time:.1f} s "
        f"(target ≤ 15 s: {'ok' if cli_time <= 15 else 'MISSED'}); floor {cli_floor:.1f} s; "
        f"ratio {cli_time / cli_floor:.2f}"
    )


def report_browser(res: dict, members: int, head: str) -> None:
    """(b): the page's time, its floor with the engine used and the noble-only floor."""
    assert res["count"] == members and res["progress"] == members
    assert res["head"] == head, "the browser ends at another head"
    fl = res["floor"]
    engines = res["engines"]
    used = fl["ops"] if set(engines) == {"wasm"} and fl["wasm"] else fl["nobleOps"]
    per = sum(used.get(k, 0) * fl["units"][k] for k in fl["units"])  # ms per ballot
    browser_floor = per * members / res["workers"] / 1000
    noble = sum(fl["nobleOps"].get(k, 0) * fl["units"][k] for k in fl["units"])
    noble_floor = noble * members / res["workers"] / 1000
    secs = res["ms"] / 1000
    print(
        f"(b) browser check (Chromium {res['version']}, {res['workers']} Web Workers, "
        f"hardwareConcurrency {res['cores']}, engines {' '.join(engines)}): {secs:.1f} s "
        f"(target ≤ 60 s: {'ok' if secs <= 60 else 'MISSED'}); floor {browser_floor:.1f} s; "
        f"ratio {secs / browser_floor:.2f}; fetch + JSON.parse {res['loadMs'] / 1000:.1f} s "
        "(not included); the served tally.json was compared and matched"
    )
    print(
        f"    noble-only floor {noble_floor:.1f} s (ratio {secs / noble_floor:.2f}); "
        f"CPU time of Chromium's processes {res['cpu']:.1f} s (÷ {res['workers']} workers = "
        f"{res['cpu'] / res['workers']:.1f} s, what the wall time would be on idle cores); "
        f"load average {os.getloadavg()}"
    )
    ops = {k: v for k, v in used.items() if v}
    units = {k: round(v, 4) for k, v in fl["units"].items()}
    print(f"    per ballot ops {ops}; unit ms {json.dumps(units)}")


if __name__ == "__main__":
    main()
