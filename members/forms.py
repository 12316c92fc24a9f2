from django import forms
from django.utils.translation import gettext_lazy as _


class SignupExtraForm(forms.Form):
    """The fields Potluck adds to allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("How other members will see you. A first name is fine."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])
