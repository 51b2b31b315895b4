"""Secretariat forms for a vote (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
)

from ballot.fields import ChoiceField, WholeNumberField, at_most
from ballot.vocab import DENOMINATOR_CHOICES, KIND_CHOICES, choices
from tally.vocab import KIND_VALUES, Denominator, Flag, Kind

MAX_TRUSTEES = 15


def kind_choices() -> list[tuple[str, Any]]:
    """The two kinds of vote (docs/rules.md)."""
    return choices(KIND_CHOICES)


def denominator_choices() -> list[tuple[str, Any]]:
    """What percentages and thresholds are computed over."""
    return choices(DENOMINATOR_CHOICES)


class PollForm(FlaskForm):
    """Create a vote."""

    meeting = StringField(
        _l("Meeting"),
        validators=[DataRequired(message=_l("Enter the meeting's name.")), at_most(300)],
    )
    title = StringField(
        _l("Title of the vote"),
        validators=[DataRequired(message=_l("Enter the title of the vote.")), at_most(300)],
    )
    kind = ChoiceField(_l("Kind of vote"), choices=kind_choices, default=Kind.RATING)
    summoned = WholeNumberField(
        _l("Number summoned"),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=1, max=4000, message=_l("Between 1 and 4000.")),
        ],
    )
    denominator = ChoiceField(
        _l("Percentages are computed over"),
        choices=denominator_choices,
        default=Denominator.RETURNED,
    )
    members_total = WholeNumberField(
        _l("Total number of members (only for that denominator)"),
        validators=[Optional(), NumberRange(min=1, max=100_000, message=_l("At least 1."))],
    )
    trustee_names = TextAreaField(
        _l("Counting committee (trustees): one full name per line"),
        validators=[DataRequired(message=_l("Enter at least one trustee.")), at_most(3000)],
        render_kw={"rows": 4},
    )
    threshold = WholeNumberField(
        _l("Trustees needed to count (k)"),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(
                min=2,
                max=MAX_TRUSTEES,
                message=_l(
                    "Between 2 and the number of trustees: one trustee alone would hold the key."
                ),
            ),
        ],
    )
    low_more_than = StringField(
        _l("Rating: flag “low confidence” above this share (p/q)"),
        default="1/2",
        validators=[at_most(20)],
    )
    low_at_least = StringField(
        _l("Rating: propose dismissal at this share of “low confidence” or more (p/q)"),
        default="2/3",
        validators=[at_most(20)],
    )
    distrust_more_than = StringField(
        _l("Confidence: propose dismissal above this share of “no confidence” (p/q)"),
        default="1/2",
        validators=[at_most(20)],
    )
    submit = SubmitField(_l("Create the vote"))

    def fractions(self) -> dict[str, str]:
        """The threshold fractions typed for the chosen kind (tally.rules.EDITABLE flags)."""
        if self.kind.data == Kind.CONFIDENCE:
            return {Flag.NO_CONFIDENCE_OVER_HALF: (self.distrust_more_than.data or "").strip()}
        return {
            Flag.LOW_OVER_HALF: (self.low_more_than.data or "").strip(),
            Flag.LOW_TWO_THIRDS: (self.low_at_least.data or "").strip(),
        }

    def _check_thresholds(self) -> bool:
        """Each typed fraction checked where it was typed (not only at the top)."""
        from tally.rules import custom_thresholds, parse_fraction

        fields = (
            [self.distrust_more_than]
            if self.kind.data == Kind.CONFIDENCE
            else [self.low_more_than, self.low_at_least]
        )
        ok = True
        for f in fields:
            try:
                parse_fraction((f.data or "").strip())
            except ValueError:
                f.errors = [*f.errors, _l("Write a fraction p/q between 0 and 1, like 2/3.")]
                ok = False
        if ok and self.kind.data in KIND_VALUES:  # else the kind's own error
            try:
                custom_thresholds(self.kind.data, self.fractions())
            except ValueError:
                fields[-1].errors = [
                    *fields[-1].errors,
                    _l("This share must be above the one before (for example 1/2, then 2/3)."),
                ]
                ok = False
        return ok

    def names(self) -> list[str]:
        """The trustees' names, one per non-empty line."""
        return [
            line.strip() for line in (self.trustee_names.data or "").splitlines() if line.strip()
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then the cross-field rules shown next to their fields."""
        ok = bool(super().validate(extra_validators))
        names = self.names()
        if len(names) > MAX_TRUSTEES:
            self.trustee_names.errors = [*self.trustee_names.errors, _l("At most 15 trustees.")]
            ok = False
        if any(len(n) > 120 for n in names):
            self.trustee_names.errors = [*self.trustee_names.errors, _l("A name is too long.")]
            ok = False
        if names and self.threshold.data and self.threshold.data > len(names):
            self.threshold.errors = [
                *self.threshold.errors,
                _l("k cannot exceed the number of trustees."),
            ]
            ok = False
        ok = self._check_thresholds() and ok
        if self.denominator.data == Denominator.MEMBERS_TOTAL and not self.members_total.data:
            self.members_total.errors = [
                *self.members_total.errors,
                _l("This denominator needs the total number of members."),
            ]
            ok = False
        return ok


class OfficialForm(FlaskForm):
    """Add one official at the end of the ballot."""

    name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("The full name is required.")), at_most(200)],
    )
    position = StringField(_l("Position"), validators=[at_most(300)])
    submit = SubmitField(_l("Add"))


class ImportForm(FlaskForm):
    """Upload a CSV or XLSX list that replaces the officials."""

    file = FileField(
        _l("CSV (UTF-8) or XLSX file"),
        validators=[FileRequired(message=_l("Choose a file."))],
        render_kw={"accept": ".csv,.xlsx,text/csv"},
    )
    submit = SubmitField(_l("Import and replace the list"))


class MoveForm(FlaskForm):
    """Move an official one place up or down."""

    direction = HiddenField(validators=[DataRequired()])


class FreezeForm(FlaskForm):
    """Freeze the manifest, with a confirmation (it never changes afterwards)."""

    confirm = BooleanField(
        _l("I have checked the officials, the keys and the cards: freeze the manifest"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Freeze the manifest"))


class CheckInForm(FlaskForm):
    """+1 or −1 on the counter of members present."""

    delta = HiddenField(validators=[DataRequired()])


class OpenForm(FlaskForm):
    """Open the vote: optional countdown, reason when there is no quorum, confirmation."""

    minutes = WholeNumberField(
        _l("Close automatically after (minutes, optional)"),
        validators=[Optional(), NumberRange(min=1, max=24 * 60, message=_l("Between 1 and 1440."))],
    )
    reason = TextAreaField(
        _l("Reason for opening without quorum"),
        validators=[at_most(1000)],
        render_kw={"rows": 3},
    )
    confirm = BooleanField(
        _l("I confirm: open the vote now"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Open the vote"))


class CloseForm(FlaskForm):
    """Close the vote, with a confirmation."""

    confirm = BooleanField(
        _l("I confirm: close the vote now; no ballot is accepted afterwards"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Close the vote"))


class CeremonyStartForm(FlaskForm):
    """Open the trustees' ceremony board and make their links."""

    submit = SubmitField(_l("Start the key ceremony and make the trustees' links"))


class CeremonyRestartForm(FlaskForm):
    """Restart the ceremony (new round, new links), with the reason shown to everyone."""

    reason = TextAreaField(
        _l("Reason for restarting (shown to every trustee and logged)"),
        validators=[DataRequired(message=_l("Give the reason.")), at_most(1000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Restart the ceremony"))
