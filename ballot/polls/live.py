"""The conference morning: freeze, check-in counter, open and close (with confirmation).

Read-only views admit auditors too; every change needs the secretariat. The check-in
page counts people: it never names anyone or any card (docs/security.md, property 2).
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ballot.cards.forms import SerialForm
from ballot.cards.operations import ballot_fingerprint, reconciliation
from ballot.permissions import secretariat_required, staff_required
from ballot.polls import operations as ops
from ballot.polls.forms import CheckInForm, CloseForm, FreezeForm, OpenForm
from ballot.polls.models import Poll
from ballot.polls.views import bp, next_step
from ballot.states import Action, may
from ballot.web import actor, attempt, get_poll, poll_nav
from tally.rules import quorum_met, quorum_needed


def grouped_hex(data: bytes | None, size: int = 4) -> str:
    """Hex in groups of four for reading aloud ("1a2b 3c4d …")."""
    text = (data or b"").hex()
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def _quorum(poll: Poll) -> dict[str, object]:
    return {
        "quorum": quorum_met(poll.present, poll.summoned),
        "needed": quorum_needed(poll.summoned),
    }


def _freeze_page(
    poll: Poll, form: FreezeForm | None = None, status: int = 200
) -> ResponseReturnValue:
    card_fingerprint = None
    if poll.manifest:
        card_fingerprint = ballot_fingerprint(json.loads(poll.manifest)).hex()[:16]
    step, step_url = next_step(poll)
    return (
        render_template(
            "polls/freeze.html",
            **poll_nav(poll),
            form=form or FreezeForm(formdata=None),
            manifest_hash=grouped_hex(poll.manifest_hash),
            card_fingerprint=grouped_hex(bytes.fromhex(card_fingerprint or "")),
            cards=reconciliation(poll),
            serial_form=SerialForm(formdata=None),
            step=step,
            step_url=step_url,
        ),
        status,
    )


@bp.get("/<public_id>/freeze")
@staff_required
def freeze(public_id: str) -> ResponseReturnValue:
    """Before: what will be frozen. After: the manifest fingerprint, big, and the cards."""
    return _freeze_page(get_poll(public_id))


@bp.post("/<public_id>/freeze")
@secretariat_required
def freeze_post(public_id: str) -> ResponseReturnValue:
    """Freeze the manifest (draft → ready), after an explicit confirmation."""
    poll = get_poll(public_id)
    form = FreezeForm()
    if not form.validate_on_submit():
        return _freeze_page(poll, form, 400)
    frozen = attempt(
        lambda: ops.freeze(actor(), poll),
        _("The manifest is frozen. Show its fingerprint on the projector."),
    )
    if not frozen:
        return _freeze_page(poll, form, frozen.status)
    return redirect(url_for("polls.freeze", public_id=public_id))


@bp.get("/<public_id>/checkin")
@staff_required
def checkin(public_id: str) -> ResponseReturnValue:
    """The counter of members present and the quorum, with +1 / −1 buttons."""
    poll = get_poll(public_id)
    return render_template(
        "polls/checkin.html",
        **poll_nav(poll),
        **_quorum(poll),
        form=CheckInForm(formdata=None),
        counting=may(Action.CHECK_IN, poll.state),
    )


@bp.post("/<public_id>/checkin")
@secretariat_required
def checkin_post(public_id: str) -> ResponseReturnValue:
    """+1 when a member arrives, −1 to correct a mistake."""
    poll = get_poll(public_id)
    form = CheckInForm()
    deltas = {"plus": 1, "minus": -1}
    if not form.validate_on_submit() or form.delta.data not in deltas:
        flash(_("The count must stay between 0 and the number summoned."), "error")
    else:
        delta = deltas[form.delta.data or ""]
        attempt(
            lambda: ops.check_in(actor(), poll, delta),
            _("Counted in.") if delta > 0 else _("One taken off the count."),
        )
    return redirect(url_for("polls.checkin", public_id=public_id))


def _open_page(poll: Poll, form: OpenForm | None = None, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "polls/open.html",
            **poll_nav(poll),
            **_quorum(poll),
            form=form or OpenForm(formdata=None),
        ),
        status,
    )


@bp.get("/<public_id>/open")
@staff_required
def open_vote(public_id: str) -> ResponseReturnValue:
    """Confirmation step before opening: quorum, countdown, reason when needed."""
    return _open_page(get_poll(public_id))


@bp.post("/<public_id>/open")
@secretariat_required
def open_vote_post(public_id: str) -> ResponseReturnValue:
    """ready → open; without quorum the reason is required and recorded."""
    poll = get_poll(public_id)
    form = OpenForm()
    if not form.validate_on_submit():
        return _open_page(poll, form, 400)
    closes_at = None
    if form.minutes.data:
        closes_at = ops.now() + timedelta(minutes=int(form.minutes.data))
    opened = attempt(
        lambda: ops.open_poll(actor(), poll, form.reason.data or None, closes_at),
        _("The vote is open. Members can vote now."),
        flash_refusal=False,
    )
    if opened.error is not None:
        if opened.error.code == "no_quorum":  # shown next to the reason it asks for
            form.reason.errors = [*form.reason.errors, opened.error.message]
        else:
            flash(opened.error.message, "error")
        return _open_page(poll, form, opened.status)
    return redirect(url_for("polls.dashboard", public_id=public_id))


def _close_page(
    poll: Poll, form: CloseForm | None = None, status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "polls/close.html", **poll_nav(poll), form=form or CloseForm(formdata=None)
        ),
        status,
    )


@bp.get("/<public_id>/close")
@staff_required
def close_vote(public_id: str) -> ResponseReturnValue:
    """Confirmation step before closing."""
    return _close_page(get_poll(public_id))


@bp.post("/<public_id>/close")
@secretariat_required
def close_vote_post(public_id: str) -> ResponseReturnValue:
    """open → closed; the server signs the final chain head."""
    poll = get_poll(public_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _close_page(poll, form, 400)
    closed = attempt(
        lambda: ops.close_poll(actor(), poll),
        lambda _none: _("The vote is closed. %(count)s ballots.", count=poll.ballot_count),
    )
    if not closed:
        return _close_page(poll, form, closed.status)
    return redirect(url_for("polls.dashboard", public_id=public_id))
