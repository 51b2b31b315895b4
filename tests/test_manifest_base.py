"""The manifest's base is exactly the number of cards + 1 (a dishonest server's other
choices fold one level into another or make the count endless)."""

from __future__ import annotations

import copy

import pytest

from keys.errors import CryptoError
from keys.group import N
from tally.manifest import parse_manifest
from tally.simulate import simulate


@pytest.fixture(scope="module")
def manifest() -> dict:
    return simulate(members=3, officials=2).record.json("manifest.json")


def test_honest_manifest_parses(manifest):
    parsed = parse_manifest(manifest)
    assert parsed.base == parsed.card_count + 1


@pytest.mark.parametrize("base", [N - 1, 2**40, 2, "cards+2"])
def test_other_bases_are_refused(manifest, base):
    raw = copy.deepcopy(manifest)
    raw["base"] = raw["cards"]["count"] + 2 if base == "cards+2" else base
    with pytest.raises(CryptoError, match="number of cards"):
        parse_manifest(raw)
