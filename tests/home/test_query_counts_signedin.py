"""The member's own pages (issue 26, item 10) run the same queries whether the member has 10
or 1,000 rows of their own: events they went to and are going to, discussions they follow,
discussions they started, ballots. Each page is asked for cold (the "bodies" cache emptied:
rendered) and then again (their own copy, home/personal.py: session, user, the group with the
page counter). A discussion's and a poll's pages are pinned against their replies and
ballots in tests/conversation/ and tests/decisions/test_query_counts.py."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from conversation.models import Follow, Thread
from core.generations import bulk_create
from decisions import secrecy
from decisions.models import BallotBox, Option, Poll, VoterRoll
from events.models import RSVP, Event, RSVPStatus
from groups.models import Role
from tests.factories import GroupFactory, MembershipFactory, UserFactory
from tests.worlds import built_once

pytestmark = pytest.mark.django_db

HIT = 3
# Rendered: session, user, the group with the page counter, and
# /: the membership role, the next events, the recent past ones, their guest speakers, the
#    organizers, the group's links, recent photos, the counts (cold: counted);
# /me/notifications/ and /me/data/: the membership role;
# /me/security/: the second factors (for the version, then for the page) and the role.
COLD = {
    "/": 11,
    "/me/": 3,
    "/me/notifications/": 4,
    "/me/calendar/": 3,
    "/me/security/": 6,
    "/me/data/": 4,
}


def _rows(group, member, count: int) -> None:
    """count events (half past, half upcoming) the member answered, count discussions they
    follow (a third theirs), count closed polls they voted in (the roll, and a ballot in the
    box)."""
    now = timezone.now()
    starts = [now + timedelta(days=i + 1) * (1 if i % 2 else -1) for i in range(count)]
    have = Event.objects.count()
    events = bulk_create(
        Event,
        (
            Event(
                group=group,
                title=f"Evening {have + i}",
                slug=f"evening-{have + i}",
                status="published",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            )
            for i, start in enumerate(starts)
        ),
    )
    bulk_create(
        RSVP, (RSVP(event=event, member=member, status=RSVPStatus.GOING) for event in events)
    )
    other = UserFactory()
    threads = bulk_create(
        Thread,
        (
            Thread(
                group=group,
                author=member if i % 3 == 0 else other,
                title=f"Discussion {i}",
                body="Hello",
                body_html="<p>Hello</p>",
            )
            for i in range(count)
        ),
    )
    bulk_create(Follow, (Follow(thread=thread, member=member) for thread in threads))
    polls = bulk_create(
        Poll,
        (
            Poll(
                group=group,
                question=f"Poll {i}?",
                opens_at=now - timedelta(days=i + 3),
                closes_at=now - timedelta(days=i + 1),
            )
            for i in range(count)
        ),
    )
    options = bulk_create(Option, (Option(poll=poll, label="Yes", position=0) for poll in polls))
    key = secrecy.voter_key(member.email)
    bulk_create(
        VoterRoll,
        (VoterRoll(poll=poll, member=member, voter_key=key, voted_on=now.date()) for poll in polls),
    )
    bulk_create(
        BallotBox,
        (
            BallotBox(
                poll=poll, choices=[option.pk], receipt_hash=secrecy.receipt_hash(poll.pk, "r")
            )
            for poll, option in zip(polls, options, strict=True)
        ),
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    """url -> [(cold, hit) at 10 rows of each kind, (cold, hit) at 1,000]: every page counted
    on one set of rows built once (tests/worlds.py), not 8,000 rows built again for each page.
    Each page has its own client, signed in, and starts with empty caches, as a test of its
    own would; before its counts at 1,000 rows only the "bodies" cache is emptied, as before."""

    def build():
        translation.deactivate()
        group = GroupFactory()
        member = MembershipFactory(group=group, role=Role.MEMBER).user
        clients, found = {}, {url: [] for url in COLD}
        for size in (10, 990):  # 10 rows of each kind, then 1,000
            _rows(group, member, size)
            for url in COLD:
                if size == 10:
                    for cache in caches.all():
                        cache.clear()
                    clients[url] = Client()
                    clients[url].force_login(member)
                caches["bodies"].clear()
                found[url].append((_count(clients[url], url), _count(clients[url], url)))
        for cache in caches.all():
            cache.clear()
        return found

    yield from built_once(django_db_blocker, build)


@pytest.mark.parametrize("url", list(COLD))
def test_the_member_s_own_pages_do_not_grow_with_their_rows(counts, url):
    extra = 1 if url == "/me/security/" else 0  # the version reads the second factors
    assert counts[url] == [(COLD[url], HIT + extra)] * 2
