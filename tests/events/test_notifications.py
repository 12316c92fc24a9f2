"""Who gets which email, and who does not; the links in them; nothing for rolled-back work."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone
from icalendar import Calendar

from core.emails.message import unsubscribe_token
from core.models import Email, EmailState
from events import services
from events.emails import EventEmail, cant_make_it_token
from events.models import RSVP, EventStatus, RSVPStatus
from groups.models import Role
from members import services as member_services
from tests.factories import EventFactory, MembershipFactory, UserFactory, VenueFactory
from tests.outbox import set_up_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what a transaction would run on commit, as a real request does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def event(group):
    return EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=5))


def _to(kind_subject: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith(kind_subject))


def test_confirmation_with_ics_matching_the_feed(client, event, commit):
    member = UserFactory()
    with commit():
        services.rsvp_set(event=event, member=member, going=True)
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == f"You're going: {event.title}"
    assert message.alternatives[0][1] == "text/html"
    [(filename, content, mimetype)] = message.attachments
    assert mimetype.startswith("text/calendar")
    assert filename == f"{event.slug}.ics"
    attached = Calendar.from_ical(content).walk("VEVENT")[0]
    feed = Calendar.from_ical(client.get("/calendar.ics").content).walk("VEVENT")[0]
    assert (str(attached["uid"]), attached["sequence"]) == (str(feed["uid"]), feed["sequence"])
    assert "List-Unsubscribe" not in message.extra_headers  # essential email
    assert Email.objects.get().kind == EventEmail.CONFIRMATION


def test_waitlist_then_promotion(event, commit):
    first, second = UserFactory(), UserFactory()
    with commit():
        services.rsvp_set(event=event, member=first, going=True)
        services.rsvp_set(event=event, member=second, going=True)
    waitlisted = [m for m in mail.outbox if m.to == [second.email]]
    assert [m.subject for m in waitlisted] == [f"You're on the waitlist: {event.title}"]
    assert "You're #1 in line." in waitlisted[0].body
    set_up_sent()
    with commit():
        services.rsvp_cancel(event=event, member=first)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([second.email], f"A seat opened up: you're going to {event.title}")
    ]


def test_event_changed_goes_to_going_and_waitlisted_not_others(event, organizer, commit):
    going, waiting, stranger = UserFactory(), UserFactory(), UserFactory()
    services.rsvp_set(event=event, member=going, going=True)
    services.rsvp_set(event=event, member=waiting, going=True)
    services.rsvp_cancel(event=EventFactory(), member=stranger)
    services.rsvp_set(event=event, member=organizer, going=True)  # waitlisted too
    set_up_sent()
    event.venue = VenueFactory(name="The New Hall")
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    with commit():
        services.event_save(event=event, by=organizer, changed_fields=["venue", "starts_at"])
    assert _to("Changed:") == sorted([going.email, waiting.email])  # not the organizer
    body = mail.outbox[0].body
    assert "New place: The New Hall" in body and "New time: " in body


def test_summary_change_sends_nothing(event, organizer, commit):
    services.rsvp_set(event=event, member=UserFactory(), going=True)
    set_up_sent()
    event.summary = "Better words"
    with commit():
        services.event_save(event=event, by=organizer, changed_fields=["summary"])
    assert mail.outbox == []


def test_cancellation(event, organizer, commit):
    going = UserFactory()
    services.rsvp_set(event=event, member=going, going=True)
    set_up_sent()
    with commit():
        services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    assert _to("Cancelled:") == [going.email]


def test_announcement_to_members_who_opted_in(group, organizer, commit):
    yes = MembershipFactory(group=group).user
    no = MembershipFactory(group=group, user=UserFactory(notify_new_events=False)).user
    outsider = UserFactory()  # not a member
    draft = EventFactory(status="draft")
    with commit():
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    assert _to("New event:") == [yes.email]
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<http://127\.0\.0\.1:8000/email/unsubscribe/[^>]+/>",
        message.extra_headers["List-Unsubscribe"],
    )
    assert no.email not in _to("New event:") and outsider.email not in _to("New event:")


def test_organizer_message_to_going_only(event, organizer, commit):
    going = UserFactory()
    opted_out = UserFactory(notify_organizer_messages=False)
    waiting = UserFactory()
    event.capacity = 2
    event.save()
    for user in (going, opted_out, waiting):
        services.rsvp_set(event=event, member=user, going=True)
    set_up_sent()
    with commit():
        count = services.event_message(
            event=event, subject="Bring a mug", body="Tea!", by=organizer
        )
    assert count == 2
    assert [(m.to, m.subject) for m in mail.outbox] == [([going.email], "Bring a mug")]


def test_deleted_accounts_get_nothing(event, organizer, commit, group):
    leaver = UserFactory()
    MembershipFactory(group=group, user=leaver, role=Role.MEMBER)
    services.rsvp_set(event=event, member=leaver, going=True)
    member_services.member_delete(member=leaver)
    set_up_sent()
    with commit():
        services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    assert mail.outbox == []


def test_reminders_once_with_links(group, commit, client):
    event = EventFactory(
        starts_at=timezone.now() + timedelta(hours=10),
        is_online=True,
        online_url="https://meet.example/coop",
        capacity=1,
    )
    member, waiting = UserFactory(), UserFactory()
    services.rsvp_set(event=event, member=member, going=True)
    services.rsvp_set(event=event, member=waiting, going=True)
    far = EventFactory(starts_at=timezone.now() + timedelta(days=5))
    services.rsvp_set(event=far, member=member, going=True)
    set_up_sent()
    with commit():
        assert services.reminders_send() == 1
    with commit():
        assert services.reminders_send() == 0
    [message] = mail.outbox
    assert message.subject == f"Reminder: {event.title}"
    assert "https://meet.example/coop" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://127\.0\.0\.1:8000(/email/cant-make-it/\S+/)", message.body)[1]
    # The link works without logging in: a confirmation page, then the seat is freed.
    page = client.get(link)
    assert page.status_code == 200 and b"Yes, free my seat" in page.content
    assert RSVP.objects.get(member=member, event=event).status == RSVPStatus.GOING
    with commit():
        response = client.post(link)
    assert response.status_code == 302
    assert RSVP.objects.get(member=member, event=event).status == RSVPStatus.NOT_GOING
    assert RSVP.objects.get(member=waiting).status == RSVPStatus.GOING


def test_reminders_respect_the_preference(group, commit):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=3))
    services.rsvp_set(event=event, member=UserFactory(notify_reminders=False), going=True)
    set_up_sent()
    with commit():
        services.reminders_send()
    assert mail.outbox == []


def test_unsubscribe_link_and_one_click(client, group):
    member = UserFactory()
    url = f"/email/unsubscribe/{unsubscribe_token(member, EventEmail.ANNOUNCEMENT)}/"
    assert client.get(url).status_code == 200
    member.refresh_from_db()
    assert member.notify_new_events is True  # a GET (link scanners) changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.notify_new_events, member.notify_reminders) == (False, True)


@pytest.mark.parametrize("mangle", ["tamper", "expire"])
def test_bad_tokens_change_nothing(client, group, event, mangle, monkeypatch):
    member = UserFactory()
    rsvp = services.rsvp_set(event=event, member=member, going=True)
    unsubscribe = unsubscribe_token(member, EventEmail.REMINDER)
    cant = cant_make_it_token(rsvp)
    if mangle == "tamper":
        unsubscribe = unsubscribe[:-3] + ("AAA" if not unsubscribe.endswith("AAA") else "BBB")
        cant = cant.replace(":", ":x", 1)
    else:
        later = timezone.now() + timedelta(days=400)
        monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    assert client.post(f"/email/unsubscribe/{unsubscribe}/").status_code == 400
    assert client.post(f"/email/cant-make-it/{cant}/").status_code == 400
    member.refresh_from_db()
    assert member.notify_reminders is True
    assert RSVP.objects.get(pk=rsvp.pk).status == RSVPStatus.GOING


def test_every_sent_email_is_logged(group, organizer, commit, settings):
    settings.DEFAULT_FROM_EMAIL = "potluck@example.org"
    members = [MembershipFactory(group=group).user for _ in range(3)]
    draft = EventFactory(status="draft")
    with commit():
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    sent = Email.objects.filter(kind=EventEmail.ANNOUNCEMENT, state=EmailState.SENT)
    assert sorted(sent.values_list("address", flat=True)) == sorted(m.email for m in members)
