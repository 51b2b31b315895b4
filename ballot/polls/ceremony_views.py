"""The ceremony board's endpoints and pages (routes added to the polls blueprint).

Public: ``ceremony/board.json``, ``ceremony/manifest.json`` and the trustee page
``/polls/<id>/trustee`` (the token stays in the URL fragment, read by the page's
script). ``ceremony/message`` takes one message with the ``X-Trustee-Token`` header:
CSRF-exempt because no cookie authenticates it, only the token. The secretariat's
page starts and restarts the ceremony and shows the links once.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from flask import Response, flash, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ballot.cards.operations import cards_printed
from ballot.db import db
from ballot.definition import confirmations_exist
from ballot.errors import ApiError, refuse
from ballot.extensions import csrf_exempt_api
from ballot.permissions import secretariat_required
from ballot.polls import ceremony as board
from ballot.polls.ceremony_post import already_posted, post_message
from ballot.polls.ceremony_strings import trustee_strings
from ballot.polls.forms import CeremonyRestartForm, CeremonyStartForm
from ballot.polls.models import MessageKind, Poll
from ballot.polls.views import bp
from ballot.states import Action, may
from ballot.web import actor, attempt, commit, get_poll, poll_nav
from keys.cardsheet import qr_png
from keys.hashing import canonical_json


def _json(obj: Any) -> Response:
    return Response(canonical_json(obj), mimetype="application/json")


def _json_error(err: ApiError) -> ResponseReturnValue:
    """Always JSON here, whatever the client's Accept header (the CLI, curl …)."""
    db.session.rollback()
    response = jsonify(error=err.code, message=err.message)
    response.status_code = err.status
    return response


@bp.get("/<public_id>/ceremony/board.json")
def ceremony_board(public_id: str) -> ResponseReturnValue:
    """The public bulletin board (phieu-dkg-board/1)."""
    try:
        return _json(board.board(get_poll(public_id)))
    except ApiError as err:
        return _json_error(err)


@bp.get("/<public_id>/ceremony/manifest.json")
def ceremony_manifest(public_id: str) -> ResponseReturnValue:
    """The candidate manifest the trustees confirm (or the frozen one)."""
    try:
        poll = get_poll(public_id)
        if poll.manifest is not None:
            return Response(poll.manifest, mimetype="application/json")
        raw = board.candidate(poll)
        if raw is None:
            raise refuse(
                "too_early",
                _l("There is no manifest to confirm yet (the cards are not printed)."),
                404,
            )
    except ApiError as err:
        return _json_error(err)
    return _json(raw)


@bp.post("/<public_id>/ceremony/message")
@csrf_exempt_api
def ceremony_message(public_id: str) -> ResponseReturnValue:
    """Post one ceremony message; the trustee is named by ``X-Trustee-Token``.

    CSRF-exempt on purpose: no cookie is used, the token in the header (which a
    cross-site form cannot set) is what authenticates the trustee.
    """
    try:
        length = request.content_length
        if length is not None and length > board.MAX_MESSAGE_BYTES:
            raise refuse("too_large", _l("The message is too large."), 413)
        # Already read (within MAX_CONTENT_LENGTH) before any transaction: ballot.db.
        body = request.get_data(cache=True)[: board.MAX_MESSAGE_BYTES + 1]
        token = request.headers.get("X-Trustee-Token", "").strip()
        poll = get_poll(public_id)
        answer = commit(lambda: post_message(poll, token, body), conflict=already_posted)
    except ApiError as err:
        return _json_error(err)
    return jsonify(ok=True, board=answer)


@bp.get("/<public_id>/trustee")
def trustee_page(public_id: str) -> ResponseReturnValue:
    """The trustee's page: everything secret happens in this browser, nothing is sent."""
    poll = get_poll(public_id)
    return render_template("polls/trustee.html", poll=poll, strings=trustee_strings())


def _link_rows(poll: Any, links: list[board.Link]) -> list[dict[str, Any]]:
    rows = []
    for link in links:
        url = url_for("polls.trustee_page", public_id=poll.public_id, _external=True)
        url = f"{url}#t={link.token}&i={link.index}"
        png = base64.b64encode(qr_png(url, scale=4)).decode()
        rows.append({"index": link.index, "name": link.name, "url": url, "qr": png})
    return rows


def _page(
    poll: Poll, links: list[board.Link] | None = None, status: int = 200
) -> ResponseReturnValue:
    steps: dict[int, str] = {}
    if poll.ceremony_round:
        for m in board.messages(poll):
            steps[m.trustee] = (
                m.kind if m.kind != MessageKind.CONFIRM else steps.get(m.trustee, "done")
            )
    info = board.board(poll) if poll.ceremony_round else None
    confirmed = {c["trustee"] for c in info["confirmations"]} if info else set()
    return (
        render_template(
            "polls/ceremony.html",
            **poll_nav(poll),
            info=info,
            steps=steps,
            confirmed=confirmed,
            links=_link_rows(poll, links or []),
            start_form=CeremonyStartForm(formdata=None),
            restart_form=CeremonyRestartForm(formdata=None),
            locked=not may(Action.PREPARE, poll.state)
            or cards_printed(poll)
            or confirmations_exist(poll),
            fingerprint=info["candidate_manifest"] if info else None,
            frozen_hash=bytes(poll.manifest_hash).hex() if poll.manifest_hash else None,
        ),
        status,
    )


@bp.get("/<public_id>/ceremony")
@secretariat_required
def ceremony(public_id: str) -> ResponseReturnValue:
    """Status of the ceremony per trustee, start/restart, the candidate fingerprint."""
    return _page(get_poll(public_id))


def _links_action(
    poll: Poll, action: Callable[[], list[board.Link]], done: str
) -> ResponseReturnValue:
    started = attempt(action, done)
    if not started:
        return _page(poll, status=started.status)
    return _page(poll, started.value)


@bp.post("/<public_id>/ceremony/start")
@secretariat_required
def ceremony_start(public_id: str) -> ResponseReturnValue:
    """Open round 1 and show the n links once."""
    poll = get_poll(public_id)
    if not CeremonyStartForm().validate_on_submit():
        flash(_("This form has expired or was not sent from this site. Reload and retry."), "error")
        return _page(poll, status=400)
    return _links_action(
        poll,
        lambda: board.start(actor(), poll),
        _("The ceremony has started. Give each trustee their own link now: it is shown once."),
    )


@bp.post("/<public_id>/ceremony/restart")
@secretariat_required
def ceremony_restart(public_id: str) -> ResponseReturnValue:
    """Start a new round with new links (refused once a trustee confirmed)."""
    poll = get_poll(public_id)
    form = CeremonyRestartForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for restarting the ceremony."), "error")
        return _page(poll, status=400)
    return _links_action(
        poll,
        lambda: board.restart(actor(), poll, form.reason.data or ""),
        _("A new round has started. The earlier links no longer work: give out the new ones."),
    )
