"""The demo vote that ``make run`` seeds: a fictional provincial People's Council.

Every name is invented. The demo plays the three trustees' devices itself (the key
ceremony on the board, then their confirmations of the manifest) and writes their share
files and passphrases to ``instance/demo/`` so that a visitor can try the whole count.
A real vote never does either: each trustee runs the ceremony on their own device and
the server never sees a share or a passphrase (docs/operations.md).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask

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


def seed_demo(app: Flask, base_url: str) -> list[str]:
    """Create and open a demo vote; return the lines to print (card links, files)."""
    out = Path(app.instance_path) / "demo"
    out.mkdir(parents=True, exist_ok=True)
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
