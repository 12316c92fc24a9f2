from datetime import time, timedelta

import pytest
from django.utils import timezone

from events.models import AgendaItem, EventSpeaker, SpeakerRole
from tests.factories import BreakoutFactory, EventFactory, SpeakerFactory


def build_full_event(**kwargs):
    """An event with 3 guest speakers, 6 agenda items and 4 breakouts."""
    event = EventFactory(**kwargs)
    for order in range(3):
        EventSpeaker.objects.create(
            event=event, speaker=SpeakerFactory(), role=SpeakerRole.GUEST, order=order
        )
    for order in range(6):
        AgendaItem.objects.create(
            event=event,
            order=order,
            time=time(18, 30 + order * 5),
            title=f"Item {order}",
            kind="presentation",
        )
    for order in range(4):
        BreakoutFactory(
            event=event,
            order=order,
            topic=f"Topic {order}",
            prompt="Discuss.",
            notes="**Outcome**",
            notes_published=order % 2 == 0,
        )
    return event


@pytest.fixture
def full_event(group):
    return build_full_event(starts_at=timezone.now() + timedelta(days=10))
