"""Benchmark of the browser verifier: a record of 500 ballots × 44 officials, verified by
ballot/static/verifier/verifier.html opened from disk (file://, offline) in headless
Chromium, exactly as an auditor would; target ≤ 60 s.

    .venv/bin/python -m bench.browser_verify [--members 500] [--officials 44] [--noble]
        [--record PATH] [--page HTML]

(--noble: the page as before the WebAssembly, noble only, for comparison. --record: the
record zip to verify, simulated and written there first if the file does not exist, so
that later runs skip the simulation. --page: another build of the page, e.g. the
previous commit's, to compare in the same conditions.)

The time is the page's own (from the zip read to the verdict, every check of
``tally verify``). Its floor, measured in the same run and page: the group operations of
one ballot's parse + verification (phieu-crypto OPS, counted as bench/trustee_check.py
and bench/tally.py count them: one ballot, multiplied, since every ballot has the same
shape) × their unit cost timed in the page, × the ballots, ÷ the Web Workers. The
operations are those of the engine the workers used: with libsecp256k1's WebAssembly
(phieu-accel.js; since 2026-12-02) each a·R + b·G of a row proof is one `wmuladd` timed
as the WebAssembly call, the rest (k·Y, additions, parsing, the card signature) noble's;
the noble-only floor (every row proof with noble, the floor's meaning before) is printed
too. The page's other checks (ceremony, confirmations, decryptions) are outside the floor.
Uses /usr/bin/chromium (never a browser downloaded by Playwright).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.trustee_check import descendants_cpu  # noqa: E402
from scripts.build_verifier import OUT  # noqa: E402
from tally.record import Record  # noqa: E402
from tally.simulate import simulate  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]

FLOOR_JS = """async () => {
  const C = await import(PHIEU_MODULE_URL('js/phieu-crypto.js'));
  const B = await import(PHIEU_MODULE_URL('js/phieu-ballot.js'));
  const K = await import(PHIEU_MODULE_URL('js/phieu-cards.js'));
  const A = await import(PHIEU_MODULE_URL('js/phieu-accel.js'));
  const W = await import(PHIEU_MODULE_URL('vendor/secp256k1-wasm.js'));
  const now = () => performance.now();
  const unit = (fn, n = 200) => {
    for (let i = 0; i < 20; i++) fn(i);
    const runs = [];
    for (let rep = 0; rep < 5; rep++) {
      const t0 = now();
      for (let i = 0; i < n; i++) fn(i);
      runs.push((now() - t0) / n);
    }
    return Math.min(...runs);
  };
  // 1.5 s of calls first: Chromium starts WebAssembly unoptimised (Liftoff) and optimises
  // it in the background; the workers run long enough to use optimised code.
  const warm = (fn) => {
    const t0 = now();
    for (let i = 0; now() - t0 < 1500; i++) fn(i);
    return fn;
  };
  const m = JSON.parse(window.__manifest), obj = JSON.parse(window.__ballot);
  const ctx = B.makeContext({ manifest_hash: C.manifestHash(m), public_key: m.trustees.public_key,
    kind: m.kind, rows: m.officials.length, base: m.base });
  const count = () => {
    C.resetOps();
    B.verifyBallot(ctx, B.ballotFromJson(obj));
    return { ...C.OPS };
  };
  A.uninstall();
  const nobleOps = count();
  const pts = Array.from({ length: 10 }, () => C.baseMul(C.randomScalar()).add(C.G));
  const nobleParse = unit((i) => C.pointFromBytes(C.pointBytes(pts[i % 10].add(C.G))), 100);
  const wasm = await A.installWasm(A.decodeBase64(W.WASM_BASE64));
  const ops = wasm ? count() : nobleOps;
  const ballot = B.ballotFromJson(obj);
  const ks = Array.from({ length: 400 }, () => C.randomScalar());
  const G = C.G, Y = ctx.publicKey;
  const P = C.baseMul(C.randomScalar()).add(G);
  const msg = B.ballotDigest(ballot);
  const units = {
    base: unit((i) => G.multiply(ks[i % 400])),
    fixed: unit((i) => Y.multiplyUnsafe(ks[i % 400])),
    mul: unit((i) => P.multiply(ks[i % 400]), 50),
    muladd: unit((i) => P.mulAddUnsafe(ks[i % 400], G, ks[(i + 1) % 400]), 50),
    add: unit(() => P.add(G), 2000),
    normalize: unit(() => C.normalizePoints(pts), 200) / pts.length,
    verify: unit(() => K.verify(ballot.card, msg, ballot.signature), 20),
    parse: nobleParse,
    wmuladd: wasm ? unit(warm(A.unitOps().wmuladd), 100) : 0,
    wparse: wasm ? unit(A.unitOps().wparse, 200) : 0,
  };
  return { ops, nobleOps, units, wasm, cores: navigator.hardwareConcurrency };
}"""


LONGTASKS_JS = """() => {
  performance.clearMarks();
  window.__long = { total: 0, n: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { window.__long.total += e.duration; window.__long.n++; }
  }).observe({ type: 'longtask' });
}"""
# Stages: the time from each 'phieu:<stage>' mark to the next (record-verify.js marks them).
MAIN_JS = """() => {
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('phieu:'));
  const stages = marks.slice(0, -1)
    .map((m, i) => [m.name.slice(6), marks[i + 1].startTime - m.startTime]);
  return { long: window.__long.total, tasks: window.__long.n, stages };
}"""


def main() -> None:
    """Print the figure, its floor and the load average."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--officials", type=int, default=44)
    ap.add_argument("--noble", action="store_true", help="noble only (no WebAssembly)")
    ap.add_argument(
        "--record",
        type=Path,
        help="record zip: reused if it exists, else simulated and saved there (--members "
        "and --officials then only name the record to make)",
    )
    ap.add_argument(
        "--page", type=Path, default=OUT, help="another build of verifier.html, to compare"
    )
    args = ap.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: the browser figure is skipped.")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        path = args.record or Path(tmp) / "record.zip"
        if args.record and path.exists():
            record = Record.load(path)
            print(f"record zip reused: {path}")
        else:
            t = time.perf_counter()
            sim = simulate(members=args.members, officials=args.officials, k=3, n=5, spares=20)
            print(f"simulated {args.members} × {args.officials} in {time.perf_counter() - t:.1f} s")
            record = sim.record
            record.save(path)
        ballots = record.json("ballots.json")["ballots"]
        officials = len(record.json("manifest.json")["officials"])
        print(f"record zip: {path.stat().st_size / 1e6:.1f} MB, {len(ballots)} × {officials}")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            ctx = browser.new_context(offline=True)
            page = ctx.new_page()
            page.set_default_timeout(900_000)
            page.goto(args.page.resolve().as_uri())
            page.wait_for_selector("body[data-ready='1']")
            if args.noble:
                page.evaluate("globalThis.PHIEU_NO_WASM = true")
            # Main-thread time: the sum of its long tasks (≥ 50 ms each: the checks run in
            # long synchronous stretches), and the page's performance marks per stage.
            page.evaluate(LONGTASKS_JS)
            load_before = os.getloadavg()
            cpu = descendants_cpu()
            t0 = time.perf_counter()
            page.set_input_files("#record", str(path))
            page.wait_for_selector("#verdict[data-code]:not([data-code=''])")
            wall = time.perf_counter() - t0
            cpu = descendants_cpu() - cpu
            load_after = os.getloadavg()
            main = page.evaluate(MAIN_JS)
            lines = (page.text_content("#verdict") or "").splitlines()
            mode = page.get_attribute("#verdict", "data-mode")
            engines = (page.get_attribute("body", "data-engines") or "").split()
            page.evaluate(
                "([m, b]) => { window.__manifest = m; window.__ballot = b; }",
                [
                    record.files["manifest.json"].decode(),
                    json.dumps(ballots[0]["ballot"]),
                ],
            )
            fl = page.evaluate(FLOOR_JS)
            version = browser.version
            browser.close()
    assert lines[-1].startswith("HỢP LỆ / VALID"), lines
    secs = float(lines[-1].split("(")[1].split()[0])
    workers = max(1, min(fl["cores"], 16, len(ballots))) if mode == "workers" else 1
    used = fl["ops"] if engines and set(engines) == {"wasm"} and fl["wasm"] else fl["nobleOps"]
    per = sum(used.get(k, 0) * fl["units"][k] for k in fl["units"])  # ms per ballot
    floor = per * len(ballots) / workers / 1000
    noble = sum(fl["nobleOps"].get(k, 0) * fl["units"][k] for k in fl["units"])
    noble_floor = noble * len(ballots) / workers / 1000
    ops = {k: v for k, v in used.items() if v}
    print(
        f"browser verifier (Chromium {version}, file://, offline, {workers} Web Workers, "
        f"hardwareConcurrency {fl['cores']}): VALID in {secs:.1f} s by the page "
        f"({wall:.1f} s from choosing the file to the verdict); target ≤ 60 s: "
        f"{'ok' if wall <= 60 else 'MISSED'}; floor (ballot proofs) {floor:.1f} s; "
        f"ratio {secs / floor:.2f}"
    )
    print(
        f"    engines of the workers: {' '.join(engines) or '?'}; noble-only floor "
        f"{noble_floor:.1f} s (ratio {secs / noble_floor:.2f}); CPU time of Chromium's "
        f"processes {cpu:.1f} s (÷ {workers} = {cpu / workers:.1f} s, the wall time on idle cores)"
    )
    print(f"    per ballot ops {ops}; unit ms { {k: round(v, 4) for k, v in fl['units'].items()} }")
    print(
        f"    main thread: {main['long'] / 1000:.1f} s in {main['tasks']} long tasks; stages (s): "
        + ", ".join(f"{k} {v / 1000:.2f}" for k, v in main["stages"])
    )
    print(f"    load average before {load_before}, after {load_after}")


if __name__ == "__main__":
    main()
