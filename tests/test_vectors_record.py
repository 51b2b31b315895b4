"""The committed real record (tests/vectors/count-record.json) is what Python accepts today.

tests/js/trustee-check.test.mjs checks the count page's twin on the same file; if a
record format changes in Python, this test fails until the file is regenerated
(python -m tests.vectors.generate_record), and then the JavaScript test until it is ported.
"""

import json
from pathlib import Path

from ballot.counting.operations import CHECK_FILES
from tally.record import Record, dump
from tally.trustee import compare_tally, verified_totals
from tally.verify import verify_record
from tests.vectors import generate_record

VECTOR = json.loads((Path(__file__).parent / "vectors" / "count-record.json").read_text("utf-8"))


def _record() -> Record:
    return Record({name: dump(obj) for name, obj in VECTOR["files"].items()})


def test_the_committed_record_verifies_in_python():
    record = _record()
    verify_record(record, workers=1)
    checked = verified_totals(record, workers=1)
    compare_tally(checked, record.json("tally.json"))
    assert checked.close_head.hex() == VECTOR["check"]["checkpoints"]["close"]["head"]


def test_the_page_view_is_what_the_server_serves():
    """count/ballots.json holds these record files (ballot/counting/operations.py)."""
    assert generate_record.CHECK_FILES == CHECK_FILES
    assert set(VECTOR["check"]) == {*CHECK_FILES, "tally"}
    for name in CHECK_FILES:
        assert VECTOR["check"][name] == VECTOR["files"][f"{name}.json"]
    assert VECTOR["check"]["tally"] == VECTOR["files"]["tally.json"]
