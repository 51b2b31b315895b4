"""Errors of the crypto core, each with a stable code and a message in Vietnamese and English.

The code says what kind of thing failed (the web layer and the CLIs translate it);
the detail says precisely which item (``row 12: proof does not verify``).
"""

from __future__ import annotations

from typing import Final

#: code -> (Vietnamese, English). Vietnamese first: it is the users' language.
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "bad_encoding": ("Dữ liệu sai định dạng", "Malformed data"),
    "bad_scalar": ("Số vô hướng không hợp lệ", "Invalid scalar"),
    "bad_point": ("Điểm đường cong không hợp lệ", "Invalid curve point"),
    "bad_ballot": ("Lá phiếu sai cấu trúc", "Malformed ballot"),
    "wrong_election": ("Lá phiếu thuộc cuộc bỏ phiếu khác", "Ballot belongs to another vote"),
    "bad_proof": ("Bằng chứng mật mã không hợp lệ", "Invalid zero-knowledge proof"),
    "bad_signature": ("Chữ ký của thẻ không hợp lệ", "Invalid card signature"),
    "bad_card_code": ("Mã thẻ không đúng, vui lòng kiểm tra lại", "Card code is wrong, check it"),
    "bad_share": ("Tệp khóa thành phần không hợp lệ", "Invalid key share file"),
    "wrong_passphrase": (
        "Sai mật khẩu, hoặc tệp khóa đã bị sửa đổi",
        "Wrong passphrase, or the share file was tampered with",
    ),
    "share_other_election": (
        "Tệp khóa thuộc cuộc bỏ phiếu khác",
        "The share file belongs to another vote",
    ),
    "share_mismatch": (
        "Khóa thành phần không khớp khóa kiểm tra công khai",
        "The share does not match its public verification key",
    ),
    "bad_parameters": ("Tham số không hợp lệ", "Invalid parameters"),
    "bad_decryption": ("Phần giải mã không hợp lệ", "Invalid partial decryption"),
    "not_enough_trustees": ("Chưa đủ số thành viên tổ kiểm phiếu", "Not enough trustees"),
    "duplicate_trustee": ("Thành viên tổ kiểm phiếu bị trùng", "Duplicate trustee"),
    "count_out_of_range": ("Tổng giải mã vượt giới hạn", "Decrypted total out of range"),
}


class CryptoError(ValueError):
    """A verification or parsing failure. ``code`` is stable; ``detail`` names the item."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)

    def message(self, lang: str = "vi") -> str:
        """A human message in ``lang`` ("vi" or "en"), followed by the detail."""
        vi, en = MESSAGES.get(self.code, (self.code, self.code))
        head = vi if lang == "vi" else en
        return f"{head} ({self.detail})" if self.detail else head
