"""The decisions app's emails: new proposals and polls (to members who asked for them), the
reminder a day before a poll closes (to voters who have not voted), and the written outcome of
a poll or consent proposal (to those who took part). DecisionsConfig.ready
registers them in core's registry; the worker renders each for its recipient."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails.kinds import EmailKind
from events.seo import absolute

from . import secrecy
from .models import Decision, Election, Poll, Proposal, VoterRoll


class DecisionEmail(models.TextChoices):
    PROPOSAL = "proposal", _("New proposal")
    POLL = "poll", _("New poll")
    POLL_REMINDER = "poll_reminder", _("Reminder of a poll closing")
    TERM_ENDING = "term_ending", _("Reminder of an elected term ending")
    POLL_RECEIPT = "poll_receipt", _("Your ballot's receipt")
    DECISION = "decision", _("New consent proposal")
    OUTCOME = "outcome", _("The outcome of a poll or proposal you took part in")


def proposal_context(params: dict, user) -> dict | None:
    proposal = (
        Proposal.objects.select_related("group", "author").filter(pk=params["proposal_id"]).first()
    )
    if proposal is None:
        return None  # what it was about is gone
    return {
        "group": proposal.group,
        "proposal": proposal,
        "item_url": absolute(proposal.get_absolute_url()),
    }


def _poll(params: dict) -> Poll | None:
    return (
        Poll.objects.select_related("group")
        .prefetch_related("options")
        .filter(pk=params["poll_id"])
        .first()
    )


def poll_context(params: dict, user) -> dict | None:
    poll = _poll(params)
    if poll is None:
        return None
    return {"group": poll.group, "poll": poll, "item_url": absolute(poll.get_absolute_url())}


def poll_reminder_context(params: dict, user) -> dict | None:
    """None once the member voted, or the poll closed, since the reminder was queued."""
    poll = _poll(params)
    if poll is None or poll.is_closed(timezone.now()):
        return None
    person = Q(member=user) | Q(voter_key=secrecy.voter_key(user.email))
    if VoterRoll.objects.filter(person, poll=poll).exists():  # this account or another of theirs
        return None
    return {"group": poll.group, "poll": poll, "item_url": absolute(poll.get_absolute_url())}


def term_ending_context(params: dict, user) -> dict | None:
    election = (
        Election.objects.select_related("poll__group").filter(pk=params["election_id"]).first()
    )
    if election is None:
        return None
    group = election.poll.group
    return {
        "group": group,
        "election": election,
        "item_url": absolute(reverse("decisions:polls")),
    }


def poll_receipt_context(params: dict, user) -> dict | None:
    """The receipt the member asked to be emailed (only while the poll is open: it is of no
    use after)."""
    poll = _poll(params)
    if poll is None or poll.is_closed(timezone.now()):
        return None
    return {
        "group": poll.group,
        "poll": poll,
        "receipt": params["receipt"],
        "item_url": absolute(poll.get_absolute_url()),
    }


def _decision(params: dict) -> Decision | None:
    return Decision.objects.select_related("group").filter(pk=params["decision_id"]).first()


def decision_context(params: dict, user) -> dict | None:
    decision = _decision(params)
    if decision is None:
        return None
    return {
        "group": decision.group,
        "decision": decision,
        "item_url": absolute(decision.get_absolute_url()),
    }


def outcome_context(params: dict, user) -> dict | None:
    """A poll's written outcome (params: poll_id) or a consent proposal's (decision_id)."""
    if "poll_id" in params:
        item = _poll(params)
        title = item.question if item else ""
    else:
        item = _decision(params)
        title = item.title if item else ""
    if item is None or not item.outcome:
        return None
    return {
        "group": item.group,
        "title": title,
        "outcome": item.outcome,
        "item_url": absolute(item.get_absolute_url()),
    }


KINDS = [
    EmailKind(
        name=DecisionEmail.PROPOSAL.value,
        label=DecisionEmail.PROPOSAL.label,
        preference="notify_decisions",
        context=proposal_context,
    ),
    EmailKind(
        name=DecisionEmail.POLL.value,
        label=DecisionEmail.POLL.label,
        preference="notify_decisions",
        context=poll_context,
    ),
    EmailKind(
        name=DecisionEmail.POLL_REMINDER.value,
        label=DecisionEmail.POLL_REMINDER.label,
        preference="notify_poll_reminders",
        context=poll_reminder_context,
    ),
    EmailKind(
        name=DecisionEmail.TERM_ENDING.value,
        label=DecisionEmail.TERM_ENDING.label,
        preference="notify_decisions",
        context=term_ending_context,
    ),
    EmailKind(
        name=DecisionEmail.POLL_RECEIPT.value,
        label=DecisionEmail.POLL_RECEIPT.label,
        context=poll_receipt_context,
    ),
    EmailKind(
        name=DecisionEmail.DECISION.value,
        label=DecisionEmail.DECISION.label,
        preference="notify_decisions",
        context=decision_context,
    ),
    EmailKind(
        name=DecisionEmail.OUTCOME.value,
        label=DecisionEmail.OUTCOME.label,
        # Always sent: those who took part hear how it ended, as attendees hear of a cancellation.
        preference=None,
        context=outcome_context,
    ),
]
