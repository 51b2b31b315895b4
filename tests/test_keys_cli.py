"""``python -m keys ceremony`` and ``check-share``: prompts only, nothing written on error."""

import json
import subprocess
import sys

from click.testing import CliRunner

from keys.cli import main

NAMES = ["Nguyễn Văn Đức", "Lê Thị Hoa", "Trần An"]
PASSES = ["mật khẩu số một", "mật khẩu số hai", "mật khẩu số ba"]


def _ceremony(tmp_path, k=2, inputs=None):
    args = ["ceremony", "--election-id", "vote-1", "-k", str(k), "--out", str(tmp_path)]
    args += ["--scrypt-log-n", "14"]
    for name in NAMES:
        args += ["--trustee", name]
    text = inputs if inputs is not None else "".join(f"{p}\n{p}\n" for p in PASSES)
    return CliRunner().invoke(main, args, input=text)


def test_ceremony_writes_shares_and_key_but_no_secret(tmp_path):
    result = _ceremony(tmp_path)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [
        "election-key.json",
        "trustee-1-nguyen-van-duc.share.json",
        "trustee-2-le-thi-hoa.share.json",
        "trustee-3-tran-an.share.json",
    ]
    public = json.loads((tmp_path / "election-key.json").read_text())
    assert public["threshold"] == 2 and len(public["verification_keys"]) == 3
    for p in PASSES:
        assert p not in result.output
        for f in tmp_path.iterdir():
            assert p.encode() not in f.read_bytes()
    share = tmp_path / "trustee-2-le-thi-hoa.share.json"
    key = tmp_path / "election-key.json"
    ok = CliRunner().invoke(main, ["check-share", str(share), "--key", str(key)], input=PASSES[1])
    assert ok.exit_code == 0 and "Lê Thị Hoa" in ok.output
    bad = CliRunner().invoke(main, ["check-share", str(share)], input="sai mật khẩu rồi\n")
    assert bad.exit_code == 1 and "Sai mật khẩu" in bad.output
    other = CliRunner().invoke(
        main, ["check-share", str(share), "--election-id", "vote-2"], input=PASSES[1]
    )
    assert other.exit_code == 1 and "cuộc bỏ phiếu khác" in other.output


def test_ceremony_refuses_bad_input_and_writes_nothing(tmp_path):
    assert _ceremony(tmp_path, k=4).exit_code == 1
    same = "".join(f"{PASSES[0]}\n{PASSES[0]}\n" for _ in NAMES)
    assert _ceremony(tmp_path, inputs=same).exit_code == 1
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "election-key.json").write_text("{}")
    result = _ceremony(tmp_path)
    assert result.exit_code == 1 and "tồn tại" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["election-key.json"]


def test_short_passphrase_is_asked_again(tmp_path):
    text = "ngắn\nngắn\n" + "".join(f"{p}\n{p}\n" for p in PASSES)
    result = _ceremony(tmp_path, inputs=text)
    assert result.exit_code == 0 and "10" in result.output


def test_check_share_rejects_tampered_and_mismatched_files(tmp_path):
    assert _ceremony(tmp_path).exit_code == 0
    share = tmp_path / "trustee-1-nguyen-van-duc.share.json"
    doc = json.loads(share.read_text())
    doc["trustee"]["index"] = 2
    share.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["check-share", str(share)], input=PASSES[0])
    assert result.exit_code == 1 and "Sai mật khẩu" in result.output
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    result = CliRunner().invoke(main, ["check-share", str(junk)], input=PASSES[0])
    assert result.exit_code == 1 and "không hợp lệ" in result.output


def test_module_entry_point_runs():
    out = subprocess.run(
        [sys.executable, "-m", "keys", "--help"], capture_output=True, text=True, check=True
    )
    assert "ceremony" in out.stdout and "check-share" in out.stdout
