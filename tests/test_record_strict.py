"""Strict reading of the record: the manifest base is exactly cards + 1 (other choices fold a
level into another or make the count endless), and record files are strict JSON."""

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


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": 1.0}', "not an integer"),
        (b'{"a": NaN}', "not an integer"),
        (b'{"a": 1e3}', "not an integer"),
    ],
)
def test_record_files_are_strict_json(text, reason):
    from tally.record import Record

    with pytest.raises(CryptoError, match=reason):
        Record({"figures.json": text}).json("figures.json")
