"""Benchmark of the browser verifier: a record of 500 ballots × 44 officials, verified by
ballot/static/verifier/verifier.html opened from disk (file://, offline) in headless
Chromium, exactly as an auditor would; target ≤ 60 s.

    .venv/bin/python bench/browser_verify.py [--members 500] [--officials 44] [--noble]

(--noble: the page as before the WebAssembly, noble only, for comparison.)

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
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.trustee_check import descendants_cpu  # noqa: E402
from scripts.build_verifier import OUT  # noqa: E402
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


def main() -> None:
    """Print the figure, its floor and the load average."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--officials", type=int, default=44)
    ap.add_argument("--noble", action="store_true", help="noble only (no WebAssembly)")
    args = ap.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: the browser figure is skipped.")
        return
    from playwright.sync_api import sync_playwright

    t = time.perf_counter()
    sim = simulate(members=args.members, officials=args.officials, k=3, n=5, spares=20)
    print(f"simulated {args.members} × {args.officials} in {time.perf_counter() - t:.1f} s (setup)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.zip"
        sim.record.save(path)
        print(f"record zip: {path.stat().st_size / 1e6:.1f} MB")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            ctx = browser.new_context(offline=True)
            page = ctx.new_page()
            page.set_default_timeout(900_000)
            page.goto(OUT.as_uri())
            page.wait_for_selector("body[data-ready='1']")
            if args.noble:
                page.evaluate("globalThis.PHIEU_NO_WASM = true")
            load_before = os.getloadavg()
            cpu = descendants_cpu()
            t0 = time.perf_counter()
            page.set_input_files("#record", str(path))
            page.wait_for_selector("#verdict[data-code]:not([data-code=''])")
            wall = time.perf_counter() - t0
            cpu = descendants_cpu() - cpu
            load_after = os.getloadavg()
            lines = (page.text_content("#verdict") or "").splitlines()
            mode = page.get_attribute("#verdict", "data-mode")
            engines = (page.get_attribute("body", "data-engines") or "").split()
            page.evaluate(
                "([m, b]) => { window.__manifest = m; window.__ballot = b; }",
                [
                    sim.record.files["manifest.json"].decode(),
                    __import__("json").dumps(
                        sim.record.json("ballots.json")["ballots"][0]["ballot"]
                    ),
                ],
            )
            fl = page.evaluate(FLOOR_JS)
            version = browser.version
            browser.close()
    assert lines[-1].startswith("HỢP LỆ / VALID"), lines
    secs = float(lines[-1].split("(")[1].split()[0])
    workers = max(1, min(fl["cores"], 16, args.members)) if mode == "workers" else 1
    used = fl["ops"] if engines and set(engines) == {"wasm"} and fl["wasm"] else fl["nobleOps"]
    per = sum(used.get(k, 0) * fl["units"][k] for k in fl["units"])  # ms per ballot
    floor = per * args.members / workers / 1000
    noble = sum(fl["nobleOps"].get(k, 0) * fl["units"][k] for k in fl["units"])
    noble_floor = noble * args.members / workers / 1000
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
    print(f"    load average before {load_before}, after {load_after}")


if __name__ == "__main__":
    main()
