"""The base of every form: what no field of any form may hold, checked in one place."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

NUL_MESSAGE = "Remove the NUL character (\\x00) from this field."


def no_nul(form: Any, field: Field) -> None:
    """A NUL character is never text a person meant: PostgreSQL refuses it in any string (a 500 if it got that far)."""
    if any(isinstance(value, str) and "\x00" in value for value in field.raw_data or ()):
        raise ValidationError(NUL_MESSAGE)


class Form(FlaskForm):
    """A Flask-WTF form (CSRF-protected) whose every field also refuses a NUL character, with the form's own errors."""

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        validators: dict[str, list[Any]] = {name: [no_nul] for name in self._fields}
        for name, more in (extra_validators or {}).items():
            validators.setdefault(name, []).extend(more)
        return super().validate(validators)
