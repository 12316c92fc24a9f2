"""Who may see what through the API and the webhooks' admin: role × URL × method → status.

The API is anonymous by construction: every role gets a visitor's answer (an organizer's
session opens no draft there), and it only reads. The webhooks' admin is the organizers'."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import Webhook, WebhookDelivery
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    SpeakerFactory,
    UserFactory,
    organizer_for,
)
from tests.worlds import built_once, fresh_copy

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "member", "other", "organizer"]  # other: signed in, not a member
METHODS = ("get", "head", "post", "put", "delete")
URLS = {
    "root": lambda o: "/api/",
    "events": lambda o: "/api/events/",
    "past": lambda o: "/api/events/?when=past",
    "published": lambda o: f"/api/events/{o['published'].slug}/",
    "published_id": lambda o: f"/api/events/{o['published'].pk}/",
    "cancelled": lambda o: f"/api/events/{o['cancelled'].slug}/",
    "ended": lambda o: f"/api/events/{o['ended'].slug}/",
    "draft": lambda o: f"/api/events/{o['draft'].slug}/",
    "draft_id": lambda o: f"/api/events/{o['draft'].pk}/",
    "missing": lambda o: "/api/events/no-such-event/",
    "series": lambda o: "/api/series/",
    "speakers": lambda o: "/api/speakers/",
    "openapi": lambda o: "/api/openapi.json",
}
NOT_FOUND = {"draft", "draft_id", "missing"}
TABLE = [
    (
        role,
        name,
        method,
        (404 if name in NOT_FOUND else 200) if method in ("get", "head") else 405,
    )
    for role in ROLES
    for name in URLS
    for method in METHODS
]


def _build_api():
    group = GroupFactory()
    organizer = organizer_for(group)
    objects = {
        "published": EventFactory(starts_at=timezone.now() + timedelta(days=3)),
        "cancelled": EventFactory(status="cancelled"),
        "ended": EventFactory(starts_at=timezone.now() - timedelta(days=3)),
        "draft": EventFactory(status="draft"),
        "series": SeriesFactory(group=group),
        "speaker": SpeakerFactory(),
    }
    return {"group": group, "organizer": organizer, "objects": objects}


def _build_admin():
    group = GroupFactory()
    organizer = organizer_for(group)
    event = EventFactory()
    hook = Webhook.objects.create(url="https://93.184.215.14/", changes=["event.published"])
    delivery = WebhookDelivery.objects.create(
        webhook=hook, change="event.published", event=event, occurred_at=timezone.now()
    )
    return {
        "group": group,
        "organizer": organizer,
        "objects": {"webhook": hook, "delivery": delivery},
    }


def _sign_in(client, group, organizer, role):
    if role == "member":
        client.force_login(MembershipFactory(group=group).user)
    elif role == "other":
        client.force_login(UserFactory())
    elif role == "organizer":
        client.force_login(organizer)


@pytest.fixture(scope="class")
def api_built(django_db_setup, django_db_blocker):
    """The API table's events, built once for its rows (tests/worlds.py; class-scoped, so the
    admin table's rows stay its own, as before); each row still starts from them as built."""
    yield from built_once(django_db_blocker, _build_api)


@pytest.fixture
def api_rows(api_built, db):
    return fresh_copy(api_built)


class TestApi:
    @pytest.mark.parametrize(("role", "name", "method", "expected"), TABLE)
    def test_api_access(self, client, api_rows, role, name, method, expected):
        _sign_in(client, api_rows["group"], api_rows["organizer"], role)
        response = getattr(client, method)(URLS[name](api_rows["objects"]))
        assert response.status_code == expected


ADMIN_URLS = {
    "webhooks": lambda o: "/admin/api/webhook/",
    "webhook_add": lambda o: "/admin/api/webhook/add/",
    "webhook": lambda o: f"/admin/api/webhook/{o['webhook'].pk}/change/",
    "deliveries": lambda o: "/admin/api/webhookdelivery/",
    "delivery": lambda o: f"/admin/api/webhookdelivery/{o['delivery'].pk}/change/",
    "delivery_add": lambda o: "/admin/api/webhookdelivery/add/",
    "delivery_delete": lambda o: f"/admin/api/webhookdelivery/{o['delivery'].pk}/delete/",
}
# The admin sends whoever is not staff to its login; organizers read deliveries, never
# write or remove one.
ADMIN_EXPECTED = {"delivery_add": 403, "delivery_delete": 403}
ADMIN_TABLE = [
    (role, name, ADMIN_EXPECTED.get(name, 200) if role == "organizer" else 302)
    for role in ROLES
    for name in ADMIN_URLS
]


@pytest.fixture(scope="class")
def admin_built(django_db_setup, django_db_blocker):
    """The admin table's webhook and delivery, built once for its rows (tests/worlds.py)."""
    yield from built_once(django_db_blocker, _build_admin)


@pytest.fixture
def admin_rows(admin_built, db):
    return fresh_copy(admin_built)


class TestWebhookAdmin:
    @pytest.mark.parametrize(("role", "name", "expected"), ADMIN_TABLE)
    def test_webhook_admin_access(self, client, admin_rows, role, name, expected):
        _sign_in(client, admin_rows["group"], admin_rows["organizer"], role)
        response = client.get(ADMIN_URLS[name](admin_rows["objects"]))
        assert response.status_code == expected
        if expected == 302:
            assert response["Location"].startswith("/admin/login/")
