"""Cards pages: print (the PDF is the answer), discard, revoke, hand out spares, reconcile.

The card secrets exist only in the memory of the request that prints them: the view
makes the cards, renders the PDF, commits the public keys and answers with the PDF
(``Cache-Control: no-store``). Nothing writes or logs a secret.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ballot.cards import operations as cards_ops
from ballot.cards.address import address_problem, card_base_url
from ballot.cards.forms import DiscardForm, PrintForm, SerialForm
from ballot.cards.pdf import cards_pdf
from ballot.db import db
from ballot.errors import ApiError
from ballot.permissions import has_role, secretariat_required, staff_required
from ballot.polls import operations as ops
from ballot.polls.models import Poll

bp = Blueprint("cards", __name__, template_folder="templates", url_prefix="/polls")


def _actor() -> str:
    return str(current_user.username)


def _manage_page(
    poll: Poll,
    *,
    print_form: PrintForm | None = None,
    discard_form: DiscardForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "cards/manage.html",
            poll=poll,
            state_label=ops.state_label(poll.state),
            can_act=has_role("secretariat"),
            cards=cards_ops.reconciliation(poll),
            issued=cards_ops.issued(poll),
            print_form=print_form or PrintForm(formdata=None),
            discard_form=discard_form or DiscardForm(formdata=None),
            serial_form=SerialForm(formdata=None),
            base_url=card_base_url(),
            address_problem=address_problem(card_base_url()),
        ),
        status,
    )


@bp.get("/<public_id>/cards")
@staff_required
def manage(public_id: str) -> ResponseReturnValue:
    """Reconciliation (printed, revoked, used, unused, spares issued) and the card forms."""
    return _manage_page(ops.get_poll(public_id))


@bp.post("/<public_id>/cards/print")
@secretariat_required
def print_cards(public_id: str) -> ResponseReturnValue:
    """Make the cards and answer with the PDF in the same request."""
    poll = ops.get_poll(public_id)
    form = PrintForm()
    if not form.validate_on_submit():
        return _manage_page(poll, print_form=form, status=400)
    base_url = card_base_url()
    if address_problem(base_url) is not None and not form.confirm_address.data:
        form.confirm_address.errors = [
            _("Phones cannot open %(url)s: set BASE_URL, or tick the box.", url=base_url)
        ]
        return _manage_page(poll, print_form=form, status=400)
    try:
        printed, fingerprint = cards_ops.make_cards(_actor(), poll, int(form.spares.data or 0))
        pdf = cards_pdf(
            title=poll.title,
            public_id=poll.public_id,
            base_url=base_url,
            printed=printed,
            fingerprint=fingerprint,
        )
        printed.clear()
        db.session.commit()
    except ApiError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _manage_page(poll, print_form=form, status=err.status)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="the-{poll.public_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<public_id>/cards/discard")
@secretariat_required
def discard(public_id: str) -> ResponseReturnValue:
    """Destroy the printed cards of a draft vote (to change the list or keys)."""
    poll = ops.get_poll(public_id)
    form = DiscardForm()
    if not form.validate_on_submit():
        return _manage_page(poll, discard_form=form, status=400)
    try:
        count = cards_ops.discard_cards(_actor(), poll)
        db.session.commit()
    except ApiError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _manage_page(poll, discard_form=form, status=err.status)
    flash(_("%(count)s cards were discarded. Destroy the paper cards too.", count=count), "success")
    return redirect(url_for("cards.manage", public_id=public_id))


def _back(public_id: str) -> ResponseReturnValue:
    if request.args.get("back") == "freeze":
        return redirect(url_for("polls.freeze", public_id=public_id) + "#cards")
    return redirect(url_for("cards.manage", public_id=public_id))


def _by_serial(public_id: str, action: str) -> ResponseReturnValue:
    poll = ops.get_poll(public_id)
    form = SerialForm()
    if not form.validate_on_submit():
        errors = form.serial.errors or [_("Enter the serial printed on the stub.")]
        flash(" ".join(str(e) for e in errors), "error")
        return _back(public_id)
    serial = form.normalized()
    if action == "revoke" and not form.confirm.data:
        flash(
            _("Card %(serial)s was not revoked: tick the box to confirm.", serial=serial), "error"
        )
        return _back(public_id)
    try:
        if action == "revoke":
            cards_ops.revoke(_actor(), poll, serial)
            message = _("Card %(serial)s is revoked.", serial=serial)
        else:
            cards_ops.issue_spare(_actor(), poll, serial)
            message = _("Spare card %(serial)s is handed out.", serial=serial)
        db.session.commit()
    except ApiError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(message, "success")
    return _back(public_id)


@bp.post("/<public_id>/cards/revoke")
@secretariat_required
def revoke(public_id: str) -> ResponseReturnValue:
    """Revoke a lost card by its serial."""
    return _by_serial(public_id, "revoke")


@bp.post("/<public_id>/cards/spare")
@secretariat_required
def spare(public_id: str) -> ResponseReturnValue:
    """Record that a spare card was handed out."""
    return _by_serial(public_id, "spare")
