"""Smaller things a new secretariat hit: log in words, no members' footer, English pages."""

from __future__ import annotations

from ballot.db import db
from ballot.polls.models import Poll
from ballot.states import state_label
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
    assert state_label("published")


def test_create_form_radios_threshold_errors_at_field_samples_and_unique_ids(
    app, client, make_user
):
    import re

    from tests.polls_web_helpers import create_vote, post, upload

    make_user("thuky")
    login(client, "thuky")
    client.get("/lang/en?next=/")
    form = client.get("/polls/new").get_data(as_text=True)
    assert (
        'type="radio" name="kind"' in form and "<select" not in form.split('name="kind"')[0][-300:]
    )
    r = post(
        client,
        "/polls/new",
        {
            "meeting": "M", "title": "T", "kind": "rating", "summoned": "4",
            "denominator": "returned", "members_total": "", "trustee_names": "A\nB",
            "threshold": "2", "low_more_than": "3/4", "low_at_least": "2/3",
            "distrust_more_than": "1/2",
        },
    )  # fmt: skip
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    error = re.search(r'id="low_at_least-error"[^>]*>([^<]+)<', html)
    assert error and "above the one before" in error.group(1)
    r = post(client, "/polls/new", {"meeting": "M", "title": "T", "kind": "rating",
             "summoned": "4", "denominator": "returned", "trustee_names": "A\nB",
             "threshold": "2", "low_more_than": "x", "low_at_least": "2/3"})  # fmt: skip
    assert 'id="low_more_than-error"' in r.get_data(as_text=True)
    for ext in ("csv", "xlsx"):
        sample = client.get(f"/polls/officials-sample.{ext}")
        assert sample.status_code == 200
        pid = create_vote(client)
        assert upload(client, pid, sample.data, f"mau.{ext}").status_code == 302, ext
        page = client.get(f"/polls/{pid}/officials").get_data(as_text=True)
        assert "Nguyễn Văn A" in page and "Trần Thị B" in page
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert client.get("/polls/officials-sample.exe").status_code == 404


def test_officials_can_be_corrected_and_removed_until_cards_are_printed(app, client, make_user):
    from tests.polls_web_helpers import create_vote, official_rows, post, upload

    make_user("thuky")
    login(client, "thuky")
    pid = create_vote(client)
    csv = "Họ và tên,Chức vụ\nNguyễn Văn Aa,Chủ tịch\nTrần Thị B,Phó Chủ tịch\nLê C,Ủy viên\n"
    assert upload(client, pid, csv.encode()).status_code == 302
    rows = official_rows(app, pid)
    with app.app_context():
        from sqlalchemy import select

        from ballot.polls.models import Official

        ids = list(db.session.scalars(select(Official.id).order_by(Official.position_order)))
    fix = {"name": "Nguyễn Văn A", "position": "Chủ tịch HĐND"}
    r = post(client, f"/polls/{pid}/officials/{ids[0]}/edit", fix)
    assert r.status_code == 302
    r = post(client, f"/polls/{pid}/officials/{ids[1]}/edit", {"name": " ", "position": "x"})
    assert r.status_code == 302  # refused: a name is required; nothing changed
    assert post(client, f"/polls/{pid}/officials/{ids[1]}/delete").status_code == 302
    after = official_rows(app, pid)
    assert [r[1] for r in after] == ["Nguyễn Văn A", "Lê C"] and [r[0] for r in after] == [1, 2]
    assert len(rows) == 3
    log = client.get(f"/polls/{pid}/log").get_data(as_text=True)
    assert "Nguyễn Văn A" in log


def test_every_action_the_code_writes_has_words_in_the_log():
    """No code such as poll.ceremony.commit on the log page: each action written anywhere
    in ballot/ has a label, and each of its details a name."""
    import ast
    from pathlib import Path

    from ballot.polls.loglabels import ACTIONS, DETAILS
    from ballot.polls.models import MessageKind

    written: set[str] = set()
    keys: set[str] = set()
    for path in Path("ballot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "log_action"):
                continue
            action = node.args[1]
            if isinstance(action, ast.Constant):
                written.add(action.value)
            elif isinstance(action, ast.JoinedStr):  # f"poll.ceremony.{kind}"
                prefix = action.values[0].value
                written |= {f"{prefix}{kind}" for kind in MessageKind}
            elif isinstance(action, ast.IfExp):
                written |= {action.body.value, action.orelse.value}
            for sub in ast.walk(node):
                if isinstance(sub, ast.Dict):
                    keys |= {k.value for k in sub.keys if isinstance(k, ast.Constant)}
    assert len(written) > 25, written
    assert written - set(ACTIONS) == set()
    assert keys - set(DETAILS) - {"poll"} == set()
