"""Languages: Vietnamese first, English second (Flask-Babel).

The locale is, in order: the switch's cookie (``LANGUAGE_COOKIE_NAME``), the browser's
Accept-Language, then ``BABEL_DEFAULT_LOCALE`` (vi). The switch is a plain link
``/lang/<code>?next=/path`` so it works without JavaScript and with an expired form.

Messages use English msgids; ``ballot/translations/vi`` holds the Vietnamese catalog
(.po, and the compiled .mo committed next to it). After changing strings run
``python -m ballot.i18n`` (extract, update, compile); a test checks the .mo is current.
"""

from __future__ import annotations

import subprocess  # runs pybabel from this venv with fixed arguments
import sys
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, has_request_context, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from werkzeug.exceptions import NotFound

from ballot.security import safe_next

bp = Blueprint("i18n", __name__)

TRANSLATIONS = Path(__file__).parent / "translations"


def available_languages() -> list[str]:
    """Language codes offered, Vietnamese first."""
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Flask-Babel's locale selector: cookie, then Accept-Language, then the default."""
    if not has_request_context():  # CLI commands, tests of operations
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    languages = available_languages()
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE_NAME"])
    if chosen in languages:
        return str(chosen)
    best = request.accept_languages.best_match(languages)
    return best or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def template_context() -> dict[str, Any]:
    """Template globals: the current language and the offered ones.

    Templates render inside an app context, where Flask-Babel always has a locale
    (``select_locale`` never returns None), so ``get_locale()`` is never None here.
    """
    return {
        "current_language": str(get_locale()),
        "languages": current_app.config["LANGUAGES"],
    }


@bp.get("/lang/<code>")
def switch(code: str) -> ResponseReturnValue:
    """Remember the chosen language in a cookie and go back where the user was."""
    if code not in available_languages():
        raise NotFound()
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE_NAME"],
        code,
        max_age=365 * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def compile_catalogs() -> None:
    """Extract messages, update the catalogs and compile them (developer command)."""
    root = Path(__file__).parent.parent
    pot = TRANSLATIONS / "messages.pot"
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    commands = [
        [
            *pybabel,
            "extract",
            "-F",
            str(Path(__file__).parent / "babel.cfg"),
            "-k",
            "_l",
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
            ".",
        ],
        [
            *pybabel,
            "update",
            "-i",
            str(pot),
            "-d",
            str(TRANSLATIONS),
            "--no-fuzzy-matching",
        ],
        [*pybabel, "compile", "-d", str(TRANSLATIONS), "--use-fuzzy", "--statistics"],
    ]
    for command in commands:
        subprocess.run(command, check=True, cwd=root)  # noqa: S603


if __name__ == "__main__":
    compile_catalogs()
