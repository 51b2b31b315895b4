"""Security headers on every response (pages, errors, static files, JSON).

The Content-Security-Policy comes from ``CONTENT_SECURITY_POLICY`` (a dict of
directives): no inline scripts or styles, nothing from another origin. Pages must put
their JavaScript in ``ballot/static/js`` and their styles in ``ballot/static/css``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix


def content_security_policy(directives: dict[str, str]) -> str:
    """Serialize CSP directives in a stable order."""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def init_security(app: Flask) -> None:
    """Install ProxyFix (when configured) and the security-header hook."""
    x_for = int(app.config.get("PROXY_FIX_X_FOR", 0))
    x_proto = int(app.config.get("PROXY_FIX_X_PROTO", 0))
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)  # type: ignore[method-assign]

    csp = content_security_policy(app.config["CONTENT_SECURITY_POLICY"])
    permissions = app.config["PERMISSIONS_POLICY"]
    hsts_seconds = int(app.config.get("HSTS_SECONDS", 0))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
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
