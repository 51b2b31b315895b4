"""Areas of ballot/ depend only downward (docs/architecture.md, "Inside ballot/").

A plain scan of every ``import`` in ballot/ (also those inside functions, which would
otherwise hide a cycle): an area may import the shared modules, any area's ``models``
(tables only: a models module imports nothing but ``ballot.db`` and ``ballot.permissions``)
and the areas below it in ``AREAS``; never an area beside or above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

BALLOT = Path(__file__).resolve().parent.parent / "ballot"

#: Bottom to top: each area may import those before it.
AREAS = ("accounts", "cards", "polls", "voting", "counting", "board")

#: Upward imports still allowed, each with its reason; the test fails once one is gone
#: (then delete it here). None remain.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}

#: Shared modules that start the application and so may reach into the areas.
ENTRY_POINTS = ("ballot", "ballot.demo", "ballot.cli")


def _module(path: Path) -> str:
    parts = path.relative_to(BALLOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ballot module imported by the file (``from ballot.x import y`` → ballot.x.y
    when ballot.x is an area package, so that submodules are named)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.count(".") == 1 and node.module.split(".")[1] in AREAS:
                found.update(f"{node.module}.{a.name}" for a in node.names)
            else:
                found.add(node.module)
    return {name for name in found if name.split(".")[0] == "ballot"}


def _area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in AREAS else None


def _edges() -> list[tuple[str, str]]:
    return [
        (_module(path), target)
        for path in sorted(BALLOT.rglob("*.py"))
        for target in sorted(_imports(path))
    ]


def test_every_area_is_listed() -> None:
    packages = {p.name for p in BALLOT.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(AREAS)


def test_areas_import_only_downward() -> None:
    wrong, used = [], set()
    for source, target in _edges():
        here, there = _area(source), _area(target)
        if here is None or there is None or here == there or target.endswith(".models"):
            continue
        if AREAS.index(there) < AREAS.index(here):
            continue
        if (source, target) in ALLOWED_UPWARD:
            used.add((source, target))
            continue
        wrong.append(f"{source} imports {target} ({there} is not below {here})")
    assert wrong == []
    assert used == set(ALLOWED_UPWARD), "an allowed upward import is gone: delete it here"


def test_models_are_leaves() -> None:
    """What makes 'any area's models' safe to import: they import no other area."""
    wrong = [
        f"{source} imports {target}"
        for source, target in _edges()
        if source.endswith(".models") and _area(target) not in (None, _area(source))
    ]
    assert wrong == []


def test_shared_modules_reach_areas_only_for_tables() -> None:
    wrong = [
        f"{source} imports {target}"
        for source, target in _edges()
        if _area(source) is None
        and source not in ENTRY_POINTS
        and _area(target) is not None
        and not target.endswith(".models")
    ]
    assert wrong == []


def test_the_scan_sees_a_sideways_import(tmp_path: Path) -> None:
    """The scan itself: an import inside a function is found, with its submodule."""
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from ballot.board import views\n    import ballot.db\n")
    assert _imports(sample) == {"ballot.board.views", "ballot.db"}
