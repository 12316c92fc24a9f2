"""The home app's email: the weekly "what happened" (home/weekly.py queues it). HomeConfig.ready
registers it in core's registry; the worker renders it for its recipient, in their language,
from the period the service recorded, reading again what they may see."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.emails.kinds import EmailKind
from events.seo import absolute
from groups.access import viewer_for
from groups.models import Group

from .weekly import WEEKLY, weekly_news

# What one email lists at most of each kind (the list pages have the rest).
SECTION_LIMIT = 10


def _linked(rows) -> list:
    rows = list(rows[: SECTION_LIMIT + 1])
    for row in rows:
        row.url = absolute(row.get_absolute_url())
    return rows


def weekly_context(params: dict, user) -> dict | None:
    """The week's news for this member, read now; None when nothing is left to tell (what
    was new is gone, or they are no longer a member)."""
    group = Group.objects.current()
    if group is None or not viewer_for(user, group).is_member:
        return None
    since = datetime.fromisoformat(params["since"])
    until = datetime.fromisoformat(params["until"])
    news = weekly_news(member=user, group=group, since=since, until=until)
    sections = {
        "events": _linked(news["events"].select_related("group", "venue")),
        "threads": _linked(news["threads"]),
        "proposals": _linked(news["proposals"]),
        "polls": _linked(news["polls"]),
        "albums": _linked(news["albums"]),
    }
    if not any(sections[name] for name in ("events", "threads", "proposals", "albums")) and not (
        news["new_polls"].exists()
    ):
        return None
    more = {name: len(rows) > SECTION_LIMIT for name, rows in sections.items()}
    return {
        "group": group,
        **{name: rows[:SECTION_LIMIT] for name, rows in sections.items()},
        "more": more,
        "events_url": absolute(reverse("events:upcoming")),
        "board_url": absolute(reverse("conversation:board")),
        "proposals_url": absolute(reverse("decisions:proposals")),
        "polls_url": absolute(reverse("decisions:polls")),
        "account_url": absolute(reverse("members:me")),
    }


WEEKLY_KIND = EmailKind(
    name=WEEKLY,
    label=_("Weekly email of what happened in the group"),
    preference="notify_weekly",
    context=weekly_context,
)
