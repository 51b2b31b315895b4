"""One vocabulary: enums whose values are today's strings, CHECK constraints generated
from them with exactly the text the migrations wrote, form choices and labels from one
table each."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from ballot.db import db
from ballot.states import STATE_LABELS, State
from ballot.vocab import DENOMINATOR_CHOICES, DENOMINATOR_NOUNS, KIND_CHOICES, LEVEL_LABELS
from keys.hashing import canonical_json
from tally.rules import DEFAULT_THRESHOLDS, EDITABLE
from tally.vocab import DENOMINATOR_TEXT, KIND_LEVELS, Denominator, Flag, Kind, Level
from tally.vocab import LEVEL_LABELS as LEVEL_TEXT

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


def migration_checks() -> dict[str, str]:
    """Every CHECK constraint the migrations create: full name → SQL text."""
    found: dict[str, str] = {}
    for path in sorted(MIGRATIONS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        upgrade = next(
            n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"
        )
        for node in ast.walk(upgrade):
            if isinstance(node, ast.With):  # with op.batch_alter_table("t") as batch_op:
                table = node.items[0].context_expr.args[0].value  # type: ignore[attr-defined]
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == (
                        "create_check_constraint"
                    ):
                        name, text = (a.value for a in call.args[:2])  # type: ignore[attr-defined]
                        found[f"ck_{table}_{name}"] = text
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "CheckConstraint":
                name = next(k.value for k in node.keywords if k.arg == "name")
                found[name.args[0].value] = node.args[0].value  # type: ignore[attr-defined]
    return found


def model_checks() -> dict[str, str]:
    """Every CHECK constraint of the models: full name → SQL text."""
    out = {}
    for table in db.metadata.tables.values():
        for c in table.constraints:
            if isinstance(c, sa.CheckConstraint):
                prefix = f"ck_{table.name}_"  # the naming convention, once applied
                name = str(c.name)
                out[name if name.startswith(prefix) else prefix + name] = str(c.sqltext)
    return out


def test_generated_check_constraints_are_the_migrations_text(app) -> None:
    models, migrations = model_checks(), migration_checks()
    assert len(models) >= 20 and set(models) == set(migrations)
    assert models == migrations
    # The generated ones, spelled out (a change here needs a migration).
    assert models["ck_polls_state"] == (
        "state IN ('draft','ready','open','closed','tallied','published')"
    )
    assert (
        models["ck_polls_frozen_after_draft"] == "state IN ('draft') OR manifest_hash IS NOT NULL"
    )
    assert models["ck_polls_kind"] == "kind IN ('rating','confidence')"
    assert models["ck_accounts_role"] == "role IN ('secretariat', 'auditor')"
    assert models["ck_cards_status"] == "status IN ('unused','used','revoked')"


def test_the_migrated_database_holds_the_same_text(app) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL rewrites CHECK texts; the migrations' text is checked above")
        inspector = sa.inspect(db.engine)
        stored = {
            c["name"]: c["sqltext"]
            for t in inspector.get_table_names()
            for c in inspector.get_check_constraints(t)
        }
    assert {k: stored.get(k) for k in model_checks()} == model_checks()


def test_members_are_their_strings_in_every_format() -> None:
    assert [str(k) for k in Kind] == ["rating", "confidence"]
    assert KIND_LEVELS == {
        "rating": ("tin_nhiem_cao", "tin_nhiem", "tin_nhiem_thap"),
        "confidence": ("tin_nhiem", "khong_tin_nhiem"),
    }
    assert [str(d) for d in Denominator] == ["returned", "members_total", "summoned", "issued"]
    assert [str(f) for f in Flag] == [
        "thap_tren_mot_nua",
        "thap_tu_hai_phan_ba",
        "khong_tin_nhiem_tren_mot_nua",
    ]
    value = {Kind.RATING: [Level.LOW_CONFIDENCE, Denominator.RETURNED, State.OPEN]}
    assert canonical_json(value) == b'{"rating":["tin_nhiem_thap","returned","open"]}'
    assert json.dumps(value) == '{"rating": ["tin_nhiem_thap", "returned", "open"]}'
    assert f"{Kind.CONFIDENCE}|%s" % Level.NO_CONFIDENCE == "confidence|khong_tin_nhiem"
    # The thresholds frozen into manifests are unchanged.
    assert [t.to_json()["flag"] for t in DEFAULT_THRESHOLDS["rating"]] == [
        "thap_tren_mot_nua",
        "thap_tu_hai_phan_ba",
    ]
    assert {f for pairs in EDITABLE.values() for f, _ in pairs} == set(Flag)


def test_every_member_has_its_labels() -> None:
    assert set(KIND_CHOICES) == set(Kind) and set(KIND_LEVELS) == set(Kind)
    assert set(LEVEL_LABELS) == set(Level) == set(LEVEL_TEXT)
    assert set(DENOMINATOR_CHOICES) == set(DENOMINATOR_NOUNS) == set(DENOMINATOR_TEXT)
    assert set(DENOMINATOR_TEXT) == set(Denominator)
    assert set(STATE_LABELS) == set(State)


def test_form_choices_come_from_the_enums(app) -> None:
    from ballot.polls.forms import denominator_choices, kind_choices

    with app.test_request_context():
        assert [v for v, _ in kind_choices()] == ["rating", "confidence"]
        assert [v for v, _ in denominator_choices()] == [str(d) for d in Denominator]
        assert str(dict(kind_choices())["confidence"]).startswith("Bỏ phiếu tín nhiệm: ")  # vi


STATIC = Path(__file__).resolve().parent.parent / "ballot" / "static"


def _exported(script: str, name: str) -> object:
    """The JSON of ``name`` exported by ballot/static/js/<script>, as node loads it."""
    code = f"import('./ballot/static/js/{script}')" + (
        f".then((m) => console.log(JSON.stringify(m.{name})))"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", code],
        cwd=STATIC.parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_browser_twins_use_the_same_words() -> None:
    assert _exported("phieu-ballot.js", "KINDS") == {k: list(v) for k, v in KIND_LEVELS.items()}
    text = (STATIC / "verifier" / "record-results.js").read_text(encoding="utf-8")
    found = re.search(r"const DENOMINATORS = (\[[^\]]*\]);", text)
    assert found is not None
    assert json.loads(found.group(1).replace("'", '"')) == [str(d) for d in Denominator]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_page_scripts_name_the_states_of_ballot_states() -> None:
    """vote-states.js is ballot.states.State in JavaScript, and the page scripts that
    compare a vote's state take its names from there (no state written as a literal)."""
    assert _exported("vote-states.js", "STATE") == {s.name: s.value for s in State}
    words = "|".join(s.value for s in State)
    literal = re.compile(rf"""['"](?:{words})['"]""")
    for name in ("vote-page.js", "projector.js"):
        text = (STATIC / "js" / name).read_text(encoding="utf-8")
        assert "from './vote-states.js'" in text, name
        compared = [line for line in text.splitlines() if "state" in line.lower()]
        assert [line for line in compared if literal.search(line)] == [], name
