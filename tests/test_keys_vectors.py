"""The committed shared vectors are what the Python code produces today (byte for byte)."""

import json
from pathlib import Path

import pytest

from tests.vectors import generate

VECTORS = Path(__file__).parent / "vectors"


@pytest.mark.parametrize(
    "name, build",
    [
        ("hashing.json", generate.hashing_vectors),
        ("cards.json", generate.card_vectors),
        ("rows.json", generate.row_vectors),
        ("ballots.json", generate.ballot_vectors),
    ],
)
def test_vectors_reproduce(name, build):
    committed = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert json.loads(json.dumps(build(), ensure_ascii=False)) == committed
