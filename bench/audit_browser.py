"""Checking one checked (spoiled) ballot in Chromium, as the public board does.

    .venv/bin/python bench/audit_browser.py [--rows 44] [--rate 4] [--repeats 5]

The check (phieu-audit.js verifyAudit, with the election key's table built and the
ballot parsed) runs on the page's main thread, which Emulation.setCPUThrottlingRate
slows down (as bench/crypto_browser.py explains) — a phone-class CPU at 4×. Target:
at most 2 s. The floor is the group operations the check cannot avoid, measured in the
same page: per row one r·G, one r·Y (table) and two point decodings.
Uses /usr/bin/chromium; without it, says so and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crypto_browser import ARGS, CHROMIUM, Handler, serve, throttle  # noqa: E402
from keys.audit import encrypt_audited  # noqa: E402
from keys.ballot import ElectionContext  # noqa: E402
from keys.group import base_mul, random_scalar  # noqa: E402
from keys.hashing import digest  # noqa: E402


class AuditHandler(Handler):
    """As the ballot benchmark's, with bench/audit_browser.html at /."""

    def translate_path(self, path: str) -> str:
        if path.split("?", 1)[0] in ("/", "/index.html"):
            return str(ROOT / "bench" / "audit_browser.html")
        return super().translate_path(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=44)
    parser.add_argument("--rate", type=float, default=4.0)
    parser.add_argument("--repeats", type=int, default=5)
    opts = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: install Chromium to run this benchmark.")
        return 0
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("The playwright package is not installed in this environment; skipping.")
        return 0
    mh = digest(b"phieu/bench-manifest")
    y = base_mul(random_scalar())
    ctx = ElectionContext(mh, y, "rating", opts.rows, 101)
    audited = encrypt_audited(ctx, [i % 4 for i in range(opts.rows)])
    context = {
        "manifest_hash": mh.hex(),
        "public_key": y.hex(),
        "kind": "rating",
        "rows": opts.rows,
        "base": 101,
    }
    arg = {"context": context, "audit": audited.to_json(), "tracker": audited.tracker().hex()}
    server, url = serve(AuditHandler)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            print(
                f"Chromium {browser.version}, checked {opts.rows}-row rating ballot, "
                f"main thread, best / median of {opts.repeats}"
            )
            for rate in sorted({1.0, opts.rate}):
                page_ctx = browser.new_context()
                page = page_ctx.new_page()
                page.goto(url)
                page.wait_for_function("window.benchReady === true")
                cdp = throttle(page, page_ctx, rate)
                runs = [
                    page.evaluate("(a) => window.bench.checkOne(a)", arg)
                    for _ in range(opts.repeats)
                ]
                unit = page.evaluate("(a) => window.bench.floor(a)", {"context": context})
                cdp.detach()
                page_ctx.close()
                total = [r["totalMs"] for r in runs]
                check = [r["checkMs"] for r in runs]
                floor = opts.rows * (unit["base"] + unit["fixed"] + 2 * unit["parse"])
                best = min(check)
                verdict = "ok" if min(total) <= 2000 else "OVER 2 s"
                print(
                    f"  CPU {rate:g}×: check one ballot {min(total):.0f} / "
                    f"{statistics.median(total):.0f} ms with the key table "
                    f"({runs[0]['tableMs']:.0f} ms), rows alone {best:.0f} ms; floor "
                    f"{floor:.0f} ms ({opts.rows} × (r·G {unit['base']:.2f} + r·Y "
                    f"{unit['fixed']:.2f} + 2 decodings {unit['parse']:.2f} ms)); ratio "
                    f"{best / floor:.2f}; target ≤ 2000 ms: {verdict}"
                )
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
