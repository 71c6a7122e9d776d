"""Every form refuses a NUL character in any field, with its own error under the field, whatever else it checks."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from app.web.forms import NUL_MESSAGE, Form


class NoteForm(Form):
    title = StringField("Title", validators=[DataRequired()])
    body = StringField("Body")


def submitted(app, data: dict[str, str], **extra) -> NoteForm:
    with app.test_request_context("/", method="POST", data=data):
        form = NoteForm(meta={"csrf": False})
        form.validate(**extra)
        return form


def test_a_nul_in_any_field_is_that_fields_error(app):
    form = submitted(app, {"title": "ok", "body": "a\x00b"})
    assert form.errors == {"body": [NUL_MESSAGE]}


def test_a_form_without_nul_is_valid(app):
    assert submitted(app, {"title": "ok", "body": "tabs\tand\nnewlines are text"}).errors == {}


def test_validators_passed_at_validation_still_run(app):
    def never(form, field):
        raise ValidationError("never")

    form = submitted(app, {"title": "ok\x00"}, extra_validators={"title": [never]})
    assert form.errors == {"title": [NUL_MESSAGE, "never"]}
