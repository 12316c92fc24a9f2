"""A check-in belongs to one "going": cancelling clears it, a fresh RSVP starts without it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import RSVP, RSVPStatus
from tests.factories import EventFactory, UserFactory
from tests.outbox import set_up_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_in(group):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=5))
    member = UserFactory()
    rsvp = services.rsvp_set(event=event, member=member, going=True)
    services.rsvp_set_checked_in(rsvp=rsvp, checked_in=True)
    assert RSVP.objects.get(pk=rsvp.pk).checked_in_at is not None
    return event, member, rsvp


def test_check_in_cleared_by_cancelling_and_not_back_with_a_new_rsvp(checked_in):
    event, member, rsvp = checked_in
    services.rsvp_cancel(event=event, member=member)
    assert RSVP.objects.values_list("status", "checked_in_at").get(pk=rsvp.pk) == (
        RSVPStatus.NOT_GOING,
        None,
    )
    services.rsvp_set(event=event, member=member, going=True)
    assert RSVP.objects.values_list("status", "checked_in_at").get(pk=rsvp.pk) == (
        RSVPStatus.GOING,
        None,
    )
    assert RSVP.objects.filter(event=event).stats()["checked_in"] == 0


def test_check_in_cleared_by_the_cant_make_it_link(
    client, checked_in, django_capture_on_commit_callbacks
):
    event, member, rsvp = checked_in
    set_up_sent()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send()
    [reminder] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/email/cant-make-it/\S+/)", reminder.body)[1]
    assert client.post(link).status_code == 302
    assert RSVP.objects.values_list("status", "checked_in_at").get(pk=rsvp.pk) == (
        RSVPStatus.NOT_GOING,
        None,
    )
    services.rsvp_set(event=event, member=member, going=True)
    assert RSVP.objects.get(pk=rsvp.pk).checked_in_at is None
