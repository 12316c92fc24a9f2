"""Who may see what: role × URL × method → status, for every events URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import EventSpeaker
from tests.factories import EventFactory, SeriesFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "organizer"]
URLS = {
    "upcoming": lambda o: "/events/",
    "past": lambda o: "/events/past/",
    "atom": lambda o: "/events/feed.atom",
    "published": lambda o: o["published"].get_absolute_url(),
    "cancelled": lambda o: o["cancelled"].get_absolute_url(),
    "draft": lambda o: o["draft"].get_absolute_url(),
    "missing": lambda o: "/events/no-such-event/",
    "speaker": lambda o: o["speaker"].get_absolute_url(),
    "series": lambda o: o["series"].get_absolute_url(),
    "sitemap": lambda o: "/sitemap.xml",
}
# Every page is read-only: GET and HEAD answer, anything else is 405.
EXPECTED_GET = {
    ("draft", "anonymous"): 404,
    ("draft", "member"): 404,
    ("missing", "anonymous"): 404,
    ("missing", "member"): 404,
    ("missing", "organizer"): 404,
}
TABLE = [
    (role, name, method, EXPECTED_GET.get((name, role), 200) if method in ("get", "head") else 405)
    for role in ROLES
    for name in URLS
    for method in ("get", "head", "post", "put", "delete")
]


@pytest.fixture
def objects(group):
    speaker = SpeakerFactory()
    published = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    EventSpeaker.objects.create(event=published, speaker=speaker)
    return {
        "published": published,
        "cancelled": EventFactory(status="cancelled"),
        "draft": EventFactory(status="draft"),
        "speaker": speaker,
        "series": SeriesFactory(group=group),
    }


@pytest.mark.parametrize(("role", "name", "method", "expected"), TABLE)
def test_events_access(client, group, organizer, objects, role, name, method, expected):
    if role == "member":
        client.force_login(UserFactory())
    elif role == "organizer":
        client.force_login(organizer)
    response = getattr(client, method)(URLS[name](objects))
    assert response.status_code == expected
