"""The change counters, and the group with the page counter read in one query per request."""

import types
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import generations
from core.generations import PAGES_KEY, _project_models, pending_changes
from core.models import ChangeGeneration, Email
from events.models import Event, EventSpeaker
from groups.generations import SiteState, site_state
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
    state = site_state()
    assert (state.group.pk, state.group.name, state.group.zone, state.group.created_at) == (
        group.pk,
        group.name,
        group.zone,
        Group.objects.get().created_at,
    )
    assert site_state().generation == state.generation


@pytest.mark.django_db(transaction=True)
def test_the_counter_moves_after_each_commit_once(group):
    before = site_state().generation
    with transaction.atomic():
        for i in range(3):
            EventFactory(group=group, title=f"E{i}")
        assert site_state().generation == before  # not before the commit
    assert int(site_state().generation) == int(before) + 1


def test_the_next_moment_an_event_changes_is_when_pages_expire(group):
    now = timezone.now()
    assert site_state(now).expires is None
    start = now + timedelta(hours=1)
    EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), rsvp_closes_at=None)
    assert site_state(now).expires == start
    assert site_state(start).expires == start + timedelta(hours=2)


def test_no_group_yet(db):
    assert site_state() == SiteState(None, "no-group", None)


def test_the_state_query_reads_index_entries_only_at_any_size(group):
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
    with CaptureQueriesContext(connection) as queries:
        site_state(now)
    (statement,) = [query["sql"] for query in queries]
    scans = {
        node.get("Index Name") or node["Node Type"]
        for node in plan_nodes(statement)
        if node.get("Relation Name") == "events_event"
    }
    assert scans == {
        "events_event_starts_idx",
        "events_event_ends_idx",
        "events_event_rsvp_opens_idx",
        "events_event_rsvp_closes_idx",
    }


@pytest.mark.django_db(transaction=True)
def test_a_transaction_reads_its_own_changes_and_a_rolled_back_one_leaves_nothing(group):
    """pending_changes() marks what the open transaction changed and not committed; a
    transaction rolled back leaves no mark a later one could share."""
    assert pending_changes() == ""  # autocommit, as web requests run
    try:
        with transaction.atomic():
            assert pending_changes() == ""
            EventFactory(group=group)
            rolled_back = pending_changes()
            EventFactory(group=group)
            assert pending_changes() not in ("", rolled_back)
            raise RuntimeError
    except RuntimeError:
        pass
    with transaction.atomic():
        assert pending_changes() == ""  # Django dropped the rolled-back callback
        EventFactory(group=group)
        assert pending_changes() not in ("", rolled_back)
    assert pending_changes() == ""


def test_the_update_helpers_move_the_counters(group, django_capture_on_commit_callbacks):
    event = EventFactory(group=group)
    with django_capture_on_commit_callbacks(execute=True):
        assert generations.update(Event.objects.filter(pk=event.pk), title="Renamed") == 1
    assert ChangeGeneration.objects.get(key=PAGES_KEY).value == 1
    assert ChangeGeneration.objects.get(key="ical").changed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert generations.update(Event.objects.filter(pk=-1), title="Nobody") == 0
    assert ChangeGeneration.objects.get(key=PAGES_KEY).value == 1  # nothing changed


def _via(model, method):
    """Stands between the caller and the check, as QuerySet.update() does."""
    from tests.conftest import _writer_outside_the_helpers

    _writer_outside_the_helpers(model, method)


def _write(model):
    _via(model, "update")


def _written_from(folder: str):
    """_write as if its file were in that folder of the project."""
    filename = str(Path(settings.BASE_DIR) / folder / "services" / "made_up.py")
    return types.FunctionType(_write.__code__.replace(co_filename=filename), {"_via": _via})


def test_an_app_calling_update_directly_fails_the_test(group):
    """tests/conftest.py: the guard that keeps update() writers going through the helpers."""
    with pytest.raises(AssertionError, match=r"use core\.generations\.update"):
        _written_from("events")(Event)
    _written_from("tests")(Event)  # tests may write as they like
    _written_from("events")(Email)  # a table no page shows: nothing to move
