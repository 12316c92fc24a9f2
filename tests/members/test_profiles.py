"""Profiles worth opening: the parts a member writes, the facts counted for them, the
directory's cards, the empty states, and query counts that do not grow with the group."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import RSVP, RSVPStatus
from members import services
from members.forms import ProfileForm
from members.models import User, parse_links
from tests.factories import BreakoutFactory, EventFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _past(group, days):
    starts = timezone.now() - timedelta(days=days)
    return EventFactory(group=group, starts_at=starts, ends_at=starts + timedelta(hours=2))


def _went(event, member, **fields):
    return RSVP.objects.create(event=event, member=member, status=RSVPStatus.GOING, **fields)


@pytest.fixture
def zoe(group):
    """A member with every part of a profile filled in, who went to evenings and led one."""
    return MembershipFactory(
        group=group,
        user__display_name="Zoë Example",
        user__pronouns="she/her",
        user__city="Queens",
        user__bio="Fixes bikes.\nTalks co-ops.",
        user__links="Blog https://zoe.example.org/blog\nhttps://social.example/@zoe",
    ).user


def test_links_have_labels_or_their_host():
    assert parse_links("Blog https://a.example/x\n\n  https://b.example/y  \n") == [
        ("Blog", "https://a.example/x"),
        ("b.example", "https://b.example/y"),
    ]


def _form(user, **data):
    fields = {name: getattr(user, name) for name in ProfileForm._meta.fields}
    return ProfileForm({**fields, **data}, instance=user)


@pytest.mark.parametrize(
    ("links", "error"),
    [
        ("Blog javascript:alert(1)", "“javascript:alert(1)” is not a web address"),
        ("Blog example.org", "“example.org” is not a web address"),
        ("\n".join(f"https://{n}.example" for n in range(6)), "Up to 5 links, please."),
    ],
)
def test_profile_form_refuses_what_is_not_a_link(member, links, error):
    form = _form(member, links=links)
    assert not form.is_valid()
    assert form.errors["links"][0].startswith(error)


def test_profile_form_keeps_labels_and_each_choice(member):
    form = _form(
        member,
        links="My blog  https://a.example/x\nhttps://b.example/y",
        bio_shown_to="nobody",
        evenings_shown_to="everyone",
    )
    assert form.is_valid(), form.errors
    form.save()
    member.refresh_from_db()
    assert member.links == "My blog https://a.example/x\nhttps://b.example/y"
    assert (member.bio_shown_to, member.evenings_shown_to) == ("nobody", "everyone")


def test_a_form_posted_without_the_choices_keeps_them(member):
    member.city_shown_to = "nobody"
    member.save()
    form = ProfileForm({"display_name": "Ada", "profile_visibility": "members"}, instance=member)
    assert form.is_valid(), form.errors
    form.save()
    member.refresh_from_db()
    assert (member.display_name, member.city_shown_to, member.bio_shown_to) == (
        "Ada",
        "nobody",
        "everyone",
    )


def test_profile_reads_well(client, group, member, zoe):
    for days in (30, 20, 10):
        _went(_past(group, days), zoe)
    _went(_past(group, 5), zoe, checked_in_at=timezone.now() - timedelta(days=5))
    _went(_past(group, 3), zoe, no_show=True)  # did not come
    _went(EventFactory(group=group), zoe)  # not yet
    RSVP.objects.create(event=_past(group, 40), member=zoe, status=RSVPStatus.NOT_GOING)
    for status in ("cancelled", "draft"):  # nobody's evening
        event = _past(group, 45)
        event.status = status
        event.save()
        _went(event, zoe)
    BreakoutFactory(event=_past(group, 50), facilitator=zoe)
    BreakoutFactory(event=EventFactory(group=group), facilitator=zoe)  # not yet
    client.force_login(member)
    page = client.get(f"/members/{zoe.pk}/").content.decode()
    assert '<h1 id="profile-name">Zoë Example</h1>' in page
    assert '<span>she/her</span> <span aria-hidden="true">·</span> <span>Queens</span>' in page
    assert "Fixes bikes.<br>Talks co-ops." in page
    assert '<a href="https://zoe.example.org/blog" rel="nofollow ugc me">Blog</a>' in page
    assert '<a href="https://social.example/@zoe" rel="nofollow ugc me">social.example</a>' in page
    assert "<dt>Evenings attended</dt><dd>4</dd>" in page
    assert "<dt>Breakouts facilitated</dt><dd>1</dd>" in page
    assert f"<dt>Member since</dt><dd>{timezone.now():%B %Y}</dd>" in page
    assert "Add a few words about yourself" not in page


def test_small_counts_are_words_not_zeros(client, group, member, zoe):
    client.force_login(member)
    page = client.get(f"/members/{zoe.pk}/").content.decode()
    assert "<dt>Evenings attended</dt><dd>None yet</dd>" in page
    assert "Breakouts facilitated" not in page  # nothing to say yet


def test_own_empty_profile_says_what_to_add(client, member):
    client.force_login(member)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "Add a few words about yourself" in page
    assert '<a class="button" href="/me/">Fill in my profile</a>' in page


def test_own_profile_says_which_parts_only_you_see(client, zoe):
    zoe.city_shown_to = zoe.bio_shown_to = "nobody"
    zoe.save()
    client.force_login(zoe)
    page = client.get(f"/members/{zoe.pk}/").content.decode()
    assert "Only you see your city, your bio." in page
    assert "<span>Queens</span>" in page  # you see all of it


def test_someone_elses_empty_profile_asks_nothing(client, group, member):
    other = MembershipFactory(group=group).user
    client.force_login(member)
    assert "Add a few words" not in client.get(f"/members/{other.pk}/").content.decode()


def test_directory_cards_show_faces_pronouns_and_city(client, group, member, zoe):
    client.force_login(member)
    page = client.get("/members/").content.decode()
    assert 'class="member-cards"' in page
    assert f'<a class="member-card-name" href="/members/{zoe.pk}/">Zoë Example</a>' in page
    assert '<span class="muted">she/her</span>' in page
    assert '<span class="muted">Queens</span>' in page
    # The viewer's own profile is empty: the page says what to do.
    assert "Add a few words about yourself, so they see who you are." in page


def test_directory_empty_states(client, group, member):
    client.force_login(member)
    alone = client.get("/members/").content.decode()
    assert "Only you so far." in alone
    nobody = client.get("/members/?q=zzz").content.decode()
    assert "Nobody's name matches “zzz”." in nobody
    assert '<a href="/members/">See everyone</a>' in nobody


def _grow(group, members: int, evenings: int, facilitator):
    for _ in range(members):
        MembershipFactory(group=group, user__pronouns="they/them", user__city="Bronx")
    people = list(User.objects.all())
    for days in range(evenings):
        event = _past(group, 10 + days)
        BreakoutFactory(event=event, facilitator=facilitator)
        for person in people:
            _went(event, person)


def test_profile_and_directory_queries_do_not_grow(
    client, group, member, zoe, django_assert_num_queries
):
    """10 members then 30, 2 evenings then 8: session, user, group, the viewer's membership;
    the directory's count and page; the profile's membership with its facts counted in SQL,
    its recent evenings and its photos."""
    client.force_login(member)
    for members, evenings, total in ((8, 2, 2), (20, 6, 8)):
        _grow(group, members, evenings, zoe)
        everyone = User.objects.count()
        with django_assert_num_queries(6):
            directory = client.get("/members/")
        with django_assert_num_queries(7):
            profile = client.get(f"/members/{zoe.pk}/")
        assert len(directory.context["cards"]) == everyone
        facts = profile.context["membership"]
        assert (facts.evenings_attended, facts.breakouts_facilitated) == (total, total)


def test_export_has_the_profile_parts_and_facts(group, zoe):
    _went(_past(group, 10), zoe)
    BreakoutFactory(event=_past(group, 20), facilitator=zoe)
    zoe.city_shown_to = "nobody"
    zoe.save()
    archive = zipfile.ZipFile(io.BytesIO(services.member_export(member=zoe)))
    profile = json.loads(archive.read("data.json"))["profile"]
    assert profile["links"] == [
        {"label": "Blog", "url": "https://zoe.example.org/blog"},
        {"label": "social.example", "url": "https://social.example/@zoe"},
    ]
    assert (profile["evenings_attended"], profile["breakouts_facilitated"]) == (1, 1)
    assert profile["member_since"] is not None
    assert profile["shown_to"] == {
        "pronouns": "everyone",
        "city": "nobody",
        "bio": "everyone",
        "links": "everyone",
        "since": "everyone",
        "evenings": "members",
        "breakouts": "members",
    }


def test_deletion_erases_the_profile(group, zoe):
    breakout = BreakoutFactory(event=_past(group, 20), facilitator=zoe)
    services.member_delete(member=zoe)
    assert not User.objects.filter(pk=zoe.pk).exists()
    for needle in ("Fixes bikes", "zoe.example.org", "Queens", "she/her"):
        assert not User.objects.filter(bio__contains=needle).exists()
        assert not User.objects.filter(links__contains=needle).exists()
    breakout.refresh_from_db()
    assert breakout.facilitator_id is None
