"""What every app's forms share: the field templates, service errors, one-line text."""

import re

from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

# What ends a line somewhere: CR, LF and the other controls, NEL, and Unicode's line and
# paragraph separators (NUL has Django's own validator on every CharField).
LINE_BREAKING = re.compile(r"[\x01-\x1f\x7f-\x9f\u2028\u2029]")


def add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal, next to the field it is about (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


def validate_single_line(value: str) -> None:
    """For fields that end up in an email header (the subject, Reply-To) or on one line."""
    if LINE_BREAKING.search(value):
        raise ValidationError(
            _("Please write this on one line, without line breaks."), code="line_break"
        )


class FormRenderer(TemplatesSetting):
    """Fields rendered by templates/includes/field.html: labels above fields, no colon after
    them (Django's label_suffix), checkboxes with the label beside."""

    field_template_name = "includes/field.html"
