"""The public board (every tracker in chain order, fingerprints, search) and the projector.

No login. Until the secretariat publishes the results these pages show trackers,
counts and chain hashes only (nothing per official exists before the count, and nothing
here shows the count before publication); once published they show the results and
link the minutes, the exports and the election record.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from ballot.board import operations as ops
from ballot.counting.operations import results_of
from ballot.counting.views import results_context
from ballot.errors import refuse
from ballot.localtime import localtime
from ballot.polls.models import Poll
from ballot.states import State, state_label
from ballot.voting.audits import checked_ballots
from ballot.voting.models import HeadKind
from ballot.voting.operations import board as chain_page
from ballot.voting.page_text import level_labels
from ballot.web import Download, download, get_poll
from tally.checked import audits_json as checked_json

bp = Blueprint("board", __name__, template_folder="templates")

PAGE_SIZE = 100


def _after() -> int:
    try:
        return max(0, int(request.args.get("after", "0")))
    except ValueError:
        return 0


def _page(poll: Poll, after: int) -> tuple[list[tuple[int, bytes]], int | None]:
    rows = chain_page(poll, after=after, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1][0] if more and rows else None)


def _downloads(poll: Poll) -> dict[str, str]:
    """Addresses of the published documents (for auditors' scripts)."""
    pid = poll.public_id
    return {
        "results": url_for("counting.results_page", public_id=pid, _external=True),
        "results_json": url_for("counting.results_json", public_id=pid, _external=True),
        "results_csv": url_for("counting.results_csv", public_id=pid, _external=True),
        "minutes_pdf": url_for("counting.minutes", public_id=pid, _external=True),
        "record_zip": url_for("counting.record_zip", public_id=pid, _external=True),
    }


def _published(poll: Poll) -> dict[str, Any] | None:
    """The results' template values once the vote is published (before: None, never any)."""
    if poll.state != State.PUBLISHED:
        return None
    results = results_of(poll)
    return results_context(poll, results) if results is not None else None


@bp.get("/board/<public_id>")
def board(public_id: str) -> ResponseReturnValue:
    """The board page; ``?q=`` searches a tracker, ``?after=`` pages through the chain."""
    poll = get_poll(public_id)
    after = _after()
    rows, next_after = _page(poll, after)
    raw_query = request.args.get("q", "").strip()
    query = ops.normalize_query(raw_query)
    found = ops.search_trackers(poll, query) if query else []
    covering = {seq: ops.covering_head(poll, seq) for seq, _ in found}
    return render_template(
        "board/board.html",
        published=_published(poll),
        poll=poll,
        state=state_label(poll.state),
        fingerprints=ops.fingerprints(poll),
        rows=rows,
        after=after,
        prev_after=max(0, after - PAGE_SIZE) if after else None,
        next_after=next_after,
        raw_query=raw_query,
        query=query,
        found=found,
        covering=covering,
        audited=audited_rows(poll),
        level_labels=level_labels(),
        audits_url=url_for("board.audits_json", public_id=poll.public_id),
        manifest_url=url_for("voting.manifest", public_id=poll.public_id),
    )


@bp.get("/board/<public_id>/board.json")
def board_json(public_id: str) -> ResponseReturnValue:
    """The board as JSON (auditors' scripts): fingerprints, head and one page of trackers."""
    poll = get_poll(public_id)
    rows, next_after = _page(poll, _after())
    published = _published(poll)
    return jsonify(
        vote=poll.public_id,
        state=poll.state,
        ballots=poll.ballot_count,
        chain_head=poll.chain_head.hex() if poll.chain_head else None,
        fingerprints=ops.fingerprints(poll),
        trackers=[{"seq": seq, "tracker": tracker.hex()} for seq, tracker in rows],
        results=published["results"] if published else None,
        record_hash=published["record_hash"] if published else None,
        downloads=_downloads(poll) if published else None,
        next_after=next_after,
    )


@bp.get("/board/<public_id>/checkpoint.json")
def saved_checkpoint(public_id: str) -> ResponseReturnValue:
    """The latest signed checkpoint as a file to keep (``tally verify --checkpoint``)."""
    return _saved(public_id, HeadKind.CHECKPOINT)


@bp.get("/board/<public_id>/close.json")
def saved_close(public_id: str) -> ResponseReturnValue:
    """The signed close as a file to keep (``tally verify --checkpoint``)."""
    return _saved(public_id, HeadKind.CLOSE)


def _saved(public_id: str, kind: HeadKind) -> ResponseReturnValue:
    poll = get_poll(public_id)
    saved = ops.saved_head(poll, kind)
    if saved is None:
        message = (
            _l("The vote is not closed yet: there is no signed close to save.")
            if kind == HeadKind.CLOSE
            else _l("The server has not signed a checkpoint of this vote yet.")
        )
        raise refuse("no_signed_head", message, 404)
    body = json.dumps(saved.to_json(), indent=1).encode() + b"\n"
    what: Download = "close" if kind == HeadKind.CLOSE else "checkpoint"
    # Not stored: a cached copy would hide a later checkpoint from whoever saves again.
    return download(
        body, "application/json", what, poll.public_id, store=False, n=saved.signed.count
    )


@bp.get("/projector/<public_id>")
def projector(public_id: str) -> ResponseReturnValue:
    """The big-screen page: turnout (refreshed by projector.js) until the results are
    published, then the published results (projector.js reloads when the state changes)."""
    poll = get_poll(public_id)
    published = _published(poll)
    if published is not None:
        return render_template("counting/results_projector.html", **published)
    return render_template(
        "board/projector.html",
        poll=poll,
        state=state_label(poll.state),
        turnout=ops.turnout(poll),
        fingerprints=ops.fingerprints(poll),
    )


@bp.get("/projector/<public_id>/status.json")
def projector_status(public_id: str) -> ResponseReturnValue:
    """Turnout, countdown and fingerprints for the projector's polling script."""
    poll = get_poll(public_id)
    return jsonify(
        state=poll.state,
        state_label=state_label(poll.state),
        closes_at_text=localtime(poll.closes_at) if poll.closes_at else None,
        **ops.turnout(poll),
        fingerprints=ops.fingerprints(poll),
    )


def audited_rows(poll: Poll) -> list[dict[str, Any]]:
    """Checked ballots for the board: audit tracker and each official's shown choice."""
    if not poll.manifest:
        return []
    manifest = json.loads(poll.manifest)
    levels = [""] + list(manifest.get("levels", []))
    names = [o.get("name", "") for o in manifest.get("officials", [])]
    out = []
    for a in checked_ballots(poll):
        choices = [
            (names[i] if i < len(names) else "", levels[r.choice]) for i, r in enumerate(a.rows)
        ]
        out.append({"tracker": a.tracker().hex(), "choices": choices})
    return out


@bp.get("/board/<public_id>/audits.json")
def audits_json(public_id: str) -> ResponseReturnValue:
    """Every checked ballot (audits.json of the record, as it stands): anyone can check them."""
    poll = get_poll(public_id)
    return jsonify(vote=poll.public_id, **checked_json(checked_ballots(poll)))
