"""groups.visibility's conversation rules against real pages, for every role.

As tests/members/test_visibility.py does for the member's profile and RSVPs: each rule's
audience (on the privacy page) says who may see a piece of the owner's writing; the test
looks for it on every page where it could show and checks it appears exactly for them.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversation import services
from conversation.models import Report
from groups.services import membership_leave
from groups.visibility import RULES, Audience
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
)
from tests.worlds import built_once, fresh_copy, pages_seen

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "former", "member", "host", "organizer", "self"]
SEES = {
    Audience.ANYONE: set(ROLES),
    Audience.MEMBERS: {"member", "host", "organizer"},
    Audience.HOSTS: {"host", "organizer"},
    Audience.ORGANIZERS: {"organizer"},
    Audience.SELF: set(),
}
KEYS = ["comments", "discussions", "announcements", "follows", "reports", "edit_history", "mutes"]


def _build():
    group = GroupFactory()
    organizer = organizer_for(group)
    owner = MembershipFactory(group=group, user__display_name="Owner Olive").user
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    host = MembershipFactory(group=group).user
    event.hosts.add(host)
    former = MembershipFactory(group=group).user
    membership_leave(group=group, user=former)
    member = MembershipFactory(group=group).user
    comment = services.comment_add(event=event, author=owner, body="OWNER-COMMENT")
    services.comment_edit(comment=comment, by=owner, body="OWNER-COMMENT, edited")
    starter = MembershipFactory(group=group).user  # follows their own thread; not a role
    thread = services.thread_start(group=group, author=starter, title="Hello", body="Hi")
    own_thread = services.thread_start(group=group, author=owner, title="OWNER-TITLE", body="x")
    services.thread_follow(thread=thread, member=owner)
    other = services.comment_add(event=event, author=member, body="Not nice")
    report = services.report_file(item=other, by=owner, reason="other", details="OWNER-REPORT")
    announcement = services.announcement_send(
        group=group, by=organizer, subject="News", body="GROUP-NEWS"
    )
    mute = services.member_mute(group=group, member=owner, by=organizer, reason="calm down")
    people = {
        "outsider": UserFactory(),
        "former": former,
        "member": member,
        "host": host,
        "organizer": organizer,
        "self": owner,
    }
    return {
        "event": event,
        "comment": comment,
        "thread": thread,
        "own_thread": own_thread,
        "report": report,
        "announcement": announcement,
        "mute": mute,
        "people": people,
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The owner's writing, reports and mute, built once for the module (tests/worlds.py);
    each test still starts from them as built."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def site(built, db):
    return fresh_copy(built)


@pytest.fixture(scope="module")
def seen(built):
    """The pages each role saw, kept for the rules that open the same ones
    (tests/worlds.pages_seen); a rule with pages of its own opens its own list."""
    return {}


def _pages_everyone_might_open(s) -> list[str]:
    event = s["event"]
    return [
        event.get_absolute_url(),
        f"/events/{event.slug}/comments/",
        f"/events/{event.slug}/comments/{s['comment'].pk}/",
        "/discussions/",
        f"/discussions/{s['thread'].pk}/",
        f"/discussions/{s['own_thread'].pk}/",
        "/announcements/",
        f"/announcements/{s['announcement'].pk}/",
        "/me/",
    ]


# rule key -> (the marker, the pages where it may show besides the common ones)
PROBES = {
    "comments": (lambda s: "OWNER-COMMENT, edited", lambda s: []),
    "discussions": (lambda s: "OWNER-TITLE", lambda s: []),
    "announcements": (lambda s: "GROUP-NEWS", lambda s: []),
    # Only the follower sees that they follow: the button offers to stop.
    "follows": (lambda s: "Stop following", lambda s: []),
    "reports": (
        lambda s: "OWNER-REPORT",
        lambda s: [
            "/admin/conversation/report/",
            f"/admin/conversation/report/{s['report'].pk}/change/",
        ],
    ),
    "edit_history": (
        # The text before the edit (the current one begins the same way).
        lambda s: "OWNER-COMMENT<",
        lambda s: [f"/admin/conversation/comment/{s['comment'].pk}/change/"],
    ),
    "mutes": (
        lambda s: "muted you",
        lambda s: ["/admin/conversation/mute/", f"/admin/conversation/mute/{s['mute'].pk}/change/"],
    ),
}


def _expected(key, role) -> bool:
    rule = RULES[key]
    if role == "self" and rule.owner_sees:
        return True
    return role in SEES[rule.audience]


def test_every_conversation_rule_is_probed():
    assert set(PROBES) == set(KEYS)
    assert set(KEYS) <= set(RULES)


@pytest.mark.parametrize("key", KEYS)
def test_conversation_rule_holds_on_real_pages(client, site, seen, key):
    marker_of, pages_of = PROBES[key]
    urls = [*_pages_everyone_might_open(site), *pages_of(site)]
    wrong = []
    for role, pages in pages_seen(
        client, people=site["people"], roles=ROLES, urls=urls, seen=seen
    ).items():
        marker = marker_of(site)
        if key == "mutes" and role == "organizer":
            marker = "Owner Olive"  # the organizers' list of muted members names them
        showing = [url for url, page in zip(urls, pages, strict=True) if marker in page]
        if bool(showing) != _expected(key, role):
            wrong.append((role, showing))
    assert wrong == []


def test_public_comments_are_seen_by_everyone(client, site):
    event = site["event"]
    event.comments_public = True
    event.save()
    page = client.get(event.get_absolute_url()).content.decode()
    assert "OWNER-COMMENT, edited" in page
    assert Report.objects.filter(details="OWNER-REPORT").count() == 1
