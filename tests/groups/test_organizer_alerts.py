"""Organizers hear of a request to join, a report and a takedown request: at once (the
default), in one daily digest, or never, as each chose on /me/; nobody else is told."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conversation.services import report_file
from core import generations
from core.emails.outbox import outbox_drain
from groups.alerts import digested_prune, organizer_digests_send
from groups.models import AlertChoice, Group, OrganizerAlert, Role
from groups.services import membership_request
from photos.models import Album, Photo, TakedownRequest
from photos.services import photo_request_takedown
from tests.factories import CommentFactory, EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(group):
    group.join_needs_approval = True
    group.save()
    return group


@pytest.fixture
def co_organizer(group):
    return MembershipFactory(group=group, role=Role.CO_ORGANIZER).user


def _sent() -> dict[str, list[str]]:
    """Who got what: {address: [subject, ...]}, the outbox sent first."""
    outbox_drain()
    got: dict[str, list[str]] = {}
    for message in mail.outbox:
        for address in message.to:
            got.setdefault(address, []).append(message.subject)
    mail.outbox.clear()
    return got


def _report(group):
    author = MembershipFactory(group=group, role=Role.MEMBER).user
    reporter = MembershipFactory(group=group, role=Role.MEMBER).user
    comment = CommentFactory(event=EventFactory(group=group), author=author)
    return report_file(item=comment, by=reporter, reason="spam", details="my secret reason")


def test_a_join_request_emails_the_organizers_only(approval, organizer, co_organizer, member):
    _sent()
    membership = membership_request(
        group=approval, user=UserFactory(display_name="Wanda"), answers={}
    )
    outbox_drain()
    [body] = {m.body for m in mail.outbox}
    assert "Wanda asks to join the group." in body
    assert f"/admin/groups/membership/{membership.pk}/change/" in body
    subject = f"[{approval.name}] A request to join"
    assert _sent() == {organizer.email: [subject], co_organizer.email: [subject]}


def test_an_open_report_emails_the_organizers_without_what_the_email_should_not_say(
    group, organizer, member
):
    _sent()
    report = _report(group)
    outbox_drain()
    [message] = [m for m in mail.outbox if m.to == [organizer.email]]
    assert [m.to for m in mail.outbox] == [[organizer.email]]
    assert "Spam" in message.body
    assert f"/admin/conversation/report/{report.pk}/change/" in message.body
    assert "my secret reason" not in message.body
    assert report.by.display_name not in message.body
    # Reporting the same item again tells no one twice.
    mail.outbox.clear()
    report_file(item=report.comment, by=report.by, reason="spam")
    assert _sent() == {}


def test_a_takedown_request_emails_the_organizers(group, organizer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    album = Album.objects.create(group=group, title="Picnic", created_by=organizer)
    photo = Photo.objects.create(album=album, image="photos/a.jpg")
    stranger = UserFactory()  # not a member: their word alone does not hide it
    _sent()
    photo_request_takedown(photo=photo, member=stranger)
    [takedown] = TakedownRequest.objects.all()
    outbox_drain()
    [message] = mail.outbox
    assert message.to == [organizer.email]
    assert "“Picnic”" in message.body
    assert f"/admin/photos/takedownrequest/{takedown.pk}/change/" in message.body


@pytest.mark.parametrize(
    ("choice", "at_once", "in_digest"),
    [(AlertChoice.AT_ONCE, 1, 0), (AlertChoice.DIGEST, 0, 1), (AlertChoice.NEVER, 0, 0)],
)
def test_each_organizer_choice_is_honoured(approval, organizer, choice, at_once, in_digest):
    organizer.organizer_alerts = choice
    organizer.save()
    _sent()
    membership_request(group=approval, user=UserFactory(display_name="Wanda"), answers={})
    assert len(_sent().get(organizer.email, [])) == at_once
    assert organizer_digests_send(now=timezone.now() + timedelta(days=1, minutes=1)) == in_digest
    assert len(_sent().get(organizer.email, [])) == in_digest


def test_the_digest_lists_everything_since_the_last_once(approval, organizer):
    organizer.organizer_alerts = AlertChoice.DIGEST
    organizer.save()
    start = timezone.now()
    _sent()
    membership_request(group=approval, user=UserFactory(display_name="Wanda"), answers={})
    _report(approval)
    assert _sent() == {}
    # Not a day old yet: nothing goes out; once it is, one digest lists both.
    assert organizer_digests_send(now=start + timedelta(hours=23)) == 0
    later = start + timedelta(days=1, minutes=1)
    assert organizer_digests_send(now=later) == 1
    outbox_drain()
    [digest] = mail.outbox
    assert digest.subject == f"[{approval.name}] Today's digest for organizers"
    assert "Wanda asks to join the group." in digest.body
    assert "Spam" in digest.body
    mail.outbox.clear()
    # Sent once: the next runs find nothing new.
    assert organizer_digests_send(now=later) == 0
    assert organizer_digests_send(now=later + timedelta(days=2)) == 0
    assert _sent() == {}
    assert OrganizerAlert.objects.filter(digested_at__isnull=True).count() == 0
    # What arrives after it goes in the next one.
    membership_request(group=approval, user=UserFactory(display_name="Xia"), answers={})
    assert organizer_digests_send(now=later + timedelta(days=2)) == 1
    outbox_drain()
    [digest] = mail.outbox
    assert "Xia asks to join" in digest.body
    assert "Wanda" not in digest.body
    # A week after, what the digests listed is gone; what waits stays.
    membership_request(group=approval, user=UserFactory(display_name="Yara"), answers={})
    assert digested_prune(now=later + timedelta(days=10)) == 3
    assert list(OrganizerAlert.objects.values_list("digested_at", flat=True)) == [None]


def test_an_organizer_no_longer_one_is_not_told(approval, organizer):
    organizer.organizer_alerts = AlertChoice.DIGEST
    organizer.save()
    membership_request(group=approval, user=UserFactory(), answers={})
    generations.update(approval.memberships.filter(user=organizer), role=Role.MEMBER)
    assert Group.objects.count() == 1
    organizer_digests_send(now=timezone.now() + timedelta(days=2))
    assert _sent() == {}


def test_organizers_choose_on_their_page_and_members_are_not_asked(client, organizer, member):
    client.force_login(member)
    assert "organizer_alerts" not in client.get("/me/notifications/").content.decode()
    client.force_login(organizer)
    page = client.get("/me/notifications/").content.decode()
    assert 'name="organizer_alerts" value="at_once"' in page
    data = {"language": "", "organizer_alerts": "daily"}
    assert client.post("/me/notifications/", data).status_code == 302
    organizer.refresh_from_db()
    assert organizer.organizer_alerts == AlertChoice.DIGEST
    refused = client.post("/me/notifications/", {**data, "organizer_alerts": "hourly"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
