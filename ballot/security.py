"""Security headers on every response (pages, errors, static files, JSON), and
:func:`safe_next`, the one check of every redirect target taken from a request.

The Content-Security-Policy comes from ``CONTENT_SECURITY_POLICY`` (a dict of
directives): no inline scripts or styles, nothing from another origin. Pages must put
their JavaScript in ``ballot/static/js`` and their styles in ``ballot/static/css``.
The static scripts listed in ``WASM_SCRIPTS`` (a Web Worker that checks public ballots)
get the same policy plus ``'wasm-unsafe-eval'``; no page does.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l
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


def refuse_nul_bytes() -> None:
    """before_request: a NUL character anywhere in the path, query or form is refused.

    PostgreSQL cannot store NUL in text and fails with an error (a 500) on the first
    query that binds it; no legitimate input of this app contains one.
    """
    values = [request.path]
    for multi in (request.args, request.form):
        for key, value in multi.items(multi=True):
            values += [key, value]
    if any("\x00" in v for v in values):
        raise ApiError(
            400,
            "nul_character",
            str(_l("The request contains a NUL character (code 0), which is never valid.")),
        )


def content_security_policy(directives: dict[str, str]) -> str:
    """Serialize CSP directives in a stable order."""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def with_wasm(directives: dict[str, str]) -> dict[str, str]:
    """The directives with ``'wasm-unsafe-eval'`` added to script-src (WebAssembly only;
    eval and inline scripts stay refused)."""
    script = directives.get("script-src", directives.get("default-src", "'self'"))
    return {**directives, "script-src": f"{script} 'wasm-unsafe-eval'"}


def init_security(app: Flask) -> None:
    """Install ProxyFix (when configured), the NUL refusal and the security headers."""
    x_for = int(app.config["PROXY_FIX_X_FOR"])
    x_proto = int(app.config["PROXY_FIX_X_PROTO"])
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)  # type: ignore[method-assign]

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
