"""The transparency log: every service that must write it does, with who did what to whom (never
why a member was removed), and nothing changes or deletes an entry: not the model, not a
queryset, not the admin, and in PostgreSQL not even raw SQL."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from decisions import services
from decisions.models import ProposalKind
from events import services as event_services
from events.models import Event, EventStatus
from groups import services as group_services
from groups.models import Group, LogEntry, LogKind, Membership, MembershipStatus, Role
from members.services import member_delete
from tests.factories import EventFactory, MembershipFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
REASON = "Kept shouting at Ana during the break"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _member(group, **fields):
    return MembershipFactory(group=group, user=UserFactory(**fields), role=Role.MEMBER).user


def _entries() -> list[tuple]:
    """(kind, actor, member, title, url, detail) of every entry, oldest first."""
    return [
        (e.kind, e.actor, e.member, e.title, e.url, e.detail)
        for e in LogEntry.objects.order_by("at", "pk")
    ]


def _poll(group, by, **kwargs):
    fields = {
        "question": "Where do we meet in June?",
        "options": ["Library", "Park"],
        "method": "single",
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=3),
        "now": NOW,
        **kwargs,
    }
    return services.poll_open(group=group, by=by, **fields)


# --- Events ------------------------------------------------------------------------------------


def _new_event(group, status) -> Event:
    return EventFactory.build(
        group=group,
        title="Tea & Co-ops",
        slug="tea-co-ops",
        status=status,
        venue=VenueFactory(),
        starts_at=NOW + timedelta(days=7),
        ends_at=NOW + timedelta(days=7, hours=2),
    )


def test_event_save_creating_a_published_event(group, organizer):
    event = event_services.event_save(event=_new_event(group, "published"), by=organizer)
    assert _entries() == [
        (LogKind.EVENT_PUBLISHED, organizer, None, "Tea & Co-ops", event.get_absolute_url(), "")
    ]
    assert LogEntry.objects.get().group == group


def test_event_save_creating_a_draft_is_not_logged(group, organizer):
    event_services.event_save(event=_new_event(group, "draft"), by=organizer)
    assert _entries() == []


def test_event_save_changing_a_published_event_names_the_fields(group, organizer):
    event = EventFactory(group=group, title="Tea")
    event.title = "Tea & Co-ops"
    event.summary = "Now with cake."
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event_services.event_save(
        event=event,
        by=organizer,
        changed_fields=["title", "summary", "starts_at", "ends_at", "updated_by", "sequence"],
    )
    # Sorted field names; Potluck's own bookkeeping fields are nobody's business.
    assert _entries() == [
        (
            LogKind.EVENT_CHANGED,
            organizer,
            None,
            "Tea & Co-ops",
            event.get_absolute_url(),
            "ends_at,starts_at,summary,title",
        ),
    ]


def test_event_save_with_no_member_visible_change_is_not_logged(group, organizer):
    event = EventFactory(group=group)
    event_services.event_save(event=event, by=organizer, changed_fields=["updated_by"])
    event_services.event_save(event=event, by=organizer)
    assert _entries() == []


def test_event_save_changing_a_draft_is_not_logged(group, organizer):
    draft = EventFactory(group=group, status="draft")
    draft.title = "Still thinking"
    event_services.event_save(event=draft, by=organizer, changed_fields=["title"])
    assert _entries() == []


def test_event_set_status_cancelled_then_back_to_draft(group, organizer, clock):
    event = EventFactory(group=group, title="Tea")
    url = event.get_absolute_url()
    event_services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    clock.shift(timedelta(minutes=1))
    event_services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    clock.shift(timedelta(minutes=1))
    event_services.event_set_status(event=event, status=EventStatus.DRAFT, by=organizer)
    assert _entries() == [
        (LogKind.EVENT_CANCELLED, organizer, None, "Tea", url, ""),
        (LogKind.EVENT_UNPUBLISHED, organizer, None, "Tea", url, ""),
    ]


def test_event_set_status_publishing_a_draft(group, organizer):
    draft = EventFactory(group=group, title="Tea", status="draft")
    event_services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    assert _entries() == [
        (LogKind.EVENT_PUBLISHED, organizer, None, "Tea", draft.get_absolute_url(), "")
    ]


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Elsewhere//EN
BEGIN:VEVENT
UID:coming@elsewhere.example
SUMMARY:{title}
DTSTART:20260601T223000Z
DTEND:20260602T003000Z
STATUS:{status}
END:VEVENT
BEGIN:VEVENT
UID:past@elsewhere.example
SUMMARY:Our first evening
DTSTART:20250601T223000Z
DTEND:20250602T003000Z
END:VEVENT
END:VCALENDAR
"""


def test_import_logs_its_upcoming_events_not_the_past_ones(group, organizer):
    """An import (the admin's "Import events") publishes, changes and cancels upcoming events:
    the organizer's doing, logged; the past ones it brings over are history, not news."""
    from events.importer import events_import_ics

    def run(title, status):
        data = ICS.format(title=title, status=status).encode()
        return events_import_ics(data=data, group=group, by=organizer)

    assert run("Co-op night", "CONFIRMED").created == 2
    coming = Event.objects.get(import_uid="coming@elsewhere.example")
    url = coming.get_absolute_url()
    assert _entries() == [
        (LogKind.EVENT_PUBLISHED, organizer, None, "Co-op night", url, ""),
    ]
    run("Co-op night, in June", "CONFIRMED")
    run("Co-op night, in June", "CANCELLED")
    assert _entries()[1:] == [
        (LogKind.EVENT_CHANGED, organizer, None, "Co-op night, in June", url, "title"),
        (LogKind.EVENT_CANCELLED, organizer, None, "Co-op night, in June", url, ""),
    ]


# --- Roles and memberships ---------------------------------------------------------------------


def test_membership_set_role_granting_and_removing(group, organizer, member, clock):
    membership = Membership.objects.get(user=member)
    group_services.membership_set_role(membership=membership, role=Role.CO_ORGANIZER, by=organizer)
    clock.shift(timedelta(minutes=1))
    group_services.membership_set_role(membership=membership, role=Role.CO_ORGANIZER, by=organizer)
    clock.shift(timedelta(minutes=1))
    group_services.membership_set_role(membership=membership, role=Role.MEMBER, by=organizer)
    assert _entries() == [
        (LogKind.ROLE_GRANTED, organizer, member, "", "", Role.CO_ORGANIZER),
        (LogKind.ROLE_REMOVED, organizer, member, "", "", Role.CO_ORGANIZER),
    ]


def test_admin_form_changing_a_role_is_logged(client, group, organizer, member):
    membership = Membership.objects.get(user=member)
    client.force_login(organizer)
    data = {"group": group.pk, "user": member.pk, "role": Role.CO_ORGANIZER}
    response = client.post(f"/admin/groups/membership/{membership.pk}/change/", data)
    assert response.status_code == 302
    assert _entries() == [(LogKind.ROLE_GRANTED, organizer, member, "", "", Role.CO_ORGANIZER)]


def test_membership_save_demoting_and_moving(group, organizer, member, clock):
    membership = Membership.objects.get(user=member)
    membership.role = Role.CO_ORGANIZER
    group_services.membership_save(membership=membership, by=organizer)
    clock.shift(timedelta(minutes=1))
    newcomer = UserFactory()
    membership.user = newcomer  # the role moves to another person
    group_services.membership_save(membership=membership, by=organizer)
    clock.shift(timedelta(minutes=1))
    membership.role = Role.MEMBER
    group_services.membership_save(membership=membership, by=organizer)
    assert _entries() == [
        (LogKind.ROLE_GRANTED, organizer, member, "", "", Role.CO_ORGANIZER),
        (LogKind.ROLE_REMOVED, organizer, member, "", "", Role.CO_ORGANIZER),
        (LogKind.ROLE_GRANTED, organizer, newcomer, "", "", Role.CO_ORGANIZER),
        (LogKind.ROLE_REMOVED, organizer, newcomer, "", "", Role.CO_ORGANIZER),
    ]


def _has_reason(entry: LogEntry) -> bool:
    return any(REASON in str(value) for value in (entry.title, entry.url, entry.detail, entry.key))


def test_membership_remove_is_logged_without_who_or_why(group, organizer, member):
    membership = Membership.objects.get(user=member)
    group_services.membership_remove(membership=membership, by=organizer, reason=REASON)
    assert _entries() == [(LogKind.MEMBER_REMOVED, organizer, None, "", "", "")]
    assert not _has_reason(LogEntry.objects.get())


def test_membership_ban_is_logged_without_who_or_why(group, organizer, member):
    group_services.membership_ban(group=group, user=member, by=organizer, reason=REASON)
    assert _entries() == [(LogKind.MEMBER_BANNED, organizer, None, "", "", "")]
    assert not _has_reason(LogEntry.objects.get())


def test_membership_delete_of_an_active_member(group, organizer, member):
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING)
    group_services.membership_delete(membership=pending, by=organizer)  # a request, not a member
    assert _entries() == []
    group_services.membership_delete(membership=Membership.objects.get(user=member), by=organizer)
    assert _entries() == [(LogKind.MEMBER_REMOVED, organizer, None, "", "", "")]


def test_admin_delete_of_a_membership_is_logged(client, group, organizer, member):
    membership = Membership.objects.get(user=member)
    client.force_login(organizer)
    response = client.post(f"/admin/groups/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _entries() == [(LogKind.MEMBER_REMOVED, organizer, None, "", "", "")]


# --- Decisions ---------------------------------------------------------------------------------


def test_poll_open_is_logged(group, organizer):
    poll = _poll(group, organizer, opens_at=NOW + timedelta(days=1))  # opening later too
    assert _entries() == [
        (
            LogKind.POLL_OPENED,
            organizer,
            None,
            "Where do we meet in June?",
            poll.get_absolute_url(),
            "1",  # its roll: the organizer, the group's one member
        ),
    ]
    assert LogEntry.objects.get().at == NOW


def test_poll_close_is_logged_once(group, organizer, member):
    poll = _poll(group, organizer)
    park = poll.options.get(label="Park")
    services.ballot_cast(poll=poll, member=member, choices=[park], now=NOW)
    closed_at = NOW + timedelta(hours=3)
    services.poll_close(poll=poll, by=organizer, now=closed_at)
    services.polls_close_due(now=NOW + timedelta(days=4))
    closed = list(LogEntry.objects.filter(kind=LogKind.POLL_CLOSED))
    assert [(e.actor, e.title, e.url, e.detail, e.at) for e in closed] == [
        (organizer, poll.question, poll.get_absolute_url(), "Park", closed_at)
    ]


def test_polls_close_due_logs_once_with_nobody_as_actor(group, organizer):
    poll = _poll(group, organizer)
    services.polls_close_due(now=NOW + timedelta(days=3))
    services.polls_close_due(now=NOW + timedelta(days=3, minutes=1))
    closed = list(LogEntry.objects.filter(kind=LogKind.POLL_CLOSED))
    assert [(e.actor, e.title, e.url, e.detail, e.at) for e in closed] == [
        (None, poll.question, poll.get_absolute_url(), "", poll.closes_at)
    ]


@pytest.fixture
def proposal(group, member):
    return services.proposal_add(
        group=group,
        author=member,
        kind=ProposalKind.GUEST,
        title="Invite Trebor",
        contact="trebor@example.org",
        now=NOW,
    )


def test_proposal_decline_is_logged_with_its_reason(proposal, organizer):
    services.proposal_decline(proposal=proposal, by=organizer, reason="He spoke here in May.")
    assert _entries() == [
        (
            LogKind.PROPOSAL_DECLINED,
            organizer,
            None,
            "Invite Trebor",
            proposal.get_absolute_url(),
            "He spoke here in May.",
        ),
    ]


def test_proposal_plan_and_reopen_are_not_logged(proposal, organizer):
    services.proposal_plan(proposal=proposal, by=organizer)
    services.proposal_reopen(proposal=proposal, by=organizer)
    assert _entries() == []


def test_proposal_to_event_is_logged(proposal, organizer):
    services.proposal_to_event(proposal=proposal, by=organizer)
    # The event is a draft: its creation is not in the log, the proposal's scheduling is.
    assert _entries() == [
        (
            LogKind.PROPOSAL_SCHEDULED,
            organizer,
            None,
            "Invite Trebor",
            proposal.get_absolute_url(),
            "",
        ),
    ]


# --- Unchangeable ------------------------------------------------------------------------------


@pytest.fixture
def entry(group, organizer):
    _poll(group, organizer)
    return LogEntry.objects.get()


def _unchanged(entry) -> bool:
    stored = LogEntry.objects.get(pk=entry.pk)
    return (stored.kind, stored.title, stored.actor_id) == (
        LogKind.POLL_OPENED,
        "Where do we meet in June?",
        entry.actor_id,
    )


def test_saving_an_existing_entry_raises(entry):
    entry.title = "Nothing happened"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.save(update_fields=["title"])
    assert _unchanged(entry)


def test_deleting_an_entry_raises(entry):
    with pytest.raises(TypeError):
        entry.delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_delete_raise(entry):
    with pytest.raises(TypeError):
        LogEntry.objects.filter(pk=entry.pk).update(title="Nothing happened")
    with pytest.raises(TypeError):
        LogEntry.objects.update(title="Nothing happened")
    with pytest.raises(TypeError):
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        LogEntry.objects.all().delete()
    assert _unchanged(entry)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


ADMIN = "/admin/groups/logentry/"


def test_admin_lists_entries_without_bulk_actions(superuser_client, entry):
    listing = superuser_client.get(ADMIN)
    assert listing.status_code == 200
    assert "Where do we meet in June?" in listing.content.decode()
    assert listing.context["action_form"] is None
    assert 'name="_selected_action"' not in listing.content.decode()
    bulk = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    assert superuser_client.post(ADMIN, bulk).status_code in (200, 302)
    assert LogEntry.objects.count() == 1


def test_admin_never_adds_changes_or_deletes(superuser_client, entry):
    change = f"{ADMIN}{entry.pk}/change/"
    data = {
        "kind": LogKind.POLL_CLOSED,
        "title": "Nothing happened",
        "at_0": "2026-05-04",
        "at_1": "08:00:00",
        "url": "/",
        "detail": "x",
        "group": entry.group_id,
    }
    assert superuser_client.get(f"{ADMIN}add/").status_code == 403
    assert superuser_client.post(f"{ADMIN}add/", data).status_code == 403
    assert superuser_client.post(change, data).status_code == 403
    assert superuser_client.get(f"{ADMIN}{entry.pk}/delete/").status_code == 403
    assert superuser_client.post(f"{ADMIN}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LogEntry.objects.count() == 1
    assert _unchanged(entry)


# --- Unchangeable in PostgreSQL itself ---------------------------------------------------------


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the append-only trigger is PostgreSQL's (migration groups 0015); set DATABASE_URL "
            "to a PostgreSQL server, as .ci/run does"
        )


def _raw(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE groups_logentry SET title = 'Nothing happened' WHERE id = %s",
        "UPDATE groups_logentry SET detail = 'x', at = at - interval '1 day' WHERE id = %s",
        "UPDATE groups_logentry SET kind = 'poll_closed' WHERE id = %s",
        "UPDATE groups_logentry SET actor_id = (SELECT max(id) FROM members_user) WHERE id = %s",
        "DELETE FROM groups_logentry WHERE id = %s",
    ],
    ids=["title", "detail-and-time", "kind", "other-actor", "delete"],
)
def test_raw_sql_cannot_change_or_delete_an_entry(entry, sql):
    _postgres_only()
    UserFactory()  # a newer account than the entry's actor
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(sql, [entry.pk])
    assert _unchanged(entry)
    assert LogEntry.objects.count() == 1


@pytest.mark.postgres
def test_raw_sql_may_empty_a_deleted_accounts_reference(entry):
    _postgres_only()
    _raw("UPDATE groups_logentry SET actor_id = NULL WHERE id = %s", [entry.pk])
    assert LogEntry.objects.get(pk=entry.pk).actor is None


@pytest.mark.postgres
def test_deleting_a_group_without_group_delete_is_refused(group, entry):
    _postgres_only()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        group.delete()
    assert Group.objects.filter(pk=group.pk).exists()
    assert LogEntry.objects.count() == 1


def test_member_delete_empties_actor_and_member(group, organizer, member, clock):
    """In PostgreSQL through the trigger, which lets a deleted account's reference go."""
    membership = Membership.objects.get(user=member)
    group_services.membership_set_role(membership=membership, role=Role.CO_ORGANIZER, by=organizer)
    clock.shift(timedelta(minutes=1))
    _poll(group, member)  # the co-organizer is the actor
    clock.shift(timedelta(minutes=1))
    group_services.membership_set_role(membership=membership, role=Role.MEMBER, by=organizer)
    member_delete(member=member)
    assert _entries() == [
        (LogKind.ROLE_GRANTED, organizer, None, "", "", Role.CO_ORGANIZER),
        (
            LogKind.POLL_OPENED,
            None,
            None,
            "Where do we meet in June?",
            LogEntry.objects.get(kind=LogKind.POLL_OPENED).url,
            "2",  # its roll: the organizer and the co-organizer
        ),
        (LogKind.ROLE_REMOVED, organizer, None, "", "", Role.CO_ORGANIZER),
    ]


def test_group_delete_deletes_a_group_with_its_log(group, organizer, member, entry):
    other_group = MembershipFactory(role=Role.ORGANIZER).group
    _poll(other_group, Membership.objects.get(group=other_group).user)
    group_services.membership_remove(
        membership=Membership.objects.get(user=member), by=organizer, reason=REASON
    )
    assert LogEntry.objects.filter(group=group).count() == 2
    group_services.group_delete(group=group)
    assert not Group.objects.filter(pk=group.pk).exists()
    assert LogEntry.objects.filter(group_id=group.pk).count() == 0
    assert LogEntry.objects.filter(group=other_group).count() == 1


# --- The /log/ page ----------------------------------------------------------------------------


def test_log_page_newest_first_in_sentences(client, group, organizer, member, clock):
    organizer.display_name = "Rosa O'Neil"
    organizer.save()
    other = _member(group, display_name="Ben")
    removed = _member(group)
    poll = _poll(group, organizer, question="Park or library?")
    clock.shift(timedelta(hours=1))
    group_services.membership_set_role(
        membership=Membership.objects.get(user=other), role=Role.CO_ORGANIZER, by=organizer
    )
    clock.shift(timedelta(hours=1))
    group_services.membership_remove(
        membership=Membership.objects.get(user=removed), by=organizer, reason=REASON
    )
    clock.shift(timedelta(hours=1))
    services.poll_close(poll=poll, by=organizer)
    client.force_login(member)
    response = client.get("/log/")
    assert response.status_code == 200
    page = response.content.decode()
    rosa = "Rosa O&#x27;Neil"
    link = f'“<a href="{poll.get_absolute_url()}">Park or library?</a>”'
    sentences = [
        f"{rosa} closed the poll {link}.",  # no ballots: no result
        f"{rosa} removed a member from the group.",
        f"{rosa} made Ben Co-organizer.",
        f"{rosa} opened the poll {link}. Voters on its roll: 4.",  # Rosa, the member, Ben, one
    ]
    positions = [page.find(sentence) for sentence in sentences]
    assert -1 not in positions, sentences[positions.index(-1)]
    assert positions == sorted(positions)
    assert REASON not in page
    assert removed.display_name not in page
    assert len(re.findall(r'<li class="card">', page)) == 4


def test_log_page_reason_of_a_decline_and_result_of_a_poll(client, group, organizer, member):
    proposal = services.proposal_add(
        group=group, author=member, kind="topic", title="Co-op <b>banks</b>", now=NOW
    )
    services.proposal_decline(proposal=proposal, by=organizer, reason="Covered in <i>May</i>.")
    client.force_login(member)
    page = client.get("/log/").content.decode()
    assert (
        f'{organizer.display_name} declined the proposal “<a href="{proposal.get_absolute_url()}">'
        "Co-op &lt;b&gt;banks&lt;/b&gt;</a>”, saying: “Covered in &lt;i&gt;May&lt;/i&gt;.”"
    ) in page


def test_log_page_for_members_only(client, group, entry):
    response = client.get("/log/")
    assert response.status_code == 302
    client.force_login(UserFactory())
    response = client.get("/log/")
    assert response.status_code == 403
    assert "Where do we meet in June?" not in response.content.decode()
