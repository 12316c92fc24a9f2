"""The group and the page generation, read in one compiled query on every request."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from core.generations import _project_models
from core.models import ChangeGeneration, Email
from events.models import Event, EventSpeaker
from groups.generations import _CURRENT, group_and_generation
from groups.models import Group, Membership
from members.models import User
from photos.models import Photo
from tests.factories import EventFactory
from tests.queryplans import analyze, plan_nodes, require_postgres

pytestmark = pytest.mark.django_db


def test_every_table_a_page_shows_moves_the_generation_and_no_other_does():
    watched = _project_models()
    for model in (Event, EventSpeaker, Event.hosts.through, Group, Membership, User, Photo):
        assert model in watched, model
    for model in (Session, ChangeGeneration, Email):
        assert model not in watched, model


def test_the_group_comes_back_whole_with_the_generation(group):
    found, generation = group_and_generation()
    assert (found.pk, found.name, found.zone, found.created_at) == (
        group.pk,
        group.name,
        group.zone,
        Group.objects.get().created_at,
    )
    assert group_and_generation()[1] == generation
    now = timezone.now()
    EventFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    later = group_and_generation()[1]
    assert later != generation
    # An event's start is a moment the pages change at: crossing it is a new generation.
    assert group_and_generation(now + timedelta(minutes=90))[1] != later


def test_no_group_yet(db):
    assert group_and_generation() == (None, "no-group")


def test_the_generation_query_reads_index_entries_only_at_any_size(group):
    """Each subquery is the first index entry after now, never a scan of the events."""
    require_postgres()
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            group=group,
            title=f"E{i}",
            slug=f"e-{i}",
            status="published",
            starts_at=now + timedelta(days=i - 1000),
            ends_at=now + timedelta(days=i - 1000, hours=2),
            rsvp_closes_at=now + timedelta(days=i - 1000, hours=-1),
        )
        for i in range(2000)
    )
    analyze(Event)
    sql, params, shifts, _compiler, _converters = _CURRENT._compile("default")
    for index, shift in shifts:
        params[index] = now + shift
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params)
    scans = {
        node.get("Index Name") or node["Node Type"]
        for node in plan_nodes(statement)
        if node.get("Relation Name") == "events_event"
    }
    assert scans == {
        "events_event_updated_idx",
        "events_event_starts_idx",
        "events_event_ends_idx",
        "events_event_rsvp_opens_idx",
        "events_event_rsvp_closes_idx",
    }


def test_a_compiled_query_takes_now_and_named_values_and_refuses_anything_else(group):
    from core.db import CompiledQuery

    def build(now, *, name):
        return (
            Group.objects.rewrite(False)
            .filter(name=name, created_at__lte=now)
            .values_list("pk")[:1]
        )

    query = CompiledQuery(build, probes={"name": "probe-name-91"})
    assert query.fetchone(timezone.now(), name=group.name) == (group.pk,)
    assert query.fetchone(timezone.now(), name="Someone else") is None
    assert query.fetchone(group.created_at - timedelta(seconds=1), name=group.name) is None

    # A value that changes but was not named (here the day of the month, as text).
    stray = CompiledQuery(
        lambda now: Group.objects.rewrite(False).filter(name=f"day {now.day}").values("pk")
    )
    with pytest.raises(ValueError, match="neither now nor a probe"):
        stray.fetchone(timezone.now())

    # django-modeltranslation's querysets order the selected columns their own way.
    translated = CompiledQuery(lambda now: Group.objects.values_list("pk", "tagline")[:1])
    with pytest.raises(ValueError, match=r"needs \.rewrite\(False\)"):
        translated.fetchone(timezone.now())
