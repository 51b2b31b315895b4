"""A real HTTP server for browser tests, and Debian's Chromium through Playwright.

The server is werkzeug's threaded server on a free 127.0.0.1 port, serving the test
app (its database is the test's temporary SQLite file or PostgreSQL schema). Request
lines are not logged. Chromium is ``/usr/bin/chromium``; Playwright's own browser download is
never used.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from ballot.db import db
from ballot.polls.models import Poll
from keys.hashing import ballot_fingerprint

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "vi-VN",
}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log: a card key in a path must not be written next to an address."""


def _buffered(app: Flask) -> Any:
    """The app with each response read whole and its iterator closed at once.

    werkzeug's development server closes a response's iterator only after checking the
    socket, and when Chromium has already dropped the connection (a page navigating
    away mid-download) that check raises first: a static file's handle is then left
    open and its ResourceWarning, an error under ``filterwarnings = error``, fails
    whichever test happens to collect it. Nothing here streams, so buffering is safe.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return wsgi


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` in a thread; yield its base URL."""
    server = make_server(
        "127.0.0.1", 0, _buffered(app), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def chromium() -> Iterator[Any]:
    """The system Chromium via Playwright, or a skip with the reason."""
    if not CHROMIUM.exists():
        print("browser tests skipped: /usr/bin/chromium is missing (apt-get install -y chromium)")
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def card_link(base_url: str, public_id: str, code: str, poll_id: int) -> str:
    """The link printed as a QR code: ``/v/<id>#<code>.<fingerprint 16 hex>``."""
    poll = db.session.get(Poll, poll_id)
    assert poll is not None and poll.manifest is not None
    fingerprint = ballot_fingerprint(json.loads(poll.manifest)).hex()[:16]
    return f"{base_url}/v/{public_id}#{code.replace('-', '')}.{fingerprint}"


#: The widths every page is looked at: a phone, a laptop, the projector's laptop, a big screen.
WIDTHS = (360, 1024, 1366, 1920)

# Every visible element whose box leaves the viewport's width, or whose own text is cut
# off inside it (scrollWidth beyond clientWidth on an element that clips), and any HTML
# id used twice, named for the assertion message. Elements inside a container that
# scrolls sideways on purpose (a wide table's wrapper) count when that container itself
# leaves the viewport.
LAYOUT = """() => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '')
    + ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
  const scroller = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX; if (s === 'auto' || s === 'scroll') return p; }
    return null; };
  for (const el of document.body.querySelectorAll('*')) {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden') continue;
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'OPTION'].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.closest('[hidden]')) continue;
    if (el.closest('.skip-link')) continue;  // off screen until focused, on purpose
    const box = scroller(el);
    const target = box ? box.getBoundingClientRect() : r;
    if (target.left < -0.5 || target.right > vw + 0.5) bad.push('outside: ' + name(box || el));
    if ((st.overflowX === 'hidden' || st.textOverflow === 'ellipsis')
        && el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'BODY' && el.tagName !== 'HTML')
      bad.push('cut off: ' + name(el));
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length) bad.push('duplicate ids: ' + [...new Set(dupes)].join(' '));
  return { bad: [...new Set(bad)].slice(0, 12),
           hscroll: document.documentElement.scrollWidth > vw + 0.5,
           text: document.body.innerText };
}"""

FOOTER = ("lá phiếu được mã hóa ngay trên điện thoại", "encrypted on your phone")  # members' footer
