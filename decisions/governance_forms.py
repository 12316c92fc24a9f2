"""The forms that open an election and a settings poll."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from groups.models import MEMBER_DECIDED_SETTINGS, AttendeeLists, Group

from .models import ElectedRole

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ElectionForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ElectedRole.choices, widget=forms.RadioSelect)
    seats = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=10,
        initial=1,
        help_text=_("One seat: instant runoff. Several: single transferable vote."),
    )
    candidates = forms.ModelMultipleChoiceField(
        label=_("Candidates"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members who agreed to stand; their names are on the ballot."),
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes"), widget=DATETIME, help_text=_("In the group's time zone.")
    )
    term_ends = forms.DateTimeField(
        label=_("The term ends"),
        widget=DATETIME,
        help_text=_("Members are reminded two weeks before, to hold the next election."),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = members
        self.fields["candidates"].label_from_instance = lambda user: user.display_name


class SettingPollForm(forms.Form):
    setting = forms.ChoiceField(label=_("Setting"), widget=forms.RadioSelect)
    value = forms.ChoiceField(
        label=_("Proposed value"),
        # On / Off for a switch; "who sees attendee lists" takes one of its audiences (the
        # service refuses a value the setting cannot take).
        choices=[
            ("on", _("On")),
            ("off", _("Off")),
            *((value, capfirst(label)) for value, label in AttendeeLists.choices),
        ],
        widget=forms.RadioSelect,
        help_text=_("On or Off for a switch; an audience for who sees attendee lists."),
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes"), widget=DATETIME, help_text=_("In the group's time zone.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["setting"].choices = [
            (name, Group._meta.get_field(name).verbose_name) for name in MEMBER_DECIDED_SETTINGS
        ]
