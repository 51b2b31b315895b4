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
    "bad_audit": ("Lá phiếu kiểm tra sai cấu trúc", "Malformed checked ballot"),
    "bad_reveal": (
        "Lá phiếu kiểm tra không mã hóa đúng lựa chọn đã công bố",
        "The checked ballot does not encrypt the shown choice",
    ),
    "bad_card_code": (
        "Mã nhập tay của thẻ không đúng, vui lòng kiểm tra lại",
        "The card's manual entry code is wrong, check it",
    ),
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
    "threshold_too_low": (
        "Ngưỡng k phải ít nhất là 2: với k = 1 một thành viên một mình nắm cả khóa",
        "The threshold k must be at least 2: with k = 1 one trustee alone would hold the key",
    ),
    "weak_passphrase": ("Mật khẩu quá yếu", "The passphrase is too weak"),
    "dkg_bad_message": ("Thông điệp lễ tạo khóa sai định dạng", "Malformed key-ceremony message"),
    "dkg_other_vote": (
        "Thông điệp lễ tạo khóa thuộc cuộc bỏ phiếu khác",
        "The key-ceremony message belongs to another vote",
    ),
    "dkg_wrong_round": (
        "Thông điệp thuộc một vòng lễ tạo khóa khác (cũ hoặc phát lại)",
        "The message belongs to another round of the ceremony (old or replayed)",
    ),
    "dkg_wrong_trustee": (
        "Thông điệp mang số thứ tự thành viên không đúng",
        "The message carries the wrong trustee index",
    ),
    "dkg_duplicate": (
        "Hai thông điệp cho cùng một thành viên",
        "Two messages for the same trustee",
    ),
    "dkg_missing": ("Thiếu thông điệp của một thành viên", "A trustee's message is missing"),
    "dkg_bad_proof": (
        "Bằng chứng biết khóa bí mật không hợp lệ",
        "Invalid proof of knowledge of a secret",
    ),
    "dkg_key_mismatch": (
        "Khóa chung không khớp các cam kết công khai",
        "The joint key does not match the published commitments",
    ),
    "dkg_complaint": ("Có khiếu nại trong lễ tạo khóa", "A complaint was raised in the ceremony"),
    "dkg_bad_state": (
        "Tệp trạng thái lễ tạo khóa không hợp lệ",
        "Invalid key-ceremony state file",
    ),
    "dkg_bad_confirm": (
        "Xác nhận của thành viên không hợp lệ",
        "Invalid trustee confirmation",
    ),
    "manifest_mismatch": (
        "Bản kê khai không khớp với tệp khóa thành phần",
        "The manifest does not match the share file",
    ),
    "bad_definition": (
        "Tệp định nghĩa lá phiếu không hợp lệ (tải lại từ trang Thẻ)",
        "Invalid ballot definition file (download it again from the cards page)",
    ),
    "cards_bad_file": ("Tệp thẻ công khai sai định dạng", "Malformed public card file"),
    "cards_too_large": ("Tệp thẻ công khai quá lớn", "The public card file is too large"),
    "cards_other_vote": (
        "Tệp thẻ thuộc cuộc bỏ phiếu khác",
        "The card file belongs to another vote",
    ),
    "cards_fingerprint": (
        "Mã đối chiếu lá phiếu của tệp thẻ khác với cuộc bỏ phiếu này (danh sách hoặc khóa đã"
        " đổi sau khi tải tệp định nghĩa?): tải lại tệp định nghĩa và làm lại thẻ",
        "The card file's ballot fingerprint is not this vote's (officials or keys changed"
        " after the definition was downloaded?): download it again and make the cards again",
    ),
    "cards_count": (
        "Số thẻ phải bằng số người được triệu tập cộng số thẻ dự phòng",
        "The number of cards must be the members summoned plus the spares",
    ),
    "cards_serial": (
        "Số thẻ phải liên tiếp từ 0001",
        "Card serials must be consecutive from 0001",
    ),
    "cards_spare": (
        "Thẻ dự phòng phải đứng sau thẻ của mọi người được triệu tập",
        "Spare cards must come after the cards of every member summoned",
    ),
    "cards_bad_key": ("Khóa công khai của thẻ không hợp lệ", "Invalid card public key"),
    "cards_duplicate": ("Hai thẻ có cùng khóa công khai", "Two cards have the same public key"),
}

#: Detail codes with their own translation (the reason of a refusal or complaint).
DETAILS: Final[dict[str, tuple[str, str]]] = {
    "too_short": ("ít hơn 12 ký tự", "fewer than 12 characters"),
    "one_character": ("chỉ lặp một ký tự", "only one character repeated"),
    "sequence": ("là một dãy phím hoặc chữ số liên tiếp", "a keyboard or digit sequence"),
    "repeated": ("là một cụm ngắn lặp lại", "a short unit repeated"),
    "name": ("chứa tên của thành viên", "contains the trustee's name"),
    "undecryptable": ("không giải mã được", "cannot be decrypted"),
    "bad_share": (
        "không khớp các cam kết của người gửi",
        "does not match the sender's commitments",
    ),
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
        if self.detail in DETAILS:
            dvi, den = DETAILS[self.detail]
            return f"{head} ({dvi if lang == 'vi' else den})"
        return f"{head} ({self.detail})" if self.detail else head
