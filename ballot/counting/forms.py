"""Forms of the counting pages (CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class StartCountForm(FlaskForm):
    """Compute the encrypted totals (after close)."""

    submit = SubmitField(_l("Start the count"))


class PartialUploadForm(FlaskForm):
    """A trustee's partial decryption file, made with ``python -m tally partial-decrypt``."""

    part = FileField(_l("Partial decryption file (.json)"), validators=[FileRequired()])
    submit = SubmitField(_l("Check and add"))


class PublishForm(FlaskForm):
    """Make the results and the record public."""

    submit = SubmitField(_l("Publish the results"))
