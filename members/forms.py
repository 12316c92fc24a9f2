from functools import cache

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .data import WritingOnDelete

TIME_ZONE_LIST = "time-zones"


@cache
def time_zone_datalist() -> SafeString:
    """The zones as a <datalist>, built once per process: rendering ~500 <option>s through the
    template engine on each request took most of /me/'s time (issue 26)."""
    from .models import time_zone_choices

    options = format_html_join("", '<option value="{}"></option>', time_zone_choices())
    return format_html_join("", '<datalist id="{}">{}</datalist>', [(TIME_ZONE_LIST, options)])


@cache
def _time_zone_names() -> dict[str, str]:
    """Each zone by the ways a person may type it: any case, spaces for underscores."""
    from .models import time_zone_choices

    return {name.casefold(): name for name, _label in time_zone_choices()} | {
        label.casefold(): name for name, label in time_zone_choices()
    }


class TimeZoneInput(forms.TextInput):
    """A text input that suggests the zones from the page's one <datalist>."""

    def __init__(self, attrs=None):
        super().__init__(
            {"list": TIME_ZONE_LIST, "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer) + time_zone_datalist()


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
        # Each part of the profile, then who sees it (groups.visibility.PROFILE_PARTS).
        fields = [
            "display_name",
            "pronouns",
            "pronouns_shown_to",
            "city",
            "city_shown_to",
            "bio",
            "bio_shown_to",
            "links",
            "links_shown_to",
            "since_shown_to",
            "evenings_shown_to",
            "breakouts_shown_to",
            "profile_visibility",
            "show_in_attendee_lists",
        ]
        widgets = {
            "pronouns": forms.TextInput(attrs={"placeholder": _("e.g. she/her, they/them")}),
            "bio": forms.Textarea(attrs={"rows": 3}),
            "links": forms.Textarea(attrs={"rows": 3}),
            "profile_visibility": forms.RadioSelect,
        }
        help_texts = {
            "bio": _("A few words others can start a conversation from. Plain text."),
            "since_shown_to": _("Your profile says since when you are a member of the group."),
            "evenings_shown_to": _("Your profile counts the past events you went to."),
            "breakouts_shown_to": _(
                "Your profile counts the breakout discussions you facilitated."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.shown_to_fields():
            # A form posted without a choice (an older page) keeps the member's choice.
            self.fields[name].required = False
            if name.removesuffix("_shown_to") in self.fields:  # right under what it is about
                self.fields[name].widget.attrs["class"] = "shown-to"

    def shown_to_fields(self) -> list[str]:
        return [name for name in self.fields if name.endswith("_shown_to")]

    def clean(self):
        cleaned = super().clean()
        for name in self.shown_to_fields():
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def clean_links(self):
        from django.core.validators import URLValidator

        from .models import MAX_LINKS, parse_links

        validate = URLValidator(schemes=["http", "https"])
        links = parse_links(self.cleaned_data["links"])
        if len(links) > MAX_LINKS:
            raise forms.ValidationError(_("Up to %(count)d links, please.") % {"count": MAX_LINKS})
        for link in links:
            try:
                validate(link.url)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("“%(link)s” is not a web address (it should start with https://).")
                    % {"link": link.url}
                ) from error
        return "\n".join(
            link.url if link.label == _host(link.url) else f"{link.label} {link.url}"
            for link in links
        )

    def save(self, commit=True):
        """This form's fields only: the avatar is the task worker's to set (members.tasks),
        and saving the whole row would put back the one this request read."""
        member = super().save(commit=False)
        if commit:
            member.save(update_fields=self._meta.fields)
        return member


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


class NotificationsForm(forms.ModelForm):
    # Typed (with suggestions), not a select: a select of every zone was ~500 <option>s to
    # render on each request.
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        widget=TimeZoneInput,
        help_text=_(
            "Every time is also shown in this zone, beside the group's, when the clocks "
            "differ. Empty: the group's zone alone."
        ),
    )

    class Meta:
        from .models import User

        model = User
        fields = [
            "notify_new_events",
            "notify_series",
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

    def __init__(self, *args, organizer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not organizer:  # only organizers are told of what waits in the admin
            del self.fields["organizer_alerts"]

    def clean_time_zone(self):
        typed = self.cleaned_data["time_zone"].strip()
        if not typed:
            return ""
        name = _time_zone_names().get(typed.casefold())
        if name is None:
            raise forms.ValidationError(
                _("“%(value)s” is not a time zone in the list, such as Europe/Madrid."),
                code="invalid_choice",
                params={"value": typed},
            )
        return name


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
