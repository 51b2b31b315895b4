"""Restarts and dead ends: make run reuses its demo vote; every page leads somewhere."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.day_helpers import counted_vote
from tests.polls_web_helpers import login

ROOT = Path(__file__).resolve().parent.parent


def _demo(tmp_path: Path, port: int) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHIEU_")}
    env.pop("DATABASE_URL", None)
    env.pop("PUBLIC_URL", None)
    env.update(PORT=str(port), HOST="127.0.0.1")
    env["PHIEU_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    return subprocess.run(
        [sys.executable, "-m", "ballot.demo", "--no-serve"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip


def test_make_run_twice_keeps_one_demo_vote(tmp_path):
    first = _demo(tmp_path, 8766)
    second = _demo(tmp_path, 8767)
    with sqlite3.connect(tmp_path / "demo.sqlite3") as con:
        assert con.execute("select count(*) from polls").fetchone()[0] == 1
    assert "reusing the demo vote" in second
    links = re.findall(r"/v/\S+", first)
    assert links and links == re.findall(r"/v/\S+", second)  # the same cards still work
    assert "http://127.0.0.1:8767/v/" in second and "8766" not in second


def test_votes_list_dates_ids_and_links_everywhere(app, client, make_user):
    with app.app_context():
        vote = counted_vote()
    make_user("thuky")
    login(client, "thuky")
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-votes"' in home and 'href="/polls/"' in home
    index = client.get("/polls/").get_data(as_text=True)
    assert f'<code class="vote-id">{vote.public_id}</code>' in index
    assert re.search(r"\d+ giờ \d\d phút, ngày \d+ tháng \d+ năm \d{4}", index)
    pid = vote.public_id
    for page in (f"/polls/{pid}/count", f"/polls/{pid}/results"):
        html = client.get(page).get_data(as_text=True)
        nav = html[html.index('class="poll-nav"') :]
        nav = nav[: nav.index("</nav>")]
        for target in ("/polls/", f"/polls/{pid}/count", f"/polls/{pid}/results", f"/board/{pid}"):
            assert f'href="{target}"' in nav or f'href="{target}"' in html, (page, target)
        assert 'aria-current="page"' in nav
