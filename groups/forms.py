from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import validate_single_line

from .models import MEMBER_DECIDED_SETTINGS


class ContactForm(forms.Form):
    """The "want to step up?" message to the organizers."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        validators=[validate_single_line],
        help_text=_("The organizers reply to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Tell us how you would like to help."),
    )
    # A honeypot: hidden from people by the stylesheet, filled in by bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("This field must be left empty."), code="honeypot")
        return ""


class JoinForm(forms.Form):
    """The group's join questions (none: an empty form, a button)."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"answer_{question.pk}"] = forms.CharField(
                label=question.text,
                required=question.required,
                max_length=1000,
                help_text="" if question.required else _("Optional."),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"answer_{q.pk}", "") for q in self.questions}


class ModerationForm(forms.Form):
    """The optional message or reason an organizer gives when answering or removing someone."""

    text = forms.CharField(
        label=_("Message or reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


class GroupAdminForm(forms.ModelForm):
    """The group's settings in the admin. The settings the members decide
    (MEMBER_DECIDED_SETTINGS) are read-only with a note while the members decide them, and
    "members decide these settings" itself always once the group exists: a settings poll
    that passes changes them (decisions.services.settings_polls). A change posted all the
    same is refused, saying why."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decided = []
        if self.instance.pk is None:
            return  # at creation the group chooses
        names = MEMBER_DECIDED_SETTINGS if self.instance.members_decide_settings else ()
        for name in {*names, "members_decide_settings"}:
            field = self.fields.get(name)
            if field is None:
                continue
            field.disabled = True
            field.help_text = (
                _("The members decide this setting: propose a change as a settings poll.")
                if self.instance.members_decide_settings
                else _(
                    "Turned on by a settings poll the members pass, or when the group is created."
                )
            )
            self.decided.append(name)

    def clean(self):
        cleaned = super().clean()
        for name in self.decided:
            widget = self.fields[name].widget
            key = self.add_prefix(name)
            if key in self.data and widget.value_from_datadict(self.data, self.files, key) != (
                getattr(self.instance, name)
            ):
                self.add_error(
                    name,
                    _(
                        "The members decide this setting, so it is not changed here: propose "
                        "the change as a settings poll on the Polls page."
                    )
                    if self.instance.members_decide_settings
                    else _(
                        "Only a settings poll the members pass turns this on, once the group "
                        "exists: propose it on the Polls page."
                    ),
                )
        return cleaned


class GroupDeleteForm(forms.Form):
    """Deleting the group: its name typed out, and a reason the other organizers read."""

    name = forms.CharField(
        label=_("The group's name, typed out to confirm"),
        max_length=120,
        help_text=_("Exactly as it is written at the top of the page."),
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The other organizers read it when they are asked to confirm."),
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if name != self.group.name:
            raise forms.ValidationError(_("This is not the group's name."), code="wrong_name")
        return name
