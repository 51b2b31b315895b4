"""The codes people read aloud and compare, with one name each and one grouping.

Every screen, card, document and guide uses these names and ``group_code`` (groups of
four characters separated by spaces, defined in keys/codes.py for the offline commands
too), so that what the projector shows, what the card prints, what the phone displays
and what the minutes carry look the same.
"""

from __future__ import annotations

from typing import Final

from keys.codes import GROUP as GROUP
from keys.codes import group_code as group_code

#: code → (Vietnamese name, English name)
NAMES: Final = {
    "vote_fingerprint": ("Dấu vân tay cuộc bỏ phiếu", "Vote fingerprint"),
    "ballot_code": ("Mã đối chiếu lá phiếu", "Ballot check code"),
    "receipt": ("Mã biên nhận", "Receipt code"),
    "final_head": ("Mã chuỗi phiếu khi kết thúc", "Final chain code"),
    "record_hash": ("Mã hồ sơ kết quả", "Record code"),
}
