"""``flask rehearse``: a whole vote through the HTTP cast path, counted, recorded, verified."""

from tally.record import Record
from tally.verify import verify_record


def test_rehearsal_writes_a_record_that_verifies(app, runner, tmp_path):
    out = tmp_path / "rehearsal.zip"
    result = runner.invoke(
        args=["rehearse", "--members", "6", "--officials", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "cast 6 ballots over HTTP" in result.output and "record hash" in result.output
    record = Record.load(out)
    report = verify_record(record, workers=1)
    assert report.record_hash in result.output
    assert record.json("results.json")["figures"]["returned"] == 6


def test_rehearsal_refuses_bad_numbers(runner, tmp_path):
    result = runner.invoke(args=["rehearse", "--members", "0", "--out", str(tmp_path / "x")])
    assert result.exit_code != 0 and not (tmp_path / "x").exists()
