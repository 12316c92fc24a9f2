"""Scheduling a series' next dates: copies of its latest event at the same local time, each
date once, as drafts or published and announced."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from core.models import Email
from events import services
from events.emails import EventEmail
from events.models import (
    AgendaItem,
    Breakout,
    Event,
    EventSpeaker,
    EventStatus,
    Recurrence,
    SpeakerRole,
)
from tests.events.test_query_counts import _queries
from tests.factories import (
    EventFactory,
    MembershipFactory,
    SeriesFactory,
    SpeakerFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _series_event(series, starts_at, **kwargs):
    return EventFactory(
        group=series.group,
        series=series,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        **kwargs,
    )


def _local_starts(events):
    return [(e.starts_at.astimezone(NY).date(), e.starts_at.astimezone(NY).time()) for e in events]


def test_monthly_dates_keep_7_pm_across_both_dst_changes(group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    _series_event(series, datetime(2026, 10, 13, 19, 0, tzinfo=NY))  # the 2nd Tuesday
    now = datetime(2026, 10, 14, 12, 0, tzinfo=NY)

    created = services.series_schedule(series=series, count=6, by=organizer, now=now)

    assert _local_starts(created) == [
        (date(2026, 11, 10), time(19, 0)),  # after 2026-11-01: EST
        (date(2026, 12, 8), time(19, 0)),
        (date(2027, 1, 12), time(19, 0)),
        (date(2027, 2, 9), time(19, 0)),
        (date(2027, 3, 9), time(19, 0)),  # before 2027-03-14: still EST
        (date(2027, 4, 13), time(19, 0)),  # after it: EDT
    ]
    stored = list(Event.objects.filter(pk__in=[e.pk for e in created]).order_by("starts_at"))
    # In UTC the evening moves by the hour the clocks moved.
    assert [e.starts_at.astimezone(ZoneInfo("UTC")).time() for e in stored] == [
        time(0, 0),
        time(0, 0),
        time(0, 0),
        time(0, 0),
        time(0, 0),
        time(23, 0),
    ]
    assert [e.ends_at.astimezone(NY).time() for e in stored] == [time(21, 0)] * 6
    assert [e.slug for e in stored] == [
        f"{series.slug}-2026-11-10",
        f"{series.slug}-2026-12-08",
        f"{series.slug}-2027-01-12",
        f"{series.slug}-2027-02-09",
        f"{series.slug}-2027-03-09",
        f"{series.slug}-2027-04-13",
    ]


def test_weekly_dates_keep_their_time_across_the_spring_change(group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.WEEKLY)
    _series_event(series, datetime(2026, 10, 20, 19, 0, tzinfo=NY))
    _series_event(series, datetime(2027, 3, 2, 19, 0, tzinfo=NY))
    now = datetime(2027, 3, 3, 9, 0, tzinfo=NY)

    created = services.series_schedule(series=series, count=3, by=organizer, now=now)

    assert _local_starts(created) == [
        (date(2027, 3, 9), time(19, 0)),
        (date(2027, 3, 16), time(19, 0)),
        (date(2027, 3, 23), time(19, 0)),
    ]
    assert [e.ends_at - e.starts_at for e in created] == [timedelta(hours=2)] * 3


def test_weekly_dates_keep_their_time_across_the_autumn_change(group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.BIWEEKLY)
    _series_event(series, datetime(2026, 10, 21, 18, 30, tzinfo=NY))
    now = datetime(2026, 10, 22, 9, 0, tzinfo=NY)

    created = services.series_schedule(series=series, count=2, by=organizer, now=now)

    assert _local_starts(created) == [
        (date(2026, 11, 4), time(18, 30)),
        (date(2026, 11, 18), time(18, 30)),
    ]


def test_a_second_run_creates_nothing(group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    _series_event(series, datetime(2026, 10, 13, 19, 0, tzinfo=NY))
    now = datetime(2026, 10, 14, 12, 0, tzinfo=NY)
    first = services.series_schedule(series=series, count=4, by=organizer, now=now)

    second = services.series_schedule(series=series, count=4, by=organizer, now=now)
    later = services.series_schedule(series=series, count=4, by=organizer, now=now + timedelta(1))

    assert (len(first), second, later) == (4, [], [])
    assert Event.objects.filter(series=series).count() == 5


def test_a_longer_run_adds_only_the_dates_after_the_scheduled_ones(group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    _series_event(series, datetime(2026, 10, 13, 19, 0, tzinfo=NY))
    now = datetime(2026, 10, 14, 12, 0, tzinfo=NY)
    services.series_schedule(series=series, count=2, by=organizer, now=now)

    created = services.series_schedule(series=series, count=4, by=organizer, now=now)

    assert _local_starts(created) == [
        (date(2027, 1, 12), time(19, 0)),
        (date(2027, 2, 9), time(19, 0)),
    ]


def test_dates_that_have_an_event_are_skipped(group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    _series_event(series, datetime(2026, 10, 13, 19, 0, tzinfo=NY), title="October")
    # Planned by hand at another time, and a date cancelled: both stay as they are.
    _series_event(series, datetime(2026, 12, 8, 18, 0, tzinfo=NY), title="Holiday special")
    _series_event(
        series,
        datetime(2027, 1, 12, 19, 0, tzinfo=NY),
        title="Called off",
        status=EventStatus.CANCELLED,
    )
    # Another series' event on a date of this one does not count.
    _series_event(SeriesFactory(group=group), datetime(2026, 11, 10, 19, 0, tzinfo=NY))
    now = datetime(2026, 10, 14, 12, 0, tzinfo=NY)

    created = services.series_schedule(series=series, count=4, by=organizer, now=now)

    # Copies of the latest event that was not cancelled, at its time of day.
    assert _local_starts(created) == [
        (date(2026, 11, 10), time(18, 0)),
        (date(2027, 2, 9), time(18, 0)),
    ]
    assert [e.title for e in created] == ["Holiday special", "Holiday special"]
    assert list(
        Event.objects.filter(series=series).order_by("starts_at").values_list("title", "status")
    ) == [
        ("October", EventStatus.PUBLISHED),
        ("Holiday special", EventStatus.DRAFT),
        ("Holiday special", EventStatus.PUBLISHED),
        ("Called off", EventStatus.CANCELLED),
        ("Holiday special", EventStatus.DRAFT),
    ]


def test_copies_are_drafts_and_nobody_is_told(group, organizer, commit):
    MembershipFactory(group=group)
    series = SeriesFactory(group=group)
    _series_event(series, datetime(2026, 10, 13, 19, 0, tzinfo=NY))
    with commit():
        created = services.series_schedule(
            series=series, count=3, by=organizer, now=datetime(2026, 10, 14, tzinfo=NY)
        )
    assert [(e.status, e.announced_at) for e in created] == [(EventStatus.DRAFT, None)] * 3
    assert (mail.outbox, Email.objects.count()) == ([], 0)


def test_published_copies_are_announced_once_each(group, organizer, commit):
    members = sorted(MembershipFactory(group=group).user.email for _ in range(2))
    series = SeriesFactory(group=group)
    _series_event(series, timezone.now() - timedelta(days=3), title="Guest evening")
    with commit():
        created = services.series_schedule(series=series, count=2, by=organizer, publish=True)
    with commit():
        assert services.series_schedule(series=series, count=2, by=organizer, publish=True) == []

    stored = list(Event.objects.filter(pk__in=[e.pk for e in created]))
    assert [e.status for e in stored] == [EventStatus.PUBLISHED] * 2
    assert all(e.announced_at is not None for e in stored)
    announced = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert announced == sorted([(email, "New event: Guest evening") for email in members] * 2)
    assert Email.objects.filter(kind=EventEmail.ANNOUNCEMENT, state="sent").count() == 4


def test_copies_take_over_the_latest_event_but_not_its_guests(group, organizer, media):
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    _series_event(series, datetime(2026, 9, 8, 19, 0, tzinfo=NY), title="September")
    starts_at = datetime(2026, 10, 13, 19, 0, tzinfo=NY)
    cover = default_storage.save("events/cover.jpg", ContentFile(b"jpeg"))
    latest = _series_event(
        series,
        starts_at,
        title="Guest evening",
        summary="Who owns the app?",
        description="We talk about **ownership**.",
        venue=VenueFactory(),
        capacity=30,
        max_guests=2,
        rsvp_opens_at=starts_at - timedelta(days=14),
        rsvp_closes_at=starts_at - timedelta(hours=3),
        rsvp_question="What would you like to discuss?",
        address_for_attendees_only=True,
        cover_image=cover,
    )
    host = UserFactory()
    latest.hosts.add(host)
    guest, moderator = SpeakerFactory(), SpeakerFactory()
    EventSpeaker.objects.create(event=latest, speaker=guest, role=SpeakerRole.GUEST, order=1)
    EventSpeaker.objects.create(
        event=latest, speaker=moderator, role=SpeakerRole.MODERATOR, order=2
    )
    AgendaItem.objects.create(event=latest, order=1, time=time(19, 0), title="Hi", kind="welcome")
    AgendaItem.objects.create(event=latest, order=2, time=time(19, 15), title="Talk", kind="qa")
    Breakout.objects.create(
        event=latest,
        order=1,
        topic="Pay",
        prompt="How?",
        facilitator_name="Ana",
        capacity=8,
        notes="We agreed.",
        notes_published=True,
    )

    [copy] = services.series_schedule(
        series=series, count=1, by=organizer, now=datetime(2026, 10, 14, tzinfo=NY)
    )

    copy.refresh_from_db()
    assert copy.starts_at == datetime(2026, 11, 10, 19, 0, tzinfo=NY)
    fields = [
        "title",
        "summary",
        "description",
        "venue_id",
        "capacity",
        "max_guests",
        "rsvp_question",
        "address_for_attendees_only",
        "group_id",
        "series_id",
    ]
    assert [getattr(copy, f) for f in fields] == [getattr(latest, f) for f in fields]
    # The RSVP window keeps its wall-clock distance from the start across the DST change.
    assert (copy.rsvp_opens_at, copy.rsvp_closes_at) == (
        datetime(2026, 10, 27, 19, 0, tzinfo=NY),
        datetime(2026, 11, 10, 16, 0, tzinfo=NY),
    )
    assert (copy.created_by, copy.updated_by, copy.sequence) == (organizer, organizer, 0)
    assert copy.cover_image.name != cover
    with default_storage.open(copy.cover_image.name) as jpeg:
        assert jpeg.read() == b"jpeg"
    assert list(copy.hosts.all()) == [host]
    assert list(copy.event_speakers.values_list("speaker", "role")) == [
        (moderator.pk, SpeakerRole.MODERATOR)
    ]
    assert list(copy.agenda_items.values_list("title", "time")) == [
        ("Hi", time(19, 0)),
        ("Talk", time(19, 15)),
    ]
    assert list(
        copy.breakouts.values_list("topic", "prompt", "facilitator_name", "capacity", "notes")
    ) == [("Pay", "How?", "Ana", 8, "")]


def test_count_is_limited_and_a_series_needs_an_event(group, organizer):
    series = SeriesFactory(group=group)
    with pytest.raises(ValidationError) as no_event:
        services.series_schedule(series=series, count=3, by=organizer)
    assert no_event.value.code == "no_event"
    _series_event(series, timezone.now())
    for count in (0, 25):
        with pytest.raises(ValidationError) as too_many:
            services.series_schedule(series=series, count=count, by=organizer)
        assert too_many.value.code == "count"
    assert Event.objects.count() == 1


# --- the admin ---------------------------------------------------------------------------


@pytest.fixture
def series(group):
    series = SeriesFactory(group=group, recurrence=Recurrence.WEEKLY)
    _series_event(series, timezone.now() - timedelta(days=2), title="Weekly")
    return series


def _dates(page) -> dict:
    """The preview's rows as posted back unchanged (management form included)."""
    dates = page.context["dates"]
    data = {key: value for key, value in dates.management_form.initial.items()}
    data = {f"dates-{key}": value for key, value in data.items()}
    for index, form in enumerate(dates.forms):
        data[f"dates-{index}-day"] = form.initial["day"].isoformat()
    return data


def test_admin_button_previews_the_dates_then_creates_each_with_its_own_texts(
    client, organizer, series
):
    guest = SpeakerFactory(name="Michaela")
    client.force_login(organizer)
    change = client.get(reverse("admin:events_series_change", args=[series.pk]))
    url = reverse("admin:events_series_schedule", args=[series.pk])
    assert url in change.content.decode()
    assert client.get(url).status_code == 200

    preview = client.post(url, {"count": 3, "publish": "draft"})
    assert preview.status_code == 200
    assert len(preview.context["dates"].forms) == 3
    assert Event.objects.filter(series=series).count() == 1  # nothing saved yet

    rows = _dates(preview)
    rows.update(
        {
            "dates-0-title": "Who owns the app?",
            "dates-0-speaker": guest.pk,
            "dates-0-summary": "A guest on platform co-ops.",
        }
    )
    response = client.post(
        url, {"count": 3, "publish": "draft", "create": "1", **rows}, follow=True
    )

    assert response.redirect_chain == [
        (reverse("admin:events_event_changelist") + f"?series__id__exact={series.pk}", 302)
    ]
    scheduled = Event.objects.filter(series=series, status=EventStatus.DRAFT).order_by("starts_at")
    assert [(e.title_en, e.title_es, e.summary, e.description) for e in scheduled] == [
        ("Who owns the app?", "", "A guest on platform co-ops.", ""),
        ("To be announced", "Por anunciar", "", ""),
        ("To be announced", "Por anunciar", "", ""),
    ]
    assert list(scheduled[0].event_speakers.values_list("speaker", "role")) == [
        (guest.pk, SpeakerRole.GUEST)
    ]
    assert next(str(m) for m in response.context["messages"]).startswith(
        f"Created 3 drafts of “{series.name}”: "
    )


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        (
            {"dates-1-speaker": "999999"},
            {"speaker": ["Select a valid choice. 999999 is not one of the available choices."]},
        ),
        (
            {"dates-1-title": "x" * 201},
            {"title": ["Ensure this value has at most 200 characters (it has 201)."]},
        ),
    ],
)
def test_admin_schedule_bad_row_shows_its_message_and_saves_nothing(
    client, organizer, series, row, errors
):
    client.force_login(organizer)
    url = reverse("admin:events_series_schedule", args=[series.pk])
    preview = client.post(url, {"count": 2, "publish": "draft"})
    response = client.post(
        url, {"count": 2, "publish": "draft", "create": "1", **_dates(preview), **row}
    )
    assert response.status_code == 200
    assert response.context["dates"].errors == [{}, errors]
    assert errors[next(iter(errors))][0] in response.content.decode().replace("&#x27;", "'")
    assert Event.objects.filter(series=series).count() == 1


def test_admin_form_rejects_too_many_dates(client, organizer, series):
    client.force_login(organizer)
    url = reverse("admin:events_series_schedule", args=[series.pk])
    response = client.post(url, {"count": 25, "publish": "draft"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "count": ["Ensure this value is less than or equal to 24."]
    }
    assert Event.objects.filter(series=series).count() == 1


def test_admin_action_asks_then_publishes(client, organizer, series, commit):
    client.force_login(organizer)
    changelist = reverse("admin:events_series_changelist")
    chosen = {"action": "schedule_next_dates", "_selected_action": [series.pk]}

    page = client.post(changelist, chosen)
    assert (page.status_code, Event.objects.count()) == (200, 1)
    assert page.templates[0].name == "admin/events/series/schedule.html"

    with commit():
        done = client.post(
            changelist, {**chosen, "schedule": "1", "count": 2, "publish": "published"}
        )
    assert done.status_code == 302
    assert (
        list(
            Event.objects.filter(series=series)
            .order_by("starts_at")
            .values_list("status", flat=True)
        )
        == [EventStatus.PUBLISHED] * 3
    )
    assert Event.objects.filter(series=series, announced_at__isnull=False).count() == 2


def test_admin_scheduling_is_for_organizers_only(client, member, series):
    url = reverse("admin:events_series_schedule", args=[series.pk])
    changelist = reverse("admin:events_series_changelist")
    form = {"count": 3, "publish": "published"}
    action = {"action": "schedule_next_dates", "_selected_action": [series.pk], "schedule": "1"}

    anonymous = client.post(url, form)
    client.force_login(member)
    as_member = client.post(url, form)
    staff = UserFactory(is_staff=True)  # staff without the organizers' permissions
    client.force_login(staff)
    as_staff = (
        client.get(url),
        client.post(url, form),
        client.post(changelist, {**action, **form}),
    )

    assert [anonymous.status_code, as_member.status_code] == [302, 302]
    assert anonymous.url.startswith(reverse("admin:login"))
    assert [r.status_code for r in as_staff] == [403, 403, 403]
    assert Event.objects.filter(series=series).count() == 1


def test_staff_who_may_view_series_but_not_add_events_cannot_schedule(client, series):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_series"))
    client.force_login(staff)
    url = reverse("admin:events_series_schedule", args=[series.pk])
    change = client.get(reverse("admin:events_series_change", args=[series.pk]))
    assert change.status_code == 200
    assert url not in change.content.decode()
    assert client.post(url, {"count": 3, "publish": "draft"}).status_code == 403
    action = {"action": "schedule_next_dates", "_selected_action": [series.pk]}
    client.post(reverse("admin:events_series_changelist"), {**action, "schedule": "1", "count": 3})
    assert Event.objects.filter(series=series).count() == 1


# --- the series page ---------------------------------------------------------------------


def test_series_page_shows_published_dates_ahead_and_hides_drafts(client, group, member, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.WEEKLY)
    _series_event(series, timezone.now() - timedelta(days=2), title="Weekly")
    drafts = services.series_schedule(series=series, count=2, by=organizer)
    published = services.series_schedule(series=series, count=3, by=organizer, publish=True)
    assert (len(drafts), len(published)) == (2, 1)
    Event.objects.filter(pk=drafts[1].pk).update(title="Secret draft")

    for user in (None, member):
        if user:
            client.force_login(user)
        response = client.get(series.get_absolute_url())
        assert [e.pk for e in response.context["upcoming"]] == [published[0].pk]
        assert "Secret draft" not in response.content.decode()


def test_series_page_queries_do_not_grow_with_scheduled_dates(client, group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.WEEKLY)
    _series_event(series, timezone.now() - timedelta(days=2))
    services.series_schedule(series=series, count=2, by=organizer, publish=True)
    small = _queries(client, series.get_absolute_url())
    services.series_schedule(series=series, count=12, by=organizer, publish=True)
    assert Event.objects.filter(series=series).upcoming().count() == 12
    large = _queries(client, series.get_absolute_url())
    assert (small, large) == (6, 6)


def test_admin_schedule_page_queries_do_not_grow_with_the_series(client, organizer, series):
    url = reverse("admin:events_series_schedule", args=[series.pk])
    client.force_login(organizer)
    client.get(url)  # the admin's first request loads what it caches
    small = _admin_queries(client, url)
    services.series_schedule(series=series, count=12, by=organizer, publish=True)
    assert _admin_queries(client, url) == small


def _admin_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_admin_schedule_refused_by_the_service_says_why_on_the_form(client, group, organizer):
    empty = SeriesFactory(group=group, recurrence=Recurrence.WEEKLY)
    client.force_login(organizer)
    url = reverse("admin:events_series_schedule", args=[empty.pk])
    preview = client.post(url, {"count": 2, "publish": "draft"})
    assert preview.context["dates"].forms == []
    assert "No new date to create" in preview.content.decode()
    response = client.post(url, {"count": 2, "publish": "draft", "create": "1", **_dates(preview)})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"“{empty.name}” has no event to copy yet: create its first event, then schedule."
    ]
    assert not Event.objects.filter(series=empty).exists()
