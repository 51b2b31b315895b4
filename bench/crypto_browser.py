"""Benchmark of the ballot worker in a real browser (Chromium through Playwright).

    .venv/bin/python bench/crypto_browser.py [--rows 44] [--rate 4] [--repeats 3]

Serves ballot/static (at /static/) and bench/crypto_browser.html (at /) on 127.0.0.1
only, opens the page in headless Chromium, slows the CPU down with the DevTools
protocol (Emulation.setCPUThrottlingRate through a CDP session) and measures in the
real module Web Worker ballot/static/js/ballot-worker.js:

(a) encrypting every row of a rating ballot (after init: card key + election key table);
(b) the time from "submit" to the signed ballot being ready, when the rows were
    encrypted while the voter was choosing. Target: at most 2 s at 4× throttling.

Chromium's CPU throttling slows only the page's main thread, not worker threads (a
worker target refuses Emulation.setCPUThrottlingRate). So every figure is measured
twice: in the real Worker (throttling requested but not effective there) and with the
same BallotSession on the throttled main thread, which is what a 4× slower phone runs;
the effective slowdown of each (time at N× / time at 1×) is printed.

The ballot produced in (b) is checked by the Python core (keys.ballot.verify_ballot).
Uses /usr/bin/chromium (never a browser downloaded by Playwright); without it, says so and exits 0.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from keys import cards  # noqa: E402
from keys.ballot import Ballot, ElectionContext, verify_ballot  # noqa: E402
from keys.group import Point, base_mul, random_scalar  # noqa: E402
from keys.hashing import digest  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Handler(http.server.SimpleHTTPRequestHandler):
    """/static/… from ballot/static, / from bench/crypto_browser.html; nothing else."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
    }

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/", "/index.html"):
            return str(ROOT / "bench" / "crypto_browser.html")
        if path.startswith("/static/"):
            static = (ROOT / "ballot" / "static").resolve()
            target = (static / path[len("/static/") :]).resolve()
            if static in target.parents:
                return str(target)
        return str(ROOT / "bench" / "does-not-exist")

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(handler: type[Handler] | None = None) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start the loopback server on a free port (bench/dkg_browser.py passes its handler)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler or Handler)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def throttle(page: Any, context: Any, rate: float) -> Any:
    """Emulation.setCPUThrottlingRate through a CDP session on the page.

    Chromium applies it to the page's main thread only: sent to a dedicated worker
    target it answers "Operation is only supported for pages, not workers". Hence the
    benchmark also runs the same session logic on the throttled main thread.
    """
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    return cdp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=44)
    parser.add_argument("--rate", type=float, default=4.0, help="CPU throttling rate")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gap-ms", type=int, default=150, help="time between two choices")
    parser.add_argument("--think-ms", type=int, default=500, help="last choice → submit")
    opts = parser.parse_args()

    if not CHROMIUM.exists():
        print(
            f"{CHROMIUM} not found: install Chromium (apt-get install chromium) "
            "to run this benchmark."
        )
        return 0
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("The playwright package is not installed in this environment; skipping.")
        return 0

    secret = cards.new_secret()
    sk = cards.signing_key("bench", secret)
    context = {
        "manifest_hash": digest(b"phieu/bench-manifest").hex(),
        "public_key": base_mul(random_scalar()).hex(),
        "kind": "rating",
        "rows": opts.rows,
        "base": 101,
    }
    args = {"context": context, "electionId": "bench", "cardCode": cards.encode_code(secret)}
    choices = [1 + i % 3 if i % 5 else 0 for i in range(opts.rows)]

    server, url = serve()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            print(
                f"Chromium {browser.version}, {opts.rows}-row rating ballot, "
                f"CPU throttling {opts.rate:g}×, best / median of {opts.repeats}"
            )
            encrypt_all: dict[tuple[str, float], float] = {}
            for where in ("worker", "main"):
                for rate in sorted({1.0, opts.rate}):
                    results = run(browser, url, rate, where, args, choices, opts)
                    encrypt_all[where, rate] = report(rate, where, results)
                    check(results["vote"][-1], context, sk)
                    check(results["rushed"][-1], context, sk, quiet=True)
                if opts.rate != 1.0:
                    factor = encrypt_all[where, opts.rate] / encrypt_all[where, 1.0]
                    print(
                        f"   effective slowdown of the {where} thread "
                        f"at {opts.rate:g}×: {factor:.2f}"
                    )
            browser.close()
    finally:
        server.shutdown()
    return 0


def run(
    browser: Any,
    url: str,
    rate: float,
    where: str,
    args: dict[str, Any],
    choices: list[int],
    opts: Any,
) -> dict[str, list[Any]]:
    """Repeat (a) and (b) in fresh pages at the given throttling rate."""
    out: dict[str, list[Any]] = {"a": [], "vote": [], "rushed": []}
    for _ in range(opts.repeats):
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function("window.benchReady === true")
        cdp = throttle(page, ctx, rate)
        a = page.evaluate("(a) => window.bench.encryptAll(a)", {**args, "where": where})
        out["a"].append(a)
        vote_args = {
            **args,
            "where": where,
            "choices": choices,
            "gapMs": opts.gap_ms,
            "thinkMs": opts.think_ms,
        }
        out["vote"].append(page.evaluate("(a) => window.bench.vote(a)", vote_args))
        # Worst case: "submit" right after the last choice (that row is still pending).
        rushed = {**vote_args, "thinkMs": 0}
        out["rushed"].append(page.evaluate("(a) => window.bench.vote(a)", rushed))
        cdp.detach()
        ctx.close()
    return out


def report(rate: float, where: str, results: dict[str, list[Any]]) -> float:
    """Print (a) and (b); return the best (a) time."""

    def stat(values: list[float]) -> str:
        return f"{min(values):8.1f} / {statistics.median(values):8.1f} ms"

    a, v, r = results["a"], results["vote"], results["rushed"]
    label = "real Web Worker" if where == "worker" else "same session on the main thread"
    print(f"-- {label}, CPU throttling {rate:g}× requested")
    print(f"  (a) init (card key + election key table)  {stat([x['initMs'] for x in a])}")
    print(f"  (a) encrypt all rows in the background    {stat([x['encryptAllMs'] for x in a])}")
    print(f"      per row                                {stat([x['perRowMs'] for x in a])}")
    print(
        f"  (b) submit → signed ballot ready          {stat([x['submitMs'] for x in v])}"
        f"   (inside the session {stat([x['workerSubmitMs'] for x in v])})"
    )
    print(f"      same, submit right after the last choice {stat([x['submitMs'] for x in r])}")
    return float(min(x["encryptAllMs"] for x in a))


def check(vote: dict[str, Any], context: dict[str, Any], sk: int, quiet: bool = False) -> None:
    """The browser's ballot must verify in Python, with this card."""
    ctx = ElectionContext(
        bytes.fromhex(context["manifest_hash"]),
        Point.from_hex(context["public_key"]),
        context["kind"],
        context["rows"],
        context["base"],
    )
    ballot = Ballot.from_json(vote["ballot"])
    verify_ballot(ctx, ballot)
    assert ballot.card == cards.public_key(sk), "ballot signed by another card"
    assert ballot.tracker().hex() == vote["tracker"], "tracker differs"
    if not quiet:
        print(
            "      ballot from the browser verified by keys.ballot.verify_ballot; tracker matches"
        )


if __name__ == "__main__":
    sys.exit(main())
