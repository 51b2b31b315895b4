"""The codes people read aloud and compare, with one name and one grouping each.

Every screen, card, document and guide uses these names and ``group_code`` (groups of
four characters separated by spaces), so that what the projector shows, what the card
prints, what the phone displays and what the minutes carry look the same.
"""

from __future__ import annotations

from typing import Final

GROUP: Final = 4

#: code → (Vietnamese name, English name)
NAMES: Final = {
    "vote_fingerprint": ("Dấu vân tay cuộc bỏ phiếu", "Vote fingerprint"),
    "ballot_code": ("Mã đối chiếu lá phiếu", "Ballot check code"),
    "receipt": ("Mã biên nhận", "Receipt code"),
    "final_head": ("Mã chuỗi phiếu khi kết thúc", "Final chain code"),
    "record_hash": ("Mã hồ sơ kết quả", "Record code"),
}


def group_code(value: str, size: int = GROUP) -> str:
    """``ab12cd34…`` → ``ab12 cd34 …`` (the one way codes are shown)."""
    text = "".join(value.split())
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
