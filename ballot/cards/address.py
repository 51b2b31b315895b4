"""The address printed on the cards (QR code and link), and whether phones can reach it.

It is the ``BASE_URL`` setting when set, otherwise the address the secretariat's browser
opened the cards page at (so a server reached at http://192.168.1.10:8000 prints cards
for that address). A loopback, unspecified or link-local host, or anything that is not a
plain http(s) address, cannot be reached from the members' phones: the cards page says
so and prints such cards only when the secretariat ticks a box.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


def card_base_url() -> str:
    """The base address the cards will carry (no trailing slash)."""
    configured = str(current_app.config["BASE_URL"] or "").strip()
    return (configured or request.host_url).rstrip("/")


def address_problem(url: str) -> LazyString | None:
    """Why phones could not open ``url``, or None when it looks reachable."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # a malformed port raises here
    except ValueError:
        return _l("This is not a valid web address.")
    if parts.scheme not in ("http", "https") or not host:
        return _l("This is not a valid web address.")
    if host == "localhost" or host.endswith(".localhost"):
        return _l("This address is this computer itself: phones cannot open it.")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: the conference network resolves it
    if ip.is_loopback:
        return _l("This address is this computer itself: phones cannot open it.")
    if ip.is_unspecified or ip.is_link_local or ip.is_multicast:
        return _l("Phones cannot open this address.")
    return None
