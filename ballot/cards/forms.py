"""Card forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp

from ballot.fields import WholeNumberField, at_most


class PrintForm(FlaskForm):
    """Make the cards (one per member summoned, plus spares) and download the PDF."""

    spares = WholeNumberField(
        _l("Spare cards"),
        default=5,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=0, max=1000, message=_l("Between 0 and 1000.")),
        ],
    )
    confirm_address = BooleanField(
        _l("I know phones cannot open this address and want these cards anyway (a test)")
    )
    submit = SubmitField(_l("Make the cards and download the PDF"))


class DefinitionForm(FlaskForm):
    """Download the ballot definition for ``python -m keys cards`` (a GET form: no CSRF,
    it changes nothing)."""

    class Meta:
        csrf = False

    spares = WholeNumberField(
        _l("Spare cards"),
        default=5,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=0, max=1000, message=_l("Between 0 and 1000.")),
        ],
    )
    confirm_address = BooleanField(
        _l("I know phones cannot open this address and want these cards anyway (a test)")
    )
    submit = SubmitField(_l("Download the ballot definition"))


class UploadCardsForm(FlaskForm):
    """Upload the public card file (cards-public.json) made by ``python -m keys cards``."""

    file = FileField(
        _l("Public card file (cards-public.json)"),
        validators=[FileRequired(message=_l("Choose a file."))],
        render_kw={"accept": ".json,application/json"},
    )
    submit = SubmitField(_l("Upload the public card file"))


class SerialForm(FlaskForm):
    """A card's printed serial (revoke it, or hand out a spare)."""

    serial = StringField(
        _l("Card serial (on the stub)"),
        validators=[
            DataRequired(message=_l("Enter the serial printed on the stub.")),
            at_most(16),
            Regexp(r"^\s*\d{1,8}\s*$", message=_l("A serial is made of digits, like 0042.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    #: Revoking cannot be undone: the revoke form asks for this tick (spares do not).
    confirm = BooleanField(_l("I confirm: this card is cancelled for good"))

    def normalized(self) -> str:
        """The serial as printed: four digits at least ("42" → "0042")."""
        return (self.serial.data or "").strip().zfill(4)


class DiscardForm(FlaskForm):
    """Destroy every printed card of a draft vote."""

    confirm = BooleanField(
        _l("I confirm: the printed cards will be destroyed and not used"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Discard the printed cards"))
