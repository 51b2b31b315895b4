"""The member's side: the voting page, its manifest, the card check and the cast endpoint.

No login: a member is authenticated only by the card, whose secret stays in the URL
fragment and in the phone (the server sees the card's public key and its signature).
Nothing here logs the card key, the ballot or the tracker; gunicorn's access log
carries neither the client address nor the query string (config/gunicorn.conf.py).
"""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from ballot.db import db, owns_transaction
from ballot.errors import refuse
from ballot.extensions import config_limit, csrf_exempt_api, limiter
from ballot.polls.models import Poll
from ballot.polls.operations import normalize_vote_id
from ballot.states import Action, may
from ballot.voting import audits, casting, operations
from ballot.voting.limits import CastLimits, card_field
from ballot.voting.page_text import vote_page_strings
from ballot.web import get_poll

bp = Blueprint("voting", __name__, template_folder="templates", url_prefix="/v")

_CARD_KEY_RE = re.compile(r"[0-9a-f]{64}")


@bp.get("/<public_id>")
def vote_page(public_id: str) -> ResponseReturnValue:
    """The voting page: a shell filled by vote-page.js from the manifest.

    A vote id typed by hand in capitals, or with I, L or O for 1, 1 or 0, is sent on
    to the vote's own address.
    """
    exact = db.session.scalar(select(Poll.id).where(Poll.public_id == public_id))
    if exact is None:
        typed = normalize_vote_id(public_id)
        if typed != public_id and db.session.scalar(select(Poll.id).where(Poll.public_id == typed)):
            return redirect(url_for("voting.vote_page", public_id=typed))
    poll = get_poll(public_id)
    return render_template(
        "voting/vote.html", poll=poll, strings=vote_page_strings(), code_length=28
    )


@bp.get("/<public_id>/manifest.json")
def manifest(public_id: str) -> ResponseReturnValue:
    """``{"state": ..., "manifest": <the frozen manifest text exactly as stored>}``.

    The manifest is spliced in verbatim so the phone hashes what the server froze;
    it is ``null`` while the vote is still being prepared.
    """
    poll = get_poll(public_id)
    state = jsonify(poll.state).get_data(as_text=True).strip()
    text = poll.manifest if poll.manifest is not None else "null"
    body = f'{{"state":{state},"manifest":{text}}}'
    return Response(body, mimetype="application/json")


@bp.get("/<public_id>/card/<card_key>")
@limiter.limit(config_limit("CARD_RATE_LIMIT"))
def card(public_id: str, card_key: str) -> ResponseReturnValue:
    """``{"status": unused|used|revoked|unknown, "state": ...}`` for a card public key."""
    poll = get_poll(public_id)
    if not _CARD_KEY_RE.fullmatch(card_key):
        raise refuse("bad_card", _l("This is not a card key."), 400)
    status = operations.card_status(poll, bytes.fromhex(card_key))
    return jsonify(status=status, state=poll.state)


@bp.post("/<public_id>/cast")
@owns_transaction
@csrf_exempt_api
def cast(public_id: str) -> ResponseReturnValue:
    """Accept one signed, encrypted ballot; answer the receipt only after the commit.

    CSRF-exempt on purpose: only ``application/json`` bodies are taken (a cross-site
    form cannot send one without a CORS preflight) and the card's signature, not a
    cookie, authenticates the request.

    Owns its transactions (ballot.voting.casting): no write lock is taken while the
    proofs are checked; the write lock is held only for the append and its commit.
    """
    if request.mimetype != "application/json":
        raise refuse("bad_ballot", _l("The ballot must be sent as JSON."), 415)
    length = request.content_length
    if length is not None and length > operations.MAX_BALLOT_BYTES:
        raise refuse("too_large", _l("The ballot is too large."), 413)
    body = request.get_data(cache=False)
    poll_id = get_poll(public_id).id
    db.session.rollback()  # a plain read, ended: the limits and proofs hold no transaction
    limits = CastLimits(poll_id, get_remote_address())  # per card, not per room
    if limits.refused_before(body):  # the same bytes again: no parse, no proof
        raise refuse(
            "bad_proof", _l("This ballot was already refused: its proof is not valid."), 400
        )
    limits.precheck(card_field(body))
    receipt = casting.cast(poll_id, body, limits)
    return jsonify(
        tracker=receipt.tracker.hex(),
        seq=receipt.seq,
        repeated=receipt.repeated,
        receipt=receipt.signed,
    )


@bp.post("/<public_id>/audit")
@owns_transaction
@csrf_exempt_api
@limiter.limit(config_limit("AUDIT_RATE_LIMIT"))
def audit(public_id: str) -> ResponseReturnValue:
    """Take one checked (spoiled) ballot for the public board (ballot.voting.audits).

    CSRF-exempt like the cast: JSON only, and nothing here acts for a person. Owns its
    transactions like the cast: the reveal is verified before the write lock is taken.
    """
    if request.mimetype != "application/json":
        raise refuse("bad_audit", _l("The checked ballot must be sent as JSON."), 415)
    length = request.content_length
    if length is not None and length > audits.MAX_AUDIT_BYTES:
        raise refuse("too_large", _l("The checked ballot is too large."), 413)
    body = request.get_data(cache=False)
    poll = get_poll(public_id)
    if not may(Action.CAST, poll.state) or poll.manifest is None:
        raise refuse("closed", _l("Checked ballots are taken only while the vote is open."))
    context = operations._context(poll)
    poll_id = poll.id
    db.session.rollback()
    tracker, repeated = casting.audit(poll_id, body, context)
    return jsonify(tracker=tracker.hex(), repeated=repeated)
