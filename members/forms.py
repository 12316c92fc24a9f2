from django import forms
from django.utils.translation import gettext_lazy as _

from .data import WritingOnDelete


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


class ProfileForm(forms.ModelForm):
    """What other members see about you, and who sees it."""

    avatar_upload = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Location and camera details are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        from .models import User

        model = User
        fields = [
            "display_name",
            "pronouns",
            "bio",
            "city",
            "links",
            "profile_visibility",
            "show_in_attendee_lists",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 3}),
            "links": forms.Textarea(attrs={"rows": 2}),
            "profile_visibility": forms.RadioSelect,
        }

    def clean_links(self):
        from django.core.validators import URLValidator

        validate = URLValidator(schemes=["http", "https"])
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        for line in lines:
            try:
                validate(line)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("“%(link)s” is not a web address (it should start with https://).")
                    % {"link": line}
                ) from error
        return "\n".join(lines)

    def save(self, commit=True):
        """This form's fields only: the avatar is the task worker's to set (members.tasks),
        and saving the whole row would put back the one this request read."""
        member = super().save(commit=False)
        if commit:
            member.save(update_fields=self._meta.fields)
        return member


class NotificationsForm(forms.ModelForm):
    class Meta:
        from .models import User

        model = User
        fields = [
            "notify_new_events",
            "notify_reminders",
            "notify_organizer_messages",
            "notify_announcements",
            "notify_discussions",
            "discussion_digest",
            "notify_decisions",
            "notify_poll_reminders",
            "notify_weekly",
            "organizer_alerts",
            "language",
            "time_zone",
        ]
        widgets = {"organizer_alerts": forms.RadioSelect}
        error_messages = {
            "time_zone": {
                "invalid_choice": _(
                    "“%(value)s” is not a time zone in the list, such as Europe/Madrid."
                )
            }
        }

    def __init__(self, *args, organizer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not organizer:  # only organizers are told of what waits in the admin
            del self.fields["organizer_alerts"]
        zone = self.fields["time_zone"]
        zone.choices = [("", _("The group's time zone")), *zone.choices[1:]]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )
    leave_photos = forms.BooleanField(
        label=_("Leave my photos to the group, without my name"),
        required=False,
        help_text=_("Otherwise your photos are deleted with your account."),
    )
    writing = forms.ChoiceField(
        label=_("What you wrote in comments and discussions"),
        choices=WritingOnDelete.choices,
        initial=WritingOnDelete.DELETE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
