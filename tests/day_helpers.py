"""A counted vote for the conference-day tests: made, cast, closed, counted, maybe published."""

from __future__ import annotations

import json

from ballot.counting import operations as counting
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from tally.count import decrypt_with_share, parse_totals
from tests.voting_helpers import PASSPHRASES, OpenVote, ballot_body, make_vote

POSITIONS = [
    "Phó Chủ tịch Ủy ban nhân dân tỉnh",
    "Trưởng Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh",
    "Giám đốc Sở Tài nguyên và Môi trường",
]


def counted_vote(
    members: int = 4,
    officials: int = 2,
    cast_n: int = 3,
    publish: bool = False,
    long_names: bool = False,
    choices: list[list[int]] | None = None,
) -> OpenVote:
    """A vote counted by trustees 1 and 2 (call inside an app context).

    ``long_names`` gives the officials realistic long names and positions (layout tests).
    """
    if long_names:
        vote = _long_vote(members, officials)
    else:
        vote = make_vote(members=members, officials=officials)
    rows = choices or [[1 + (i + j) % 3 for j in range(officials)] for i in range(cast_n)]
    for i, row in enumerate(rows):
        cast(vote.poll_id, ballot_body(vote, i, row))
    poll = db.session.get(Poll, vote.poll_id)
    polls.close_poll("thuky", poll)
    count = counting.start_count("thuky", poll)
    db.session.commit()
    manifest = counting.manifest_of(poll)
    totals, _ = parse_totals(json.loads(count.tally), manifest)
    for i in (0, 1):
        part = decrypt_with_share(manifest, totals, vote.shares[i][1], PASSPHRASES[i])
        counting.submit_partial("thuky", poll, part.to_json())
    if publish:
        counting.publish("thuky", poll)
    db.session.commit()
    return vote


def _long_vote(members: int, officials: int) -> OpenVote:
    from ballot.polls.quick import quick_vote

    made = quick_vote(
        "thuky",
        meeting="Kỳ họp thứ Mười, Hội đồng nhân dân tỉnh Hòa Bình Xanh khóa XVII",
        title="Lấy phiếu tín nhiệm đối với người giữ chức vụ do Hội đồng nhân dân tỉnh bầu",
        officials=[
            (f"Nguyễn Thị Thanh Hương Số {i + 1}", POSITIONS[i % 3]) for i in range(officials)
        ],
        members=members,
        trustee_names=["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"],
        threshold=2,
        passphrases=PASSPHRASES,
        spares=1,
    )
    return OpenVote(made.poll.id, made.poll.public_id, [c.code for c in made.printed], made.shares)
