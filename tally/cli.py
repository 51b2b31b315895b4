"""``python -m tally``: verify a record, or make a trustee's partial decryption offline."""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path

import click

from keys.errors import CryptoError
from tally.count import decrypt_with_share
from tally.receipts import check_receipt
from tally.record import Record
from tally.saved import check_saved
from tally.trustee import compare_tally, fingerprint, verified_totals
from tally.verify import Report, Unreadable, VerifyError, verify_record


@click.group()
def main() -> None:
    """Phiếu tín nhiệm — count and audit tools (need only the election record)."""


@main.command()
@click.argument("record_path", metavar="RECORD", type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(1, 256), help="Processes (default: every core).")
@click.option(
    "--receipt",
    "receipt_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also check a member's signed receipt (phieu-receipt/1 JSON) against the record.",
)
@click.option(
    "--checkpoint",
    "saved_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also check a checkpoint or close saved from the board (phieu-signed-head/1 JSON): "
    "the record must contain it. Repeatable.",
)
def verify(
    record_path: Path,
    workers: int | None,
    receipt_path: Path | None,
    saved_paths: tuple[Path, ...],
) -> None:
    """Check every step of an election record; exit 0 only if everything holds.

    Exit 1: INVALID (the item and what is wrong are named); 2: a file is missing or
    unreadable. A receipt or saved checkpoint given with the record is part of the
    verdict: VALID means the record verifies and contains each of them.
    """
    start = time.perf_counter()
    current = "receipt"  # names the document that is not strict JSON, if one is not
    try:
        record = Record.load(record_path)
        report = verify_record(record, workers)
        if receipt_path is not None:
            receipt = _json_file(receipt_path)
            report.ok(check_receipt(record, receipt, report))
        for path in saved_paths:
            current = path.name
            report.ok(check_saved(record, _json_file(path), path.name, report))
    except Unreadable as err:
        click.echo(f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {err.item}: {err.reason}", err=True)
        sys.exit(2)
    except VerifyError as err:
        click.echo(f"KHÔNG HỢP LỆ / INVALID — {err.item}: {err.reason}", err=True)
        sys.exit(1)
    except CryptoError as err:
        reason = err.message("en").replace("manifest.json", current)
        click.echo(f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {reason}", err=True)
        sys.exit(2)
    except (OSError, zipfile.BadZipFile) as err:
        click.echo(f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {record_path}: {err}", err=True)
        sys.exit(2)
    for line in report.lines:
        click.echo(line)
    click.echo(f"Mã băm hồ sơ / record hash: {report.record_hash}")
    click.echo(f"HỢP LỆ / VALID ({time.perf_counter() - start:.1f} s)")


@main.command("partial-decrypt")
@click.argument("record_path", metavar="RECORD", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--share",
    "share_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def partial_decrypt(record_path: Path, share_path: Path, out_path: Path) -> None:
    """Verify the ballots of RECORD, sum them, and decrypt this trustee's part of those sums.

    The record's tally.json is never what is decrypted: the ballots are verified up to the
    server-signed close head and summed here; a tally.json that differs is refused.
    """
    if out_path.exists():
        click.echo(f"Lỗi: tệp đã tồn tại / Error: file exists: {out_path}", err=True)
        sys.exit(1)
    try:
        record = Record.load(record_path)
        click.echo("Đang kiểm chứng các phiếu / verifying the ballots…")
        checked = verified_totals(record)
        if "tally.json" in record.files:
            compare_tally(checked, record.json("tally.json"))
    except (VerifyError, CryptoError) as err:
        item, reason = (
            (err.item, err.reason)
            if isinstance(err, VerifyError)
            else ("record", err.message("en"))
        )
        click.echo(
            f"Lỗi: hồ sơ không được kiểm chứng, KHÔNG giải mã ({item}: {reason})\n"
            f"Error: the record does not verify, nothing decrypted ({item}: {reason})",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Đã kiểm chứng / verified: {checked.count} phiếu / ballots")
    click.echo("Đầu chuỗi đã ký khi đóng / close head signed at closing:")
    click.echo(f"  {fingerprint(checked.close_head)}")
    click.echo(
        "So sánh với màn chiếu và bảng công khai; nếu khác, dừng lại (Ctrl-C).\n"
        "Compare with the projector and the public board; if it differs, stop (Ctrl-C)."
    )
    # The n confirmations prove the trustees confirmed this manifest; the hash lets each
    # compare it with what was read aloud at the freeze, not only with its own device.
    click.echo("Mã băm danh sách bỏ phiếu (manifest) / manifest hash:")
    click.echo(f"  {fingerprint(checked.manifest.hash)}")
    click.echo(
        "So sánh với dấu vân tay cuộc bỏ phiếu đọc to khi chốt danh sách và in trong biên"
        " bản; nếu khác, dừng lại (Ctrl-C).\n"
        "Compare with the vote fingerprint read aloud at the freeze and printed in the"
        " minutes; if it differs, stop (Ctrl-C)."
    )
    manifest = checked.manifest
    try:
        passphrase = click.prompt("Mật khẩu / passphrase", hide_input=True)
        part = decrypt_with_share(manifest, checked.totals, share_path.read_bytes(), passphrase)
    except CryptoError as err:
        click.echo(f"Lỗi: {err.message('vi')}\nError: {err.message('en')}", err=True)
        sys.exit(1)
    body = {"election_id": manifest.election_id, "manifest": manifest.hash.hex()} | part.to_json()
    out_path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    click.echo(f"Đã ghi / written: {out_path} (trustee {part.trustee})")


@main.command()
@click.argument("record_path", metavar="RECORD", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--timezone", "tz", default="Asia/Ho_Chi_Minh", show_default=True)
@click.option("--body", default=None, help="Name of the body in the header (default: meeting).")
@click.option("--place", default=None, help="Place before the date (default: dots).")
@click.option(
    "--committee",
    type=click.Choice(["to", "ban"]),
    default="to",
    show_default=True,
    help="to: Tổ kiểm phiếu; ban: Ban kiểm phiếu (a session of the National Assembly or a "
    "People's Council).",
)
@click.option("--workers", type=click.IntRange(1, 256), help="Processes (default: every core).")
def minutes(
    record_path: Path,
    out_path: Path,
    tz: str,
    body: str | None,
    place: str | None,
    committee: str,
    workers: int | None,
) -> None:
    """Verify RECORD as ``verify`` does, then print its minutes (biên bản kiểm phiếu) as a PDF.

    Exit 1: the record is INVALID, 2: it is unreadable; in both cases nothing is written.
    Minutes printed from a record that does not verify would carry figures nobody can
    recompute.
    """
    from tally.minutes import minutes_pdf
    from tally.timefmt import zone

    try:
        zone(tz)
    except ValueError as err:
        vi, _, en = str(err).partition("\n")
        click.echo(f"Lỗi: {vi}\nError: {en}", err=True)
        sys.exit(1)
    record, report = _verified_or_exit(
        record_path, workers, "Không in biên bản", "the minutes are not written"
    )
    click.echo(f"HỢP LỆ / VALID — mã băm hồ sơ / record hash: {report.record_hash}")
    try:
        pdf = minutes_pdf(record, tz=tz, body=body, place=place, committee=committee)
    except CryptoError as err:
        click.echo(f"Lỗi: {err.message('vi')}\nError: {err.message('en')}", err=True)
        sys.exit(1)
    except ValueError as err:
        vi, _, en = str(err).partition("\n")
        click.echo(f"Lỗi: {vi}\nError: {en}", err=True)
        sys.exit(1)
    out_path.write_bytes(pdf)
    click.echo(f"Đã ghi / written: {out_path}")


def _json_file(path: Path) -> object:
    """A document given beside the record, read by the record's strict JSON rules
    (CryptoError naming "manifest.json", which the caller replaces by the document)."""
    return Record({"manifest.json": path.read_bytes()}).json("manifest.json")


def _verified_or_exit(
    path: Path, workers: int | None, refused_vi: str, refused_en: str
) -> tuple[Record, Report]:
    """Load and verify a record; else say why and what is not done (Vietnamese first), exit 1
    (INVALID) or 2 (unreadable), as ``verify`` does."""
    click.echo("Đang kiểm chứng hồ sơ / verifying the record…")
    code, item = 0, ""
    try:
        record = Record.load(path)
        return record, verify_record(record, workers)
    except Unreadable as err:
        code, item = 2, f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {err.item}: {err.reason}"
    except VerifyError as err:
        code, item = 1, f"KHÔNG HỢP LỆ / INVALID — {err.item}: {err.reason}"
    except CryptoError as err:
        code, item = 2, f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {err.message('en')}"
    except (OSError, zipfile.BadZipFile) as err:
        code, item = 2, f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {path}: {err}"
    click.echo(f"{item}\n{refused_vi} / {refused_en}.", err=True)
    sys.exit(code)


@main.command("check-audit")
@click.argument("path", metavar="RECORD|AUDITED.json", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The vote's manifest.json (needed for a single checked-ballot file).",
)
def check_audit(path: Path, manifest_path: Path | None) -> None:
    """Check checked (spoiled) ballots: each row encrypts exactly its shown choice.

    RECORD: every ballot of its audits.json, and none in the chain. A single checked-ballot
    JSON file (as posted on the board) needs --manifest.
    """
    from tally.checked import Audited, cast_alphas, check_audits, check_one, parse_audits
    from tally.manifest import parse_manifest
    from tally.records import parse_ballots

    def fail(vi: str, en: str, code: int = 1) -> None:
        click.echo(f"Lỗi: {vi}\nError: {en}", err=True)
        sys.exit(code)

    try:
        if path.is_dir() or zipfile.is_zipfile(path):
            record = Record.load(path)
            manifest = parse_manifest(record.json("manifest.json"))
            audits = parse_audits(record.json("audits.json"))
            cast = [e.ballot for e in parse_ballots(record.json("ballots.json"))]
            n = check_audits(manifest, audits, cast_alphas(cast))
            click.echo(f"HỢP LỆ / VALID — {n} lá phiếu kiểm tra / checked ballots")
            return
        if manifest_path is None:
            fail("một lá phiếu kiểm tra cần --manifest", "a single checked ballot needs --manifest")
        assert manifest_path is not None  # noqa: S101 - fail() exits
        files = {"manifest.json": manifest_path.read_bytes(), "results.json": path.read_bytes()}
        loaded = Record(files)
        manifest = parse_manifest(loaded.json("manifest.json"))
        raw = loaded.json("results.json")
        if isinstance(raw, dict) and "audited" in raw:  # the board's whole audits.json
            items = parse_audits({"audited": raw["audited"]})
        elif isinstance(raw, dict) and "tracker" in raw:  # one item of it
            items = parse_audits({"audited": [raw]})
        else:  # the checked ballot alone
            from keys.audit import AuditedBallot

            ballot = AuditedBallot.from_json(raw)
            items = [Audited(ballot.tracker(), ballot)]
        for n, item in enumerate(items, start=1):
            where = f"{path.name}, checked ballot #{n}"
            if item.ballot.tracker() != item.tracker:
                raise VerifyError(where, "the audit tracker is not the digest of its rows")
            check_one(manifest, item.ballot, where)
            click.echo(f"  {item.tracker.hex()}: OK")
        click.echo(f"HỢP LỆ / VALID — {len(items)} lá phiếu kiểm tra / checked ballots")
    except VerifyError as err:
        fail(f"KHÔNG HỢP LỆ — {err.item}: {err.reason}", f"INVALID — {err.item}: {err.reason}")
    except CryptoError as err:
        fail(err.message("vi"), err.message("en"))
    except (OSError, zipfile.BadZipFile, TypeError) as err:
        fail(f"không đọc được {path}: {err}", f"cannot read {path}: {err}")


@main.command("check-head")
@click.argument(
    "paths", metavar="FILE...", nargs=-1, required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)  # fmt: skip
@click.option(
    "--manifest",
    "manifest_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The vote's manifest.json, from the board (its bare manifest link).",
)
@click.option(
    "--fingerprint",
    "expected",
    help="The vote fingerprint read aloud at the freeze (groups of four, spaces allowed).",
)
def check_head(paths: tuple[Path, ...], manifest_path: Path, expected: str | None) -> None:
    """Check checkpoints or a close saved from the board, right after saving them: each is
    for this vote and signed by its server, and together they fit one chain, so they will
    prove something against the published record later (``verify --checkpoint``).

    The manifest comes from the server too: only its fingerprint, compared with the one
    read aloud at the freeze (``--fingerprint``, or by eye), ties the files to the vote.
    """
    from tally.manifest import parse_manifest
    from tally.saved import check_together, signed_by_the_server

    current = manifest_path.name
    try:
        manifest = parse_manifest(_json_file(manifest_path))
        click.echo("Dấu vân tay cuộc bỏ phiếu / vote fingerprint:")
        click.echo(f"  {fingerprint(manifest.hash)}")
        if expected is not None and _hex_only(expected) != manifest.hash.hex():
            raise VerifyError(
                manifest_path.name,
                "its fingerprint is not the one given: a manifest of another vote, or one "
                "the server made up; these files prove nothing about the vote read aloud",
            )
        saved = []
        for path in paths:
            current = path.name
            head = signed_by_the_server(manifest, _json_file(path), path.name)
            saved.append((path.name, head))
            click.echo(
                f"OK  saved {head.kind} {path.name}: signed by this vote's server "
                f"(ballot #{head.signed.count}, {head.signed.at})"
            )
        check_together(manifest, saved)
    except VerifyError as err:
        click.echo(f"KHÔNG HỢP LỆ / INVALID — {err.item}: {err.reason}", err=True)
        sys.exit(1)
    except CryptoError as err:
        reason = err.message("en").replace("manifest.json", current)
        named = reason if current in reason else f"{current}: {reason}"
        click.echo(f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {named}", err=True)
        sys.exit(2)
    except OSError as err:
        click.echo(f"KHÔNG ĐỌC ĐƯỢC / UNREADABLE — {current}: {err}", err=True)
        sys.exit(2)
    if expected is None:
        click.echo(
            "So sánh dấu vân tay trên với dấu vân tay đọc to khi chốt danh sách; nếu khác, các "
            "tệp này không chứng minh được gì.\n"
            "Compare the fingerprint above with the one read aloud at the freeze; if it "
            "differs, these files prove nothing."
        )
    click.echo("HỢP LỆ / VALID — giữ các tệp này / keep these files")


def _hex_only(text: str) -> str:
    """A fingerprint as typed (groups, spaces, dashes, either case) as plain lowercase hex."""
    return "".join(c for c in text.lower() if c not in " -\t")
