"""One zip, one record: entry names and record-hash.txt read alike by both verifiers.

Each case of tests/zip_cases.py is verified by the CLI here; tests/js/zip-names.test.mjs
feeds the same zips to the browser verifier and expects these same lines.
"""

from __future__ import annotations

import pytest

from tally.record import Record
from tests.zip_cases import cases, cli_verdict

NAMES = "zip entry names must be printable ASCII and distinct"
REFUSED_NAMES = [
    "bom_names",  # "\ufeffballots.json": ballots.json to a browser's default TextDecoder
    "nul_names",  # "ballots.json\0~": ballots.json to Python's zipfile
    "same_name_twice",
    "same_file_in_two_folders",
    "control_character",
    "utf8_name",
    "cp437_name",
    "bad_utf8_name",
]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("zips")
    for name, data in cases().items():
        (out / f"{name}.zip").write_bytes(data)
    return out


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_a_zip_with_a_doubtful_entry_name_is_unreadable(written, name):
    assert cli_verdict(written / f"{name}.zip") == {
        "code": 2,
        "line": f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {name}.zip: {NAMES}",
    }


def test_a_local_header_naming_another_file_is_unreadable(written):
    assert cli_verdict(written / "local_name_differs.zip") == {
        "code": 2,
        "line": "KHÔNG ĐỌC ĐƯỢC / UNREADABLE — local_name_differs.zip: "
        "a zip entry's local name differs from its directory name",
    }


@pytest.mark.parametrize("name", ["honest", "honest_in_a_folder", "hash_without_newline"])
def test_honest_zips_still_verify(written, name):
    verdict = cli_verdict(written / f"{name}.zip")
    assert verdict["code"] == 0
    assert verdict["line"] == f"Mã băm hồ sơ / record hash: {_hash(written, name)}"


def test_a_bom_before_a_json_file_is_unreadable(written):
    assert cli_verdict(written / "bom_before_json.zip") == {
        "code": 2,
        "line": "KHÔNG ĐỌC ĐƯỢC / UNREADABLE — audits.json: Malformed data "
        "(record: audits.json is not valid JSON)",
    }


@pytest.mark.parametrize(
    "name, says",
    [
        ("hash_with_bom", "'\\ufeff{h}'"),
        ("hash_with_file_separator", "'{h}\\x1c'"),  # str.strip() would have removed it
        ("hash_with_crlf", "'{h}\\r'"),
        ("hash_of_emoji", repr("😀" * 80)),  # 80 code points, not 80 UTF-16 units
    ],
)
def test_record_hash_txt_is_the_hex_and_at_most_one_newline(written, name, says):
    h = _hash(written, name)
    assert cli_verdict(written / f"{name}.zip") == {
        "code": 1,
        "line": f"KHÔNG HỢP LỆ / INVALID — record-hash.txt: says {says.format(h=h)}, "
        f"the files hash to {h}",
    }


def _hash(folder, name) -> str:
    return Record.load(folder / f"{name}.zip").hash().hex()
