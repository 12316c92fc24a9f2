"""The decisions app's emails: new proposals and polls (to members who asked), and the poll
reminder a day before closing (to voters who have not voted)."""

from django.tasks import task
from django.utils import timezone

from events.models import EmailKind
from events.notifications import deliver, recipients
from events.seo import absolute

from .models import Ballot, Poll, Proposal


@task()
def send_batch(*, kind: str, user_ids: list[int], event_id: int | None, extra: dict) -> dict:
    """Sends one batch of a decisions email; returns how many went out and failed."""
    context = _context(kind, extra)
    if context is None:
        return {"sent": 0, "failed": 0}  # what it was about is gone
    group = context.pop("group")
    sent = failed = 0
    for user in recipients(EmailKind(kind), user_ids):
        if kind == EmailKind.POLL_REMINDER and (
            context["poll"].is_closed(timezone.now())
            or Ballot.objects.filter(poll=context["poll"], member=user).exists()
        ):
            continue  # voted (or the poll closed) since the reminder was queued
        if deliver(kind=kind, user=user, event=None, group=group, extra=context):
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed": failed}


def _context(kind: str, extra: dict) -> dict | None:
    if kind == EmailKind.PROPOSAL:
        proposal = (
            Proposal.objects.select_related("group", "author")
            .filter(pk=extra["proposal_id"])
            .first()
        )
        if proposal is None:
            return None
        return {
            "group": proposal.group,
            "proposal": proposal,
            "item_url": absolute(proposal.get_absolute_url()),
        }
    if kind in (EmailKind.POLL, EmailKind.POLL_REMINDER):
        poll = (
            Poll.objects.select_related("group")
            .prefetch_related("options")
            .filter(pk=extra["poll_id"])
            .first()
        )
        if poll is None:
            return None
        return {"group": poll.group, "poll": poll, "item_url": absolute(poll.get_absolute_url())}
    raise ValueError(f"not a decisions email: {kind}")
