"""Reminders and no-show notes, claimed with SKIP LOCKED so two runs never send one twice."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import generations
from groups.models import Group

from ..emails import EventEmail, notify
from ..models import (
    RSVP,
    Event,
    EventStatus,
    RSVPStatus,
)


def no_show_notes_send(*, group: Group, threshold: int, now: datetime | None = None) -> int:
    """Sends a gentle note to each member with `threshold` or more no-shows not yet counted
    in a note (so the next note needs as many new ones); returns how many were queued.

    The no-shows are locked with SKIP LOCKED and marked in the same transaction, so two runs
    at once never note the same no-show twice."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            RSVP.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                no_show=True,
                no_show_noted_at__isnull=True,
                member__isnull=False,
                event__group=group,
                event__status=EventStatus.PUBLISHED,
            )
            .order_by("event__starts_at", "pk")
            .values_list("pk", "member_id", "event_id")
        )
        by_member: dict[int, list[tuple[int, int]]] = {}
        for pk, member_id, event_id in rows:
            by_member.setdefault(member_id, []).append((pk, event_id))
        due = {m: missed for m, missed in by_member.items() if len(missed) >= threshold}
        if not due:
            return 0
        generations.update(
            RSVP.objects.filter(pk__in=[pk for missed in due.values() for pk, _e in missed]),
            no_show_noted_at=now,
        )
        latest = Event.objects.select_related("group").in_bulk(
            {missed[-1][1] for missed in due.values()}
        )
        for member_id, missed in due.items():
            notify(
                kind=EventEmail.NO_SHOW_NOTE,
                user_ids=[member_id],
                event=latest[missed[-1][1]],
                extra={"missed": len(missed)},
            )
    return len(due)


def reminders_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """Claims due reminders and queues them; each RSVP is reminded once.

    Due: going to a published event that starts within the group's reminder window. The rows
    are locked with SKIP LOCKED and marked in the same transaction, so two copies of
    send_reminders running at once never claim the same reminder.
    """
    now = now or timezone.now()
    window = Q()
    for group_id, hours in Group.objects.values_list("pk", "reminder_hours"):
        window |= Q(event__group_id=group_id, event__starts_at__lte=now + timedelta(hours=hours))
    with transaction.atomic():
        due = list(
            RSVP.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                window,
                status=RSVPStatus.GOING,
                member__isnull=False,
                reminder_sent_at__isnull=True,
                event__status=EventStatus.PUBLISHED,
                event__starts_at__gt=now,
            )
            .order_by("event__starts_at", "pk")
            .values_list("pk", "member_id", "event_id")[:limit]
        )
        if not due:
            return 0
        generations.update(
            RSVP.objects.filter(pk__in=[pk for pk, _m, _e in due]), reminder_sent_at=now
        )
        by_event: dict[int, list[int]] = {}
        for _pk, member_id, event_id in due:
            by_event.setdefault(event_id, []).append(member_id)
        for event in Event.objects.filter(pk__in=by_event).select_related("group"):
            notify(kind=EventEmail.REMINDER, user_ids=by_event[event.pk], event=event)
    return len(due)
