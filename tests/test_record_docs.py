"""Docs are the code: record.md's key lists are the typed record; every tag is in a table."""

import re
from pathlib import Path

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


def test_every_record_tag_in_code_is_in_the_tag_table():
    table = (ROOT / "docs/crypto.md").read_text(encoding="utf-8").split("Tags (ASCII", 1)[1]
    documented = set(re.findall(r"^\| `(phieu/v1/[a-z0-9-]+)` \|", table, re.M))
    used = set()
    for folder in ("keys", "tally", "ballot"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r'b"(phieu/v1/[a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    missing = used - documented
    assert not missing, f"tags used in code but missing from docs/crypto.md: {sorted(missing)}"
