"""The admin home: "What needs you" (each line leading to the action), the next events and
a new group's first steps; its query count does not grow with the data."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.core.admin_home import fill
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _links(page: str) -> list[tuple[str, str]]:
    panel = page.split('id="potluck-waiting-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', panel)


def test_admin_home_says_calmly_when_nothing_waits(client, group, organizer):
    client.force_login(organizer)
    page = client.get("/admin/").content.decode()
    assert _links(page) == []
    assert "Nothing is waiting for you" in page
    assert "No published event is coming up." in page
    assert 'id="content-main"' in page  # Django's app list stays below


def test_admin_home_lists_what_waits_with_links_to_act(client, group, organizer):
    events = fill(group, organizer, n=2)["events"]
    client.force_login(organizer)
    page = client.get("/admin/").content.decode()
    assert _links(page) == [
        ("/admin/groups/membership/?status__exact=pending", "2 join requests waiting"),
        ("/admin/photos/photo/?status__exact=pending", "2 photos waiting for review"),
        ("/admin/photos/takedownrequest/?status__exact=open", "2 takedown requests waiting"),
        ("/admin/conversation/report/?status__exact=open", "2 reports waiting"),
        ("/admin/core/email/?state__exact=failed", "2 emails failed"),
        ("/admin/api/webhookdelivery/?state__in=retrying,failed", "2 webhook deliveries failing"),
    ]
    for url, _text in _links(page):
        listing = client.get(url.replace("&amp;", "&"))
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == 2
    assert f'href="/events/{events[0].slug}/attendees/"' in page
    assert "2 of 30" in page


def test_admin_home_query_count_does_not_grow_with_data(
    client, group, organizer, django_assert_num_queries
):
    fill(group, organizer, n=1)
    client.force_login(organizer)
    client.get("/admin/")  # sessions and permissions warmed the same way each time
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/")
    # Session, user, group, second factor, permissions (2), role; the steps (2); the nine
    # counts (acts waiting for a second organizer, replies from the fediverse waiting, failed
    # fediverse deliveries and failing webhooks among them); the next events; Django's
    # recent actions.
    assert len(one) == 20
    fill(group, organizer, n=3)
    with django_assert_num_queries(len(one)):
        client.get("/admin/")


def test_first_steps_show_until_done(client, group, organizer):
    from events.models import Event

    group.tagline = ""
    group.save()
    client.force_login(organizer)
    page = client.get("/admin/").content.decode()
    assert "First steps" in page
    steps = page.split('id="potluck-steps-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<li class="(\w+)">', steps) == ["todo", "todo", "todo", "todo"]
    assert f'href="/admin/groups/group/{group.pk}/change/"' in steps
    assert 'href="/admin/events/event/add/"' in steps
    group.tagline = "Cooperatives, every month"
    group.cover_image = "group/cover.jpg"
    group.save()
    MembershipFactory(group=group, role="co_organizer")
    from tests.factories import EventFactory

    EventFactory(group=group)
    assert Event.objects.count() == 1
    assert "First steps" not in client.get("/admin/").content.decode()


def test_admin_home_in_spanish(client, group, organizer, settings):
    fill(group, organizer, n=2)
    organizer.language = "es"
    organizer.save()
    client.force_login(organizer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get("/admin/", headers={"accept-language": "es"}).content.decode()
    assert "Lo que te necesita" in page
    assert [text for _url, text in _links(page)] == [
        "2 solicitudes de ingreso pendientes",
        "2 fotos pendientes de revisión",
        "2 solicitudes de retirada pendientes",
        "2 denuncias pendientes",
        "2 correos fallaron",
        "2 entregas de webhook fallando",
    ]
    assert "2 de 30" in page
