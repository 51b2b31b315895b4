"""``python -m tally minutes`` verifies the record first and prints no minutes for a bad one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tally.cli import main
from tally.record import Record
from tally.simulate import simulate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sim():
    return simulate(members=6, officials=2, spares=1, seed=3)


def _saved(sim, path: Path, change=None) -> Path:
    record = Record(dict(sim.record.files))
    if change is not None:
        change(record)
    record.save(path)
    return path


def _minutes(record_path: Path, out: Path):
    return CliRunner().invoke(
        main, ["minutes", str(record_path), "--out", str(out), "--workers", "1"]
    )


def _more_for_official_1(record: Record) -> None:
    results = record.json("results.json")
    results["officials"][0]["total"] += 1
    record.put("results.json", results)


def test_a_valid_record_gets_its_minutes(sim, tmp_path):
    out = tmp_path / "bien-ban.pdf"
    res = _minutes(_saved(sim, tmp_path / "r"), out)
    assert res.exit_code == 0, res.output
    assert "HỢP LỆ / VALID" in res.output and sim.record.hash().hex() in res.output
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (_more_for_official_1, 1, "results.json, official 1"),
        (lambda r: r.put("figures.json", {**r.json("figures.json"), "present": 2}), 1, "figures"),
        (lambda r: r.files.pop("ballots.json"), 2, "ballots.json"),
        (lambda r: r.put("tally.json", b"{not json"), 2, "tally.json"),
    ],
    ids=["results-changed", "figures-changed", "ballots-missing", "tally-garbage"],
)
def test_an_invalid_or_unreadable_record_gets_no_minutes(sim, tmp_path, change, code, where):
    out = tmp_path / "bien-ban.pdf"
    path = _saved(sim, tmp_path / "r", change)
    (path / "record-hash.txt").unlink()  # the tampering is in the files, not the stated hash
    res = _minutes(path, out)
    assert res.exit_code == code, res.output
    assert not out.exists()
    first = res.stderr.splitlines()[0]
    status = "KHÔNG HỢP LỆ / INVALID" if code == 1 else "KHÔNG ĐỌC ĐƯỢC / UNREADABLE"
    assert first.startswith(status) and where in first, res.stderr
    assert "Không in biên bản / the minutes are not written." in res.stderr
    assert isinstance(res.exception, SystemExit)  # a clean exit, never an uncaught error


def test_a_changed_record_hash_alone_refuses_the_minutes(sim, tmp_path):
    out = tmp_path / "bien-ban.pdf"
    path = _saved(sim, tmp_path / "r")
    (path / "record-hash.txt").write_text("00" * 32 + "\n")
    res = _minutes(path, out)
    assert res.exit_code == 1 and "record-hash.txt" in res.stderr and not out.exists()


def test_a_file_that_is_no_record_gets_no_minutes(tmp_path):
    junk = tmp_path / "record.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "bien-ban.pdf"
    res = _minutes(junk, out)
    assert res.exit_code == 2 and "KHÔNG ĐỌC ĐƯỢC / UNREADABLE" in res.stderr
    assert not out.exists()


def test_the_real_command_refuses_a_tampered_zip_without_a_traceback(sim, tmp_path):
    """`python -m tally minutes` as an auditor runs it, on a tampered downloaded zip."""
    record = Record(dict(sim.record.files))
    _more_for_official_1(record)
    zipped = tmp_path / "record.zip"
    zipped.write_bytes(record.to_zip())  # a consistent record-hash.txt: only the files lie
    out = tmp_path / "bien-ban.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "tally", "minutes", str(zipped), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("KHÔNG HỢP LỆ / INVALID — results.json, official 1")
    assert not out.exists()
