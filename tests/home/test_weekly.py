"""The weekly email: only what the member may see, in their language, once a week, never
when nothing happened, never to whoever did not ask for it (home/weekly.py)."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.emails.outbox import outbox_drain
from core.models import Email
from decisions.models import Poll, Proposal, ProposalKind, Voters
from events.models import RSVP, RSVPStatus
from groups.models import Membership
from home import weekly
from home.models import WeeklyEmail
from members import services as member_services
from photos.models import Album, Photo, PhotoStatus, Visibility
from tests.factories import EventFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Wednesday noon in New York (the group's zone): the week began on Monday the 7th at 08:00.
WEDNESDAY = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _wednesday():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what a transaction would run on commit (the worker's drain): emails are sent."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _member(group, **preferences):
    return MembershipFactory(group=group, user=UserFactory(**preferences)).user


@pytest.fixture
def reader(group):
    return _member(group, notify_weekly=True, display_name="Wendy Weekly")


@pytest.fixture
def week(group, member):
    """What happened this week, what happened before it, and what a member may not see."""
    now = timezone.now()
    before = now - timedelta(days=8)
    # Events: one announced this week, a draft, one announced last week, one already over.
    EventFactory(title="Soup night", announced_at=now - timedelta(days=1))
    EventFactory(title="Draft night", status="draft")
    EventFactory(title="Old news night", announced_at=before)
    EventFactory(
        title="Over already",
        announced_at=now - timedelta(days=2),
        starts_at=now - timedelta(days=1, hours=3),
    )
    # Discussions: one started this week, one hidden by an organizer, one from last week.
    ThreadFactory(title="Who brings bread?", author=member)
    ThreadFactory(title="Hidden thread", author=member, hidden_at=now)
    ThreadFactory(title="Last week's thread", author=member, created_at=before)
    Proposal.objects.create(
        group=group, kind=ProposalKind.TOPIC, title="Talk about seed libraries", author=member
    )
    Poll.objects.create(
        group=group,
        question="Which Friday?",
        opens_at=now - timedelta(hours=3),
        closes_at=now + timedelta(days=2),
    )
    # An evening two days ago: photos in its members-only album; another evening's too.
    went = EventFactory(title="Pie evening", announced_at=before, starts_at=now - timedelta(days=2))
    missed = EventFactory(
        title="Tea evening", announced_at=before, starts_at=now - timedelta(days=3)
    )
    albums = {}
    for event in (went, missed):
        albums[event.title] = Album.objects.create(
            group=group, event=event, title=event.title, visibility=Visibility.MEMBERS
        )
        for name in ("a", "b"):
            Photo.objects.create(album=albums[event.title], image=f"photos/{event.pk}{name}.jpg")
    Photo.objects.create(
        album=albums["Pie evening"], image="photos/hidden.jpg", status=PhotoStatus.HIDDEN
    )
    return {"went": went, "missed": missed}


def _went(member, event):
    RSVP.objects.create(event=event, member=member, status=RSVPStatus.GOING)


def test_weekly_lists_what_the_member_may_see(client, group, reader, week, commit):
    _went(reader, week["went"])
    with commit():
        assert weekly.weeklies_send() == 1
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert message.subject == f"{group.name}: this week in the group"
    body = message.body
    for shown in (
        "Soup night",
        "Who brings bread?",
        "Talk about seed libraries (Topic)",
        "Which Friday?",
        "Pie evening (2 new photos)",
    ):
        assert shown in body, shown
    for hidden in (
        "Draft night",
        "Old news night",
        "Over already",
        "Hidden thread",
        "Last week's thread",
        "Tea evening",  # photos of an evening the reader did not go to
    ):
        assert hidden not in body, hidden
    html = message.alternatives[0].content
    assert "Pie evening</a> (2 new photos)" in html
    # The existing one-click unsubscribe, which turns exactly this preference off.
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Don't want these emails? Turn them off: {link}" in body
    # What a mail client does with List-Unsubscribe-Post (RFC 8058).
    response = client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    reader.refresh_from_db()
    assert (reader.notify_weekly, reader.notify_new_events) == (False, True)


def test_weekly_not_to_someone_who_is_not_a_member(group, week, commit):
    """A visitor with an account who asked for it (never joined, or left) hears nothing of
    the members' discussions, proposals and polls: nothing at all."""
    outsider = UserFactory(notify_weekly=True)
    with commit():
        assert weekly.weeklies_send() == 0
    assert mail.outbox == []
    assert not WeeklyEmail.objects.filter(member=outsider).exists()


def test_weekly_left_the_group_before_it_was_sent(group, reader, week, commit):
    """Queued for a member who left before the worker rendered it: dropped unsent."""
    weekly.weeklies_send()  # queued; not yet sent (no commit callbacks run)
    Membership.objects.filter(user=reader).delete()
    outbox_drain()
    assert mail.outbox == []


def test_weekly_in_spanish_in_the_members_zone(group, reader, week, commit):
    reader.language = "es"
    reader.time_zone = "Europe/Madrid"
    reader.save()
    with commit():
        assert weekly.weeklies_send() == 1
    [message] = mail.outbox
    assert message.subject == f"{group.name}: esta semana en el grupo"
    assert "Hola Wendy Weekly, esto es lo que pasó en" in message.body
    assert "Eventos nuevos" in message.body
    assert "Votaciones abiertas" in message.body
    assert "New events" not in message.body
    # Soup night starts at 12:00 in New York: 18:00 on the reader's own clock, beside it.
    assert "18:00–20:00" in message.body and "Madrid" in message.body


def test_weekly_nothing_new_sends_nothing_and_counts_the_week(group, reader, commit):
    ThreadFactory(title="Last week's thread", created_at=timezone.now() - timedelta(days=8))
    with commit():
        assert weekly.weeklies_send() == 0
    assert mail.outbox == []
    [row] = WeeklyEmail.objects.filter(member=reader)
    assert (row.week.isoformat(), row.emailed) == ("2026-12-07", False)


def test_weekly_open_poll_alone_is_not_news(group, reader, commit):
    now = timezone.now()
    Poll.objects.create(
        group=group,
        question="Old poll",
        opens_at=now - timedelta(days=9),
        closes_at=now + timedelta(days=1),
    )
    with commit():
        assert weekly.weeklies_send() == 0
    assert mail.outbox == []


def test_weekly_once_a_week_then_only_what_is_newer(group, member, reader, week, commit):
    with commit():
        assert weekly.weeklies_send() == 1
        assert weekly.weeklies_send() == 0  # the same week: nothing more
    with time_machine.travel(WEDNESDAY + timedelta(days=2), tick=False), commit():
        ThreadFactory(title="Friday thread", author=member)
        assert weekly.weeklies_send() == 0  # still the same week (Monday to Monday)
    assert len(mail.outbox) == 1
    # The next Monday at 08:00 in New York: the week since the last email, nothing before it.
    monday = datetime(2026, 12, 14, 13, 0, tzinfo=UTC)
    with time_machine.travel(monday - timedelta(minutes=1), tick=False), commit():
        assert weekly.weeklies_send() == 0
    with time_machine.travel(monday, tick=False), commit():
        assert weekly.weeklies_send() == 1
    assert len(mail.outbox) == 2
    assert "Friday thread" in mail.outbox[1].body
    assert "Who brings bread?" not in mail.outbox[1].body
    assert list(
        WeeklyEmail.objects.filter(member=reader).order_by("week").values_list("week", "emailed")
    ) == [(datetime(2026, 12, 7).date(), True), (datetime(2026, 12, 14).date(), True)]


def test_weekly_a_run_that_died_resends_nothing_and_forgets_nobody(group, reader, week, commit):
    """Killed after it recorded the first member's week (their row and email committed
    together): the next run queues the others, not the first again."""
    others = [_member(group, notify_weekly=True) for _ in range(2)]
    WeeklyEmail.objects.create(
        member=reader, week=weekly.member_week(timezone.now(), group.zone), until=timezone.now()
    )
    with commit():
        assert weekly.weeklies_send() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in others)


def test_weekly_preference_off_sends_nothing(group, member, week, commit):
    with commit():
        assert weekly.weeklies_send() == 0
    assert (mail.outbox, Email.objects.filter(kind="weekly").count()) == ([], 0)


def test_weekly_off_by_default_and_chosen_on_me(client, group, member):
    assert member.notify_weekly is False
    client.force_login(member)
    page = client.get("/me/notifications/")
    assert b'name="notify_weekly"' in page.content
    form = page.context["notifications_form"]
    data = {"notify_weekly": "on"}
    for name in form.fields:
        value = form.initial.get(name)
        if name != "notify_weekly" and value not in (None, False, ""):
            data[name] = "on" if value is True else value
    client.post("/me/notifications/", data)
    member.refresh_from_db()
    assert member.notify_weekly is True
    export = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member)))
    assert json.loads(export.read("data.json"))["notifications"]["notify_weekly"] is True


def test_weekly_attendee_poll_only_to_those_going(group, reader, week, commit):
    now = timezone.now()
    soup = EventFactory(title="Soup two", announced_at=now - timedelta(days=9))
    Poll.objects.create(
        group=group,
        question="Which dessert at the soup night?",
        voters=Voters.ATTENDEES,
        event=soup,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    goer = _member(group, notify_weekly=True)
    _went(goer, soup)
    with commit():
        assert weekly.weeklies_send() == 2
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Which dessert" not in bodies[reader.email]
    assert "Which dessert" in bodies[goer.email]


def test_weekly_a_member_who_moves_west_gets_no_second_email(group, member, reader, commit):
    """Monday 09:00 in Tokyo is Sunday evening in New York, whose week began a week earlier:
    the week already told of is not told again."""
    reader.time_zone = "Asia/Tokyo"
    reader.save()
    monday_in_tokyo = datetime(2026, 12, 14, 0, 0, tzinfo=UTC)
    with time_machine.travel(monday_in_tokyo, tick=False), commit():
        ThreadFactory(title="Sunday thread", author=member)
        assert weekly.weeklies_send() == 1
    reader.time_zone = "America/New_York"
    reader.save()
    for moment in (monday_in_tokyo + timedelta(hours=1), datetime(2026, 12, 14, 13, tzinfo=UTC)):
        with time_machine.travel(moment, tick=False), commit():
            ThreadFactory(title="Monday thread", author=member)
            assert weekly.weeklies_send() == 0
    with time_machine.travel(datetime(2026, 12, 21, 13, tzinfo=UTC), tick=False), commit():
        assert weekly.weeklies_send() == 1
    assert [m.to for m in mail.outbox] == [[reader.email]] * 2
    assert "Monday thread" in mail.outbox[1].body
