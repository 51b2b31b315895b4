"""Factories for voting-day tests: a vote taken through the real operations."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.polls.quick import quick_vote
from keys import cards
from keys.ballot import encrypt_ballot
from tally.manifest import parse_manifest

PASSPHRASES = ["mật khẩu thứ nhất", "mật khẩu thứ hai", "mật khẩu thứ ba"]


def draft_poll(summoned: int = 5) -> Poll:
    """A vote in draft, made by the real operation (not committed)."""
    return polls.create_poll(
        "tests",
        meeting="Kỳ họp",
        title="Lấy phiếu",
        kind="rating",
        summoned=summoned,
        trustee_names=["A", "B", "C"],
        threshold=2,
    )


def other_writer_gets_lock(uri: str) -> bool:
    """Whether another connection can take the SQLite write lock right now (50 ms)."""
    other = sa.create_engine(uri, connect_args={"timeout": 0.05})
    try:
        with other.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.exec_driver_sql("ROLLBACK")
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        other.dispose()


@dataclass
class OpenVote:
    """An open vote, its card codes and share files (kept by the test only)."""

    poll_id: int
    public_id: str
    codes: list[str]
    shares: list[tuple[str, bytes]]


def make_vote(
    members: int = 4,
    officials: int = 3,
    kind: str = "rating",
    spares: int = 1,
    state: str = "open",
) -> OpenVote:
    """Create, import officials, run the ceremony, print cards, freeze, check in, open."""
    vote = quick_vote(
        "thuky",
        meeting="Kỳ họp thứ Mười, HĐND tỉnh",
        title="Lấy phiếu tín nhiệm giữa nhiệm kỳ",
        kind=kind,
        officials=[(f"Ông Nguyễn Văn Số {i + 1}", "Phó Chủ tịch") for i in range(officials)],
        members=members,
        trustee_names=["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"],
        threshold=2,
        passphrases=PASSPHRASES,
        spares=spares,
        state=state,
    )
    poll, printed, shares = vote.poll, vote.printed, vote.shares
    return OpenVote(poll.id, poll.public_id, [c.code for c in printed], shares)


def ballot_body(vote: OpenVote, card: int, choices: list[int]) -> bytes:
    """A signed, encrypted ballot for card number ``card`` (the phone's work, in Python)."""
    poll = db.session.get(Poll, vote.poll_id)
    assert poll is not None and poll.manifest is not None
    ctx = parse_manifest(json.loads(poll.manifest)).context()
    sk = cards.signing_key(vote.public_id, cards.decode_code(vote.codes[card]))
    return json.dumps(encrypt_ballot(ctx, sk, choices).to_json()).encode()
