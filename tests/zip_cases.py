"""Record zips built to make the two verifiers disagree (entry names, BOMs, record-hash.txt).

``python -m tests.zip_cases DIR`` writes each case as DIR/<name>.zip and DIR/cases.json
with the CLI's verdict on it ({"code", "line"}: exit code and first line); tests/js's
zip-names test feeds the same zips to the browser verifier and expects the same.
"""

from __future__ import annotations

import io
import json
import os
import sys
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path

from click.testing import CliRunner

from tally.cli import main
from tally.record import Record
from tally.simulate import simulate


def _zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on a duplicate name: the point here
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries:
                z.writestr(name, data)
    return buffer.getvalue()


def _files(record: Record, **change: bytes) -> list[tuple[str, bytes]]:
    files = record._with_hash()
    for name, data in change.items():
        files[name.replace("_", "-").replace("-json", ".json").replace("-txt", ".txt")] = data
    return sorted(files.items())


def cases() -> dict[str, bytes]:
    """Each case's zip bytes, by name."""
    a = simulate(members=4, officials=2, k=2, n=3, spares=1, seed=1).record
    b = simulate(members=4, officials=2, k=2, n=3, spares=1, seed=2).record
    fa, fb, h = _files(a), _files(b), a.hash().hex()
    nul = _zip(fa + [(n + "Q~", d) for n, d in fb])
    for ext in (b".jsonQ~", b".txtQ~"):
        nul = nul.replace(ext, ext[:-2] + b"\x00~")
    honest = _zip(fa)
    bom = Record(a.files | {"audits.json": b"\xef\xbb\xbf" + a.files["audits.json"]})
    first = honest.index(b"ballots.json")  # the local header's name (the directory's is later)
    return {
        "honest": honest,
        "honest_in_a_folder": _zip([("rec/", b"")] + [("rec/" + n, d) for n, d in fa]),
        "hash_without_newline": _zip(_files(a, record_hash_txt=h.encode())),
        "bom_names": _zip(fa + [("\ufeff" + n, d) for n, d in fb]),
        "nul_names": nul,
        "same_name_twice": _zip(fa + fb),
        "same_file_in_two_folders": _zip(fa + [("x/" + n, d) for n, d in fb]),
        "control_character": _zip(fa + [("notes\x01.txt", b"x")]),
        "utf8_name": _zip(fa + [("ghi-chú.txt", b"x")]),
        "cp437_name": _zip(fa + [("ghi-chuX.txt", b"x")]).replace(b"chuX", b"chu\xe9"),
        "bad_utf8_name": _zip(fa + [("ghi-chú.txt", b"x")]).replace("ú".encode(), b"\xc3("),
        "local_name_differs": honest[:first] + b"ballots.jsoN" + honest[first + 12 :],
        "bom_before_json": _zip(_files(bom)),
        "hash_with_bom": _zip(_files(a, record_hash_txt=b"\xef\xbb\xbf" + h.encode() + b"\n")),
        "hash_with_file_separator": _zip(_files(a, record_hash_txt=h.encode() + b"\x1c")),
        "hash_with_crlf": _zip(_files(a, record_hash_txt=h.encode() + b"\r\n")),
        "hash_of_emoji": _zip(_files(a, record_hash_txt=("😀" * 100).encode())),
    }


def cli_verdict(path: Path) -> dict:
    """`python -m tally verify <name>` in the zip's folder: exit code, verdict (or hash) line."""
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        result = CliRunner().invoke(main, ["verify", path.name])
    finally:
        os.chdir(here)
    lines = (result.stderr or result.stdout).strip().splitlines()
    return {"code": result.exit_code, "line": lines[0] if result.exit_code else lines[-2]}


def write_cases(out: Path) -> dict[str, dict]:
    """Write every case and cases.json; return the verdicts."""
    verdicts = {}
    for name, data in cases().items():
        (out / f"{name}.zip").write_bytes(data)
        verdicts[name] = cli_verdict(out / f"{name}.zip")
    (out / "cases.json").write_text(json.dumps(verdicts, ensure_ascii=False))
    return verdicts


if __name__ == "__main__":
    write_cases(Path(sys.argv[1]))
