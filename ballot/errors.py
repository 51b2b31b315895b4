"""Error pages (HTML, Vietnamese/English) and JSON errors for API requests.

A JSON request (JSON body, or an Accept header that prefers JSON) gets
``{"error": "<code>", "message": "<text in the user's language>"}``; anything else gets
``errors/error.html``. A 500 never shows a stack trace or any setting. Later views can
raise :class:`ApiError` (made by :func:`refuse`) to answer with their own code
(``card_used``, ``vote_closed`` …).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ballot.db import db

log = logging.getLogger(__name__)

#: status -> (code, title, message); lazy so they follow the request's language.
ERRORS = {
    400: ("bad_request", _l("Bad request"), _l("The request could not be understood.")),
    401: ("unauthorized", _l("Login required"), _l("Please log in to continue.")),
    403: ("forbidden", _l("Access denied"), _l("You do not have permission to do this.")),
    404: ("not_found", _l("Page not found"), _l("The page you asked for does not exist.")),
    405: (
        "method_not_allowed",
        _l("Method not allowed"),
        _l("This address does not accept that kind of request."),
    ),
    413: (
        "too_large",
        _l("Request too large"),
        _l("What you sent is larger than the server accepts."),
    ),
    429: (
        "too_many_requests",
        _l("Too many attempts"),
        _l("Too many attempts. Please wait a moment and try again."),
    ),
    500: (
        "server_error",
        _l("Server error"),
        _l("Something went wrong on our side. Nothing was saved; please try again."),
    ),
}
CSRF_MESSAGE = _l("This form has expired or was not sent from this site. Reload and retry.")


class ApiError(Exception):
    """An error with a machine code and a user message, answered as JSON or a page."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def refuse(code: str, message: Any, status: int = 409) -> ApiError:
    """An ApiError carrying a translated message (raise it: nothing is changed)."""
    return ApiError(status, code, str(message))


def wants_json() -> bool:
    """True when the client sent JSON or prefers a JSON answer over HTML."""
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, code: str, title: str, message: str) -> ResponseReturnValue:
    """Render an error as JSON or as the error page, with the given status."""
    if wants_json():
        response: Response = jsonify(error=code, message=message)
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # a broken connection must not hide the first error
        log.exception("rollback failed")


def init_errors(app: Flask) -> None:
    """Register the handlers for HTTP errors, CSRF failures, ApiError and crashes."""
    from ballot import logsafety

    logsafety.install(app.logger, log)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> ResponseReturnValue:
        _rollback()
        status = err.code or 500
        code, title, message = ERRORS.get(status, ERRORS[400 if status < 500 else 500])
        if isinstance(err, CSRFError):
            message = CSRF_MESSAGE
        response = error_response(status, code, str(title), str(message))
        if status == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(err.valid_methods)
        if status == 429:
            response = app.make_response(response)
            retry_after = getattr(err, "retry_after", None)
            if retry_after:
                response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> ResponseReturnValue:
        _rollback()
        title = ERRORS.get(err.status, ERRORS[400])[1]
        return error_response(err.status, err.code, str(title), err.message)

    @app.errorhandler(InternalServerError)
    def _server_error(err: InternalServerError) -> ResponseReturnValue:
        original = getattr(err, "original_exception", None)
        if original is not None:
            log.error("unhandled error", exc_info=original)
        _rollback()
        code, title, message = ERRORS[500]
        return error_response(500, code, str(title), str(message))
