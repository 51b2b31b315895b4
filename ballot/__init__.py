"""Phiếu tín nhiệm — the web layer (Flask).

``create_app`` reads settings in this order (later wins): ``config/defaults.py``, the
instance folder's ``config.py``, then ``PHIEU_*`` environment variables (or, for tests,
the ``test_config`` mapping instead of the last two). Each domain area is a subpackage
(``ballot/accounts`` …) with ``models``, ``operations``, ``forms``, ``views`` and
``templates/<area>/``. Every subpackage whose ``__init__`` defines ``init_app(app)``
(register blueprints, CLI commands) is found and called, in alphabetical order;
see :func:`domain_areas`.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask

from ballot.startup import ConfigurationError, check_server_key, check_settings
from keys.codes import group_code

__all__ = ["ConfigurationError", "create_app", "domain_areas"]


def domain_areas() -> list[ModuleType]:
    """The subpackages of ``ballot`` that define ``init_app(app)``, by name."""
    areas = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.ispkg and info.name not in ("static", "templates", "translations"):
            module = importlib.import_module(f"ballot.{info.name}")
            if callable(getattr(module, "init_app", None)):
                areas.append(module)
    return areas


def _demo_secret_key(app: Flask) -> None:
    """In development, share ``make run``'s key (instance/demo-secret-key) when it exists.

    The server's signing key in instance/ is encrypted under SECRET_KEY; without this,
    a ``flask --app wsgi …`` command after ``make run`` could not read it.
    """
    if app.config["ENV_NAME"] != "development" or app.config["TESTING"]:
        return
    if app.config.get("SECRET_KEY") != "dev-only-insecure-key":
        return
    key_file = Path(app.instance_path) / "demo-secret-key"
    if key_file.is_file():
        app.config["SECRET_KEY"] = key_file.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory: defaults, then instance config, then PHIEU_* environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("config.defaults")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PHIEU")
    else:
        app.config.update(test_config)
    check_settings(app)
    _demo_secret_key(app)

    from ballot import home, i18n
    from ballot.cli import init_cli
    from ballot.db import init_db, init_write_hooks
    from ballot.errors import init_errors
    from ballot.extensions import babel, csrf, limiter, login_manager
    from ballot.security import init_security
    from ballot.web import download_name

    init_db(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    babel.init_app(app, locale_selector=i18n.select_locale)
    init_security(app)
    init_errors(app)
    init_cli(app)
    from ballot.localtime import init_localtime

    init_localtime(app)
    _check_minutes_committee(app)

    import ballot.models  # noqa: F401 - complete metadata before anything queries

    app.register_blueprint(home.bp)
    app.register_blueprint(i18n.bp)
    for area in domain_areas():
        area.init_app(app)

    app.context_processor(i18n.template_context)
    from ballot.vocab import init_templates

    init_templates(app)
    app.jinja_env.globals["group_code"] = group_code  # the one grouping of codes compared
    app.jinja_env.globals["download_name"] = download_name  # the one name of each file
    from ballot.cli import guard_commands

    guard_commands(app)  # after every area added its commands
    init_write_hooks(app)  # after CSRF and rate limits: refused requests take no lock
    check_server_key(app)
    return app


def _check_minutes_committee(app: Flask) -> None:
    """MINUTES_COMMITTEE names a committee the minutes know (refused at start, not at the
    first download of the minutes)."""
    from tally.minutes import COMMITTEES

    value = app.config["MINUTES_COMMITTEE"]
    if value not in COMMITTEES:
        raise ConfigurationError(
            f"MINUTES_COMMITTEE phải là một trong: {', '.join(COMMITTEES)} (không phải {value!r})",
            f"MINUTES_COMMITTEE must be one of: {', '.join(COMMITTEES)} (not {value!r})",
        )
