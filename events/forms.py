from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Breakout, Event


class RSVPForm(forms.Form):
    """Going or not, with guests and the event's question."""

    going = forms.TypedChoiceField(
        choices=[("yes", _("Going")), ("no", _("Not going"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )
    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, event: Event, breakouts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        # The breakout is chosen with the RSVP when the event has any (from a list the caller
        # already holds, so rendering the choices runs no query of its own).
        self.breakouts = {breakout.pk: breakout for breakout in breakouts}
        if self.breakouts:
            self.fields["breakout"] = forms.TypedChoiceField(
                label=_("Breakout discussion"),
                choices=[("", _("No preference"))]
                + [(pk, breakout.topic) for pk, breakout in self.breakouts.items()],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("You can change it later."),
            )
        if event.max_guests:
            self.fields["guests"] = forms.IntegerField(
                label=_("Guests"),
                min_value=0,
                max_value=event.max_guests,
                initial=0,
                required=False,
                help_text=_("You can bring up to %(max)d.") % {"max": event.max_guests},
            )
        if event.rsvp_question:
            self.fields["answer"].label = event.rsvp_question
        else:
            del self.fields["answer"]

    def clean_guests(self):
        return self.cleaned_data.get("guests") or 0

    @property
    def guests(self) -> int:
        return self.cleaned_data.get("guests", 0) or 0

    @property
    def breakout(self) -> Breakout | None:
        return self.breakouts.get(self.cleaned_data.get("breakout"))


class BreakoutChoiceForm(forms.Form):
    breakout = forms.ModelChoiceField(
        label=_("Breakout discussion"),
        queryset=Breakout.objects.none(),
        required=False,
        empty_label=_("No preference"),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["breakout"].queryset = Breakout.objects.filter(event=event)


class CheckInForm(forms.Form):
    rsvp = forms.IntegerField(widget=forms.HiddenInput)
    checked_in = forms.TypedChoiceField(
        choices=[("yes", _("Check in")), ("no", _("Undo check-in"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )


class ImportForm(forms.Form):
    """An .ics file exported from another calendar (such as a meetup platform's feed)."""

    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        help_text=_("Importing the same file again updates events instead of duplicating them."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        self.cleaned_data["data"] = upload.read()
        return upload


class OrganizerMessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
