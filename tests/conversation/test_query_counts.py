"""Conversation pages run the same number of queries with a few rows or hundreds.

Each page is asked for as the role that sees the most: a member (who wrote some of what is
shown, so their edit links render) and an organizer (moderation forms, hidden rows on the
board and in threads). Rows are bulk-created with their Markdown stored, as the services store
it, and core.generations.data_changed() marks the pages and counts stale.

"Cold": the "bodies" cache is emptied first, so the page is rendered and its total counted
(the first request after a change). "Warm": the same request again, the total taken from
core.counts (one query fewer); the event page and a discussion are then served whole from
home/pagecache.py, in the queries of a signed-in hit (session, user, group with generation,
and for the event page the version row).

Each page's rows are built once for each size and the page counted there for both roles (and,
where a test asks for the first and the last page, both), in a transaction rolled back at once
(tests/worlds.py); each role starts with empty caches and its own client, as a test of its own
did, and each test asserts its own figures.
"""

import re
from datetime import timedelta
from math import ceil

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conversation.models import Announcement, Category, Comment, Reply, Thread
from conversation.views import (
    ANNOUNCEMENTS_PER_PAGE,
    COMMENTS_PER_PAGE,
    REPLIES_PER_PAGE,
    THREADS_PER_PAGE,
)
from core.generations import data_changed
from core.markdown import markdown_store
from groups.models import Role
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
)
from tests.worlds import counted_warm, pinned, seen_at_sizes

pytestmark = pytest.mark.django_db

ROLES = ("member", "organizer")
# A signed-in visitor served the event page from the page cache: session, user, the group
# with the change generation, the version row (tests/home/test_pagecache.py).
EVENT_PAGE_HIT = 4
# A signed-in member served their own copy of a page (home/personal.py): session, user, the
# group with the change generation.
PERSONAL_PAGE_HIT = 3
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
BODIES = (
    "What should I *read* before?",
    "Slides: [here](https://example.org/slides) and **notes**.",
    "- one point\n- another point",
    "Thanks, see you there.",
)


@pytest.fixture
def people(member, organizer):
    """Authors: the member (their own edit links), three others, and a former member."""
    return {
        "member": member,
        "organizer": organizer,
        "authors": [member, *(UserFactory() for _ in range(3)), None],
    }


def _people():
    """A new group (returned first) and the people fixture's people in it, for rows built
    once (as the group, member and organizer fixtures make them)."""
    translation.deactivate()  # as tests/conftest.py's _main_language, not yet in force
    group = GroupFactory()
    member = MembershipFactory(group=group, role=Role.MEMBER).user
    return group, {
        "member": member,
        "organizer": organizer_for(group),
        "authors": [member, *(UserFactory() for _ in range(3)), None],
    }


def _as(person) -> Client:
    """A role's own client, signed in, the caches empty: as a test of its own began."""
    for cache in caches.all():
        cache.clear()
    return _client(person)


def _look(client, url, *, cold=True):
    """(the response, the SQL it ran): as _get, counted for a test to pin with pinned."""
    if cold:
        caches["bodies"].clear()
    return counted_warm(client, url)


def _stored(model, **fields):
    """A row as the services store it: Markdown rendered and sanitized once per text."""
    row = model(**fields)
    markdown_store(row)
    return row


def _html_cache():
    cache = {}

    def build(model, **fields):
        body = fields["body"]
        if body not in cache:
            cache[body] = _stored(model, **fields).body_html
        return model(**fields, body_html=cache[body])

    return build


def _comments(event, count, authors):
    """count top-level comments, newest first, the oldest pinned, every ninth hidden and
    every eleventh deleted; comment i has i % 4 replies (every fifth reply hidden)."""
    now = timezone.now()
    build = _html_cache()
    tops = Comment.objects.bulk_create(
        build(
            Comment,
            event=event,
            author=authors[i % len(authors)],
            body=BODIES[i % len(BODIES)],
            created_at=now - timedelta(minutes=i),
            pinned=i == count - 1,
            hidden_at=now if i % 9 == 8 else None,
            deleted_at=now if i % 11 == 10 else None,
        )
        for i in range(count)
    )
    replies = [
        build(
            Comment,
            event=event,
            parent=top,
            author=authors[(i + j + 1) % len(authors)],
            body=BODIES[(i + j) % len(BODIES)],
            created_at=top.created_at + timedelta(seconds=j + 1),
            hidden_at=now if (i + j) % 5 == 4 else None,
        )
        for i, top in enumerate(tops)
        for j in range(i % 4)
    ]
    Comment.objects.bulk_create(replies, batch_size=500)
    data_changed()
    return tops


def _replies_to(comment, count, authors):
    now = timezone.now()
    build = _html_cache()
    Comment.objects.bulk_create(
        build(
            Comment,
            event=comment.event,
            parent=comment,
            author=authors[i % len(authors)],
            body=BODIES[i % len(BODIES)],
            created_at=now + timedelta(seconds=i),
            hidden_at=now if i % 5 == 4 else None,
        )
        for i in range(count)
    )
    data_changed()


def _threads(group, count, authors):
    """count discussions in two categories and none, the first pinned, every seventh hidden
    (organizers see it), every tenth deleted; reply counts as the services keep them."""
    now = timezone.now()
    categories = Category.objects.bulk_create(
        Category(group=group, name=name, position=i) for i, name in enumerate(("Ideas", "Help"))
    )
    build = _html_cache()
    threads = Thread.objects.bulk_create(
        build(
            Thread,
            group=group,
            author=authors[i % len(authors)],
            category=(*categories, None)[i % 3],
            title=f"Discussion {i}",
            body=BODIES[i % len(BODIES)],
            created_at=now - timedelta(hours=i),
            last_activity_at=now - timedelta(hours=i),
            reply_count=i % 13,
            pinned=i == 0,
            hidden_at=now if i % 7 == 6 else None,
            deleted_at=now if i % 10 == 9 else None,
        )
        for i in range(count)
    )
    data_changed()
    return threads


def _thread_with_replies(group, count, authors):
    """One discussion with count replies, oldest first, every sixth hidden."""
    thread = _threads(group, 1, authors)[0]
    now = timezone.now()
    build = _html_cache()
    Reply.objects.bulk_create(
        (
            build(
                Reply,
                thread=thread,
                author=authors[i % len(authors)],
                body=BODIES[i % len(BODIES)],
                created_at=now - timedelta(minutes=count - i),
                hidden_at=now if i % 6 == 5 else None,
            )
            for i in range(count)
        ),
        batch_size=500,
    )
    shown = Reply.objects.filter(thread=thread, hidden_at__isnull=True).count()
    Thread.objects.filter(pk=thread.pk).update(reply_count=shown, last_activity_at=now)
    data_changed()
    return thread


def _announcements(group, count, author):
    """count announcements sent, plus two scheduled that must stay off the site."""
    now = timezone.now()
    build = _html_cache()
    sent = [
        build(
            Announcement,
            group=group,
            author=author if i % 2 else None,
            subject=f"News {i}",
            body=BODIES[i % len(BODIES)],
            send_at=now - timedelta(days=i),
            emailed_at=now - timedelta(days=i),
        )
        for i in range(count)
    ]
    scheduled = [
        build(
            Announcement,
            group=group,
            author=author,
            subject=f"Later {i}",
            body=BODIES[0],
            send_at=now + timedelta(days=i + 1),
        )
        for i in range(2)
    ]
    rows = Announcement.objects.bulk_create(sent + scheduled)
    data_changed()
    return rows


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _get(client, url, queries, expected, *, cold=True):
    """GET url within django_assert_num_queries(expected); cold empties the "bodies" cache
    (finished pages and counted totals) first."""
    if cold:
        caches["bodies"].clear()
    with queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _last_page(total: int, per_page: int) -> int:
    return max(ceil(total / per_page), 1)


# --- The event page ------------------------------------------------------------------------------

# Cold: session, user, the group with the generation, the version row (with the membership
# role: organizer is the role, no permission lookups), the event, speakers, agenda, breakouts,
# hosts, RSVP stats, attendees (members see names), the mute check, the proposal it came from
# (decisions); then comments: count, the page of 20, their replies with authors; the approved
# replies from the fediverse (federation: one query, however many there are).
EVENT_PAGE = {"member": 17, "organizer": 17}


@pytest.fixture(scope="module")
def event_page_seen(django_db_setup, django_db_blocker):
    def look(size):
        # The clock stands still: the page says "2 min ago" and is kept only until that
        # changes, which a slow first request on a busy machine can reach before the second.
        with time_machine.travel(timezone.now(), tick=False):
            _, people = _people()
            event = EventFactory(starts_at=timezone.now() + timedelta(days=2))
            tops = _comments(event, size, people["authors"])
            reply = Comment.objects.get(parent=tops[1])  # the second newest has one reply
            seen = {"visible": len([t for t in tops if not t.hidden_at]), "reply": reply.pk}
            url = event.get_absolute_url()
            for role in ROLES:
                client = _as(people[role])
                response, sql = _look(client, url)
                shown = list(response.context["comment_page"].object_list)
                # The second request of the same version: the cached page.
                again, hit_sql = _look(client, url, cold=False)
                seen[role] = {
                    "sql": sql,
                    "status": (response.status_code, again.status_code),
                    "shown": [(c.pk, c.pinned) for c in shown],
                    "text": response.text,
                    "hit_sql": hit_sql,
                }
        return seen

    return seen_at_sizes(django_db_blocker, (5, 500), look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", [5, 500])
def test_event_page_with_comments_constant(event_page_seen, role, size):
    seen = event_page_seen[size][role]
    pinned(seen["sql"], EVENT_PAGE[role])
    shown = seen["shown"]
    assert len(shown) == min(COMMENTS_PER_PAGE, event_page_seen[size]["visible"])
    assert shown[0][1]  # pinned
    assert f'id="comment-{shown[-1][0]}"' in seen["text"]
    assert f'id="comment-{event_page_seen[size]["reply"]}"' in seen["text"]
    pinned(seen["hit_sql"], EVENT_PAGE_HIT)
    assert seen["status"] == (200, 200)


# --- The event's comments page -------------------------------------------------------------------

# session, user, group with generation, the membership role (Event.visible_to() asks the
# viewer), the event, its hosts, the mute check; then count, the page of 20, their replies
# with authors.
COMMENTS_PAGE = {"member": 10, "organizer": 10}
COMMENTS_CASES = [(5, "first"), (500, "first"), (45, "last"), (500, "last")]


@pytest.fixture(scope="module")
def comments_seen(django_db_setup, django_db_blocker):
    """size -> (which, role) -> the comments page; the first and the last of 500 on one set."""

    def look(size):
        _, people = _people()
        event = EventFactory(starts_at=timezone.now() + timedelta(days=2))
        tops = _comments(event, size, people["authors"])
        shown = len([t for t in tops if not t.hidden_at])
        seen = {}
        for which in [w for s, w in COMMENTS_CASES if s == size]:
            number = 1 if which == "first" else _last_page(shown, COMMENTS_PER_PAGE)
            url = reverse("conversation:comments", args=[event.slug]) + f"?page={number}"
            for role in ROLES:
                client = _as(people[role])
                response, sql = _look(client, url)
                again, warm_sql = _look(client, url, cold=False)
                seen[which, role] = {
                    "number": number,
                    "sql": sql,
                    "status": (response.status_code, again.status_code),
                    "shown": response.context["comment_page"].number,
                    "warm_sql": warm_sql,
                }
        return seen

    return seen_at_sizes(django_db_blocker, sorted({size for size, _ in COMMENTS_CASES}), look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("size", "which"), COMMENTS_CASES)
def test_comments_page_constant(comments_seen, role, size, which):
    seen = comments_seen[size][which, role]
    number = seen["number"]
    assert number == {"first": 1, "last": {5: 1, 45: 2, 500: 23}[size]}[which]
    pinned(seen["sql"], COMMENTS_PAGE[role])
    assert seen["shown"] == number
    pinned(seen["warm_sql"], COMMENTS_PAGE[role] - 1)
    assert seen["status"] == (200, 200)


# --- One comment's page --------------------------------------------------------------------------

# session, user, group with generation, the membership role (Event.visible_to() asks the
# viewer), the event, its hosts, the comment, the mute check, its replies with authors.
COMMENT_PAGE = {"member": 9, "organizer": 9}
COMMENT_CASES = {5: 2, 500: 100}  # comments: replies to the first


@pytest.fixture(scope="module")
def comment_seen(django_db_setup, django_db_blocker):
    def look(size):
        _, people = _people()
        event = EventFactory(starts_at=timezone.now() + timedelta(days=2))
        comment = _comments(event, size, people["authors"])[0]
        _replies_to(comment, COMMENT_CASES[size], people["authors"])
        url = reverse("conversation:comment", args=[event.slug, comment.pk])
        seen = {}
        for role in ROLES:
            response, sql = _look(_as(people[role]), url)
            seen[role] = {"sql": sql, "status": response.status_code}
        return seen

    return seen_at_sizes(django_db_blocker, COMMENT_CASES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("size", "replies"), list(COMMENT_CASES.items()))
def test_comment_page_constant(comment_seen, role, size, replies):
    assert COMMENT_CASES[size] == replies
    seen = comment_seen[size][role]
    pinned(seen["sql"], COMMENT_PAGE[role])
    assert seen["status"] == 200


# --- The discussion board ------------------------------------------------------------------------

# session, user, group with generation, membership role, count, the mute check, whether the
# group has categories and their list (the filter form), the page of 25 with authors and
# categories.
BOARD = {"member": 9, "organizer": 9}


@pytest.fixture(scope="module")
def board_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        threads = _threads(group, size, people["authors"])
        seen = {"threads": [t.pk for t in threads]}
        for role in ROLES:
            client = _as(people[role])
            response, sql = _look(client, reverse("conversation:board"))
            again, warm_sql = _look(client, reverse("conversation:board"), cold=False)
            seen[role] = {
                "sql": sql,
                "status": (response.status_code, again.status_code),
                "listed": [t.pk for t in response.context["threads"]],
                "warm_sql": warm_sql,
            }
        return seen

    return seen_at_sizes(django_db_blocker, (3, 300), look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", [3, 300])
def test_board_constant(board_seen, role, size):
    seen = board_seen[size][role]
    threads = board_seen[size]["threads"]
    pinned(seen["sql"], BOARD[role])
    listed = seen["listed"]
    assert listed[0] == threads[0]  # pinned
    assert len(listed) == min(THREADS_PER_PAGE, size)
    if size > 6:  # the seventh is hidden: on the organizers' board only
        assert (threads[6] in listed) == (role == "organizer")
    pinned(seen["warm_sql"], BOARD[role] - 1)
    assert seen["status"] == (200, 200)


# --- A discussion --------------------------------------------------------------------------------

# session, user, group with generation, membership role, the discussion with author and
# category, count, following, the mute check, the page of 50 replies with authors; organizers
# also: whether the group has categories and their list (the move form).
THREAD_PAGE = {"member": 9, "organizer": 11}
THREAD_CASES = [(5, "first"), (1000, "first"), (60, "last"), (1000, "last")]


@pytest.fixture(scope="module")
def thread_seen(django_db_setup, django_db_blocker):
    """size -> (which, role) -> the discussion's page; the first and the last of 1,000 replies
    on one discussion."""

    def look(size):
        group, people = _people()
        thread = _thread_with_replies(group, size, people["authors"])
        seen = {}
        for which in [w for s, w in THREAD_CASES if s == size]:
            for role in ROLES:
                shown = (
                    size
                    if role == "organizer"
                    else thread.replies.filter(hidden_at__isnull=True).count()
                )
                number = 1 if which == "first" else _last_page(shown, REPLIES_PER_PAGE)
                client = _as(people[role])
                url = reverse("conversation:thread", args=[thread.pk]) + f"?page={number}"
                response, sql = _look(client, url)
                # The same page again: the person's own copy from home/pagecache.py.
                again, hit_sql = _look(client, url, cold=False)
                seen[which, role] = {
                    "number": number,
                    "sql": sql,
                    "status": (response.status_code, again.status_code),
                    "shown": response.context["page_obj"].number,
                    "hit_sql": hit_sql,
                    "text": TOKEN.sub("", response.text),
                    "again": TOKEN.sub("", again.text),
                }
        return seen

    return seen_at_sizes(django_db_blocker, sorted({size for size, _ in THREAD_CASES}), look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("size", "which"), THREAD_CASES)
def test_thread_page_constant(thread_seen, role, size, which):
    seen = thread_seen[size][which, role]
    pinned(seen["sql"], THREAD_PAGE[role])
    assert seen["shown"] == seen["number"]
    # The same page again: the person's own copy from home/pagecache.py (home/personal.py).
    pinned(seen["hit_sql"], PERSONAL_PAGE_HIT)
    assert seen["again"] == seen["text"]
    assert seen["status"] == (200, 200)


# --- Announcements -------------------------------------------------------------------------------

# session, user, group with generation, membership role; count, the page of 20 with authors.
ANNOUNCEMENTS = {"member": 6, "organizer": 6}
# session, user, group with generation, membership role, the announcement with its author.
ANNOUNCEMENT_PAGE = {"member": 5, "organizer": 5}


@pytest.fixture(scope="module")
def announcements_seen(django_db_setup, django_db_blocker):
    """The list and the second announcement's page, for each role, on one set of each size."""

    def look(size):
        group, people = _people()
        rows = _announcements(group, size, people["organizer"])
        seen = {"rows": [a.pk for a in rows]}
        for role in ROLES:
            response, sql = _look(_as(people[role]), reverse("conversation:announcements"))
            page, page_sql = _look(_as(people[role]), rows[1].get_absolute_url())
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "listed": [a.pk for a in response.context["announcements"]],
                "count": response.context["paginator"].count,
                "page_sql": page_sql,
                "page_status": page.status_code,
                "page": page.context["announcement"].pk,
            }
        return seen

    return seen_at_sizes(django_db_blocker, (2, 200), look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", [2, 200])
def test_announcements_constant(announcements_seen, role, size):
    seen = announcements_seen[size][role]
    rows = announcements_seen[size]["rows"]
    pinned(seen["sql"], ANNOUNCEMENTS[role])
    assert seen["status"] == 200
    assert seen["listed"] == rows[: min(size, ANNOUNCEMENTS_PER_PAGE)]
    assert seen["count"] == size  # the scheduled two are not counted


def test_announcements_total_counted_each_visit_and_never_stored(
    django_assert_num_queries, group, people
):
    """What is published depends on the clock, so the total is counted each time (one
    indexed count) and nothing is kept per timestamp in the cache."""
    _announcements(group, 30, people["organizer"])
    client = _client(people["member"])
    url = reverse("conversation:announcements")
    _get(client, url, django_assert_num_queries, ANNOUNCEMENTS["member"])
    _get(client, url, django_assert_num_queries, ANNOUNCEMENTS["member"], cold=False)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", [2, 200])
def test_announcement_page_constant(announcements_seen, role, size):
    seen = announcements_seen[size][role]
    pinned(seen["page_sql"], ANNOUNCEMENT_PAGE[role])
    assert seen["page_status"] == 200
    assert seen["page"] == announcements_seen[size]["rows"][1]
