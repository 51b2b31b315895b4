"""Cards pages: print (the PDF is the answer), or download the ballot definition and
upload the public card file made offline; discard, revoke, hand out spares, reconcile.

Printing here: the card secrets exist only in the memory of the request that prints
them: the view makes the cards, renders the PDF, commits the public keys and answers
with the PDF (``Cache-Control: no-store``). Nothing writes or logs a secret. Made
offline (``python -m keys cards``, docs/operations.md): the server never sees a secret,
only the public card file.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ballot.cards import operations as cards_ops
from ballot.cards.address import address_problem, card_base_url
from ballot.cards.forms import (
    DefinitionForm,
    DiscardForm,
    PrintForm,
    SerialForm,
    UploadCardsForm,
)
from ballot.cards.pdf import cards_pdf, fingerprint_short
from ballot.definition import definition_for
from ballot.errors import ApiError
from ballot.permissions import has_role, secretariat_required, staff_required
from ballot.polls.models import Poll
from ballot.states import State, state_label
from ballot.web import actor, attempt, download, get_poll
from keys.cardfile import MAX_PUBLIC_FILE
from keys.hashing import ballot_fingerprint

bp = Blueprint("cards", __name__, template_folder="templates", url_prefix="/polls")


def _draft_fingerprint(poll: Poll) -> str | None:
    """The ballot fingerprint cards made now would carry (16 hex), if officials and keys exist."""
    if poll.state != State.DRAFT:
        return None
    try:
        return fingerprint_short(ballot_fingerprint(definition_for(poll)))
    except ApiError:
        return None


def _manage_page(
    poll: Poll,
    *,
    print_form: PrintForm | None = None,
    discard_form: DiscardForm | None = None,
    definition_form: DefinitionForm | None = None,
    upload_form: UploadCardsForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "cards/manage.html",
            poll=poll,
            state_label=state_label(poll.state),
            can_act=has_role("secretariat"),
            cards=cards_ops.reconciliation(poll),
            issued=cards_ops.issued(poll),
            print_form=print_form or PrintForm(formdata=None),
            discard_form=discard_form or DiscardForm(formdata=None),
            definition_form=definition_form or DefinitionForm(formdata=None, prefix="offline"),
            upload_form=upload_form or UploadCardsForm(formdata=None),
            serial_form=SerialForm(formdata=None),
            base_url=card_base_url(),
            draft_fingerprint=_draft_fingerprint(poll),
            address_problem=address_problem(card_base_url()),
        ),
        status,
    )


@bp.get("/<public_id>/cards")
@staff_required
def manage(public_id: str) -> ResponseReturnValue:
    """Reconciliation (printed, revoked, used, unused, spares issued) and the card forms."""
    return _manage_page(get_poll(public_id))


@bp.post("/<public_id>/cards/print")
@secretariat_required
def print_cards(public_id: str) -> ResponseReturnValue:
    """Make the cards and answer with the PDF in the same request."""
    poll = get_poll(public_id)
    form = PrintForm()
    if not form.validate_on_submit():
        return _manage_page(poll, print_form=form, status=400)
    base_url = card_base_url()
    if address_problem(base_url) is not None and not form.confirm_address.data:
        form.confirm_address.errors = [
            _("Phones cannot open %(url)s: set BASE_URL, or tick the box.", url=base_url)
        ]
        return _manage_page(poll, print_form=form, status=400)

    def make_and_render() -> bytes:
        # The PDF is rendered before the commit: no card key is stored without its paper.
        printed, fingerprint = cards_ops.make_cards(actor(), poll, int(form.spares.data or 0))
        pdf = cards_pdf(
            title=poll.title,
            public_id=poll.public_id,
            base_url=base_url,
            printed=printed,
            fingerprint=fingerprint,
        )
        printed.clear()
        return pdf

    made = attempt(make_and_render)
    if made.value is None:
        return _manage_page(poll, print_form=form, status=made.status)
    return download(made.value, "application/pdf", "cards", poll.public_id, store=False)


@bp.get("/<public_id>/cards/definition")
@secretariat_required
def definition(public_id: str) -> ResponseReturnValue:
    """The ballot definition file for ``python -m keys cards`` (changes nothing)."""
    poll = get_poll(public_id)
    form = DefinitionForm(formdata=request.args, prefix="offline")
    if not form.validate():
        return _manage_page(poll, definition_form=form, status=400)
    base_url = card_base_url()
    if address_problem(base_url) is not None and not form.confirm_address.data:
        form.confirm_address.errors = [
            _("Phones cannot open %(url)s: set BASE_URL, or tick the box.", url=base_url)
        ]
        return _manage_page(poll, definition_form=form, status=400)
    try:
        body = cards_ops.card_definition(poll, int(form.spares.data or 0), base_url)
    except ApiError as err:
        flash(err.message, "error")
        return _manage_page(poll, definition_form=form, status=err.status)
    data = json.dumps(body, ensure_ascii=False, indent=1).encode() + b"\n"
    return download(data, "application/json", "definition", poll.public_id, store=False)


@bp.post("/<public_id>/cards/upload")
@secretariat_required
def upload(public_id: str) -> ResponseReturnValue:
    """Store the cards of a public card file made offline (public keys only)."""
    poll = get_poll(public_id)
    form = UploadCardsForm()
    if not form.validate_on_submit():
        return _manage_page(poll, upload_form=form, status=400)
    with form.file.data.stream as stream:  # a large upload is a temporary file: close it
        data = stream.read(MAX_PUBLIC_FILE + 1)
    uploaded = attempt(
        lambda: cards_ops.upload_cards(actor(), poll, data),
        lambda count: _(
            "%(count)s cards made offline are recorded (public keys only).", count=count
        ),
        flash_refusal=False,
    )
    if uploaded.error is not None:
        form.file.errors = [uploaded.error.message]  # shown next to the file
        return _manage_page(poll, upload_form=form, status=uploaded.status)
    return redirect(url_for("cards.manage", public_id=public_id))


@bp.post("/<public_id>/cards/discard")
@secretariat_required
def discard(public_id: str) -> ResponseReturnValue:
    """Destroy the printed cards of a draft vote (to change the list or keys)."""
    poll = get_poll(public_id)
    form = DiscardForm()
    if not form.validate_on_submit():
        return _manage_page(poll, discard_form=form, status=400)
    discarded = attempt(
        lambda: cards_ops.discard_cards(actor(), poll),
        lambda count: _(
            "%(count)s cards were discarded. Destroy the paper cards too.", count=count
        ),
    )
    if not discarded:
        return _manage_page(poll, discard_form=form, status=discarded.status)
    return redirect(url_for("cards.manage", public_id=public_id))


def _back(public_id: str) -> ResponseReturnValue:
    if request.args.get("back") == "freeze":
        return redirect(url_for("polls.freeze", public_id=public_id) + "#cards")
    return redirect(url_for("cards.manage", public_id=public_id))


def _by_serial(public_id: str, action: str) -> ResponseReturnValue:
    poll = get_poll(public_id)
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
    if action == "revoke":
        attempt(
            lambda: cards_ops.revoke(actor(), poll, serial),
            _("Card %(serial)s is revoked.", serial=serial),
        )
    else:
        attempt(
            lambda: cards_ops.issue_spare(actor(), poll, serial),
            _("Spare card %(serial)s is handed out.", serial=serial),
        )
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
