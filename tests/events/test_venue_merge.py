"""Venues are unique by name (capital letters aside): the admin merges duplicates, and the
migration that brought the rule merged those already there."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Series, Venue
from tests import migrating
from tests.factories import (
    EventFactory,
    GroupFactory,
    SeriesFactory,
    UserFactory,
    VenueFactory,
)

BEFORE = ("events", "0017_event_public_order_index")
AFTER = ("events", "0018_venue_names_unique_and_constraint_messages")


@pytest.fixture
def superuser(group):
    return UserFactory(is_staff=True, is_superuser=True)


def _merge(client, venues, **choice):
    return client.post(
        reverse("admin:events_venue_changelist"),
        {"action": "merge_venues", "_selected_action": [venue.pk for venue in venues], **choice},
    )


@pytest.mark.django_db
def test_merge_keeps_the_oldest_and_moves_every_event(client, group, superuser):
    commons, hall, rooftop, other = (
        VenueFactory(name=name, address=f"1 {name} Street") for name in "ABCD"
    )
    past = EventFactory(venue=hall, starts_at=timezone.now() - timedelta(days=30))
    upcoming = EventFactory(venue=rooftop, starts_at=timezone.now() + timedelta(days=3))
    untouched = EventFactory(venue=other)
    series = SeriesFactory(group=group, default_venue=rooftop)
    client.force_login(superuser)
    page = _merge(client, [rooftop, commons, hall])
    assert page.status_code == 200
    form = page.context["form"]
    assert (form["keep"].initial, [label for _value, label in form.fields["keep"].choices]) == (
        commons.pk,
        [
            "A (1 A Street, New York, NY): 0 events",
            "B (1 B Street, New York, NY): 1 event",
            "C (1 C Street, New York, NY): 1 event",
        ],
    )
    assert list(Venue.objects.all()) == [commons, hall, rooftop, other]  # nothing yet
    response = _merge(client, [rooftop, commons, hall], merge="1", keep=commons.pk)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Kept “A” and deleted 2 duplicates. 2 events moved to it."
    ]
    assert list(Venue.objects.order_by("pk")) == [commons, other]
    assert sorted(Event.objects.values_list("pk", "venue")) == sorted(
        [(past.pk, commons.pk), (upcoming.pk, commons.pk), (untouched.pk, other.pk)]
    )
    assert Series.objects.get(pk=series.pk).default_venue == commons
    # Calendars hear that the upcoming evening's place changed; the past one is left alone.
    assert Event.objects.get(pk=upcoming.pk).sequence == upcoming.sequence + 1
    assert Event.objects.get(pk=past.pk).sequence == past.sequence


@pytest.mark.django_db
def test_merge_keeps_the_venue_chosen(client, group, superuser):
    old, new = VenueFactory(name="Old hall"), VenueFactory(name="New hall")
    event = EventFactory(venue=old)
    client.force_login(superuser)
    response = _merge(client, [old, new], merge="1", keep=new.pk)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Kept “New hall” and deleted 1 duplicate. 1 event moved to it."
    ]
    assert (list(Venue.objects.all()), Event.objects.get().venue) == ([new], new)
    assert event.pk == Event.objects.get().pk


@pytest.mark.django_db
def test_merge_page_queries_do_not_grow(client, group, superuser):
    client.force_login(superuser)

    def queries(count):
        venues = [VenueFactory() for _ in range(count)]
        for venue in venues:
            EventFactory(venue=venue)
        with CaptureQueriesContext(connection) as captured:
            assert _merge(client, venues).status_code == 200
        return len(captured)

    # session, user, group, second factor, the changelist's two counts, the venues selected
    # (with their events counted), the site's group, the viewer's role, the form's choices.
    assert (queries(2), queries(8)) == (10, 10)


@pytest.mark.django_db
def test_merge_asks_for_two_venues(client, group, superuser):
    venue = VenueFactory()
    client.force_login(superuser)
    response = _merge(client, [venue])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Select at least two venues to merge them."
    ]
    assert list(Venue.objects.all()) == [venue]


def _historical_rows(apps) -> dict:
    """Two venues with one name in other capitals (an event and a series at the second), and
    one with another name, written with the models as they were before the rule."""
    Venue, Event, Series = (apps.get_model("events", name) for name in ("Venue", "Event", "Series"))
    group = GroupFactory()  # the groups app's tables are as they are now
    first = Venue.objects.create(name="The Commons", address="1 Main St")
    second = Venue.objects.create(name="THE COMMONS", address="1 Main Street")
    distinct = Venue.objects.create(name="The Commons Annex", address="3 Main St")
    starts = timezone.now() + timedelta(days=7)
    moved = Event.objects.create(
        group_id=group.pk,
        title="Who owns the app?",
        slug="who-owns-the-app",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue=second,
    )
    series = Series.objects.create(
        group_id=group.pk, name="Monthly", slug="monthly", default_venue=second
    )
    return {"first": first, "distinct": distinct, "moved": moved, "series": series}


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_migration_merges_duplicate_names_before_the_rule():
    executor = MigrationExecutor(connection)
    if AFTER not in executor.loader.graph.nodes:
        pytest.skip("migrations are off (--no-migrations)")
    latest = executor.loader.graph.leaf_nodes()
    try:
        rows = _historical_rows(migrating.back_to(executor, BEFORE).apps)
        apps = migrating.forward_to(executor, [AFTER]).apps
        NewVenue = apps.get_model("events", "Venue")
        NewEvent = apps.get_model("events", "Event")
        NewSeries = apps.get_model("events", "Series")
        assert sorted(NewVenue.objects.values_list("pk", flat=True)) == [
            rows["first"].pk,
            rows["distinct"].pk,
        ]
        assert NewEvent.objects.get(pk=rows["moved"].pk).venue_id == rows["first"].pk
        assert NewSeries.objects.get(pk=rows["series"].pk).default_venue_id == rows["first"].pk
    finally:  # the rest of the suite runs on the latest schema
        migrating.forward_to(executor, latest)
