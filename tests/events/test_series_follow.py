"""Following a series: its calendar feed, the members' toggle, one email per new date, and the
follow in the member's data (export, deletion)."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from core.emails.message import unsubscribe_token
from events import services
from events.emails import EventEmail
from events.models import EventStatus, SeriesFollow
from members import services as member_services
from tests.factories import EventFactory, MembershipFactory, SeriesFactory, UserFactory
from tests.outbox import set_up_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def series(group):
    return SeriesFactory(group=group, name="Guest evening", slug="guest-evening")


# --- The series feed ---------------------------------------------------------------------------


def test_series_feed_has_the_series_published_events_only(client, group, series):
    now = timezone.now()
    EventFactory(title="In, upcoming", series=series, starts_at=now + timedelta(days=5))
    EventFactory(title="In, recent", series=series, starts_at=now - timedelta(days=30))
    EventFactory(title="Cancelled", series=series, status=EventStatus.CANCELLED)
    EventFactory(title="Draft", series=series, status=EventStatus.DRAFT)
    EventFactory(title="Too old", series=series, starts_at=now - timedelta(days=400))
    EventFactory(title="Other series", series=SeriesFactory(group=group))
    EventFactory(title="No series")
    response = client.get("/series/GUEST-EVENING/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="guest-evening.ics"'
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == f"{group.name}: Guest evening"
    assert sorted(str(v["SUMMARY"]) for v in calendar.walk("VEVENT")) == [
        "Cancelled",
        "In, recent",
        "In, upcoming",
    ]
    again = client.get(
        "/series/guest-evening/calendar.ics", headers={"if-none-match": response["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/series/nothing/calendar.ics").status_code == 404


def test_series_feed_in_spanish(client, group, series):
    EventFactory(series=series, title_en="Co-ops", title_es="Cooperativas")
    calendar = Calendar.from_ical(client.get("/series/guest-evening/calendar.ics?lang=es").content)
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["Cooperativas"]


def test_series_page_links_its_feed_with_the_subscribe_affordance(client, group, series):
    body = client.get(series.get_absolute_url()).content.decode()
    assert 'href="webcal://127.0.0.1:8000/series/guest-evening/calendar.ics"' in body
    assert 'value="http://127.0.0.1:8000/series/guest-evening/calendar.ics" readonly' in body
    assert "Subscribe in your calendar app" in body


# --- The toggle --------------------------------------------------------------------------------


def test_visitor_is_invited_to_sign_in(client, group, series):
    body = client.get(series.get_absolute_url()).content.decode()
    assert 'href="/accounts/login/?next=/series/guest-evening/"' in body
    assert "Email me when a new date is scheduled" not in body
    response = client.post("/series/guest-evening/follow/", {"follow": "1"})
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/series/guest-evening/follow/",
    )
    assert SeriesFollow.objects.count() == 0


def test_a_signed_in_non_member_cannot_follow(client, group, series):
    outsider = UserFactory()
    client.force_login(outsider)
    assert "Email me when a new date" not in client.get(series.get_absolute_url()).content.decode()
    assert client.post("/series/guest-evening/follow/", {"follow": "1"}).status_code == 403
    assert SeriesFollow.objects.count() == 0


def test_member_follows_and_unfollows(client, group, member, series):
    other = MembershipFactory(group=group).user
    SeriesFollow.objects.create(series=series, member=other)
    client.force_login(member)
    body = client.get(series.get_absolute_url()).content.decode()
    assert (
        '<button type="submit" class="button">Email me when a new date is scheduled</button>'
        in body
    )
    assert 'name="csrfmiddlewaretoken"' in body
    assert client.get("/series/guest-evening/follow/").status_code == 405
    response = client.post("/series/guest-evening/follow/", {"follow": "1"}, follow=True)
    assert response.redirect_chain == [("/series/guest-evening/", 302)]
    body = response.content.decode()
    assert "Done: we will email you when a new date of this series is scheduled." in body
    assert "You follow this series: we email you when a new date is scheduled." in body
    assert "Stop emailing me new dates" in body
    # Twice is still once.
    client.post("/series/guest-evening/follow/", {"follow": "1"})
    assert sorted(SeriesFollow.objects.values_list("member_id", flat=True)) == sorted(
        [member.pk, other.pk]
    )
    client.post("/series/guest-evening/follow/", {"follow": "0"})
    # Only their own follow goes.
    assert list(SeriesFollow.objects.values_list("member_id", flat=True)) == [other.pk]
    body = client.get(series.get_absolute_url()).content.decode()
    assert "Email me when a new date is scheduled" in body


def test_follow_needs_the_csrf_token(group, member, series):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post("/series/guest-evening/follow/", {"follow": "1"}).status_code == 403
    assert SeriesFollow.objects.count() == 0


# --- The email ---------------------------------------------------------------------------------


def _sent() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_publishing_a_date_emails_each_follower_once(group, organizer, series, commit):
    follower = MembershipFactory(group=group).user
    spanish = MembershipFactory(group=group, user=UserFactory(language="es")).user
    member = MembershipFactory(group=group).user
    quiet = MembershipFactory(group=group, user=UserFactory(notify_series=False)).user
    left = UserFactory()  # followed, then left the group
    for person in (follower, spanish, quiet, left):
        SeriesFollow.objects.create(series=series, member=person)
    SeriesFollow.objects.create(series=series, member=organizer)  # the one publishing
    draft = EventFactory(
        series=series, status=EventStatus.DRAFT, title_en="Co-ops", title_es="Cooperativas"
    )
    set_up_sent()
    with commit():
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    assert _sent() == sorted(
        [
            (follower.email, "Guest evening: a new date, Co-ops"),
            (spanish.email, "Guest evening: una nueva fecha, Cooperativas"),
            # Members who do not follow, or turned these emails off, hear of it as before.
            (member.email, "New event: Co-ops"),
            (quiet.email, "New event: Co-ops"),
        ]
    )
    message = next(m for m in mail.outbox if m.to == [follower.email])
    assert "a new date of Guest evening, which you follow, is scheduled:" in message.body
    assert "http://127.0.0.1:8000/series/guest-evening/" in message.body
    token = unsubscribe_token(follower, EventEmail.SERIES_DATE)
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/email/unsubscribe/{token}/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A later edit, or publishing it again, tells nobody again.
    mail.outbox.clear()
    draft.refresh_from_db()
    draft.summary = "Updated"
    with commit():
        services.event_save(event=draft, by=organizer, changed_fields=["summary"])
        services.event_set_status(event=draft, status=EventStatus.DRAFT, by=organizer)
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    assert mail.outbox == []


def test_an_event_outside_the_series_is_not_a_new_date(group, organizer, series, commit):
    follower = MembershipFactory(group=group).user
    SeriesFollow.objects.create(series=series, member=follower)
    draft = EventFactory(status=EventStatus.DRAFT, title="Elsewhere")
    set_up_sent()
    with commit():
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    assert _sent() == [(follower.email, "New event: Elsewhere")]


def test_publish_audience_counts_followers_once(group, organizer, series):
    follower = MembershipFactory(group=group).user
    MembershipFactory(group=group)
    SeriesFollow.objects.create(series=series, member=follower)
    draft = EventFactory(series=series, status=EventStatus.DRAFT)
    assert services.event_publish_audience(event=draft, by=organizer) == 2


def test_unsubscribe_turns_off_series_emails_only(client, group):
    member = UserFactory()
    url = f"/email/unsubscribe/{unsubscribe_token(member, EventEmail.SERIES_DATE)}/"
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    member.refresh_from_db()
    assert (member.notify_series, member.notify_new_events) == (False, True)


# --- The member's data -------------------------------------------------------------------------


def test_export_has_the_follows_and_deletion_removes_them(group, member, series):
    other_series = SeriesFactory(group=group, name="Book club")
    SeriesFollow.objects.create(series=series, member=member)
    SeriesFollow.objects.create(series=other_series, member=member)
    someone = MembershipFactory(group=group).user
    SeriesFollow.objects.create(series=series, member=someone)
    archive = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member)))
    data = json.loads(archive.read("data.json"))
    assert [f["series"] for f in data["notifications"]["series_followed"]] == [
        "Guest evening",
        "Book club",
    ]
    assert data["notifications"]["notify_series"] is True
    readme = archive.read("README.txt").decode()
    assert re.search(r"series_followed: Series followed\.", readme)
    member_services.member_delete(member=member)
    assert list(SeriesFollow.objects.values_list("member_id", flat=True)) == [someone.pk]
