"""What the conversation admin pages share: forms whose saving is a service call."""

from django import forms
from django.contrib.admin import ActionLocation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import Truncator

EXCERPT_CHARS = 80


BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def _excerpt(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(EXCERPT_CHARS)


# --- Forms whose saving is a service call ------------------------------------------------------


class ServiceForm(forms.ModelForm):
    """An admin form whose saving is a service call.

    The call runs once the form is otherwise valid (at the end of full_clean), inside the
    admin's transaction (ModelAdmin.changeform_view is atomic): the service's ValidationError
    shows next to its field with what was typed kept, and nothing is half-stored (the call's
    own savepoint rolls back). ServiceAdminMixin.save_model then only takes the stored row.
    Only for admins without inlines: an invalid inline formset would come too late.
    """

    request = None  # the admin's request, set by ServiceAdminMixin.get_form
    error_field = None  # where a refusal that names no field goes (None: above the form)

    def perform(self, data: dict):
        """Calls the service with the cleaned data; returns the stored row."""
        raise NotImplementedError

    def full_clean(self):
        super().full_clean()
        self.stored = None
        if not self.is_bound or self.errors:
            return
        try:
            with transaction.atomic():
                self.stored = self.perform(self.cleaned_data)
        except ValidationError as refused:
            if hasattr(refused, "error_dict") and set(refused.error_dict) <= set(self.fields):
                self.add_error(None, refused)
            else:
                self.add_error(self.error_field, refused.messages)


class ServiceAdminMixin:
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if issubclass(form, ServiceForm):
            form = type(form.__name__, (form,), {"request": request})
        return form

    def save_model(self, request, obj, form, change):
        stored = getattr(form, "stored", None)
        if stored is None:
            super().save_model(request, obj, form, change)
            return
        # The service stored it; the admin logs and links the row as it is now.
        obj.pk = stored.pk
        obj.refresh_from_db()
