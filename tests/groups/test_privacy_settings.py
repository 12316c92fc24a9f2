"""The privacy settings the members can decide (issue 27, item 5): who sees attendee lists and
whether event comments may be public. groups.visibility reads them for the pages and for the
privacy page alike, so what the page says is what the pages do."""

import pytest

from events import services as event_services
from groups.models import AttendeeLists, Role
from tests.factories import CommentFactory, EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("visitor", "outsider", "member", "host", "organizer")
# Who sees the names of the people going, for each value of the setting.
SEES_NAMES = {
    AttendeeLists.ANYONE: {"visitor", "outsider", "member", "host", "organizer"},
    AttendeeLists.MEMBERS: {"member", "host", "organizer"},
    AttendeeLists.HOSTS: {"host", "organizer"},
}


@pytest.fixture
def people(group, organizer):
    host = MembershipFactory(group=group, role=Role.MEMBER).user
    return {
        "visitor": None,
        "outsider": UserFactory(),
        "member": MembershipFactory(group=group, role=Role.MEMBER).user,
        "host": host,
        "organizer": organizer,
    }


@pytest.mark.parametrize("setting", list(AttendeeLists))
def test_attendee_names_follow_the_groups_setting(client, group, people, setting):
    group.attendee_lists = setting
    group.save()
    event = EventFactory(group=group)
    event.hosts.add(people["host"])
    going = MembershipFactory(group=group, user__display_name="Vera Goingwell").user
    event_services.rsvp_set(event=event, member=going, going=True)
    seen = set()
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        if "Vera Goingwell" in client.get(event.get_absolute_url()).content.decode():
            seen.add(role)
    assert seen == SEES_NAMES[setting]


def test_a_member_who_keeps_their_name_private_stays_private_with_lists_open(client, group):
    group.attendee_lists = AttendeeLists.ANYONE
    group.save()
    event = EventFactory(group=group)
    quiet = MembershipFactory(
        group=group, user__display_name="Quiet Quinn", user__show_in_attendee_lists=False
    ).user
    event_services.rsvp_set(event=event, member=quiet, going=True)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Quiet Quinn" not in page
    assert "and 1 more member who keeps their name private" in page


@pytest.mark.parametrize(("may_be_public", "visitor_reads"), [(True, True), (False, False)])
def test_public_comments_need_the_groups_setting(client, group, may_be_public, visitor_reads):
    group.comments_may_be_public = may_be_public
    group.save()
    event = EventFactory(group=group, comments_public=True)
    CommentFactory(event=event, body="A-PUBLIC-QUESTION")
    response = client.get(f"/events/{event.slug}/comments/")
    assert (response.status_code, "A-PUBLIC-QUESTION" in response.content.decode()) == (
        (200, True) if visitor_reads else (403, False)
    )
    assert ("A-PUBLIC-QUESTION" in client.get(event.get_absolute_url()).content.decode()) is (
        visitor_reads
    )


def test_the_privacy_page_says_the_groups_settings(client, group):
    page = " ".join(client.get("/privacy/").content.decode().split())
    assert "Members of the group. Your name among the people going" in page
    assert "Members of the group. Or everyone, on an event whose organizers" in page
    group.attendee_lists, group.comments_may_be_public = AttendeeLists.HOSTS, False
    group.save()
    page = " ".join(client.get("/privacy/").content.decode().split())
    assert "The organizers, and the hosts of the events concerned. Your name among" in page
    assert "Or everyone, on an event whose organizers" not in page


def test_the_export_readme_says_the_groups_settings(group):
    from members.services import export_readme

    assert "Members of the group. Your name among the people going" in export_readme(group)
    group.attendee_lists = AttendeeLists.ANYONE
    group.save()
    assert "Anyone, including search engines. Your name among" in export_readme(group)
