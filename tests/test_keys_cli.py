"""``python -m keys trustee start|shares|finish|confirm`` and ``check-share``: a whole
3-trustee ceremony through files, prompts only, nothing written on error."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from keys import dkg, sharefile, statefile
from keys.ballot import ElectionContext, encrypt_ballot
from keys.cli import main
from keys.decryption import DiscreteLog, combine, partial_decrypt
from keys.elgamal import aggregate
from keys.hashing import manifest_hash
from tally.manifest import build_manifest
from tests.keys_helpers import card_key

E = "vote-1"
NAMES = ["Nguyễn Văn Đức", "Lê Thị Hoa", "Trần An"]
STATE_PASS = ["trạng thái số một", "trạng thái số hai", "trạng thái số ba"]
SHARE_PASS = ["mật khẩu số một!", "mật khẩu số hai!", "mật khẩu số ba!!"]
COST = ["--scrypt-log-n", "14"]


def _board(tmp: Path, threshold: int = 2, round_: int = 1, **lists) -> Path:
    board = {
        "format": "phieu-dkg-board/1",
        "election_id": E,
        "ceremony": round_,
        "threshold": threshold,
        "names": NAMES,
        "state": "commit",
        "commits": [],
        "shares": [],
        "done": [],
        "complaints": [],
        "confirmations": [],
        "restarts": [],
        "candidate_manifest": None,
    } | lists
    path = tmp / "board.json"
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    return path


def _run(*args: str, input: str = ""):
    return CliRunner().invoke(main, list(args), input=input)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _start_all(tmp: Path) -> tuple[list[Path], list[dict]]:
    board = _board(tmp)
    dirs = [tmp / f"t{i}" for i in (1, 2, 3)]
    for i, d in enumerate(dirs, start=1):
        p = STATE_PASS[i - 1]
        res = _run(
            "trustee",
            "start",
            str(board),
            "--trustee",
            str(i),
            "--dir",
            str(d),
            *COST,
            input=f"{p}\n{p}\n",
        )
        assert res.exit_code == 0, res.output
        assert _files(d) == ["commit.json", "trustee-state.json"]
    return dirs, [json.loads((d / "commit.json").read_text()) for d in dirs]


def _shares_all(tmp: Path, dirs: list[Path], commits: list[dict]) -> list[dict]:
    board = _board(tmp, commits=commits)
    codes = set()
    for i, d in enumerate(dirs, start=1):
        res = _run(
            "trustee", "shares", str(board), "--dir", str(d), input=f"{STATE_PASS[i - 1]}\ncó\n"
        )
        assert res.exit_code == 0, res.output
        codes.add(res.output.split("ceremony code:")[1].split("\n")[0].strip())
    assert len(codes) == 1  # every device shows the same code to read aloud
    return [json.loads((d / "shares.json").read_text()) for d in dirs]


def test_whole_ceremony_through_the_cli(tmp_path):
    dirs, commits = _start_all(tmp_path)
    for i, d in enumerate(dirs):
        state_bytes = (d / "trustee-state.json").read_bytes()
        state = statefile.open_state(state_bytes, STATE_PASS[i])
        assert STATE_PASS[i].encode() not in state_bytes
        assert f"{state._e:064x}".encode() not in state_bytes
    shares_msgs = _shares_all(tmp_path, dirs, commits)
    board = _board(tmp_path, commits=commits, shares=shares_msgs)
    dones = []
    for i, d in enumerate(dirs, start=1):
        p, s = STATE_PASS[i - 1], SHARE_PASS[i - 1]
        res = _run(
            "trustee", "finish", str(board), "--dir", str(d), *COST, input=f"{p}\n{s}\n{s}\n"
        )
        assert res.exit_code == 0, res.output
        assert "trustee-state.json" not in _files(d)  # the polynomial is gone
        dones.append(json.loads((d / "done.json").read_text()))
    contributions = [dkg.verify_commit(m, E, 1, NAMES, 2) for m in commits]
    key = dkg.joint_key(contributions, 2)
    transcript = dkg.transcript_of(contributions)
    for j, done in enumerate(dones, start=1):
        assert dkg.verify_done(done, contributions[0].ctx, transcript, key, sender=j) == j
    # The candidate manifest, confirmed on every device.
    manifest = build_manifest(
        election_id=E,
        meeting="Kỳ họp",
        title="Lấy phiếu",
        kind="rating",
        officials=[("Người A", "Chủ tịch"), ("Người B", "Phó Chủ tịch")],
        summoned=5,
        trustee_names=NAMES,
        ceremony=dkg.ceremony_json(1, contributions),
        cards=[(f"{i:04d}", bytes([i]) * 32) for i in range(1, 6)],
        server_key=bytes(32),
    )
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    mh = manifest_hash(manifest)
    opened = []
    for i, d in enumerate(dirs, start=1):
        share = d / f"{E}-trustee-{i}.share.json"  # as the trustee page names it
        res = _run(
            "trustee",
            "confirm",
            str(tmp_path / "manifest.json"),
            str(share),
            "--dir",
            str(d),
            input=f"y\n{SHARE_PASS[i - 1]}\n",
        )
        assert res.exit_code == 0, res.output
        grouped = " ".join(mh.hex()[k : k + 4] for k in range(0, 64, 4))
        assert grouped in res.output and "cards: 5" in res.output
        commitment = manifest["cards"]["commitment"][:16]
        assert "card commitment: " + " ".join(commitment[k : k + 4] for k in range(0, 16, 4)) in (
            res.output
        )
        assert res.output.index(grouped) < res.output.index("passphrase")
        msg = json.loads((d / "confirm.json").read_text())
        assert dkg.verify_confirm(msg, mh, key, E) == i
        opened.append(sharefile.open_share(share.read_bytes(), SHARE_PASS[i - 1], E))
        ok = _run("check-share", str(share), "--election-id", E, input=SHARE_PASS[i - 1] + "\n")
        assert ok.exit_code == 0 and NAMES[i - 1] in ok.output
    # The shares decrypt a tally with any two trustees.
    ctx = ElectionContext(mh, key.public_key, "rating", 2, 6)
    cast = [encrypt_ballot(ctx, card_key(n), c) for n, c in enumerate([[1, 3], [1, 2], [2, 0]])]
    totals = [aggregate([b.rows[r].ct for b in cast]) for r in range(2)]
    parts = [partial_decrypt(mh, key, o.trustee, o.secret_share, totals) for o in opened[1:]]
    points = combine(key, totals, parts)
    assert [DiscreteLog(200).solve(p) for p in points] == [2 + 6, 6 + 36]
    everything = b"".join(p.read_bytes() for d in dirs for p in d.iterdir())
    for p in STATE_PASS + SHARE_PASS:
        assert p.encode() not in everything and p not in res.output


def test_start_refuses_k_equal_one_and_bad_input_writing_nothing(tmp_path):
    d = tmp_path / "t1"
    res = _run(
        "trustee",
        "start",
        str(_board(tmp_path, threshold=1)),
        "--trustee",
        "1",
        "--dir",
        str(d),
        input="x\n",
    )
    assert res.exit_code == 1 and "k = 1" in res.output and "one trustee alone" in res.output
    assert _files(d) == []
    res = _run("trustee", "start", str(_board(tmp_path)), "--trustee", "4", "--dir", str(d))
    assert res.exit_code == 1 and _files(d) == []
    (tmp_path / "junk.json").write_text("[1, 2")
    res = _run("trustee", "start", str(tmp_path / "junk.json"), "--trustee", "1", "--dir", str(d))
    assert res.exit_code == 1 and "Lỗi" in res.output and _files(d) == []
    res = _run("trustee", "start", str(_board(tmp_path)), "--trustee", "1", "--passphrase", "x")
    assert res.exit_code == 2  # there is no way to pass a passphrase on the command line


def test_weak_passphrases_are_asked_again(tmp_path):
    d = tmp_path / "t1"
    weak = ["ngắn", "aaaaaaaaaaaaaa", "abcdefghijklmno", "abcabcabcabc", "Nguyễn Văn Đức 1972"]
    text = "".join(f"{w}\n{w}\n" for w in weak) + f"{STATE_PASS[0]}\n{STATE_PASS[0]}\n"
    res = _run(
        "trustee",
        "start",
        str(_board(tmp_path)),
        "--trustee",
        "1",
        "--dir",
        str(d),
        *COST,
        input=text,
    )
    assert res.exit_code == 0, res.output
    for reason in ("ít hơn 12 ký tự", "chỉ lặp một ký tự", "dãy", "lặp lại", "tên"):
        assert reason in res.output


def test_shares_refuses_a_dishonest_board_or_an_unconfirmed_code(tmp_path):
    dirs, commits = _start_all(tmp_path)
    d = dirs[0]
    p = STATE_PASS[0]
    forged = copy.deepcopy(commits)
    forged[2]["proofs"][0]["u"] = forged[2]["proofs"][1]["u"]
    res = _run(
        "trustee",
        "shares",
        str(_board(tmp_path, commits=forged)),
        "--dir",
        str(d),
        input=f"{p}\ncó\n",
    )
    assert res.exit_code == 1 and "Bằng chứng" in res.output and "trustee 3" in res.output
    # The board replaces trustee 1's own commitment by another valid one.
    _, other = dkg.start(E, 1, NAMES, 2, 1)
    res = _run(
        "trustee",
        "shares",
        str(_board(tmp_path, commits=[other, *commits[1:]])),
        "--dir",
        str(d),
        input=f"{p}\ncó\n",
    )
    assert res.exit_code == 1 and "commit.json" in res.output
    # (someone used trustee 1's link: the CLI names it as such, loudly)
    assert "did NOT post" in res.output and "someone used your link" in res.output
    assert "KHÔNG gửi" in res.output and "#1" in res.output
    board = _board(tmp_path, commits=commits)
    res = _run("trustee", "shares", str(board), "--dir", str(d), input="sai mật khẩu rồi\n")
    assert res.exit_code == 1 and "Sai mật khẩu" in res.output
    res = _run("trustee", "shares", str(board), "--dir", str(d), input=f"{p}\nkhông\n")
    assert res.exit_code == 1 and "không gửi gì" in res.output
    res = _run(
        "trustee",
        "shares",
        str(_board(tmp_path, round_=2, commits=commits)),
        "--dir",
        str(d),
        input=f"{p}\ncó\n",
    )
    assert res.exit_code == 1 and "vòng" in res.output
    assert _files(d) == ["commit.json", "trustee-state.json"]


def test_finish_with_a_bad_sub_share_writes_a_complaint_naming_the_sender(tmp_path):
    dirs, commits = _start_all(tmp_path)
    shares_msgs = _shares_all(tmp_path, dirs, commits)
    bad = copy.deepcopy(shares_msgs)
    bad[1]["shares"][1]["data"] = bad[1]["shares"][0]["data"]  # 2 → 3 is 2 → 1's bytes
    board = _board(tmp_path, commits=commits, shares=bad)
    res = _run(
        "trustee", "finish", str(board), "--dir", str(dirs[2]), *COST, input=f"{STATE_PASS[2]}\n"
    )
    assert res.exit_code == 0, res.output
    complaint = json.loads((dirs[2] / "complaint.json").read_text())
    assert complaint | {} == {
        "format": "phieu-dkg-complaint/1",
        "election_id": E,
        "ceremony": 1,
        "trustee": 3,
        "against": 2,
        "reason": "undecryptable",
    }
    assert "#2" in res.output
    assert not any(n.endswith(".share.json") for n in _files(dirs[2]))
    missing = _board(tmp_path, commits=commits, shares=shares_msgs[:1])
    res = _run(
        "trustee", "finish", str(missing), "--dir", str(dirs[0]), *COST, input=f"{STATE_PASS[0]}\n"
    )
    assert res.exit_code == 1 and "from trustee 2" in res.output
    assert _files(dirs[0]) == ["commit.json", "shares.json", "trustee-state.json"]


def test_confirm_refuses_a_manifest_that_is_not_the_ceremony(tmp_path):
    key, ceremony, shares = dkg.simulate(E, NAMES, 2)
    share = tmp_path / "s.json"
    share.write_bytes(dkg.share_file(E, NAMES, 2, ceremony, 1, shares[0], SHARE_PASS[0], 1 << 14))
    other_key, other_ceremony, _ = dkg.simulate(E, NAMES, 2)
    manifest = build_manifest(
        election_id=E,
        meeting="m",
        title="t",
        kind="confidence",
        officials=[("A", "B")],
        summoned=2,
        trustee_names=NAMES,
        ceremony=other_ceremony,
        cards=[("0001", bytes(32))],
        server_key=bytes(32),
    )
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    res = _run("trustee", "confirm", str(path), str(share), "--dir", str(tmp_path), input="y\n")
    assert res.exit_code == 1 and "không khớp" in res.output and "public key" in res.output
    assert "confirm.json" not in _files(tmp_path)


def test_module_entry_point_runs():
    out = subprocess.run(
        [sys.executable, "-m", "keys", "trustee", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("start", "shares", "finish", "confirm"):
        assert command in out.stdout
    top = subprocess.run([sys.executable, "-m", "keys", "--help"], capture_output=True, text=True)
    commands = [line.split()[0] for line in top.stdout.split("Commands:")[1].splitlines() if line]
    assert commands == ["cards", "check-share", "trustee"]  # no dealer command


def test_finish_refuses_a_board_whose_commitments_differ_from_those_compared_aloud(tmp_path):
    """The transcript compared aloud at 'shares' is pinned in the sealed state file; a
    later board.json with another commitment (a fresh, valid one for trustee 3) is refused
    at 'finish' before any sub-share is read, and nothing is written."""
    dirs, commits = _start_all(tmp_path)
    before = (dirs[0] / "trustee-state.json").read_bytes()
    shares_msgs = _shares_all(tmp_path, dirs, commits)
    assert json.loads((dirs[0] / "trustee-state.json").read_text())["transcript"]
    _, other = dkg.start(E, 1, NAMES, 2, 3)
    swapped = _board(tmp_path, commits=[*commits[:2], other], shares=shares_msgs)
    res = _run(
        "trustee", "finish", str(swapped), "--dir", str(dirs[0]), *COST, input=f"{STATE_PASS[0]}\n"
    )
    assert res.exit_code == 1, res.output
    assert "compared aloud" in res.output and "Lỗi" in res.output
    assert _files(dirs[0]) == ["commit.json", "shares.json", "trustee-state.json"]
    # An edited pin does not open (the header is the AAD); a state from before 'shares'
    # has no pin and is refused too.
    state = json.loads((dirs[0] / "trustee-state.json").read_text())
    state["transcript"] = "00" * 32
    (dirs[0] / "trustee-state.json").write_text(json.dumps(state))
    board = _board(tmp_path, commits=commits, shares=shares_msgs)
    res = _run(
        "trustee", "finish", str(board), "--dir", str(dirs[0]), *COST, input=f"{STATE_PASS[0]}\n"
    )
    assert res.exit_code == 1 and "Sai mật khẩu" in res.output, res.output
    (dirs[0] / "trustee-state.json").write_bytes(before)
    res = _run(
        "trustee", "finish", str(board), "--dir", str(dirs[0]), *COST, input=f"{STATE_PASS[0]}\n"
    )
    assert res.exit_code == 1 and "run 'shares' first" in res.output, res.output
    assert _files(dirs[0]) == ["commit.json", "shares.json", "trustee-state.json"]
