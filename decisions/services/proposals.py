"""Proposals: support, the organizers' answer, a draft event."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from conversation.models import Category
from conversation.services import thread_start
from core import generations
from core.emails.outbox import emails_queue
from core.languages import languages
from core.markdown import markdown_store
from events.models import Event, EventStatus
from events.services import event_save, unique_slug
from events.translation import in_main_language
from groups.models import Group, LogKind
from groups.services import log_record

from ..emails import DecisionEmail
from ..models import (
    Proposal,
    ProposalKind,
    ProposalStatus,
    Support,
)
from .common import (
    PROPOSALS_CATEGORY,
    _interested,
    _require_member,
    _require_organizer,
)

# --- Proposals ---------------------------------------------------------------------------------


def _proposals_category(group: Group) -> Category:
    """The board's section for proposals, named in each language ("Proposals", "Propuestas")
    when it is made; found by its name in the main language."""
    main = f"name_{settings.LANGUAGE_CODE}__iexact"
    category = (
        Category.objects.rewrite(False).filter(group=group, **{main: PROPOSALS_CATEGORY}).first()
    )
    if category is None:
        names = {}
        for code in languages():
            with translation.override(code):
                names[f"name_{code}"] = _(PROPOSALS_CATEGORY)
        category = Category.objects.create(group=group, position=90, **names)
    return category


def proposal_add(
    *,
    group: Group,
    author,
    kind: str,
    title: str,
    body: str = "",
    contact: str = "",
    now: datetime | None = None,
) -> Proposal:
    """A member's proposal, with a discussion of its own on the board (the conversation app's,
    so its posting limit and mutes apply); members who asked are emailed."""
    now = now or timezone.now()
    _require_member(group, author)
    title = " ".join((title or "").split())
    errors = {}
    if not title:
        errors["title"] = _("Give the proposal a title.")
    if kind not in ProposalKind.values:
        errors["kind"] = _("Choose a topic, a guest speaker or a breakout theme.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        proposal = Proposal(
            group=group,
            kind=kind,
            title=title,
            body=(body or "").strip(),
            contact=(contact or "").strip() if kind == ProposalKind.GUEST else "",
            author=author,
            created_at=now,
        )
        proposal.full_clean(exclude=["thread"])
        markdown_store(proposal)
        proposal.save()
        proposal.thread = thread_start(
            group=group,
            author=author,
            title=title,
            body=_("Comments on the proposal [%(title)s](%(url)s).")
            % {"title": title.replace("]", ""), "url": proposal.get_absolute_url()},
            category=_proposals_category(group),
            now=now,
        )
        proposal.save(update_fields=["thread"])
        emails_queue(
            kind=DecisionEmail.PROPOSAL,
            user_ids=_interested(group, exclude=author),
            params={"proposal_id": proposal.pk},
        )
    return proposal


def _supportable(proposal: Proposal, member) -> None:
    _require_member(proposal.group, member)
    if proposal.author_id == member.pk:
        raise ValidationError(_("This is your own proposal: others support it."), code="own")
    if proposal.status not in (ProposalStatus.OPEN, ProposalStatus.PLANNED):
        raise ValidationError(_("This proposal is no longer open for support."), code="closed")


def proposal_support(*, proposal: Proposal, member) -> Support:
    """One support per member: supporting twice keeps the one."""
    _supportable(proposal, member)
    with transaction.atomic():
        try:
            with transaction.atomic():
                support = Support.objects.create(proposal=proposal, member=member)
        except IntegrityError:
            return Support.objects.get(proposal=proposal, member=member)
        generations.update(
            Proposal.objects.filter(pk=proposal.pk), support_count=F("support_count") + 1
        )
    return support


def proposal_withdraw_support(*, proposal: Proposal, member) -> None:
    with transaction.atomic():
        deleted, _by_model = Support.objects.filter(proposal=proposal, member=member).delete()
        if deleted:
            generations.update(
                Proposal.objects.filter(pk=proposal.pk), support_count=F("support_count") - 1
            )


def _decide(proposal: Proposal, *, by, status: str, reason: str = "", event=None) -> Proposal:
    _require_organizer(proposal.group, by)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        locked.status = status
        locked.decline_reason = reason if status == ProposalStatus.DECLINED else ""
        locked.decided_at = None if status == ProposalStatus.OPEN else timezone.now()
        if event is not None:
            locked.event = event
        locked.save(update_fields=["status", "decline_reason", "decided_at", "event"])
    return locked


def proposal_plan(*, proposal: Proposal, by) -> Proposal:
    """The organizers mean to do it (no event yet)."""
    return _decide(proposal, by=by, status=ProposalStatus.PLANNED)


def proposal_reopen(*, proposal: Proposal, by) -> Proposal:
    return _decide(proposal, by=by, status=ProposalStatus.OPEN)


def proposal_decline(*, proposal: Proposal, by, reason: str) -> Proposal:
    """Declined with a reason members read; the transparency log says so."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: members read the reason.")}, code="no_reason")
    with transaction.atomic():
        declined = _decide(proposal, by=by, status=ProposalStatus.DECLINED, reason=reason)
        log_record(
            group=declined.group_id,
            kind=LogKind.PROPOSAL_DECLINED,
            by=by,
            title=declined.title,
            url=declined.get_absolute_url(),
            detail=reason,
        )
    return declined


def _draft_start(group: Group, now: datetime) -> datetime:
    """A placeholder time for the draft: four weeks ahead, at 6:30 PM in the group's zone."""
    day = (now.astimezone(group.zone) + timedelta(days=28)).date()
    return datetime.combine(day, time(18, 30), tzinfo=group.zone)


@in_main_language
def proposal_to_event(*, proposal: Proposal, by) -> Event:
    """Turns a proposal into a draft event with its text; the proposal is scheduled and linked
    to it, and the event page credits the proposer from it (to members, once published)."""
    _require_organizer(proposal.group, by)
    group = proposal.group
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.event_id is not None:
            raise ValidationError(
                _("This proposal already became an event."), code="already_scheduled"
            )
        starts_at = _draft_start(group, timezone.now())
        event = Event(
            group=group,
            title=locked.title,
            slug=unique_slug(slugify(locked.title)[:180] or "proposal"),
            # The proposer is credited on the event page from the proposal, not in this text,
            # so the credit follows them if they delete their account.
            description=locked.body,
            status=EventStatus.DRAFT,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
        )
        event = event_save(event=event, by=by)
        scheduled = _decide(locked, by=by, status=ProposalStatus.SCHEDULED, event=event)
        log_record(
            group=group,
            kind=LogKind.PROPOSAL_SCHEDULED,
            by=by,
            title=scheduled.title,
            url=scheduled.get_absolute_url(),
        )
    return event
