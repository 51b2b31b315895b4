"""Form fields and validators shared by every area's forms (translated messages).

WTForms has no Vietnamese catalog: each message a member or the secretariat can see is
one of ours, wrapped in ``_l`` so it follows the page's language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import Length, ValidationError


def at_most(limit: int) -> Length:
    """A length limit whose message is translated (WTForms has no Vietnamese catalog)."""
    return Length(max=limit, message=_l("At most %(max)d characters.", max=limit))


class WholeNumberField(IntegerField):
    """An integer field with a translated message for text that is not a number."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the number; an empty value is None (left to Optional/InputRequired)."""
        if not valuelist:
            return
        text = str(valuelist[0] or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None


class ChoiceField(SelectField):
    """A select field with a translated message for a value outside its choices."""

    def pre_validate(self, form: Any) -> None:
        """Refuse values that are not one of the choices."""
        if self.data not in {value for value, _label in self.iter_choices_values()}:
            raise ValidationError(_l("Choose one of the options."))

    def iter_choices_values(self) -> list[tuple[Any, Any]]:
        """The (value, label) pairs, whether choices is a list or a callable."""
        choices = self.choices() if callable(self.choices) else self.choices
        return [(c[0], c[1]) for c in choices or []]
