"""The browser verifier (ballot/static/verifier/verifier.html, opened from disk with no
network) gives the same verdict and the same message as ``python -m tally verify`` on
every record the Python verifier's own tampering tests build (collected from
tests/test_tally_verify.py and tests/test_record_binding.py by record_collector.py), and a
clear bilingual message on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.build_verifier import OUT, build
from tally.simulate import receipt, saved_head, simulate
from tests.browser.live import chromium

ROOT = Path(__file__).resolve().parents[2]


def test_verifier_html_is_built_from_the_current_modules():
    assert OUT.read_text(encoding="utf-8") == build(), "run python scripts/build_verifier.py"


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("records")
    env = os.environ | {"PHIEU_COLLECT": str(out), "PHIEU_COLLECT_PER_TEST": "2"}
    tests = ["tests/test_tally_verify.py", "tests/test_record_binding.py"]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    cmd += ["-p", "tests.browser.record_collector", *tests]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        ctx = browser.new_context(offline=True)
        pg = ctx.new_page()
        pg.goto(OUT.as_uri())
        pg.wait_for_selector("body[data-ready='1']")
        yield pg
        ctx.close()


def _run(
    page, path: Path, receipt_path: Path | None = None, saved: tuple[Path, ...] = ()
) -> tuple[int, list[str]]:
    page.evaluate("document.getElementById('verdict').dataset.code = ''")
    page.set_input_files("#receipt", [str(receipt_path)] if receipt_path else [])
    page.evaluate("document.getElementById('verdict').dataset.code = ''")
    page.set_input_files("#saved", [str(p) for p in saved])
    page.evaluate("document.getElementById('verdict').dataset.code = ''")
    page.set_input_files("#record", str(path))
    page.wait_for_selector(
        f"#verdict[data-file='{path.name}'][data-code]:not([data-code=''])", timeout=120_000
    )
    code = int(page.get_attribute("#verdict", "data-code") or "-1")
    return code, (page.text_content("#verdict") or "").splitlines()


def test_every_tampered_record_has_the_same_verdict_and_message(collected, page):
    cases = sorted(collected.glob("*.zip"))
    assert len(cases) >= 40
    codes = set()
    for z in cases:
        want = json.loads(z.with_suffix(".json").read_text())
        code, lines = _run(page, z)
        assert code == want["code"], (want["test"], lines)
        codes.add(code)
        if code == 0:
            assert lines[:-1] == [*want["lines"], f"Mã băm hồ sơ / record hash: {want['hash']}"]
            assert lines[-1].startswith("HỢP LỆ / VALID (")
        else:
            assert lines == [want["line"]], want["test"]
    assert codes == {0, 1, 2}
    # Opened from disk, the ballots were still checked in parallel Web Workers, with
    # libsecp256k1's WebAssembly embedded in the page (phieu-accel.js).
    assert page.get_attribute("#verdict", "data-mode") == "workers"
    assert set((page.get_attribute("body", "data-engines") or "").split()) == {"wasm"}


def test_without_webassembly_the_verdicts_are_the_same(collected, page):
    """A browser that refuses WebAssembly (here: the page told not to compile it) checks
    the same proofs with noble and gives the same verdicts on a few tampered records."""
    cases = sorted(collected.glob("*.zip"))[:8]
    ctx = page.context.browser.new_context(offline=True)  # one Playwright per module
    pg = ctx.new_page()
    pg.goto(OUT.as_uri())
    pg.wait_for_selector("body[data-ready='1']")
    pg.evaluate("globalThis.PHIEU_NO_WASM = true")
    for z in cases:
        want = json.loads(z.with_suffix(".json").read_text())
        code, lines = _run(pg, z)
        assert code == want["code"], (want["test"], lines)
        if code:
            assert lines == [want["line"]], want["test"]
    assert set((pg.get_attribute("body", "data-engines") or "").split()) == {"noble"}
    ctx.close()


def test_without_web_workers_the_verdicts_are_the_same(collected, page):
    """A browser where no worker starts (here: the page told so) checks the ballots in the
    page itself, in slices, and gives the same verdicts on a few tampered records."""
    cases = sorted(collected.glob("*.zip"))[:8]
    ctx = page.context.browser.new_context(offline=True)
    pg = ctx.new_page()
    pg.goto(OUT.as_uri())
    pg.wait_for_selector("body[data-ready='1']")
    pg.evaluate("globalThis.PHIEU_NO_WORKERS = true")
    for z in cases:
        want = json.loads(z.with_suffix(".json").read_text())
        code, lines = _run(pg, z)
        assert code == want["code"], (want["test"], lines)
        if code:
            assert lines == [want["line"]], want["test"]
        else:
            assert lines[:-2] == want["lines"], want["test"]
    assert pg.get_attribute("#verdict", "data-mode") == "thread"
    assert set((pg.get_attribute("body", "data-engines") or "").split()) == {"wasm"}
    ctx.close()


@pytest.fixture(scope="module")
def sim():
    return simulate(members=10, officials=3, k=2, n=3, spares=3, seed=11, checkpoint_every=4)


def test_receipt_checked_like_the_cli(sim, page, tmp_path):
    rec = tmp_path / "rec.zip"
    sim.record.save(rec)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(receipt(sim, 3)))
    code, lines = _run(page, rec, good)
    assert code == 0
    assert "OK  receipt: ballot #3 is in the record with the signed tracker and head" in lines
    forged = receipt(sim, 3) | {"seq": 4}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(forged))
    code, lines = _run(page, rec, bad)
    cli = subprocess.run(
        [sys.executable, "-m", "tally", "verify", str(rec), "--receipt", str(bad)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert code == cli.returncode == 1
    assert lines == [cli.stderr.strip()]


def test_saved_checkpoints_and_close_checked_like_the_cli(sim, page, tmp_path):
    """Each case of tests/test_saved_heads.py: the page's verdict is the CLI's, line for
    line (a key-holding server's re-signed close, a trimmed checkpoint, bad files)."""
    from tests.test_saved_heads import _dropped_checkpoint_2, _signed_checkpoint

    honest, attacked = tmp_path / "honest.zip", tmp_path / "attacked.zip"
    sim.record.save(honest)
    _dropped_checkpoint_2(sim).save(attacked)

    def saved(name: str, body) -> Path:
        path = tmp_path / name
        path.write_text(body if isinstance(body, str) else json.dumps(body))
        return path

    forged = saved_head(sim, 1)
    forged["signature"] = ("1" if forged["signature"][0] == "0" else "0") + forged["signature"][1:]
    one, at = saved_head(sim, 1), "2026-11-22T09:05:00+07:00"
    cp1, cp2 = saved("cp1.json", one), saved("cp2.json", saved_head(sim, 2))
    close = saved("close.json", saved_head(sim))
    cases = [
        (honest, (cp1, cp2, close)),
        (attacked, (cp1,)),
        (attacked, (cp2,)),
        (attacked, (cp1, close)),
        (honest, (saved("rewritten.json", _signed_checkpoint(sim, 5, bytes(32), at)),)),
        (honest, (saved("cut.json", _signed_checkpoint(sim, 14, bytes(32), at)),)),
        (honest, (saved("forged.json", forged),)),
        (honest, (saved("other.json", one | {"manifest": "ab" * 32}),)),
        (honest, (saved("nokind.json", {k: v for k, v in one.items() if k != "kind"}),)),
        (honest, (saved("extra.json", one | {"received_at": "09:10"}),)),
        (honest, (saved("bool.json", one | {"count": True}),)),
        (honest, (saved("asclose.json", one | {"kind": "close"}),)),
        (honest, (saved("dup.json", '{"kind": "close", "kind": "close"}'),)),
    ]  # fmt: skip
    codes = set()
    for record, files in cases:
        code, lines = _run(page, record, None, files)
        args = [a for f in files for a in ("--checkpoint", str(f))]
        cli = subprocess.run(
            [sys.executable, "-m", "tally", "verify", str(record), *args],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        assert code == cli.returncode, (record.name, [f.name for f in files], lines, cli.stderr)
        codes.add(code)
        if code == 0:
            assert lines[:-1] == cli.stdout.splitlines()[:-1]
        else:
            assert lines == [cli.stderr.strip()], [f.name for f in files]
    assert codes == {0, 1, 2}
    _run(page, honest)  # the next test starts with no saved file chosen


@pytest.mark.parametrize(
    "content, says",
    [
        (b"not a zip at all", "the file is not a record zip"),
        (b"PK\x03\x04" + bytes(40), "the file is not a record zip"),
    ],
)
def test_bad_input_is_named_in_both_languages(page, tmp_path, content, says):
    path = tmp_path / "x.zip"
    path.write_bytes(content)
    code, lines = _run(page, path)
    assert code == 2
    assert any(line.startswith("Lỗi: ") for line in lines)
    assert f"Error: {says}" in lines
    assert page.text_content("#hint").startswith("Không đọc được hồ sơ")


def test_an_empty_zip_says_what_the_cli_says(page, tmp_path):
    path = tmp_path / "empty.zip"
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    cli = subprocess.run(
        [sys.executable, "-m", "tally", "verify", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    code, lines = _run(page, path)
    assert code == cli.returncode == 2
    assert lines == [cli.stderr.strip()]


def test_missing_and_malformed_files_are_named(sim, page, tmp_path):
    import zipfile

    files = dict(sim.record.files)
    files["tally.json"] = b'{"ballots": 1.5, "totals": []}'
    del files["actions.json"]
    for drop, want in [("x", "actions.json"), ("actions.json", None)]:
        path = tmp_path / f"{drop}.zip"
        with zipfile.ZipFile(path, "w") as z:
            for name, data in files.items():
                z.writestr(name, data)
        if want:
            code, lines = _run(page, path)
            assert code == 2
            assert lines == [
                "KHÔNG ĐỌC ĐƯỢC / UNREADABLE — actions.json: Malformed data "
                "(record: actions.json is missing)"
            ]


def test_doubtful_zips_have_the_cli_verdict(page, tmp_path):
    """Whole-zip tamperings (tests/zip_cases.py: entry names with a BOM or a NUL, a name
    twice, a local header naming another file, record-hash.txt with a BOM or \\x1c)."""
    from tests.zip_cases import write_cases

    for name, want in write_cases(tmp_path).items():
        code, lines = _run(page, tmp_path / f"{name}.zip")
        assert code == want["code"], name
        assert want["line"] in lines, name
