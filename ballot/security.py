"""Security headers on every response (pages, errors, static files, JSON), and
:func:`safe_next`, the one check of every redirect target taken from a request.

The Content-Security-Policy comes from ``CONTENT_SECURITY_POLICY`` (a dict of
directives): no inline scripts or styles, nothing from another origin. Pages must put
their JavaScript in ``ballot/static/js`` and their styles in ``ballot/static/css``.
The static scripts listed in ``WASM_SCRIPTS`` (a Web Worker that checks public ballots)
get the same policy plus ``'wasm-unsafe-eval'``; no page does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ClientDisconnected, RequestTimeout
from werkzeug.middleware.proxy_fix import ProxyFix

from ballot.errors import ApiError

#: Longest ``next=`` target followed; our own paths are far shorter.
MAX_NEXT_LENGTH = 2000


def _is_local_path(value: str) -> bool:
    """One form of a target: printable ASCII, starts with one "/", no backslash."""
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return False
    # Printable ASCII only: browsers strip tabs and newlines (so "/\t/evil" becomes
    # "//evil"), treat "\\" as "/", and some read odd Unicode spaces; none occur in our
    # own paths, which are ASCII and percent-encoded.
    return all(0x21 <= ord(ch) <= 0x7E and ch != "\\" for ch in value)


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirect).

    Accepted: "/" followed by printable ASCII, without backslash, not starting "//" or
    "/\\", with no scheme or host. The path part must stay so after percent-decoding (up
    to three times; a decoded query may hold anything), so "/%09/evil", "/%2F/evil" and
    "%2F%2Fevil" are refused too.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return default
    if not _is_local_path(target):
        return default
    value = target
    for _ in range(4):
        path = value.split("?", 1)[0].split("#", 1)[0]
        parts = urlsplit(value)
        if not _is_local_path(path) or parts.scheme or parts.netloc:
            return default
        decoded = unquote(value)
        if decoded == value:
            return target
        value = decoded
    return default  # still encoded after three rounds: not one of our links


def _json_has_nul() -> bool:
    """Whether a JSON body would decode to a string holding NUL (``"\\u0000"``)."""
    if not request.is_json:
        return False
    try:
        data = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH (413)
    except (OSError, ClientDisconnected):  # a client too slow for the read deadline
        raise RequestTimeout from None
    # A raw NUL byte is invalid JSON anyway (refused by the parser, as bad JSON). An
    # escape is "\u0000" after an even number of backslashes ("\\u0000" is text). A
    # plain find first: a ballot (32 KiB) costs microseconds, not a regex's milliseconds.
    at = data.find(b"\\u0000")
    while at != -1:
        start = at
        while start > 0 and data[start - 1] == 0x5C:  # backslashes before this one
            start -= 1
        if (at - start) % 2 == 0:
            return True
        at = data.find(b"\\u0000", at + 1)
    return False


def refuse_nul_bytes() -> None:
    """before_request: a NUL character anywhere in the path, query, form or JSON body
    (escaped as ``\\u0000``) is refused.

    PostgreSQL cannot store NUL in text and fails with an error (a 500) on the first
    query that binds it; no legitimate input of this app contains one.
    """
    values = [request.path]
    for multi in (request.args, request.form):
        for key, value in multi.items(multi=True):
            values += [key, value]
    if any("\x00" in v for v in values) or _json_has_nul():
        raise ApiError(
            400,
            "nul_character",
            str(_l("The request contains a NUL character (code 0), which is never valid.")),
        )


#: The headers a proxy sets; removed from requests that did not come from a trusted proxy.
FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(value: object) -> list[Network]:
    """``PROXY_TRUSTED`` ("127.0.0.1, ::1, 10.0.0.0/24" or a list) as networks.

    Raises ValueError on an entry that is not an address or network.
    """
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
    return [ipaddress.ip_network(str(item).strip(), strict=False) for item in items]


class TrustedProxyFix:
    """ProxyFix only for requests whose peer is a trusted proxy.

    Werkzeug's ProxyFix believes ``X-Forwarded-For`` from anyone: with
    ``PROXY_FIX_X_FOR = 1`` and gunicorn reachable directly (a LAN bind, a load
    balancer's private port), a client could send a new address with every request
    and every per-address limit (login, junk casts) would vanish. Here a request whose
    TCP peer (``REMOTE_ADDR``) is not in ``PROXY_TRUSTED`` loses its forwarding headers
    and is seen with its real peer address.
    """

    def __init__(self, app: Any, networks: Iterable[Network], x_for: int, x_proto: int) -> None:
        self.app = app
        self.networks = list(networks)
        self.proxied = ProxyFix(app, x_for=x_for, x_proto=x_proto)

    def _trusted(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer.split("%", 1)[0])
        except ValueError:
            return False
        return any(address in net for net in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self._trusted(str(environ.get("REMOTE_ADDR", ""))):
            return self.proxied(environ, start_response)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)


def content_security_policy(directives: dict[str, str]) -> str:
    """Serialize CSP directives in a stable order."""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def with_wasm(directives: dict[str, str]) -> dict[str, str]:
    """The directives with ``'wasm-unsafe-eval'`` added to script-src (WebAssembly only;
    eval and inline scripts stay refused)."""
    script = directives.get("script-src", directives.get("default-src", "'self'"))
    return {**directives, "script-src": f"{script} 'wasm-unsafe-eval'"}


def init_security(app: Flask) -> None:
    """Install the proxy fix (when configured, for trusted proxies only), the NUL refusal
    and the security headers."""
    x_for = int(app.config["PROXY_FIX_X_FOR"])
    x_proto = int(app.config["PROXY_FIX_X_PROTO"])
    if x_for or x_proto:
        try:
            networks = trusted_networks(app.config["PROXY_TRUSTED"])
        except ValueError as err:
            from ballot.startup import ConfigurationError

            raise ConfigurationError(
                f"PROXY_TRUSTED không hợp lệ ({err}): ghi địa chỉ IP của proxy, ví dụ "
                '"127.0.0.1" hoặc "10.0.0.5, 10.0.0.6".',
                f"PROXY_TRUSTED is not a list of addresses ({err}): give the proxies' IP "
                'addresses, e.g. "127.0.0.1" or "10.0.0.5, 10.0.0.6".',
            ) from None
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, networks, x_for, x_proto)  # type: ignore[method-assign]

    # First of all before_request hooks: before CSRF, rate limits or a database lock.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)

    csp = content_security_policy(app.config["CONTENT_SECURITY_POLICY"])
    wasm_csp = content_security_policy(with_wasm(app.config["CONTENT_SECURITY_POLICY"]))
    wasm_scripts = frozenset(app.config["WASM_SCRIPTS"])
    permissions = app.config["PERMISSIONS_POLICY"]
    hsts_seconds = int(app.config["HSTS_SECONDS"])

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        wasm = (
            request.endpoint == "static"
            and (request.view_args or {}).get("filename") in wasm_scripts
        )
        headers.setdefault("Content-Security-Policy", wasm_csp if wasm else csp)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = permissions
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if hsts_seconds > 0:
            headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages can show accounts, cards or turnout: never kept by a shared cache.
            headers["Cache-Control"] = "no-store"
        return response
