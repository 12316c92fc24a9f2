"""Who may vote (the roll fixed when a poll opens), who voted (the voter roll) and the ballot
box, kept apart so that no row of one leads to a row of the other (decisions.secrecy)."""

import random
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import generations
from core.emails.outbox import emails_queue
from events.models import RSVP, Event, EventStatus, RSVPStatus
from groups.models import Membership

from .. import secrecy
from ..emails import DecisionEmail
from ..models import BallotBox, Eligible, Poll, VoterRoll, Voters

MAX_EVENINGS = 52  # "of the last n evenings": n at most a year of weekly evenings


@dataclass(frozen=True)
class Cast:
    """What ballot_cast did: `receipt` is the new receipt (shown once, on the first cast;
    None when a ballot was changed with its receipt); `choices` the option keys stored."""

    choices: list[int]
    receipt: str | None
    changed: bool


def _members(group_id: int):
    return Membership.objects.active().filter(group_id=group_id, user__is_active=True)


def last_evenings(group_id: int, n: int, now: datetime):
    """The group's last n published evenings that have started (most recent first)."""
    return (
        Event.objects.filter(group_id=group_id, status=EventStatus.PUBLISHED, starts_at__lt=now)
        .order_by("-starts_at", "-pk")
        .values("pk")[:n]
    )


def regulars(group_id: int, k: int, n: int, now: datetime):
    """Members who checked in at at least k of the group's last n evenings."""
    evenings = list(last_evenings(group_id, n, now).values_list("pk", flat=True))
    attended = (
        RSVP.objects.filter(event_id__in=evenings, checked_in_at__isnull=False)
        .values("member_id")
        .annotate(evenings=Count("event_id", distinct=True))
        .filter(evenings__gte=k)
        .values("member_id")
    )
    return _members(group_id).filter(user__in=attended)


def eligible_freeze(*, poll: Poll, now: datetime) -> int:
    """Writes the poll's roll of eligible voters as it is now; returns its size."""
    members = _members(poll.group_id)
    if poll.voters == Voters.ATTENDEES:
        going = RSVP.objects.filter(event_id=poll.event_id, status=RSVPStatus.GOING)
        members = members.filter(user__in=going.values("member_id"))
    elif poll.voters == Voters.REGULARS:
        members = regulars(poll.group_id, poll.attended_k, poll.attended_n, now)
    rows = {}
    for user_id, email in members.values_list("user_id", "user__email"):
        rows.setdefault(secrecy.voter_key(email), user_id)  # one row per person
    generations.bulk_create(
        Eligible,
        [Eligible(poll=poll, member_id=uid, voter_key=key) for key, uid in rows.items()],
    )
    generations.update(Poll.objects.filter(pk=poll.pk), eligible_count=len(rows))
    poll.eligible_count = len(rows)
    return len(rows)


def _person(poll: Poll, member) -> Q:
    """This person's rows: by account, or by their address's keyed hash (another account)."""
    return Q(member=member) | Q(voter_key=secrecy.voter_key(member.email))


def voter_ids(poll: Poll):
    """Who may vote: the accounts on the roll fixed when the poll opened that are still
    active members (someone who left or was removed since does not vote)."""
    return (
        _members(poll.group_id)
        .filter(
            user__in=Eligible.objects.filter(poll=poll, member__isnull=False).values("member_id")
        )
        .values_list("user_id", flat=True)
    )


def may_vote(poll: Poll, member) -> bool:
    """On the poll's roll (by account or address) and still an active member."""
    if member is None or not member.is_authenticated:
        return False
    still_member = Exists(_members(poll.group_id).filter(user_id=member.pk))
    return Eligible.objects.filter(_person(poll, member), still_member, poll=poll).exists()


def has_voted(poll: Poll, member) -> bool:
    """Whether this person (this account or another with their address) is on the roll."""
    if member is None or not member.is_authenticated:
        return False
    return VoterRoll.objects.filter(_person(poll, member), poll=poll).exists()


def voted_member_ids(poll: Poll) -> list[int]:
    """The accounts that voted in the poll (deleted ones left out): for "people who took
    part". Never what they chose."""
    return list(
        VoterRoll.objects.filter(poll=poll, member__isnull=False)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def ballot_store(*, poll: Poll, member, ids: list[int], receipt: str | None, now: datetime) -> Cast:
    """Inside ballot_cast's transaction (the poll's row locked): a first ballot writes a roll
    row and a box row with a new receipt; a later one replaces the box row's choices when its
    receipt is given, and is refused without it."""
    receipt = (receipt or "").strip()
    if VoterRoll.objects.filter(_person(poll, member), poll=poll).exists():
        return _ballot_change(poll, ids, receipt)
    new = secrecy.receipt_new()
    try:
        with transaction.atomic():
            generations.bulk_create(
                VoterRoll,
                [
                    VoterRoll(
                        poll=poll,
                        member=member,
                        voter_key=secrecy.voter_key(member.email),
                        voted_on=now.date(),
                    )
                ],
            )
    except IntegrityError:  # their other ballot, cast at the same moment, came first
        return _ballot_change(poll, ids, receipt)
    generations.bulk_create(
        BallotBox,
        [BallotBox(poll=poll, choices=ids, receipt_hash=secrecy.receipt_hash(poll.pk, new))],
    )
    return Cast(choices=ids, receipt=new, changed=False)


def _ballot_change(poll: Poll, ids: list[int], receipt: str) -> Cast:
    if not receipt:
        message = _(
            "You have already voted in this poll. To change your ballot, give the receipt you "
            "got when you voted."
        )
        raise ValidationError({"receipt": ValidationError(message, code="voted")})
    box = BallotBox.objects.filter(poll=poll, receipt_hash=secrecy.receipt_hash(poll.pk, receipt))
    if not generations.update(box, choices=ids):
        message = _("This receipt is not one of this poll's: your ballot is unchanged.")
        raise ValidationError({"receipt": ValidationError(message, code="receipt")})
    return Cast(choices=ids, receipt=None, changed=True)


def ballot_receipt_email(*, poll: Poll, member, receipt: str) -> None:
    """Emails the member their own receipt, when they ask (the poll's page): only a receipt
    of this poll, by someone who voted in it, while it is open. The email passes through the
    outbox and mail servers; the page says so beside the button."""
    receipt = (receipt or "").strip()
    if not poll.is_open() or not has_voted(poll, member):
        raise ValidationError(_("There is no ballot of yours to send a receipt for."))
    hashed = secrecy.receipt_hash(poll.pk, receipt)
    if not receipt or not BallotBox.objects.filter(poll=poll, receipt_hash=hashed).exists():
        raise ValidationError(
            {"receipt": _("This receipt is not one of this poll's: nothing was sent.")}
        )
    emails_queue(
        kind=DecisionEmail.POLL_RECEIPT,
        user_ids=[member.pk],
        params={"poll_id": poll.pk, "receipt": receipt},
    )


def ballot_box_mix(*, poll: Poll) -> int:
    """Rewrites the poll's box rows in a random order, once it closes (the poll's row locked):
    a table stored, dumped or backed up in the order rows were written would otherwise list
    the ballots in the order of the roll's votes. Keys, choices and receipts stay; the count
    does not change. Returns how many rows were mixed."""
    box = BallotBox.objects.filter(poll=poll)
    rows = list(box.values_list("id", "choices", "receipt_hash"))
    if len(rows) < 2:
        return len(rows)
    random.SystemRandom().shuffle(rows)
    box._raw_delete(box.db)  # no signals to send: nothing refers to box rows
    generations.bulk_create(
        BallotBox,
        [BallotBox(id=pk, poll=poll, choices=c, receipt_hash=h) for pk, c, h in rows],
        batch_size=1000,
    )
    return len(rows)


MIX_REMEMBERED = 60 * 60 * 24 * 30  # how long the box's size at its last mix is remembered


def ballot_boxes_mix_due(*, now: datetime | None = None) -> int:
    """Every run of send_reminders (5 minutes): the open polls whose box gained ballots since
    its last mix are rewritten in a random order, each under its poll's lock (SKIP LOCKED: a
    poll busy with a ballot waits for the next run). So only the ballots of the last few
    minutes are ever stored in the order they came. Returns how many boxes were mixed."""
    now = now or timezone.now()
    mixed = 0
    for pk in list(Poll.objects.open_at(now).order_by("pk").values_list("pk", flat=True)[:100]):
        with transaction.atomic():
            poll = Poll.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if poll is None:
                continue
            key = f"ballot-box-mixed:{poll.pk}"
            size = BallotBox.objects.filter(poll=poll).count()
            if size < 2 or cache.get(key) == size:
                continue
            ballot_box_mix(poll=poll)
            cache.set(key, size, MIX_REMEMBERED)  # lost or rolled back: mixed again, no harm
            mixed += 1
    return mixed
