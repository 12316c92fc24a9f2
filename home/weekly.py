"""The weekly email: what happened in the group, for each member who chose it on /me/.

It reads events, conversation, decisions and photos, so it lives here, above them all; the
email kind and what renders it are in home/emails.py. `send_reminders` runs weeklies_send
(core.hooks.periodic): from Monday morning in the member's time zone (or the group's) a
member's week is due; their row of WeeklyEmail and their email are written in one
transaction, and the row's (member, week) is unique, so two runs at once, or a run killed
half way, give each member one email a week, never two, and leave nobody out (who was not
recorded is due again at the next run). The content is read again when the worker renders
it, in the member's language, with only what they may see; a week with nothing new records
the week and queues nothing.
"""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from conversation.models import Thread
from core.emails.message import reader_zone
from core.emails.outbox import emails_queue
from decisions.models import Poll, Proposal, ProposalStatus, Voters
from events.models import RSVP, Event, EventStatus, RSVPStatus
from groups.access import Viewer, viewer_for
from groups.models import Group, Membership
from groups.visibility import allowed
from photos.models import Album, PhotoStatus

from .models import WeeklyEmail

WEEKLY = "weekly"
# A member's week starts on Monday at this hour of their clock: the email waits for the morning.
WEEK_STARTS = timedelta(hours=8)
# A member whose last weekly email is older than this (they turned it off for a while) starts
# again with the last seven days, not with everything since.
RESUME_WITHIN = timedelta(days=14)
KEEP_WEEKS = 8  # rows kept: only the latest counts (`until`), the older ones are history


def member_week(now: datetime, zone) -> date:
    """The Monday that starts the week `now` falls in, on the member's clock."""
    local = now.astimezone(zone) - WEEK_STARTS
    return (local - timedelta(days=local.weekday())).date()


def _zone(member, group: Group):
    return reader_zone(member) or group.zone


# --- What happened -----------------------------------------------------------------------------


def _attended(member, now: datetime) -> Q:
    """Albums of evenings the member went to: going when it happened, or checked in."""
    went = RSVP.objects.filter(event=OuterRef("event"), member=member).filter(
        Q(status=RSVPStatus.GOING) | Q(checked_in_at__isnull=False)
    )
    return Q(Exists(went), event__ends_at__lte=now)


def weekly_news(
    *, member, group: Group, since: datetime, until: datetime, now: datetime | None = None
) -> dict:
    """What happened between since and until that this member may see, as querysets (not
    yet read): events announced (still upcoming), discussions and proposals started by others,
    polls open now that they may vote in, and photos added to the albums of evenings they went
    to. A member who may see none of it (no longer a member) gets empty sections."""
    now = now or timezone.now()
    looking: Viewer = viewer_for(member, group)
    period = {"__gt": since, "__lte": until}

    def within(field: str) -> dict:
        return {f"{field}{lookup}": moment for lookup, moment in period.items()}

    events = (
        Event.objects.visible_to(looking)
        .filter(group=group, status=EventStatus.PUBLISHED, **within("announced_at"))
        .upcoming(now)
    )
    threads = Thread.objects.none()
    proposals = Proposal.objects.none()
    polls = Poll.objects.none()
    if allowed(looking, "discussions"):
        threads = (
            Thread.objects.shown()
            .filter(group=group, deleted_at__isnull=True, **within("created_at"))
            .exclude(author=member)
            .order_by("-created_at", "-pk")
        )
    if allowed(looking, "proposals"):
        proposals = (
            Proposal.objects.filter(group=group, **within("created_at"))
            .exclude(status=ProposalStatus.DECLINED)
            .exclude(author=member)
            .order_by("-created_at", "-pk")
        )
        going = RSVP.objects.filter(event=OuterRef("event"), member=member, status=RSVPStatus.GOING)
        polls = (
            Poll.objects.filter(group=group)
            .open_at(now)
            .filter(Q(voters=Voters.MEMBERS) | Exists(going))
            .order_by("closes_at", "pk")
        )
    new_photos = Q(photos__status=PhotoStatus.PUBLISHED, **within("photos__uploaded_at"))
    albums = (
        Album.objects.visible_to(member)
        .filter(_attended(member, now), group=group)
        .annotate(new_photos=Count("photos", filter=new_photos))
        .filter(new_photos__gt=0)
        .order_by("-event__starts_at", "-pk")
    )
    return {
        "events": events,
        "threads": threads,
        "proposals": proposals,
        "polls": polls,
        "new_polls": polls.filter(**within("opens_at")),
        "albums": albums,
    }


def _anything_new(news: dict) -> bool:
    """Open polls alone are not news: only one opened within the week is."""
    return any(
        news[name].exists() for name in ("events", "threads", "proposals", "new_polls", "albums")
    )


# --- Queueing (send_reminders) -----------------------------------------------------------------


def weekly_due_members(group: Group):
    """Members of the group who chose the weekly email and can receive one."""
    membership = Membership.objects.active().filter(group=group, user=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True, notify_weekly=True)
        .exclude(email="")
        .filter(Exists(membership))
    )


def weeklies_send(*, now: datetime | None = None) -> int:
    """Queues the weekly email of every member whose week has begun and has not been looked
    at yet; returns how many were queued. Each member in a transaction of their own: their
    WeeklyEmail row (unique per member and week) and their email commit together or not at
    all, so a second run at the same moment, or after a crash, queues nothing twice."""
    now = now or timezone.now()
    group = Group.objects.current()
    if group is None:
        return 0
    # Only what the week and the visibility rules read (the rest loads for the few due).
    members = list(weekly_due_members(group).only("pk", "time_zone", "is_superuser").order_by("pk"))
    weeks = {member.pk: member_week(now, _zone(member, group)) for member in members}
    if not weeks:
        return 0
    # The latest week recorded for each: a member who moved east or west since is not sent a
    # second email for a week their new clock starts earlier.
    latest = dict(
        WeeklyEmail.objects.filter(week__gte=min(weeks.values()))
        .values("member_id")
        .annotate(latest=Max("week"))
        .values_list("member_id", "latest")
    )
    queued = 0
    for member in members:
        week = weeks[member.pk]
        if member.pk in latest and latest[member.pk] >= week:
            continue
        last = (
            WeeklyEmail.objects.filter(member=member)
            .order_by("-week")
            .values_list("until", flat=True)
            .first()
        )
        # What came after the last email (its week, give or take a late run or a move across
        # time zones); the last seven days for a first one, or after weeks without.
        since = last if last is not None and last > now - RESUME_WITHIN else now - timedelta(days=7)
        news = _anything_new(weekly_news(member=member, group=group, since=since, until=now))
        try:
            with transaction.atomic():
                WeeklyEmail.objects.create(member=member, week=week, until=now, emailed=news)
                if news:
                    queued += emails_queue(
                        kind=WEEKLY,
                        user_ids=[member.pk],
                        params={"since": since.isoformat(), "until": now.isoformat()},
                    )
        except IntegrityError:
            continue  # another run recorded this member's week first: theirs is the one
    return queued


def weeklies_prune(*, now: datetime | None = None) -> int:
    """Removes the rows of weeks long gone (the latest of each member is all that counts)."""
    now = now or timezone.now()
    deleted, _by_model = WeeklyEmail.objects.filter(
        week__lt=(now - timedelta(weeks=KEEP_WEEKS)).date()
    ).delete()
    return deleted


def periodic() -> str:
    """What send_reminders runs for the weekly email (core.hooks.periodic)."""
    queued = weeklies_send()
    weeklies_prune()
    return f"{queued} weekly emails queued"
