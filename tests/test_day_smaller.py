"""Smaller things a new secretariat hit: log in words, no members' footer, English pages."""

from __future__ import annotations

from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from tests.day_helpers import counted_vote
from tests.polls_web_helpers import login


def test_log_in_words_secretariat_footer_and_english_results(app, client, make_user):
    with app.app_context():
        vote = counted_vote(officials=2, choices=[[3, 1], [3, 2], [1, 1]])
        poll = db.session.get(Poll, vote.poll_id)
        polls_pid = poll.public_id
    make_user("thuky")
    login(client, "thuky")
    client.get("/lang/en?next=/")
    log = client.get(f"/polls/{polls_pid}/log").get_data(as_text=True)
    assert "Vote created" in log and "Voting opened" in log and "Count complete" in log
    main = log.split("<main", 1)[1]
    assert ">poll.create<" not in main and "override=None" not in main and "=None" not in main
    assert "encrypted on your phone" not in log  # the members' footer
    results = client.get(f"/polls/{polls_pid}/results").get_data(as_text=True)
    assert "High confidence" in results and "Low confidence" in results
    assert "Low confidence at least 2/3" in results  # official 1: two of three "low"
    assert "Tín nhiệm thấp" not in results
    dashboard = client.get(f"/polls/{polls_pid}/").get_data(as_text=True)
    assert "Low confidence more than 1/2 and less than 2/3" in dashboard
    client.get("/lang/vi?next=/")
    results = client.get(f"/polls/{polls_pid}/results").get_data(as_text=True)
    assert "Tín nhiệm thấp từ 2/3 trở lên" in results
    assert polls.state_label("published")
