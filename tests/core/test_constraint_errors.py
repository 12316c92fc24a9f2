"""Every database constraint an admin form can break is told in plain words next to its field,
and nothing is stored: a table of constraint → the admin form that breaks it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conversation.models import Category, Mute
from events import services
from events.models import RSVP, Event, EventSpeaker, Series, Speaker, Venue
from groups.models import Membership, MembershipStatus
from members.models import User
from tests.factories import (
    EventFactory,
    MembershipFactory,
    SeriesFactory,
    SpeakerFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


class _FormReader(HTMLParser):
    """What a browser would send back from the admin's change form, untouched: every input,
    select and textarea of the form with its current value."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select = None
        self._selected_any = False
        self._first_option = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            checkable = attrs.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if checkable else ""))
        elif tag == "select" and name:
            self._select, self._selected_any, self._first_option = name, False, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self._first_option = value if self._first_option is None else self._first_option
            if "selected" in attrs:
                self._selected_any = True
                self.data.setdefault(self._select, []).append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            if not self._selected_any and self._first_option is not None:
                self.data[self._select] = [self._first_option]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form_data(html: str, **changes) -> dict:
    reader = _FormReader()
    reader.feed(html)
    data = {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@dataclass
class Row:
    """One constraint: make what it guards against already there, open the admin form, send
    it with `changes`; expect `message` on `field` (of an inline form when `inline`) and
    the rows given by `stored` unchanged."""

    constraint: str
    prepare: Callable[[object], str]  # (group) → the admin URL of the form
    changes: Callable[[], dict]
    field: str
    message: str
    stored: Callable[[], object]
    inline: str | None = None
    extra: dict = field(default_factory=dict)


def _add(label):
    return reverse(f"admin:{label}_add")


def _change(label, obj):
    return reverse(f"admin:{label}_change", args=[obj.pk])


def _speaker(group):
    SpeakerFactory(name="Ada Lovelace", slug="ada-lovelace")
    return _add("events_speaker")


def _series(group):
    SeriesFactory(group=group, name="Monthly", slug="monthly")
    return _add("events_series")


def _venue(group):
    VenueFactory(name="The Commons")
    return _add("events_venue")


def _event(group):
    EventFactory(group=group, slug="first-evening")
    return _change("events_event", EventFactory(group=group, slug="second-evening"))


def _event_speaker(group):
    event = EventFactory(group=group, slug="with-speaker")
    EventSpeaker.objects.create(event=event, speaker=SpeakerFactory(slug="grace"))
    return _change("events_event", event)


def _category(group):
    Category.objects.create(group=group, name="General")
    return _add("conversation_category")


def _mute(group):
    member = MembershipFactory(group=group, user=UserFactory(display_name="Muted")).user
    Mute.objects.create(group=group, member=member, reason="Spam")
    return _add("conversation_mute")


def _membership(group):
    MembershipFactory(group=group, user=UserFactory(email="bea@example.org"))
    return _add("groups_membership")


def _pending(group):
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING)
    return _change("groups_membership", pending)


def _user(group):
    UserFactory(email="ada@example.org")
    return _change("members_user", UserFactory(email="grace@example.org"))


def _rsvp(status):
    def prepare(group):
        event = EventFactory(group=group, capacity=1, starts_at=timezone.now() + timedelta(days=2))
        event.breakouts.create(topic="Tools", order=0)
        services.rsvp_set(event=event, member=MembershipFactory(group=group).user, going=True)
        member = MembershipFactory(group=group).user
        rsvp = services.rsvp_set(event=event, member=member, going=True)
        if status == "not_going":
            rsvp = services.rsvp_cancel(event=event, member=member)
        return _change("events_rsvp", rsvp)

    return prepare


def _rsvps():
    return sorted(
        RSVP.objects.values_list("status", "breakout_id", "checked_in_at", "no_show", "pk")
    )


ROWS = [
    Row(
        "events_speaker_slug_ci_unique",
        _speaker,
        lambda: {"name_en": "Ada", "name": "Ada", "slug": "Ada-Lovelace"},
        "slug",
        "Another speaker already uses this slug (capital letters count as the same): "
        "choose another one.",
        lambda: list(Speaker.objects.values_list("slug", flat=True)),
    ),
    Row(
        "events_series_slug_ci_unique",
        _series,
        lambda: {"name_en": "Monthly talks", "slug": "MONTHLY"},
        "slug",
        "Another series already uses this slug (capital letters count as the same): "
        "choose another one.",
        lambda: list(Series.objects.values_list("slug", flat=True)),
    ),
    Row(
        "events_venue_name_ci_unique",
        _venue,
        lambda: {"name_en": "the commons", "address_en": "1 Other Street"},
        "name_en",
        "There is already a venue with this name: choose it for the event, or name this one "
        "differently.",
        lambda: list(Venue.objects.values_list("name", flat=True)),
    ),
    Row(
        "events_venue_coordinates_valid",
        _venue,
        lambda: {"name_en": "Rooftop", "address_en": "2 High Street", "latitude": "95"},
        "latitude",
        "Give both latitude (from -90 to 90) and longitude (from -180 to 180), or neither.",
        lambda: list(Venue.objects.values_list("name", flat=True)),
    ),
    Row(
        "events_event_slug_ci_unique",
        _event,
        lambda: {"slug": "First-Evening"},
        "slug",
        "Another event already uses this slug.",
        lambda: sorted(Event.objects.values_list("slug", flat=True)),
    ),
    Row(
        "events_eventspeaker_unique",
        _event_speaker,
        lambda: {
            "event_speakers-TOTAL_FORMS": "2",
            "event_speakers-1-speaker": str(Speaker.objects.get(slug="grace").pk),
            "event_speakers-1-role": EventSpeaker.objects.get().role,
            "event_speakers-1-order": "1",
        },
        "speaker",
        "This speaker is already at the event in this role: list them once.",
        lambda: list(EventSpeaker.objects.values_list("pk", flat=True)),
        inline="event_speakers",
    ),
    Row(
        "events_rsvp_breakout_only_when_going",
        _rsvp("not_going"),
        lambda: {"breakout": str(RSVP.objects.get(status="not_going").event.breakouts.get().pk)},
        "breakout",
        "Only someone who is going can have a breakout.",
        _rsvps,
    ),
    Row(
        "events_rsvp_checked_in_only_when_going",
        _rsvp("waitlisted"),
        lambda: {"checked_in_at_0": "2026-01-01", "checked_in_at_1": "18:00:00"},
        "checked_in_at",
        "Only someone who is going can be checked in.",
        _rsvps,
    ),
    Row(
        "events_rsvp_no_show_only_when_going_not_checked_in",
        _rsvp("waitlisted"),
        lambda: {"no_show": "on"},
        "no_show",
        "Only someone who is going and not checked in can be a no-show.",
        _rsvps,
    ),
    Row(
        "conversation_category_name_unique",
        _category,
        lambda: {"name_en": "general", "position": "1"},
        "name_en",
        "There is already a category with this name.",
        lambda: list(Category.objects.values_list("name", flat=True)),
    ),
    Row(
        "conversation_mute_once",
        _mute,
        lambda: {"member": str(Mute.objects.get().member_id), "reason": "Again"},
        "member",
        "This member is muted already: open their mute to change it.",
        lambda: list(Mute.objects.values_list("reason", flat=True)),
    ),
    Row(
        "groups_membership_unique",
        _membership,
        lambda: {"user": str(User.objects.get(email="bea@example.org").pk), "role": "member"},
        "user",
        "This person is already in the group: open their membership to change it.",
        lambda: sorted(Membership.objects.values_list("pk", "role")),
    ),
    Row(
        "members_user_email_ci_unique",
        _user,
        lambda: {"email": "ADA@example.org"},
        "email",
        "There is already an account with this email address (capital letters count as the same).",
        lambda: sorted(User.objects.values_list("email", flat=True)),
    ),
]


@pytest.fixture
def superuser(group):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.constraint)
def test_admin_form_names_the_broken_constraint_next_to_its_field(client, group, superuser, row):
    url = row.prepare(group)
    client.force_login(superuser)
    page = client.get(url)
    assert page.status_code == 200
    before = row.stored()
    response = client.post(url, _form_data(page.content.decode(), **row.changes()))
    assert response.status_code == 200, response.get("Location")
    if row.inline:
        formset = next(
            inline.formset
            for inline in response.context["inline_admin_formsets"]
            if inline.formset.prefix == row.inline
        )
        errors = [form.errors for form in formset.forms if form.errors]
        assert errors == [{row.field: [row.message]}]
    else:
        assert response.context["adminform"].form.errors == {row.field: [row.message]}
    assert row.message in response.content.decode()
    assert row.stored() == before


def test_pending_membership_role_told_next_to_the_role(client, group, superuser):
    """The membership form says it first; the constraint's own words stand behind it."""
    url = _pending(group)
    client.force_login(superuser)
    response = client.post(url, _form_data(client.get(url).content.decode(), role="organizer"))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["role"]
    assert Membership.objects.get(status=MembershipStatus.PENDING).role == "member"


def test_services_full_clean_names_the_field_too(group):
    """Outside the admin (a service's full_clean), the same words on the same field."""
    VenueFactory(name="The Commons")
    with pytest.raises(ValidationError) as refused:
        services.venue_save(venue=Venue(name="THE COMMONS", address="1 Other Street"))
    assert refused.value.message_dict == {
        "name": [
            "There is already a venue with this name: choose it for the event, or name this "
            "one differently."
        ]
    }
    assert Venue.objects.count() == 1
