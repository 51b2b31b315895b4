"""``python -m keys trustee start|shares|finish|confirm``: one trustee's device, offline.

The trustee saves the bulletin board (board.json) or the candidate manifest
(manifest.json) from the web page, runs one command, and uploads the file it writes.
Nothing here talks to the network. Between rounds the ceremony secrets live in a
state file sealed under the trustee's passphrase (keys/statefile.py). Passphrases are
read only at a hidden prompt (twice for a new one), never from argv or the
environment; on any error nothing is written and the exit status is 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from keys import dkg, sharefile, statefile
from keys.codes import group_code
from keys.errors import CryptoError

STATE = "trustee-state.json"
BOARD = "phieu-dkg-board/1"
_DIR = click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder of this trustee's state file and of the files written.",
)
_COST = click.option(
    "--scrypt-log-n",
    type=click.IntRange(14, 18),
    default=17,
    show_default=True,
    help="scrypt cost (2^N); 17 uses 128 MiB.",
)


def fail(err: CryptoError | str) -> NoReturn:
    """Print the error in Vietnamese then English and exit 1."""
    if isinstance(err, CryptoError):
        click.echo(f"Lỗi: {err.message('vi')}\nError: {err.message('en')}", err=True)
    else:
        click.echo(err, err=True)
    raise SystemExit(1)


def ask_new_passphrase(name: str, what: str) -> str:
    """A new passphrase, typed twice at a hidden prompt, asked again while it is weak."""
    while True:
        value: str = click.prompt(
            f"Mật khẩu mới cho {what} của {name} / new passphrase for {name}'s {what}",
            hide_input=True,
            confirmation_prompt="Nhập lại / repeat",
        )
        try:
            sharefile.check_passphrase(value, name)
            return value
        except CryptoError as err:
            click.echo(f"{err.message('vi')} / {err.message('en')}", err=True)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        fail(f"Lỗi: không đọc được {what} {path}\nError: cannot read the {what} {path}")


def _board(path: Path) -> dict[str, Any]:
    board = _read_json(path, "board.json")
    ok = (
        isinstance(board, dict)
        and board.get("format") == BOARD
        and isinstance(board.get("election_id"), str)
        and isinstance(board.get("names"), list)
        and all(isinstance(n, str) for n in board["names"])
        and isinstance(board.get("threshold"), int)
        and isinstance(board.get("ceremony"), int)
        and all(isinstance(board.get(f), list) for f in ("commits", "shares"))
    )
    if not ok:
        fail(f"Lỗi: {path} không phải bảng tin lễ tạo khóa\nError: {path} is not a {BOARD} file")
    out: dict[str, Any] = board
    return out


def _write_new(files: dict[Path, bytes]) -> None:
    """Write every file, or none if one already exists."""
    existing = [p for p in files if p.exists()]
    if existing:
        fail(f"Lỗi: tệp đã tồn tại: {existing[0]}\nError: file exists: {existing[0]}")
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        click.echo(f"  {path}")


def _dump(msg: dict[str, Any]) -> bytes:
    return json.dumps(msg, ensure_ascii=False, indent=2).encode() + b"\n"


def _open_state(folder: Path, board: dict[str, Any]) -> tuple[dkg.TrusteeState, str, bytes]:
    """The sealed state of this board's vote and round, its passphrase and its bytes."""
    path = folder / STATE
    if not path.is_file():
        fail(f"Lỗi: chưa có {path}: hãy chạy 'start'\nError: no {path}: run 'start' first")
    data = path.read_bytes()
    try:
        header = statefile.read_state_header(data)
        if header["election_id"] != board["election_id"]:
            raise CryptoError("dkg_other_vote", f"state of {header['election_id']!r}")
        if header["ceremony"] != board["ceremony"]:
            raise CryptoError(
                "dkg_wrong_round",
                f"state of round {header['ceremony']}, board at {board['ceremony']}: run start",
            )
        passphrase = click.prompt("Mật khẩu / passphrase", hide_input=True)
        state = statefile.open_state(data, passphrase)
        if list(state.names) != board["names"] or state.k != board["threshold"]:
            raise CryptoError("dkg_bad_message", "the board's names or threshold changed")
        return state, passphrase, data
    except CryptoError as err:
        fail(err)


def _contributions(board: dict[str, Any]) -> list[dkg.Contribution]:
    e, r, names, k = board["election_id"], board["ceremony"], board["names"], board["threshold"]
    out = [dkg.verify_commit(m, e, r, names, k) for m in board["commits"]]
    return sorted(out, key=lambda c: c.index)


@click.group()
def trustee() -> None:
    """One trustee's side of the dealer-free key ceremony (offline, file in, file out)."""


@trustee.command()
@click.argument("board_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trustee", "index", type=int, required=True, help="Your index (1..n).")
@_DIR
@_COST
def start(board_file: Path, index: int, folder: Path, scrypt_log_n: int) -> None:
    """Round 1: draw your secrets, seal them, write commit.json to upload."""
    board = _board(board_file)
    names = board["names"]
    try:
        dkg.context(board["election_id"], board["ceremony"], names, board["threshold"])
        if not 1 <= index <= len(names):
            raise CryptoError("dkg_wrong_trustee", f"{index} outside 1..{len(names)}")
    except CryptoError as err:
        fail(err)
    targets = [folder / STATE, folder / "commit.json"]
    if any(p.exists() for p in targets):
        fail(
            f"Lỗi: tệp đã tồn tại trong {folder} (mỗi vòng một thư mục mới)\n"
            f"Error: files exist in {folder} (use a new folder for each round)"
        )
    click.echo(f"{names[index - 1]} (#{index}), vote {board['election_id']}")
    passphrase = ask_new_passphrase(names[index - 1], "tệp trạng thái / state file")
    e, r, k = board["election_id"], board["ceremony"], board["threshold"]
    state, msg = dkg.start(e, r, names, k, index)
    sealed = statefile.seal_state(state, passphrase, 1 << scrypt_log_n)
    _write_new({targets[0]: sealed, targets[1]: _dump(msg)})


def _compare_aloud(contributions: list[dkg.Contribution]) -> None:
    """REVISION 1.1: the transcript is compared device to device before any sub-share."""
    code = dkg.fingerprint(dkg.transcript_of(contributions))
    click.echo(
        f"Mã lễ tạo khóa / ceremony code:  {code}\n"
        "Đọc to mã này và so với máy của từng thành viên khác; chỉ tiếp tục khi tất cả giống nhau."
        "\nRead this code aloud and compare with every other trustee's device; continue only if"
        " all match."
    )
    answer = click.prompt("Tất cả giống nhau? Gõ 'có' / All the same? Type 'yes'", default="")
    if answer.strip().lower() not in ("có", "co", "yes"):
        fail("Lỗi: mã không được xác nhận, không gửi gì\nError: code not confirmed, nothing sent")


@trustee.command()
@click.argument("board_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_DIR
def shares(board_file: Path, folder: Path) -> None:
    """Round 2: check every commitment on the board, compare the ceremony code aloud,
    write shares.json to upload."""
    board = _board(board_file)
    try:
        contributions = _contributions(board)
    except CryptoError as err:
        fail(err)
    state, passphrase, data = _open_state(folder, board)
    posted = _read_json(folder / "commit.json", "commit.json")
    shown = [m for m in board["commits"] if isinstance(m, dict) and m.get("trustee") == state.index]
    if shown and shown != [posted]:
        # The token in the trustee's link was used by someone else (the secretariat sees
        # every link): the ceremony must stop, not go on with a key this device lacks.
        fail(
            "Lỗi: CẢNH BÁO — bảng tin có một cam kết mang tên bạn (thành viên"
            f" #{state.index}) mà máy này KHÔNG gửi (khác commit.json): có người đã dùng"
            " đường dẫn của bạn (ví dụ ban thư ký). Dừng lại và báo cho cả tổ.\n"
            "Error: ALARM — the board holds a commitment in your name (trustee"
            f" #{state.index}) that this device did NOT post (not commit.json): someone used"
            " your link (e.g. the secretariat). Stop and tell every trustee."
        )
    if shown != [posted]:
        fail(
            "Lỗi: bảng tin không hiển thị đúng cam kết bạn đã gửi (commit.json)\n"
            "Error: the board does not show the commitment you posted (commit.json)"
        )
    _compare_aloud(contributions)
    transcript = dkg.transcript_of(contributions)
    try:
        msg = dkg.make_shares(state, contributions)
        n = statefile.read_state_header(data)["kdf"]["n"]
        # Pin what was compared aloud: finish refuses a board with other commitments.
        pinned = statefile.seal_state(state, passphrase, n, transcript)
    except CryptoError as err:
        fail(err)
    _write_new({folder / "shares.json": _dump(msg)})
    (folder / STATE).write_bytes(pinned)


@trustee.command()
@click.argument("board_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_DIR
@_COST
def finish(board_file: Path, folder: Path, scrypt_log_n: int) -> None:
    """Round 3: check your sub-shares; seal your share file and write done.json, or
    write complaint.json naming the trustee whose sub-share is wrong."""
    board = _board(board_file)
    try:
        contributions = _contributions(board)
    except CryptoError as err:
        fail(err)
    state, _, data = _open_state(folder, board)
    try:
        pinned = statefile.pinned_transcript(data)
        if pinned is None:
            raise CryptoError("dkg_bad_state", "no transcript pinned: run 'shares' first")
        if dkg.transcript_of(contributions) != pinned:
            raise CryptoError(
                "dkg_bad_message",
                "the board's commitments differ from those compared aloud at 'shares'",
            )
        result = dkg.receive(state, contributions, board["shares"])
    except CryptoError as err:
        fail(err)
    if isinstance(result, dkg.Complaint):
        _write_new({folder / "complaint.json": _dump(result.to_json())})
        why = CryptoError("dkg_complaint", result.reason)
        click.echo(
            f"Khiếu nại thành viên #{result.against}: {why.message('vi')}\n"
            f"Complaint against trustee #{result.against}: {why.message('en')}"
        )
        return
    share, key = result
    name = state.names[state.index - 1]
    passphrase = ask_new_passphrase(name, "tệp khóa / share file")
    ceremony = dkg.ceremony_json(state.round, contributions)
    try:
        blob = dkg.share_file(
            state.election_id,
            state.names,
            state.k,
            ceremony,
            state.index,
            share,
            passphrase,
            1 << scrypt_log_n,
        )
    except CryptoError as err:
        fail(err)
    share_path = folder / sharefile.file_name(state.election_id, state.index)
    done = dkg.done_message(state, share, key, dkg.transcript_of(contributions))
    _write_new({share_path: blob, folder / "done.json": _dump(done)})
    # f_i lets whoever opens the state file compute every sub-share this trustee sent:
    # once the share is sealed it is no longer needed.
    (folder / STATE).unlink()
    click.echo(f"Khóa công khai / public key: {key.public_key.hex()}")


@trustee.command()
@click.argument("manifest_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("share_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_DIR
def confirm(manifest_file: Path, share_file: Path, folder: Path) -> None:
    """Check the candidate manifest against your share file, show its hash to compare
    with the projector, and write confirm.json to upload."""
    manifest = _read_json(manifest_file, "manifest.json")
    data = share_file.read_bytes()
    target = folder / "confirm.json"
    if target.exists():
        fail(f"Lỗi: tệp đã tồn tại: {target}\nError: file exists: {target}")
    try:
        recorded = sharefile.describe(data)
        digest_ = dkg.check_candidate(manifest, recorded)
    except CryptoError as err:
        fail(err)
    grouped = group_code(digest_.hex())
    cards = manifest.get("cards")
    count = cards.get("count") if isinstance(cards, dict) else "?"
    commitment = str(cards.get("commitment", "?")) if isinstance(cards, dict) else "?"
    commitment = group_code(commitment[:16])
    officials = manifest.get("officials")
    rows = len(officials) if isinstance(officials, list) else "?"
    click.echo(
        f"Mã băm bản kê khai / manifest hash:\n  {grouped}\n"
        f"Số thẻ / cards: {count}, số người được lấy phiếu / officials: {rows}\n"
        f"Cam kết bộ thẻ / card commitment: {commitment} (thẻ làm ngoài máy chủ: so với"
        " kết quả lệnh keys cards / cards made offline: compare with keys cards' output)\n"
        "So với màn hình chiếu và với máy của các thành viên khác.\n"
        "Compare with the projector and with the other trustees' devices."
    )
    if not click.confirm("Giống nhau? / The same?"):
        fail("Lỗi: không xác nhận\nError: not confirmed")
    passphrase = click.prompt("Mật khẩu tệp khóa / share-file passphrase", hide_input=True)
    try:
        opened = sharefile.open_share(data, passphrase, recorded.election_id)
        if opened != recorded.__class__(
            **{**recorded.__dict__, "secret_share": opened.secret_share}
        ):
            raise CryptoError("manifest_mismatch", "share file changed")
    except CryptoError as err:
        fail(err)
    msg = dkg.confirm(digest_, opened.trustee, opened.secret_share, election_id=opened.election_id)
    _write_new({target: _dump(msg)})
