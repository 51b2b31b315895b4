"""pytest plugin: keep every record the Python verifier's tests hand to ``verify_record``.

Run with ``-p tests.browser.record_collector`` and PHIEU_COLLECT=<dir>: each call's record
files are written as a zip (exactly the files, nothing added) with the CLI's verdict line
(tests/browser/test_verifier_page.py then feeds the same zips to the browser verifier).
At most PHIEU_COLLECT_PER_TEST records per test (the fuzz tests make many).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from keys.errors import CryptoError
from tally import verify
from tally.records import Unreadable, VerifyError

_seen: dict[str, int] = {}


def verdict(record) -> dict:
    """The CLI's first verdict line and exit code for this record."""
    try:
        report = verify.verify_record(record, workers=1)
    except Unreadable as err:
        return {"code": 2, "line": f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {err.item}: {err.reason}"}
    except VerifyError as err:
        return {"code": 1, "line": f"KHÔNG HỢP LỆ / INVALID — {err.item}: {err.reason}"}
    except CryptoError as err:
        return {"code": 2, "line": f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {err.message('en')}"}
    return {"code": 0, "lines": report.lines, "hash": report.record_hash}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    out = Path(os.environ["PHIEU_COLLECT"])
    limit = int(os.environ.get("PHIEU_COLLECT_PER_TEST", "3"))
    original = item.module.verify_record

    def spy(record, workers=None):
        n = _seen.get(item.nodeid, 0)
        if n < limit:
            _seen[item.nodeid] = n + 1
            name = f"{len(list(out.glob('*.zip'))):04d}"
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for fname, data in record.files.items():
                    z.writestr(fname, data)
            (out / f"{name}.zip").write_bytes(buf.getvalue())
            expect = verdict(record) | {"test": item.nodeid}
            (out / f"{name}.json").write_text(json.dumps(expect, ensure_ascii=False))
        return original(record, workers)

    item.module.verify_record = spy
    try:
        yield
    finally:
        item.module.verify_record = original
