"""Organizers hear of what waits for them: a request to join, a report, a takedown request.

The app a thing belongs to registers an AlertKind (groups.hooks.alert_kinds) and its email
kind (alert_email_kind) from its AppConfig.ready(), and calls organizers_alert() in the
transaction that creates the thing. Each organizer chose on /me/ (User.organizer_alerts):
an email at once (the default), one daily digest, or none. Only the group's organizers are
told, and only what the admin already shows them: a line and the admin page to act on it.
"""

from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails.kinds import EmailKind, kinds
from core.emails.outbox import emails_queue

from .hooks import AlertKind, alert_kinds
from .models import AlertChoice, Group, Membership, OrganizerAlert

DIGEST = "organizer_digest"
# A digest goes out once the oldest thing it lists is a day old: at most one a day, and
# nothing waits in it more than a day (and the few minutes between send_reminders runs).
DIGEST_AFTER = timedelta(days=1)


def _is_organizer(user, group_id: int) -> bool:
    return Membership.objects.organizers().filter(group_id=group_id, user=user).exists()


def _alert_context(alert: AlertKind):
    def context(params: dict, user) -> dict | None:
        group = Group.objects.filter(pk=params.get("group")).first()
        if group is None or not _is_organizer(user, group.pk):
            return None  # no longer an organizer: told nothing
        line = alert.line(params)
        if line is None:
            return None
        text, path = line
        return {"group": group, "line": text, "url": settings.SITE_URL + path}

    return context


@cache
def alert_email_kind(alert: AlertKind) -> EmailKind:
    """The email an organizer who chose "at once" gets."""
    return EmailKind(
        name=alert.name,
        label=alert.label,
        context=_alert_context(alert),
        templates=alert.templates,
        html=False,
    )


def alert_register(alert: AlertKind) -> None:
    """From the owning app's AppConfig.ready(): the alert and its email kind."""
    alert_kinds.register(alert)
    kinds.register(alert_email_kind(alert))


def organizers_alert(*, group: Group, kind: str, params: dict, now: datetime | None = None):
    """Tells the group's organizers, each as they chose, in the caller's transaction (a
    change that rolls back tells no one); returns how many emails were queued at once."""
    if not any(alert.name == kind for alert in alert_kinds):
        raise LookupError(f"{kind!r} is not a registered alert kind")
    params = {**params, "group": group.pk}
    choices = dict(
        Membership.objects.organizers()
        .filter(group=group, user__is_active=True)
        .values_list("user_id", "user__organizer_alerts")
    )
    at_once = [pk for pk, choice in choices.items() if choice == AlertChoice.AT_ONCE]
    digest = [pk for pk, choice in choices.items() if choice == AlertChoice.DIGEST]
    with transaction.atomic():
        OrganizerAlert.objects.bulk_create(
            [
                OrganizerAlert(
                    group=group,
                    recipient_id=pk,
                    kind=kind,
                    params=params,
                    created_at=now or timezone.now(),
                )
                for pk in sorted(digest)
            ],
        )
        return emails_queue(kind=kind, user_ids=at_once, params=params) if at_once else 0


# --- The daily digest ----------------------------------------------------------------------


def digest_context(params: dict, user) -> dict | None:
    """The alerts the digest row claimed, each as its kind's line; None when none is left
    or the recipient is no longer an organizer of the group."""
    group = Group.objects.filter(pk=params.get("group")).first()
    if group is None or not _is_organizer(user, group.pk):
        return None
    if user.organizer_alerts == AlertChoice.NEVER:  # changed their mind since
        return None
    by_name = {alert.name: alert for alert in alert_kinds}
    lines = []
    for alert in OrganizerAlert.objects.filter(pk__in=params["alerts"]).order_by("created_at"):
        kind = by_name.get(alert.kind)
        line = kind.line(alert.params) if kind is not None else None
        if line is not None:
            lines.append({"text": line[0], "url": settings.SITE_URL + line[1]})
    if not lines:
        return None
    return {"group": group, "lines": lines, "admin_url": settings.SITE_URL + reverse("admin:index")}


DIGEST_KIND = EmailKind(
    name=DIGEST,
    label=_("Daily digest for organizers"),
    context=digest_context,
    templates="groups/email/organizer_digest",
    html=False,
)


def organizer_digests_send(*, now: datetime | None = None) -> int:
    """Queues a digest to each organizer whose oldest untold alert is a day old, listing
    every alert they have not been told of; returns how many. Each organizer's alerts are
    claimed (SKIP LOCKED) and marked in the transaction that queues their digest."""
    now = now or timezone.now()
    due = (
        OrganizerAlert.objects.filter(digested_at__isnull=True, created_at__lte=now - DIGEST_AFTER)
        .order_by("recipient_id")
        .values_list("recipient_id", "group_id")
        .distinct()
    )
    queued = 0
    for recipient_id, group_id in list(due):
        with transaction.atomic():
            alerts = list(
                OrganizerAlert.objects.select_for_update(skip_locked=True)
                .filter(recipient_id=recipient_id, group_id=group_id, digested_at__isnull=True)
                .filter(created_at__lte=now)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not alerts:
                continue
            OrganizerAlert.objects.filter(pk__in=alerts).update(digested_at=now)
            queued += emails_queue(
                kind=DIGEST, user_ids=[recipient_id], params={"group": group_id, "alerts": alerts}
            )
    return queued


def digested_prune(*, now: datetime | None = None) -> int:
    """Removes alerts listed in a digest a week ago (its email long sent or given up)."""
    now = now or timezone.now()
    deleted, _by_model = OrganizerAlert.objects.filter(
        digested_at__lt=now - timedelta(days=7)
    ).delete()
    return deleted


def periodic() -> str:
    """What send_reminders runs for organizers' digests (core.hooks.periodic)."""
    queued = organizer_digests_send()
    digested_prune()
    return f"{queued} organizer digests queued"
