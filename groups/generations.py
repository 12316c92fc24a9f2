"""The group, the page counter and the next moment pages change, read in one query per request."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Subquery
from django.utils import timezone

from core.generations import PAGES_KEY
from core.hooks import expiries
from core.models import ChangeGeneration

from .models import Group


@dataclass(frozen=True)
class SiteState:
    """What the group middleware reads for every request."""

    group: Group | None
    generation: str  # the "pages" counter: any change to what pages show moves it
    expires: datetime | None  # the next moment pages change by the clock alone


def site_state(now: datetime | None = None) -> SiteState:
    """The site's group, the page counter and the earliest moment of core.hooks.expiries
    (the events app: the next start, end, RSVP opening or closing), in one query."""
    now = now or timezone.now()
    columns = {
        "page_counter": Subquery(ChangeGeneration.objects.filter(key=PAGES_KEY).values("value"))
    }
    for build in expiries:
        columns |= {f"expires_{name}": value for name, value in build(now).items()}
    group = Group.objects.order_by("pk").annotate(**columns).first()
    if group is None:
        return SiteState(None, "no-group", None)
    moments = [getattr(group, name) for name in columns if name.startswith("expires_")]
    return SiteState(
        group,
        str(group.page_counter or 0),
        min((moment for moment in moments if moment is not None), default=None),
    )
