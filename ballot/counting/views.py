"""Counting pages: start the count, add trustees' partial decryptions, results, downloads.

Every POST runs its operation through :mod:`ballot.web` (one commit, or a refusal shown
as a message or answered as JSON).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ballot.counting import operations as counting
from ballot.counting.export import build_record
from ballot.counting.forms import PartialUploadForm, PublishForm, StartCountForm
from ballot.errors import ApiError, refuse
from ballot.labels import level_labels, threshold_text
from ballot.permissions import has_role, secretariat_required, staff_required
from ballot.states import State
from ballot.vocab import DENOMINATOR_NOUNS
from ballot.web import actor, attempt, commit, download, get_poll, poll_nav
from tally.rules import LEVEL_LABELS

bp = Blueprint("counting", __name__, template_folder="templates", url_prefix="/polls")
MAX_PART_BYTES = 2 * 1024 * 1024


def _trustee_strings() -> dict[str, str]:
    """Messages of the trustees' in-browser decryption (trustee-page.js), by error code."""
    not_a_share = _("This is not a valid share file. Choose the .share.json file of this trustee.")
    return {
        "missing": _("Choose the share file and type the passphrase."),
        "opening": _("Opening the share file (this takes a few seconds)…"),
        "computing": _("Computing the partial decryption…"),
        "sending": _("Sending the partial decryption…"),
        "complete": _("The count is complete. Loading the results…"),
        "verified": _("partial decryption verified"),
        "wrong_passphrase": _(
            "Wrong passphrase, or the file was altered. Nothing was sent; try again."
        ),
        "bad_share": not_a_share,
        "bad_encoding": not_a_share,
        "bad_point": not_a_share,
        "bad_scalar": not_a_share,
        "share_other_election": _("This share file belongs to another vote."),
        "share_mismatch": _("This share file does not match this vote's key for this trustee."),
        "wrong_trustee": _("This is the share file of trustee %(n)s, not of this trustee."),
        "network": _("The server could not be reached. Nothing was lost: try again."),
        "checking": _("Checking the ballots: %(done)s of %(total)s verified."),
        "time_left": _("About %(s)s s left."),
        "checked": _("%(n)s ballots verified in this browser; their sums are ready."),
        "check_wait": _("Waiting for the ballot check to finish…"),
        "refused": _(
            "Refused: the ballots handed to this page do not verify. Nothing was decrypted. "
            "Tell the counting committee and the auditors."
        ),
        "tally_mismatch": _(
            "Refused: the server's totals differ from the sums of the ballots verified here. "
            "Nothing was decrypted. Tell the counting committee and the auditors."
        ),
        "failed": _("The partial decryption could not be made in this browser."),
    }


def public_once_published(view: Any) -> Any:
    """Staff only until the vote is published; then anyone (docs/operations.md, "Publish").

    Before publication an anonymous request goes to the login page exactly as with
    ``@staff_required``; afterwards the results, the minutes, the exports and the record
    are public so that auditors and the press can download them from the board.
    """
    staff_view = staff_required(view)

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            poll = get_poll(kwargs["public_id"])
        except ApiError:  # an unknown vote is answered like any staff page: login first
            return staff_view(*args, **kwargs)
        if poll.state == State.PUBLISHED and not has_role("secretariat", "auditor"):
            return view(*args, **kwargs)
        return staff_view(*args, **kwargs)

    return wrapped


def _results(poll: Any) -> dict[str, Any] | None:
    count = counting.get_count(poll)
    return json.loads(count.results) if count is not None and count.results else None


@bp.get("/<public_id>/count")
@staff_required
def count_page(public_id: str) -> ResponseReturnValue:
    """The count's state, the trustees who took part, the results once complete."""
    poll = get_poll(public_id)
    count = counting.get_count(poll)
    manifest = counting.manifest_of(poll) if poll.manifest else None
    return render_template(
        "counting/count.html",
        **poll_nav(poll),
        count=count,
        manifest=manifest,
        taken=[p.trustee for p in counting.partials(poll)] if count else [],
        results=_results(poll),
        labels=LEVEL_LABELS,
        start_form=StartCountForm(),
        upload_form=PartialUploadForm(),
        publish_form=PublishForm(),
        trustee_strings=_trustee_strings(),
    )


@bp.post("/<public_id>/count/start")
@secretariat_required
def start(public_id: str) -> ResponseReturnValue:
    """Compute the encrypted totals (the vote must be closed)."""
    poll = get_poll(public_id)
    if StartCountForm().validate_on_submit():
        attempt(
            lambda: counting.start_count(actor(), poll),
            _("The encrypted totals are ready for the trustees."),
        )
    return redirect(url_for("counting.count_page", public_id=public_id))


@bp.post("/<public_id>/count/partial")
@secretariat_required
def upload_partial(public_id: str) -> ResponseReturnValue:
    """Check one trustee's partial decryption on arrival; keep it only if it verifies."""
    poll = get_poll(public_id)
    form = PartialUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose the trustee's file first."), "error")
        return redirect(url_for("counting.count_page", public_id=public_id))
    data = form.part.data.read(MAX_PART_BYTES + 1)
    taken: list[int] = []

    def submit() -> int:
        if len(data) > MAX_PART_BYTES:
            raise refuse("too_large", _("The file is too large."), 413)
        try:
            upload = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            raise refuse("bad_file", _("The file is not a partial decryption."), 400) from None
        taken.append(counting.submit_partial(actor(), poll, upload))
        return taken[0]

    attempt(
        submit,
        lambda trustee: _("Trustee %(n)s's partial decryption verifies and was added.", n=trustee),
        conflict=lambda: _duplicate_trustee(taken[0]),
    )
    return redirect(url_for("counting.count_page", public_id=public_id))


@bp.get("/<public_id>/count/ballots.json")
@staff_required
def ballots_json(public_id: str) -> ResponseReturnValue:
    """What the trustees' browsers verify before decrypting (docs/record.md, "ballots.json").

    The manifest, the committed cards, the revocations, the ballot chain and the signed
    close, as in record.zip, so that the page sums the ballots it verified itself; the
    server's totals come along only to be compared. Staff only, like record.zip, which
    holds the same data: the record is public only once the results are published.
    """
    poll = get_poll(public_id)
    response = Response(counting.check_data(poll), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<public_id>/count/partial.json")
@secretariat_required
def partial_json(public_id: str) -> ResponseReturnValue:
    """One partial decryption made in a trustee's browser at the laptop (JSON body).

    Only the partial decryption arrives here (never the share or the passphrase); it is
    checked exactly like an uploaded file. The CSRF token comes in X-CSRFToken.
    """
    poll = get_poll(public_id)
    if not request.is_json:
        raise refuse("bad_file", _("The file is not a partial decryption."), 415)
    if (request.content_length or 0) > MAX_PART_BYTES:
        raise refuse("too_large", _("The file is too large."), 413)
    data = request.get_data(cache=False)
    if len(data) > MAX_PART_BYTES:
        raise refuse("too_large", _("The file is too large."), 413)
    try:
        upload = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise refuse("bad_file", _("The file is not a partial decryption."), 400) from None
    if not isinstance(upload, dict):
        raise refuse("bad_file", _("The file is not a partial decryption."), 400)
    trustee = counting.submit_partial(actor(), poll, upload)
    commit(lambda: trustee, conflict=lambda: _duplicate_trustee(trustee))
    complete = poll.state == State.TALLIED
    return jsonify(
        ok=True,
        trustee=trustee,
        complete=complete,
        state=poll.state,
        message=_("Trustee %(n)s's partial decryption verifies and was added.", n=trustee),
    )


@bp.post("/<public_id>/publish")
@secretariat_required
def publish(public_id: str) -> ResponseReturnValue:
    """tallied → published."""
    poll = get_poll(public_id)
    if PublishForm().validate_on_submit():
        attempt(
            lambda: counting.publish(actor(), poll),
            _("The results and the record are public."),
        )
    return redirect(url_for("counting.count_page", public_id=public_id))


def _duplicate_trustee(trustee: int) -> ApiError:
    """The same trustee sent twice at the same moment: the second commit hit the unique
    constraint (the first one counted)."""
    return refuse("duplicate_trustee", _("Trustee %(n)s has already taken part.", n=trustee), 409)


#: A spreadsheet reads a cell starting with one of these as a formula (or DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a leading quote before a formula start.

    Officials' names come from an imported file; ``=HYPERLINK(...)`` in a name must not
    run when the secretariat opens results.csv.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _counted(public_id: str) -> tuple[Any, dict[str, Any]]:
    poll = get_poll(public_id)
    results = _results(poll)
    if results is None:
        raise refuse("not_counted", _("The count is not complete."), 409)
    return poll, results


@bp.get("/<public_id>/results.json")
@public_once_published
def results_json(public_id: str) -> ResponseReturnValue:
    """The results exactly as in the record."""
    poll, results = _counted(public_id)
    body = json.dumps(results, ensure_ascii=False, indent=1).encode()
    return download(body, "application/json", "results.json", poll.public_id)


@bp.get("/<public_id>/results.csv")
@public_once_published
def results_csv(public_id: str) -> ResponseReturnValue:
    """One row per official (UTF-8 with BOM so spreadsheet programs read the diacritics)."""
    poll, results = _counted(public_id)
    manifest = counting.manifest_of(poll)
    levels = manifest.levels
    notes = {t.flag: t.label for t in manifest.thresholds}  # the rule in words, not its code
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["STT", "Họ và tên", "Chức vụ"]
    for lv in levels:
        head += [LEVEL_LABELS[lv], f"{LEVEL_LABELS[lv]} (%)"]
    writer.writerow([*head, "Không đánh dấu", "Ghi chú"])
    for o in results["officials"]:
        row = [o["index"], o["name"], o["position"]]
        for lv in levels:
            row += [o["counts"][lv], o["percent"][lv]]
        notes_text = "; ".join(notes.get(f, f) for f in o["flags"])
        writer.writerow([spreadsheet_cell(v) for v in [*row, o["blank"], notes_text]])
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    return download(data, "text/csv", "results.csv", poll.public_id)


@bp.get("/<public_id>/record.zip")
@public_once_published
def record_zip(public_id: str) -> ResponseReturnValue:
    """The election record (what ``python -m tally verify`` checks)."""
    poll = get_poll(public_id)
    if not poll.manifest:
        raise refuse("not_ready", _("The manifest is not frozen yet."), 409)
    zipped = build_record(poll).to_zip()
    return download(zipped, "application/zip", "record", poll.public_id)


@bp.get("/<public_id>/minutes.pdf")
@public_once_published
def minutes(public_id: str) -> ResponseReturnValue:
    """The minutes (biên bản kiểm phiếu) as a PDF."""
    from tally.minutes import minutes_pdf

    poll, _results_obj = _counted(public_id)
    config = current_app.config
    pdf = minutes_pdf(
        build_record(poll),
        tz=config["TIMEZONE"],
        body=config["MINUTES_BODY"] or None,
        place=config["MINUTES_PLACE"] or None,
        committee=config["MINUTES_COMMITTEE"],
    )
    return download(pdf, "application/pdf", "minutes", poll.public_id)


def results_context(poll: Any, results: dict[str, Any]) -> dict[str, Any]:
    """What the results templates need (also used by the public projector once published)."""
    manifest = counting.manifest_of(poll)
    count = counting.get_count(poll)
    return {
        "poll": poll,
        "results": results,
        "levels": manifest.levels,
        "labels": level_labels(),
        "thresholds": {t.flag: threshold_text(t) for t in manifest.thresholds},
        "denominator_label": DENOMINATOR_NOUNS[results["denominator"]["name"]],
        "record_hash": bytes(count.record_hash or b"").hex() if count else "",
    }


@bp.get("/<public_id>/results")
@public_once_published
def results_page(public_id: str) -> ResponseReturnValue:
    """Results: a row per official, count and percentage per level, flags.

    Staff see it inside the vote's tab bar; after publication anyone sees it with a way
    back to the public board.
    """
    poll, results = _counted(public_id)
    staff = has_role("secretariat", "auditor")
    return render_template(
        "counting/results.html",
        **(results_context(poll, results) | (poll_nav(poll) if staff else {})),
        layout="polls/_poll.html" if staff else "counting/_public.html",
        projector_url=url_for("counting.results_projector", public_id=public_id),
    )


@bp.get("/<public_id>/results/projector")
@public_once_published
def results_projector(public_id: str) -> ResponseReturnValue:
    """Results for the projector: no menus, fits 1366×768 and 1920×1080 up to 20 officials."""
    poll, results = _counted(public_id)
    return render_template("counting/results_projector.html", **results_context(poll, results))
