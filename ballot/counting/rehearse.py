"""``flask --app wsgi rehearse``: a whole vote as the secretariat rehearses it before the day.

Creates a vote, plays the trustees' devices through the key ceremony's board (simulated:
one process knows every share, fine for a rehearsal only) with generated passphrases,
makes the cards, lets the simulated devices confirm the manifest, freezes,
checks members in, opens, casts N random ballots through the real HTTP cast endpoint
(a local server on 127.0.0.1, each ballot encrypted and signed by the Python twin of the
phone's code), closes, counts with k trustees' share files, writes the election record
and verifies it. Nothing of a rehearsal is secret; its passphrases are generated here.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import make_server

from ballot.counting import operations as counting
from ballot.counting.export import build_record
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.polls.quick import quick_vote
from keys import cards
from keys.ballot import encrypt_ballot
from tally.count import decrypt_with_share, parse_totals
from tally.verify import verify_record


def _post(url: str, body: bytes) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 - a loopback URL we built
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def rehearse(app: Flask, members: int, officials: int, out: Path, seed: int) -> list[str]:
    """Run the rehearsal; return the report lines. Raises click.ClickException on failure."""
    rng = random.Random(seed)  # noqa: S311 - chooses rehearsal votes, not secrets
    passphrases = [secrets.token_urlsafe(12) for _ in range(3)]
    vote = quick_vote(
        "rehearsal",
        meeting="Diễn tập trước kỳ họp",
        title=f"Diễn tập lấy phiếu tín nhiệm ({members} đại biểu, {officials} người)",
        officials=[(f"Người được lấy phiếu {i + 1}", "Chức vụ") for i in range(officials)],
        members=members,
        trustee_names=["Tổ trưởng", "Thành viên 2", "Thành viên 3"],
        threshold=2,
        passphrases=passphrases,
        spares=2,
    )
    poll, printed, shares = vote.poll, vote.printed, vote.shares
    ctx = counting.manifest_of(poll).context()
    poll_id, public_id = poll.id, poll.public_id

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/v/{public_id}/cast"
    latencies = []
    try:
        for card in printed[:members]:
            sk = cards.signing_key(public_id, cards.decode_code(card.code))
            choices = [rng.choice([0, 1, 1, 2, 2, 2, 3]) for _ in range(officials)]
            body = json.dumps(encrypt_ballot(ctx, sk, choices).to_json()).encode()
            start = time.perf_counter()
            status, answer = _post(url, body)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                raise click.ClickException(f"cast refused ({status}): {answer}")
    finally:
        server.shutdown()
    db.session.remove()
    reloaded = db.session.get(Poll, poll_id)
    assert reloaded is not None  # noqa: S101
    poll = reloaded
    polls.close_poll("rehearsal", poll)
    count = counting.start_count("rehearsal", poll)
    db.session.commit()
    manifest = counting.manifest_of(poll)
    totals, _ = parse_totals(json.loads(count.tally), manifest)
    for i in (0, 1):
        part = decrypt_with_share(manifest, totals, shares[i][1], passphrases[i])
        counting.submit_partial("rehearsal", poll, part.to_json())
    db.session.commit()
    record = build_record(poll)
    record.save(out)
    report = verify_record(record)
    latencies.sort()
    return [
        f"Đã bỏ {members} phiếu qua HTTP / cast {members} ballots over HTTP: "
        f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms",
        *report.lines,
        f"Hồ sơ / record: {out}",
        f"Mã băm hồ sơ / record hash: {report.record_hash}",
    ]


@click.command("rehearse")
@with_appcontext
@click.option("--members", type=click.IntRange(1, 5000), default=20, show_default=True)
@click.option("--officials", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--out", type=click.Path(dir_okay=True, path_type=Path), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
def rehearse_command(members: int, officials: int, out: Path, seed: int) -> None:
    """Rehearse a whole vote and write its election record to OUT (a .zip or a folder)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for line in rehearse(app, members, officials, out, seed):
        click.echo(line)
