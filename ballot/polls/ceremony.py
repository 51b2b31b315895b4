"""The key ceremony's download: a ZIP of the trustees' share files and a README.

The archive is built in memory from :func:`ballot.polls.operations.run_ceremony`'s
sealed share files; it exists only in the HTTP response that carries it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from ballot.polls.importing import fold
from ballot.polls.models import Poll

README = """PHIẾU TÍN NHIỆM — TỆP KHÓA CỦA TỔ KIỂM PHIẾU
===========================================

Hội nghị: {meeting}
Cuộc bỏ phiếu: {title}
Mã cuộc bỏ phiếu: {public_id}
Số thành viên tổ kiểm phiếu: {n}; cần ít nhất {k} người để kiểm phiếu.

Mỗi thành viên tổ kiểm phiếu có MỘT tệp khóa riêng, được khóa bằng mật khẩu
mà chính người đó đã gõ:

{files}

Việc cần làm ngay bây giờ:

1. Mỗi thành viên CHỈ nhận tệp của mình (chép vào USB hoặc máy của mình) và
   giữ kín mật khẩu của mình. Không gửi tệp hoặc mật khẩu cho người khác, kể cả
   ban tổ chức.
2. Sau khi mọi người đã nhận tệp của mình, xóa tệp ZIP này và các tệp đã giải
   nén khỏi máy tính của ban tổ chức (kể cả trong Thùng rác và thư mục Tải về).
3. Máy chủ không lưu khóa bí mật: nếu mất tệp hoặc quên mật khẩu, thành viên đó
   không thể tham gia kiểm phiếu. Cần ít nhất {k} trong {n} thành viên có tệp và
   mật khẩu đúng thì mới kiểm phiếu được; ít hơn {k} người không thể biết kết quả.
4. Khi kiểm phiếu, mỗi thành viên tự mở tệp của mình bằng mật khẩu của mình.

Tệp khóa không cho biết ai đã bầu thế nào: từng lá phiếu không bao giờ được
giải mã, chỉ tổng số của từng người được lấy phiếu mới được giải mã.
"""


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe ASCII slug ("Nguyễn Văn An" → "nguyen-van-an")."""
    plain = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return plain[:limit].strip("-") or "thanh-vien"


def share_filename(index: int, name: str) -> str:
    """The share file's name in the archive: trustee index and name slug."""
    return f"{index:02d}-{slug(name)}.share.json"


def share_archive(poll: Poll, files: Sequence[tuple[str, bytes]]) -> bytes:
    """ZIP: one share file per trustee (index and slug of the name) and README.txt."""
    names = list(poll.trustee_names)
    listing = "\n".join(
        f"  - {share_filename(i, name)}: {name}" for i, name in enumerate(names, start=1)
    )
    readme = README.format(
        meeting=poll.meeting,
        title=poll.title,
        public_id=poll.public_id,
        n=poll.trustees,
        k=poll.threshold,
        files=listing,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme.replace("\n", "\r\n").encode("utf-8-sig"))
        for i, ((_original, data), name) in enumerate(zip(files, names, strict=True), start=1):
            archive.writestr(share_filename(i, name), data)
    return out.getvalue()
