from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from api.models import Webhook, WebhookDelivery
from events import services
from events.models import Event, EventStatus
from tests.factories import EventFactory, SeriesFactory, SpeakerFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


@pytest.fixture
def superuser(group):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def one_of_each(group, organizer):
    """One row of every registered model, so each change form has something to open."""
    event = EventFactory(series=SeriesFactory(group=group))
    SpeakerFactory()
    services.rsvp_set(event=event, member=organizer, going=True)
    hook = Webhook.objects.create(url="https://93.184.215.14/", changes=["event.published"])
    WebhookDelivery.objects.create(
        webhook=hook, change="event.published", event=event, occurred_at=event.created_at
    )
    return event


@pytest.mark.parametrize(
    "model_admin", list(admin.site._registry.values()), ids=lambda m: m.model._meta.label
)
def test_every_admin_changelist_and_form_opens(client, superuser, one_of_each, model_admin):
    """A misspelled admin option (list_filter, date_hierarchy…) fails here, not silently."""
    opts = model_admin.model._meta
    client.force_login(superuser)
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist + "?q=a").status_code == 200
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    # RSVPs are made by members through the seat-counting service, photos through the upload
    # form that re-encodes them; neither is added in the admin.
    # Emails are queued by the services (the outbox), task results by the worker: no add form.
    # The site has its one group already: nobody adds a second (groups/admin.py).
    # Bans and the membership log come from the memberships list's actions (services).
    # Members write comments, discussions and replies, and file reports, on the site.
    # Proposals and polls are made on the site; the transparency log by the services.
    # Webhook deliveries are written by the change they tell of (api/services.py).
    # Takedown requests come from the photo page's button.
    # Exit bundles come from the "Build a new bundle" button (the task worker builds them);
    # followers follow from their own server; deliveries are queued by the services;
    # replies from the fediverse come from their authors' servers.
    no_add = {
        "federation.remotereply",
        "home.exitbundle",
        "federation.follower",
        "federation.delivery",
        "rsvp",
        "photo",
        "takedownrequest",
        "core.email",
        "dbtaskresult",
        "groups.group",
        "ban",
        "membershipaction",
        "conversation.comment",
        "conversation.thread",
        "conversation.reply",
        "conversation.report",
        "decisions.proposal",
        "decisions.poll",
        # Consent proposals, elections and settings polls open on the site (view only here).
        "decisions.decision",
        "decisions.position",
        "decisions.election",
        "decisions.settingpoll",
        "groups.logentry",
        "api.webhookdelivery",
    }
    refused = opts.model_name in no_add or opts.label_lower in no_add
    assert add.status_code == (403 if refused else 200)
    obj = model_admin.model._default_manager.first()
    if obj is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/events/event/", 200),
        ("/admin/events/event/add/", 200),
        ("/admin/events/venue/add/", 200),
        ("/admin/events/speaker/add/", 200),
        ("/admin/events/series/add/", 200),
        ("/admin/groups/group/", 200),
        ("/admin/members/user/", 200),  # view only, for autocompletes
        ("/admin/members/user/add/", 403),
        ("/admin/auth/group/", 403),
    ],
)
def test_organizer_permissions(client, organizer, url, expected):
    assert organizer.is_superuser is False
    client.force_login(organizer)
    assert client.get(url).status_code == expected


def test_plain_member_cannot_open_admin(client, member):
    client.force_login(member)
    assert client.get("/admin/events/event/").status_code == 302


def _event_form(event, **changes):
    data = {
        "group": event.group_id,
        "title_en": event.title_en,
        "title_es": event.title_es or "",
        "slug": event.slug,
        "summary_en": event.summary_en,
        "summary_es": event.summary_es or "",
        "description_en": event.description_en,
        "description_es": event.description_es or "",
        # One datetime-local input per time, in the group's zone.
        "starts_at": event.starts_at.astimezone(NY).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.astimezone(NY).strftime("%Y-%m-%dT%H:%M"),
        "venue": event.venue_id or "",
        "online_url": event.online_url,
        "capacity": "",
        "max_guests": event.max_guests,
        "series": event.series_id or "",
    }
    for prefix in ("event_speakers", "agenda_items", "breakouts"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def test_admin_reads_times_in_group_zone_and_bumps_sequence(client, organizer):
    event = EventFactory(
        starts_at=datetime(2026, 10, 31, 18, 30, tzinfo=NY),
        ends_at=datetime(2026, 10, 31, 20, 30, tzinfo=NY),
    )
    client.force_login(organizer)
    url = reverse("admin:events_event_change", args=[event.pk])
    # Move it across the DST change: 6:30 PM on Nov 2 is 23:30 UTC (EST), not 22:30.
    response = client.post(
        url,
        _event_form(
            event,
            starts_at="2026-11-02T18:30",
            ends_at="2026-11-02T20:30",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.starts_at == datetime(2026, 11, 2, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert (event.sequence, event.updated_by) == (1, organizer)


def test_admin_shows_a_clear_error_for_end_before_start(client, organizer):
    event = EventFactory()
    client.force_login(organizer)
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, _event_form(event, ends_at="2000-01-01T20:30"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"ends_at": ["The event must end after it starts."]}
    assert Event.objects.get(pk=event.pk).ends_at == event.ends_at


def test_admin_actions_publish_cancel_duplicate(client, organizer, group):
    series = SeriesFactory(group=group)
    draft = EventFactory(status="draft", series=series)
    client.force_login(organizer)
    changelist = reverse("admin:events_event_changelist")
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk], "post": "yes"})
    draft.refresh_from_db()
    assert (draft.status, draft.sequence) == (EventStatus.PUBLISHED, 1)
    client.post(changelist, {"action": "cancel", "_selected_action": [draft.pk], "post": "yes"})
    draft.refresh_from_db()
    assert (draft.status, draft.sequence) == (EventStatus.CANCELLED, 2)
    client.post(changelist, {"action": "duplicate_to_next_date", "_selected_action": [draft.pk]})
    copy = Event.objects.exclude(pk=draft.pk).get()
    assert copy.status == EventStatus.DRAFT
    assert copy.starts_at > draft.starts_at


def test_admin_timeframe_filter_uses_the_rule(client, organizer):
    upcoming = EventFactory(starts_at=timezone.now() + timedelta(days=1))
    past = EventFactory(starts_at=timezone.now() - timedelta(days=1))
    client.force_login(organizer)
    changelist = reverse("admin:events_event_changelist")
    up = client.get(changelist + "?when=upcoming").context["cl"].result_list
    gone = client.get(changelist + "?when=past").context["cl"].result_list
    assert (list(up), list(gone)) == ([upcoming], [past])


def test_view_on_site_works_for_drafts(client, organizer):
    draft = EventFactory(status="draft", venue=VenueFactory())
    client.force_login(organizer)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = client.get(reverse("admin:events_event_change", args=[draft.pk])).content.decode()
    assert "View on site" in html
