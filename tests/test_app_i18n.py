"""Vietnamese first, English second: browser choice, the switch, the catalogs."""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).parent.parent / "ballot" / "translations"


def test_default_is_vietnamese(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


def test_unknown_browser_language_falls_back_to_vietnamese(client) -> None:
    html = client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.5"}).get_data(as_text=True)
    assert '<html lang="vi">' in html


def test_browser_language_english(client) -> None:
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_switch_overrides_browser_and_survives_login(client, auth, make_user) -> None:
    response = client.get("/lang/en?next=/account/login", headers={"Accept-Language": "vi"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    html = client.get("/account/login", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Username" in html and '<html lang="en">' in html
    make_user("thuky")
    auth.login("thuky")  # the session is cleared; the language cookie is not
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.get("/lang/vi")
    assert '<html lang="vi">' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_switch_links_on_every_page(client) -> None:
    html = client.get("/account/login").get_data(as_text=True)
    assert 'href="/lang/en?next=/account/login"' in html


def test_switch_refuses_unknown_language_and_foreign_next(client) -> None:
    assert client.get("/lang/fr").status_code == 404
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.get("/lang/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_compiled_catalog_matches_po() -> None:
    """The committed .mo is current (run `python -m ballot.i18n` after editing the .po)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        expected = gettext.GNUTranslations(buffer)._catalog  # type: ignore[attr-defined]
        with po_path.with_suffix(".mo").open("rb") as handle:
            actual = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        expected.pop("", None)
        actual.pop("", None)
        assert actual == expected, f"{po_path.with_suffix('.mo')} is stale"
        untranslated = [m.id for m in catalog if m.id and not m.string]
        assert not untranslated, untranslated


def test_every_template_string_is_translated() -> None:
    """Every msgid used in the code has a Vietnamese translation in the catalog."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).parent.parent
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    method_map = [("ballot/**.py", "python"), ("ballot/**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    missing = []
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map, keywords=keywords
    ):
        if filename.startswith(("ballot/static/",)):
            continue
        msgid = message if isinstance(message, str) else message[0]
        if catalog.get(msgid) is None or not catalog.get(msgid).string:
            missing.append((filename, msgid))
    assert not missing, (
        "untranslated strings; run `python -m ballot.i18n`, translate them in "
        f"ballot/translations/vi/LC_MESSAGES/messages.po and run it again: {missing}"
    )


def test_translations_outside_a_request(app) -> None:
    from flask_babel import gettext

    with app.app_context():
        assert gettext("Log in") == "Đăng nhập"
