from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .importer import read_source
from .models import Breakout, Event, RSVPStatus, Venue
from .services import SCHEDULE_MAX


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
    """Another calendar's export (such as a Meetup group's feed): an uploaded .ics file, or the
    feed's address, fetched from public addresses only."""

    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        required=False,
        help_text=_("Importing the same file again updates events instead of duplicating them."),
    )
    url = forms.URLField(
        label=_("…or the calendar's address"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "For a Meetup group: https://www.meetup.com/YOUR-GROUP/events/ical/ "
            "(public addresses only; at most 10 MB)."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        upload, url = cleaned.get("file"), cleaned.get("url")
        if bool(upload) == bool(url):
            raise forms.ValidationError(_("Upload a file or give an address (one of them)."))
        if upload:
            if upload.size > 10 * 1024 * 1024:
                self.add_error("file", _("The file is larger than 10 MB."))
                return cleaned
            cleaned["data"] = upload.read()
        else:
            try:
                cleaned["data"] = read_source(
                    url, allow_private=getattr(settings, "POTLUCK_FETCH_ALLOW_PRIVATE", False)
                )
            except forms.ValidationError as error:
                self.add_error("url", error)
        return cleaned


class OrganizerMessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))


class SeriesScheduleForm(forms.Form):
    """How many of a series' next dates to create, and whether to publish them straight away."""

    count = forms.IntegerField(
        label=_("How many dates"),
        min_value=1,
        max_value=SCHEDULE_MAX,
        initial=6,
        help_text=_("Dates that already have an event of the series are skipped."),
    )
    publish = forms.TypedChoiceField(
        label=_("Create them as"),
        choices=[
            ("draft", _("Drafts, to check and publish one by one")),
            ("published", _("Published events (members are told about each one)")),
        ],
        coerce=lambda value: value == "published",
        initial="draft",
        widget=forms.RadioSelect,
    )


class ScheduledDateForm(forms.Form):
    """One date of the schedule's preview: its own title, guest speaker and summary."""

    day = forms.DateField(widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Title"),
        max_length=Event._meta.get_field("title").max_length,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("To be announced")}),
    )
    speaker = forms.TypedChoiceField(
        label=_("Guest speaker"), coerce=int, required=False, empty_value=None
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=Event._meta.get_field("summary").max_length, required=False
    )

    def __init__(self, *args, speakers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [("", _("To be announced")), *speakers]
        when = self.initial.get("when", "")
        for field in ("title", "speaker", "summary"):
            label = self.fields[field].label
            self.fields[field].widget.attrs["aria-label"] = f"{label}, {when}" if when else label


class BaseScheduledDatesFormSet(forms.BaseFormSet):
    def clean(self):
        days = [form.cleaned_data.get("day") for form in self.forms if form.cleaned_data]
        if len(days) != len(set(days)):
            raise forms.ValidationError(_("A date appears twice: start again from the count."))


ScheduledDatesFormSet = forms.formset_factory(
    ScheduledDateForm,
    formset=BaseScheduledDatesFormSet,
    extra=0,
    max_num=SCHEDULE_MAX,
    validate_max=True,
)


class AttendeeAddForm(forms.Form):
    """A host adds a member to Going, choosing what happens when the event is full."""

    member = forms.TypedChoiceField(label=_("Member"), coerce=int)
    when_full = forms.ChoiceField(
        label=_("If the event is full"),
        choices=[
            ("waitlist", _("Put them first on the waitlist")),
            ("raise", _("Raise the capacity so they have a seat")),
        ],
        initial="waitlist",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        # (user id, name) of the members not going yet, which the view has fetched.
        self.fields["member"].choices = [("", _("Choose a member")), *members]

    @property
    def raise_capacity(self) -> bool:
        return self.cleaned_data["when_full"] == "raise"


# What a host's "move" select offers: the new status, and whether a full event grows.
MOVES = {
    "going": (RSVPStatus.GOING, False),
    "going_raise": (RSVPStatus.GOING, True),
    "waitlisted": (RSVPStatus.WAITLISTED, False),
    "not_going": (RSVPStatus.NOT_GOING, False),
}
MOVE_LABELS = {
    "going": _("Going (first on the waitlist if full)"),
    "going_raise": _("Going (raise the capacity if full)"),
    "waitlisted": _("Waitlist (last in line)"),
    "not_going": _("Not going"),
}


class AttendeeMoveForm(forms.Form):
    rsvp = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(label=_("Move to"), choices=list(MOVE_LABELS.items()))

    @property
    def move(self) -> tuple[RSVPStatus, bool]:
        return MOVES[self.cleaned_data["to"]]


class NoShowForm(forms.Form):
    rsvp = forms.IntegerField(widget=forms.HiddenInput)
    no_show = forms.TypedChoiceField(
        choices=[("yes", _("Mark as no-show")), ("no", _("Undo no-show"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )


class EventHostsForm(forms.Form):
    """Organizers name the event's hosts among the group's members."""

    hosts = forms.TypedMultipleChoiceField(
        label=_("Hosts"),
        coerce=int,
        required=False,
        help_text=_("Hosts check people in, manage RSVPs and message the people going."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hosts"].choices = list(members)
        self.fields["hosts"].widget.attrs["size"] = min(max(len(members), 2), 8)


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, venue):
        count = venue.event_count  # annotated by the merge action
        return ngettext(
            "%(name)s (%(address)s): %(count)d event",
            "%(name)s (%(address)s): %(count)d events",
            count,
        ) % {"name": venue.name, "address": venue.full_address, "count": count}


class VenueMergeForm(forms.Form):
    """Which of the venues selected stays; the events and series of the others move to it."""

    keep = VenueChoiceField(
        label=_("Keep this venue"),
        queryset=Venue.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_(
            "Every event and series of the other venues moves to it, and the others are deleted."
        ),
    )

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = venues
        self.fields["keep"].initial = venues[0].pk if venues else None
