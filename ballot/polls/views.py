"""Secretariat pages of a vote: list, create, dashboard, officials, log.

Thin views over :mod:`ballot.polls.operations`: each POST validates its form, runs
one operation through :func:`ballot.web.attempt` (which commits once), then answers.
A rule refused by an operation (:class:`ApiError`) is shown next to the form or as a
message; nothing is changed.
Checking in, freezing, opening and closing live in :mod:`ballot.polls.live`; the
key ceremony's board in :mod:`ballot.polls.ceremony_views`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from ballot import definition
from ballot.actionlog import ActionLogEntry
from ballot.cards.operations import cards_printed, reconciliation
from ballot.db import begin_write, db, owns_transaction
from ballot.labels import threshold_text
from ballot.permissions import has_role, secretariat_required, staff_required
from ballot.polls import operations as ops
from ballot.polls.ceremony import messages
from ballot.polls.forms import (
    ImportForm,
    MoveForm,
    OfficialForm,
    PollForm,
    denominator_choices,
)
from ballot.polls.importing import read_officials
from ballot.polls.loglabels import action_label, actor_label, detail_items
from ballot.polls.models import Poll
from ballot.states import Action, State, require_state, state_label
from ballot.web import actor, attempt, get_poll, poll_nav
from tally.rules import (
    DEFAULT_THRESHOLDS,
    Threshold,
    quorum_met,
    quorum_needed,
)
from tally.vocab import Denominator

bp = Blueprint("polls", __name__, template_folder="templates", url_prefix="/polls")


def next_step(poll: Poll) -> tuple[str, str | None]:
    """What the secretariat does next, and where."""
    pid = poll.public_id
    if poll.state == State.DRAFT:
        if not definition.officials(poll):
            return _("Add or import the officials."), url_for("polls.officials", public_id=pid)
        if poll.election_key is None:
            return _("Run the key ceremony with the counting committee."), url_for(
                "polls.ceremony", public_id=pid
            )
        if not cards_printed(poll):
            return _("Print the cards."), url_for("cards.manage", public_id=pid)
        if len(messages(poll, "confirm")) < poll.trustees:
            return _(
                "Each trustee confirms the manifest on their own device (trustee page)."
            ), url_for("polls.ceremony", public_id=pid)
        return _("Check the list and freeze the manifest."), url_for("polls.freeze", public_id=pid)
    if poll.state == State.READY:
        if not quorum_met(poll.present, poll.summoned):
            return _("Check members in until there is a quorum."), url_for(
                "polls.checkin", public_id=pid
            )
        return _("Open the vote."), url_for("polls.open_vote", public_id=pid)
    if poll.state == State.OPEN:
        return _("Voting is open. Close it when everyone has voted."), url_for(
            "polls.close_vote", public_id=pid
        )
    counting = "counting.count_page" in current_app.view_functions
    if poll.state == State.CLOSED:
        return _("Voting is closed. Count the votes with the counting committee."), (
            url_for("counting.count_page", public_id=pid) if counting else None
        )
    return _("The count is done."), (
        url_for("counting.results_page", public_id=pid)
        if "counting.results_page" in current_app.view_functions
        else None
    )


def threshold_texts(kind: str) -> list[str]:
    """The default thresholds of a kind of vote, as readable sentences (page language)."""
    return [threshold_text(t) for t in DEFAULT_THRESHOLDS[kind]]


@bp.get("/")
@staff_required
def index() -> ResponseReturnValue:
    """Every vote, newest first."""
    polls = list(db.session.scalars(select(Poll).order_by(Poll.id.desc())))
    return render_template(
        "polls/index.html",
        polls=polls,
        created=ops.creation_times(),
        labels={p.public_id: state_label(p.state) for p in polls},
        can_act=has_role("secretariat"),
    )


@bp.route("/new", methods=["GET", "POST"])
@secretariat_required
def create() -> ResponseReturnValue:
    """Create a vote in draft."""
    form = PollForm()
    if form.validate_on_submit():
        created = attempt(
            lambda: ops.create_poll(
                actor(),
                meeting=form.meeting.data or "",
                title=form.title.data or "",
                kind=form.kind.data or "",
                summoned=int(form.summoned.data or 0),
                trustee_names=form.names(),
                threshold=int(form.threshold.data or 0),
                denominator=form.denominator.data or Denominator.RETURNED,
                members_total=form.members_total.data or None,
                fractions=form.fractions(),
            ),
            _("The vote was created. Next: add the officials."),
        )
        if created.value is not None:
            return redirect(url_for("polls.dashboard", public_id=created.value.public_id))
    status = 400 if request.method == "POST" else 200
    thresholds = {kind: threshold_texts(kind) for kind in DEFAULT_THRESHOLDS}
    return render_template("polls/new.html", form=form, thresholds=thresholds), status


@bp.get("/<public_id>/")
@staff_required
def dashboard(public_id: str) -> ResponseReturnValue:
    """The vote's state, figures and next step."""
    poll = get_poll(public_id)
    step, step_url = next_step(poll)
    return render_template(
        "polls/dashboard.html",
        **poll_nav(poll),
        step=step,
        step_url=step_url,
        official_count=len(definition.officials(poll)),
        cards=reconciliation(poll),
        thresholds=[threshold_text(Threshold.from_json(t)) for t in poll.thresholds],
        quorum=quorum_met(poll.present, poll.summoned),
        needed=quorum_needed(poll.summoned),
        denominator_label=dict(denominator_choices()).get(poll.denominator, poll.denominator),
    )


def _officials_page(
    poll: Poll,
    form: OfficialForm | None = None,
    import_form: ImportForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "polls/officials.html",
            **poll_nav(poll),
            officials=definition.officials(poll),
            editable=poll.state == State.DRAFT and not cards_printed(poll),
            form=form or OfficialForm(formdata=None),
            import_form=import_form or ImportForm(formdata=None),
            import_errors=import_errors or [],
            move_form=MoveForm(formdata=None),
        ),
        status,
    )


@bp.get("/<public_id>/officials")
@staff_required
def officials(public_id: str) -> ResponseReturnValue:
    """The officials in ballot order, with the add, import and reorder forms."""
    return _officials_page(get_poll(public_id))


@bp.post("/<public_id>/officials")
@secretariat_required
def add_official(public_id: str) -> ResponseReturnValue:
    """Append one official."""
    poll = get_poll(public_id)
    form = OfficialForm()
    if not form.validate_on_submit():
        return _officials_page(poll, form=form, status=400)
    added = attempt(
        lambda: ops.add_official(actor(), poll, form.name.data or "", form.position.data or ""),
        _("Added: %(name)s.", name=(form.name.data or "").strip()),
    )
    if not added:
        return _officials_page(poll, form=form, status=added.status)
    return redirect(url_for("polls.officials", public_id=public_id))


SAMPLE_ROWS = [
    ("Thứ tự", "Họ và tên", "Chức vụ"),
    ("1", "Nguyễn Văn A", "Chủ tịch Hội đồng nhân dân tỉnh"),
    ("2", "Trần Thị B", "Phó Chủ tịch Ủy ban nhân dân tỉnh"),
]


@bp.get("/officials-sample.<ext>")
@staff_required
def officials_sample(ext: str) -> ResponseReturnValue:
    """A sample list to fill in and import (CSV in UTF-8 with BOM, or XLSX)."""
    import csv
    import io

    from flask import Response, abort

    if ext == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(SAMPLE_ROWS)
        body, mimetype = ("\ufeff" + out.getvalue()).encode(), "text/csv"
    elif ext == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        for row in SAMPLE_ROWS:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="danh-sach-mau.{ext}"'
    return response


@bp.post("/<public_id>/officials/<int:official_id>/edit")
@secretariat_required
def edit_official(public_id: str, official_id: int) -> ResponseReturnValue:
    """Correct one official's name or position."""
    poll = get_poll(public_id)
    form = OfficialForm()
    if not form.validate_on_submit():
        errors = [str(e) for f in (form.name, form.position) for e in f.errors]
        flash(" ".join(errors) or _("The full name is required."), "error")
    else:
        attempt(
            lambda: ops.edit_official(
                actor(), poll, official_id, form.name.data or "", form.position.data or ""
            ),
            _("The official was corrected."),
        )
    return redirect(url_for("polls.officials", public_id=public_id) + f"#o{official_id}")


@bp.post("/<public_id>/officials/<int:official_id>/delete")
@secretariat_required
def delete_official(public_id: str, official_id: int) -> ResponseReturnValue:
    """Remove one official from the ballot."""
    poll = get_poll(public_id)
    if FlaskForm().validate_on_submit():
        attempt(
            lambda: ops.delete_official(actor(), poll, official_id),
            _("The official was removed from the ballot."),
        )
    return redirect(url_for("polls.officials", public_id=public_id))


@bp.post("/<public_id>/officials/import")
@owns_transaction
@secretariat_required
def import_officials(public_id: str) -> ResponseReturnValue:
    """Replace the list from a CSV or XLSX file: every row valid, or nothing changes.

    Owns its transactions (ballot.db): the file is parsed (bounded:
    ballot.polls.importing) with no transaction open, so a slow file never holds the
    SQLite write lock; the write begins only for the replacement.
    """
    poll = get_poll(public_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _officials_page(poll, import_form=form, status=400)
    upload = form.file.data
    checked = attempt(lambda: require_state(poll, Action.PREPARE))  # before the file is parsed
    if not checked:
        return _officials_page(poll, import_form=form, status=checked.status)
    db.session.rollback()  # end the read transaction before parsing
    result = read_officials(upload.filename or "", upload.read())
    begin_write()
    if not result.ok:
        return _officials_page(poll, import_form=form, import_errors=result.errors, status=400)
    done = attempt(
        lambda: ops.replace_officials(actor(), poll, result.rows),
        _("Imported %(count)s officials.", count=len(result.rows)),
    )
    if not done:
        return _officials_page(poll, import_form=form, status=done.status)
    return redirect(url_for("polls.officials", public_id=public_id))


@bp.post("/<public_id>/officials/<int:official_id>/move")
@secretariat_required
def move_official(public_id: str, official_id: int) -> ResponseReturnValue:
    """Move an official one place up or down (until the manifest is frozen)."""
    poll = get_poll(public_id)
    form = MoveForm()
    rows = definition.officials(poll)
    current = next((o.position_order for o in rows if o.id == official_id), None)
    if (
        not form.validate_on_submit()
        or current is None
        or form.direction.data not in ("up", "down")
    ):
        flash(_("No such official or position."), "error")
    else:
        target = current - 1 if form.direction.data == "up" else current + 1
        attempt(
            lambda: ops.move_official(actor(), poll, official_id, target),
            _("The order was changed."),
        )
    return redirect(url_for("polls.officials", public_id=public_id) + f"#o{official_id}")


@bp.get("/<public_id>/log")
@staff_required
def log(public_id: str) -> ResponseReturnValue:
    """The action log entries of this vote, oldest first (read-only)."""
    poll = get_poll(public_id)
    entries = list(
        db.session.scalars(
            select(ActionLogEntry)
            .where(ActionLogEntry.details["poll"].as_string() == poll.public_id)
            .order_by(ActionLogEntry.id)
        )
    )
    return render_template(
        "polls/log.html",
        **poll_nav(poll),
        entries=entries,
        action_label=action_label,
        actor_label=actor_label,
        detail_items=detail_items,
    )
