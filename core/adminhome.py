"""The admin home's "What needs you" panel and a new organizer's first steps.

Core names no app: each app registers, from its AppConfig.ready(), a function that takes the
request and returns its lines (what waits for an organizer, with the link to act on it) or
its steps (what a new group sets up first, ticked when done). Each function runs a fixed
number of queries, so the admin home's count does not grow with the data.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import ngettext

from .models import Email, EmailState
from .registry import Registry


@dataclass(frozen=True)
class Waiting:
    """One line of "What needs you": how many wait (already in words) and where to act."""

    count: int
    text: str | Promise
    url: str
    order: int = 50  # lower first: people waiting before the machinery


@dataclass(frozen=True)
class Step:
    """One item of the first steps' checklist: what to do, where, and whether it is done."""

    text: str | Promise
    url: str
    done: bool


waiting: Registry[Callable[[HttpRequest], Iterable[Waiting]]] = Registry(
    """Called with the admin home's request; yields a Waiting for each kind of thing that
    waits for an organizer (groups: join requests; photos: photos to review and takedown
    requests; conversation: reports; core: emails that failed). Lines with a count of zero,
    and lines the organizer has no permission to act on, are left out by the caller."""
)

first_steps: Registry[Callable[[HttpRequest], Iterable[Step]]] = Registry(
    """Called with the admin home's request; yields the Steps a new group sets up first
    (groups: its texts, its cover, co-organizers; events: the first event). The admin home
    shows them until every one is done."""
)


def waiting_lines(request: HttpRequest) -> list[Waiting]:
    lines = [line for provider in waiting for line in provider(request) if line.count]
    return sorted(lines, key=lambda line: line.order)


def first_steps_left(request: HttpRequest) -> list[Step]:
    """Every step while one is not done; none once all are."""
    steps = [step for provider in first_steps for step in provider(request)]
    return [] if all(step.done for step in steps) else steps


def failed_emails(request: HttpRequest) -> Iterable[Waiting]:
    """Core's own line: emails that failed for good (the log's "retry" action)."""
    if not request.user.has_perm("core.view_email"):
        return
    count = Email.objects.filter(state=EmailState.FAILED).count()
    yield Waiting(
        count=count,
        text=ngettext("%(counter)s email failed", "%(counter)s emails failed", count)
        % {"counter": count},
        url=reverse("admin:core_email_changelist") + "?state__exact=failed",
        order=90,
    )
