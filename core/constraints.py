"""A violated database constraint, told in plain words next to the field it is about.

Each constraint an admin form can violate carries a `violation_error_message` in plain words
and a `violation_error_code`; Django shows such a message above the form, so models list in
`constraint_fields` which field each code belongs to (ConstraintFieldsMixin below).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from modeltranslation.settings import DEFAULT_LANGUAGE
from modeltranslation.utils import build_localized_fieldname


class ConstraintFieldsMixin:
    """Model mixin: validate_constraints() puts each violation next to its field.

    constraint_fields maps a constraint's violation_error_code to the field its message goes
    with. always_validated names fields that every row has set before any form sees it
    (an RSVP's status, kept by the services and read-only in the admin): a form without them
    would otherwise skip the constraints naming them, and the database would refuse the save
    with an error page instead of a message.

    A translated field (django-modeltranslation) reaches the form as its per-language fields
    ("name_en", "name_es"): the constraint on "name" is checked all the same, and its message
    goes next to the default language's field.
    """

    constraint_fields: dict[str, str] = {}
    always_validated: tuple[str, ...] = ()

    def validate_constraints(self, exclude=None):
        exclude = set(exclude or ())
        on_form = {name: name for name in self.constraint_fields.values()}
        for name in list(exclude):
            localized = build_localized_fieldname(name, DEFAULT_LANGUAGE)
            if name in self.always_validated:
                exclude.discard(name)
            elif localized != name and _has_field(self, localized) and localized not in exclude:
                exclude.discard(name)
                on_form[name] = localized
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise ValidationError(self._errors_on_fields(error, on_form, exclude)) from None

    def _errors_on_fields(self, error, on_form, exclude) -> dict:
        moved: dict[str, list] = {}
        for key, messages in error.error_dict.items():
            for message in messages:
                field = None
                if key == NON_FIELD_ERRORS:
                    field = self.constraint_fields.get(message.code)
                target = on_form.get(field, key) if field and field not in exclude else key
                moved.setdefault(target, []).append(message)
        return moved


def _has_field(instance, name: str) -> bool:
    return any(field.name == name for field in instance._meta.concrete_fields)
