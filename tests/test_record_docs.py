"""Docs are the code: record.md's key lists are the typed record; every tag is in a table."""

import json
import re
import subprocess
from pathlib import Path

from keys.hashing import TAGS
from tally.records import KEYS

ROOT = Path(__file__).resolve().parent.parent


def test_record_md_key_lists_equal_the_typed_record():
    text = (ROOT / "docs/record.md").read_text(encoding="utf-8")
    section = text.split("## Keys", 1)[1].split("\n## ", 1)[0]
    documented = {}
    for line in section.splitlines():
        m = re.fullmatch(r"- `([^`]+)`: (.+)", line.strip())
        if m:
            documented[m.group(1)] = tuple(re.findall(r"`([^`]+)`", m.group(2)))
    assert documented == dict(KEYS)


TAG_LITERAL = re.compile(r"""['"`](phieu/(?:v1/|test-)[a-z0-9-]+)['"`]""")


def _tag_table() -> set[str]:
    table = (ROOT / "docs/crypto.md").read_text(encoding="utf-8").split("Tags (ASCII", 1)[1]
    table = table.split("\n\n", 2)[1]  # the table itself: the paragraph after its title
    return set(re.findall(r"^\| `(phieu/[a-z0-9/-]+)` \|", table, re.M))


def test_every_tag_is_unique_and_in_the_documented_table():
    """One tag, one purpose: no value twice in the registry, each a row of crypto.md §2."""
    values = [tag.decode() for tag in TAGS.values()]
    assert len(TAGS) >= 29
    assert len(set(values)) == len(values)
    assert _tag_table() == set(values), "docs/crypto.md's tag table and keys/hashing.TAGS differ"


def test_python_tags_are_only_defined_in_the_registry():
    """Every module takes its tags from keys/hashing.py: no tag literal anywhere else."""
    hashing = ROOT / "keys/hashing.py"
    for folder in ("keys", "tally", "ballot"):
        for path in (ROOT / folder).rglob("*.py"):
            found = re.findall(r'b"(phieu/(?:v1/|test-)[a-z0-9-]+)"', path.read_text("utf-8"))
            assert path == hashing or not found, f"{path.relative_to(ROOT)}: {found}"


def test_javascript_tags_match_the_registry():
    """phieu-crypto.js's TAGS are the registry's (same names, same bytes), and every tag
    written in any other browser script is one of them."""
    by_value = {tag.decode(): name for name, tag in TAGS.items()}
    crypto = (ROOT / "ballot/static/js/phieu-crypto.js").read_text(encoding="utf-8")
    table = crypto.split("export const TAGS = Object.freeze({", 1)[1].split("});", 1)[0]
    js = dict(re.findall(r"^\s+([A-Z0-9_]+): utf8\('([^']+)'\)", table, re.M))
    # Never hashed in a browser: the installation's log and the CLI's sealed state file.
    expected = {n: t.decode() for n, t in TAGS.items() if n not in ("ACTION_LOG", "DKG_STATE")}
    assert js == expected
    scripts = [p for p in (ROOT / "ballot/static").rglob("*.js") if "vendor" not in p.parts]
    assert len(scripts) > 20
    for path in scripts:
        for tag in TAG_LITERAL.findall(path.read_text(encoding="utf-8")):
            assert tag in by_value, f"{path.relative_to(ROOT)}: {tag} is not in keys/hashing.py"


def test_the_browser_verifier_reads_the_same_keys():
    """record-files.js's KEYS (the browser twin) are the typed record's, entry for entry."""
    script = (
        "import('./ballot/static/verifier/record-files.js')"
        ".then((m) => console.log(JSON.stringify(m.KEYS)))"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert {k: tuple(v) for k, v in json.loads(out.stdout).items()} == dict(KEYS)
