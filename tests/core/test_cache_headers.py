"""Personal responses say `Cache-Control: private, no-store` (core.middleware.
PersonalPagesNoStoreMiddleware); public pages for visitors keep their own caching headers."""

import pytest

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def public_event(group):
    return EventFactory(group=group, title="Another evening")


# (who, address) -> the Cache-Control every answer must carry.
PERSONAL = [
    ("member", "/me/"),
    ("member", "/members/"),
    ("member", "event"),
    ("member", "public_event"),
    ("member", "/"),
    ("member", "/events/"),
    ("organizer", "/me/"),
    ("organizer", "/admin/"),
    ("anyone", "personal_feed"),
]


def _address(name, member, event, public_event):
    return {
        "event": event.get_absolute_url(),
        "public_event": public_event.get_absolute_url(),
        "personal_feed": f"/calendar/{member.calendar_token}.ics",
    }.get(name, name)


@pytest.mark.parametrize(("who", "name"), PERSONAL)
def test_personal_responses_are_private_and_not_stored(
    client, member, organizer, event, public_event, who, name
):
    if who != "anyone":
        client.force_login({"member": member, "organizer": organizer}[who])
    response = client.get(_address(name, member, event, public_event))
    assert response.status_code in (200, 302), response.status_code
    if name == "/admin/":  # Django's never_cache says more, and as much
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    else:
        assert response["Cache-Control"] == NO_STORE


def test_a_conditional_request_on_the_personal_feed_is_not_stored_either(client, member):
    url = f"/calendar/{member.calendar_token}.ics"
    etag = client.get(url)["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert (again.status_code, again["Cache-Control"]) == (304, NO_STORE)


@pytest.mark.parametrize(
    ("url", "cache_control"),
    [
        ("/", None),
        ("/events/", None),
        ("public_event", None),
        ("/photos/", None),
        ("/calendar.ics", "public, max-age=300"),
    ],
)
def test_public_pages_for_visitors_keep_their_caching_headers(
    client, member, event, public_event, url, cache_control
):
    response = client.get(_address(url, member, event, public_event))
    assert response.status_code == 200
    assert response.get("Cache-Control") == cache_control


def test_the_group_feed_stays_public_for_a_signed_in_member(client, member):
    client.force_login(member)
    assert client.get("/calendar.ics")["Cache-Control"] == "public, max-age=300"
