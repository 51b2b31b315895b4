"""gunicorn's logger with a safe access log (``logger_class`` in gunicorn.conf.py).

Every access-log field is made safe before formatting:

* control characters (and ``"`` and ``\\``) are written as ``\\xNN``: a request for
  ``/a%0a"GET /forged" 200`` cannot forge a second log line, and terminal escapes
  do nothing when the log is read;
* the card key in ``/v/<vote>/card/<key>`` becomes ``<card>``, and any other
  64-hex-digit run (a card key, a receipt) becomes ``<hex>``: the log of a voting
  day must not list which cards were checked in which order.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

#: The card-status route: its last segment is a card's public key.
CARD_ROUTE = re.compile(r"(/v/[^/?\s]+/card/)[^/?\s]*", re.IGNORECASE)
#: Card keys and receipts (trackers) are 32 bytes in hex.
HEX_32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", re.IGNORECASE)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f"\\\u2028\u2029]')


def safe_field(value: str) -> str:
    """One log field: card keys and receipts hidden, control characters escaped."""
    value = CARD_ROUTE.sub(r"\1<card>", value)
    value = HEX_32.sub("<hex>", value)
    return _UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}", value)


class SafeAccessLogger(Logger):
    """gunicorn's Logger whose access-log atoms pass through :func:`safe_field`."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """The standard atoms, each string made safe."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: safe_field(v) if isinstance(v, str) else v for k, v in atoms.items()}
