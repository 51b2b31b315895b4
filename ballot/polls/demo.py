"""The demo vote that ``make run`` seeds (once: later runs reuse it): a fictional
provincial People's Council.

Every name is invented. The demo plays the three trustees' devices itself (the key
ceremony on the board, then their confirmations of the manifest) and writes their share
files and passphrases to ``instance/demo/`` so that a visitor can try the whole count.
A real vote never does either: each trustee runs the ceremony on their own device and
the server never sees a share or a passphrase (docs/operations.md).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from ballot.polls.quick import quick_vote

OFFICIALS = [
    ("Nguyễn Văn Hùng", "Chủ tịch Hội đồng nhân dân tỉnh"),
    ("Trần Thị Mai", "Phó Chủ tịch Hội đồng nhân dân tỉnh"),
    ("Lê Quang Vinh", "Chủ tịch Ủy ban nhân dân tỉnh"),
    ("Phạm Thị Thu Hà", "Phó Chủ tịch Ủy ban nhân dân tỉnh"),
    ("Hoàng Đức Thắng", "Phó Chủ tịch Ủy ban nhân dân tỉnh"),
    ("Vũ Thị Ngọc Ánh", "Trưởng Ban Pháp chế Hội đồng nhân dân tỉnh"),
    ("Đặng Minh Khoa", "Giám đốc Sở Tài chính"),
    ("Bùi Thị Hồng Nhung", "Giám đốc Sở Giáo dục và Đào tạo"),
    ("Đỗ Văn Long", "Giám đốc Sở Y tế"),
    ("Ngô Thị Lan Anh", "Chánh Thanh tra tỉnh"),
]
TRUSTEES = ["Trần Văn An (Tổ trưởng)", "Lê Thị Bích", "Phan Quốc Cường"]
MEMBERS = 47


SAVED = "demo-vote.json"


def _reused(out: Path, base_url: str) -> list[str] | None:
    """The lines of the demo vote made by an earlier run, if it is still in the database.

    ``make run`` is run again and again: it reuses its demo vote rather than adding
    another identical one. The lines are kept with ``{base_url}`` in place of the
    address, so a run on another host or port prints links for that address.
    """
    from ballot.db import db
    from ballot.polls.models import Poll

    try:
        saved = json.loads((out / SAVED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or not isinstance(saved.get("lines"), list):
        return None
    pid = saved.get("public_id")
    if db.session.scalar(select(Poll.id).where(Poll.public_id == pid)) is None:
        return None
    head = f"Dùng lại cuộc bỏ phiếu mẫu / reusing the demo vote {pid} (instance/demo/{SAVED})"
    return [head, *(str(line).replace("{base_url}", base_url) for line in saved["lines"])]


def seed_demo(app: Flask, base_url: str) -> list[str]:
    """Create and open a demo vote (or reuse the earlier run's); return the lines to print."""
    out = Path(app.instance_path) / "demo"
    out.mkdir(parents=True, exist_ok=True)
    reused = _reused(out, base_url)
    if reused is not None:
        return reused
    lines = _seed(out, base_url)
    saved = {"public_id": lines[0], "lines": [x.replace(base_url, "{base_url}") for x in lines[1:]]}
    (out / SAVED).write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
    return lines[1:]


def _seed(out: Path, base_url: str) -> list[str]:
    """Make the demo vote; the first line returned is its public id (not printed)."""
    passphrases = [secrets.token_urlsafe(12) for _ in TRUSTEES]
    vote = quick_vote(
        "demo",
        meeting="Kỳ họp thứ Mười, Hội đồng nhân dân tỉnh Hòa Bình Xanh khóa XVII (dữ liệu mẫu)",
        title="Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu",
        officials=OFFICIALS,
        members=MEMBERS,
        trustee_names=TRUSTEES,
        threshold=2,
        passphrases=passphrases,
        spares=5,
        present=40,
    )
    poll, files, printed, fingerprint = vote.poll, vote.shares, vote.printed, vote.fingerprint
    lines = [
        poll.public_id,
        f"Cuộc bỏ phiếu mẫu / demo vote: {poll.title}",
        "  Bản demo tự đóng vai thiết bị của cả 3 thành viên tổ kiểm phiếu (lễ tạo khóa,"
        " xác nhận bản kê khai); cuộc bỏ phiếu thật không bao giờ làm vậy.",
        "  The demo plays all 3 trustees' devices itself (key ceremony, manifest"
        " confirmations); a real vote never does: each trustee uses their own device.",
    ]
    for (name, blob), passphrase in zip(files, passphrases, strict=True):
        (out / name).write_bytes(blob)
        lines.append(f"  tệp khóa / share file: {out / name}  mật khẩu / passphrase: {passphrase}")
    tail = fingerprint.hex()[:16]
    lines.append("Vài thẻ để thử / a few cards to try:")
    for card in printed[:5]:
        lines.append(f"  {base_url}/v/{poll.public_id}#{card.code.replace('-', '')}.{tail}")
    (out / f"cards-{poll.public_id}.txt").write_text(
        "\n".join(f"{c.serial} {c.code}" for c in printed) + "\n", encoding="utf-8"
    )
    lines.append(f"Tất cả mã thẻ mẫu / all demo card codes: {out}/cards-{poll.public_id}.txt")
    lines.append(f"Bảng công khai / public board: {base_url}/board/{poll.public_id}")
    lines.append(f"Màn hình chiếu / projector: {base_url}/projector/{poll.public_id}")
    return lines
