"""Removing and banning: the log, the hook that frees seats, a ban that outlives the account."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services as event_services
from groups import hooks
from groups.access import is_member
from groups.models import Ban, Membership, MembershipAction, ban_email_hash
from groups.services import membership_ban, membership_remove, membership_request
from members.services import member_delete
from tests.factories import PASSWORD, EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def removed():
    """The people the member_removed hook was called with (a receiver registered for the test)."""
    seen = []
    receiver = seen.append
    hooks.member_removed.register(receiver)
    yield seen
    hooks.member_removed.unregister(receiver)


def test_remove_logs_calls_the_hook_and_they_may_rejoin(group, organizer, member, removed):
    membership = Membership.objects.get(user=member)
    membership_remove(membership=membership, by=organizer, reason="Spam in the chat")
    assert is_member(member, group) is False
    assert removed == [member]
    assert list(MembershipAction.objects.values_list("action", "member", "by", "reason")) == [
        ("removed", member.pk, organizer.pk, "Spam in the chat")
    ]
    assert membership_request(group=group, user=member, answers={}).status == "active"


def test_remove_refuses_the_last_organizer_and_oneself(group, organizer):
    other = UserFactory()
    with pytest.raises(ValidationError) as last:
        membership_remove(membership=Membership.objects.get(user=organizer), by=other)
    assert last.value.code == "last_organizer"
    with pytest.raises(ValidationError) as self_:
        membership_ban(group=group, user=organizer, by=organizer)
    assert self_.value.code == "self"
    assert list(Ban.objects.all()) == []


def test_ban_removes_logs_and_keeps_a_hash(group, organizer, member, removed):
    ban = membership_ban(group=group, user=member, by=organizer, reason="Harassment")
    assert is_member(member, group) is False
    assert removed == [member]
    assert (ban.user, ban.by, ban.reason) == (member, organizer, "Harassment")
    assert ban.email_hash == ban_email_hash(member.email.upper())
    assert member.email not in ban.email_hash
    assert list(MembershipAction.objects.values_list("action", "member", "reason")) == [
        ("banned", member.pk, "Harassment")
    ]
    with pytest.raises(ValidationError) as refused:
        membership_request(group=group, user=member, answers={})
    assert refused.value.messages == ["This account or email address cannot join this group."]


def test_banned_cannot_rsvp(group, organizer, member):
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=2))
    event_services.rsvp_set(event=event, member=member, going=True)
    membership_ban(group=group, user=member, by=organizer)
    with pytest.raises(ValidationError) as refused:
        event_services.rsvp_set(event=event, member=member, going=True)
    assert refused.value.code == "banned"


def test_ban_survives_deletion_and_holds_for_a_new_account_in_any_case(
    client, group, organizer, member
):
    email = member.email
    membership_ban(group=group, user=member, by=organizer)
    member_delete(member=member)
    assert list(Ban.objects.values_list("user", "email_hash")) == [(None, ban_email_hash(email))]
    again = UserFactory(email=email.upper())
    with pytest.raises(ValidationError):
        membership_request(group=group, user=again, answers={})
    client.force_login(again)
    response = client.get("/join/")
    assert response.status_code == 403
    assert "This account or email address cannot join this group." in response.content.decode()
    assert client.post("/join/").status_code == 403
    assert list(Membership.objects.filter(user=again)) == []


def test_banned_address_is_refused_at_sign_up(client, group, organizer, member):
    email = member.email
    membership_ban(group=group, user=member, by=organizer)
    member_delete(member=member)
    data = {
        "display_name": "Back",
        "email": email.title(),
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "This account or email address cannot join this group."
    ]


def test_admin_cannot_add_a_banned_person_back(client, group, organizer, member):
    membership_ban(group=group, user=member, by=organizer)
    client.force_login(organizer)
    response = client.post(
        "/admin/groups/membership/add/", {"group": group.pk, "user": member.pk, "role": "member"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == [
        "This account or email address cannot join this group."
    ]


def test_admin_ban_action_with_a_reason(client, group, organizer, member):
    membership = Membership.objects.get(user=member)
    client.force_login(organizer)
    data = {"action": "ban_members", "_selected_action": [membership.pk]}
    page = client.post("/admin/groups/membership/", data)
    assert "Ban these people" in page.content.decode()
    done = client.post("/admin/groups/membership/", {**data, "apply": "Ban", "text": "Threats"})
    assert done.status_code == 302
    assert list(Ban.objects.values_list("user", "by", "reason")) == [
        (member.pk, organizer.pk, "Threats")
    ]
    assert client.get("/admin/groups/membershipaction/").status_code == 200
    assert client.get("/admin/groups/ban/").status_code == 200


def test_co_organizer_cannot_remove_an_organizer(client, group, organizer):
    from groups.models import Role
    from groups.services import _sync_organizer_status

    co = UserFactory()
    MembershipFactory(group=group, user=co, role=Role.CO_ORGANIZER)
    _sync_organizer_status(co)
    client.force_login(co)
    lead = Membership.objects.get(user=organizer)
    data = {"action": "remove_members", "_selected_action": [lead.pk], "apply": "Remove"}
    client.post("/admin/groups/membership/", data)
    assert is_member(organizer, group) is True
    assert list(MembershipAction.objects.all()) == []


def test_the_privacy_page_says_what_a_ban_keeps_and_it_keeps_no_more(
    client, group, organizer, member
):
    email = member.email
    membership_ban(group=group, user=member, by=organizer, reason=f"Spam from {email}")
    member_delete(member=member)
    page = client.get("/privacy/").content.decode()
    assert "keyed fingerprint of its email address" in page
    kept = [str(value) for row in Ban.objects.values() for value in row.values()]
    assert [value for value in kept if email.split("@")[0] in value] == [
        f"Spam from {email}"
    ]  # the reason the organizer typed is theirs; the address field is only the hash


def _plus(email: str, tag: str) -> str:
    local, domain = email.split("@")
    return f"{local}+{tag}@{domain}"


def test_a_plus_tag_address_of_a_banned_person_is_refused_at_sign_up(
    client, group, organizer, member
):
    email = member.email
    membership_ban(group=group, user=member, by=organizer)
    member_delete(member=member)
    data = {
        "display_name": "Back",
        "email": _plus(email, "again").upper(),
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "This account or email address cannot join this group."
    ]


def test_a_plus_tag_address_of_a_banned_person_cannot_join(client, group, organizer, member):
    membership_ban(group=group, user=member, by=organizer)
    member_delete(member=member)
    again = UserFactory(email=_plus(member.email, "news"))
    with pytest.raises(ValidationError):
        membership_request(group=group, user=again, answers={})
    client.force_login(again)
    assert client.post("/join/").status_code == 403
    assert list(Membership.objects.filter(user=again)) == []


def test_a_ban_on_a_plus_tag_address_holds_for_the_address_without_it(group, organizer):
    tagged = UserFactory(email="name+meetups@example.org")
    MembershipFactory(group=group, user=tagged)
    membership_ban(group=group, user=tagged, by=organizer)
    member_delete(member=tagged)
    assert list(Ban.objects.values_list("email_hash", flat=True)) == [
        ban_email_hash("name@example.org")
    ]
    plain = UserFactory(email="Name@Example.org")
    with pytest.raises(ValidationError):
        membership_request(group=group, user=plain, answers={})


def test_a_ban_stored_before_plus_tags_were_stripped_still_holds(group, organizer):
    from django.utils.crypto import salted_hmac

    old_hash = salted_hmac(
        "potluck.groups.ban", "name+x@example.org", secret=settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()
    Ban.objects.create(group=group, email_hash=old_hash, by=organizer)
    again = UserFactory(email="NAME+x@example.org")
    with pytest.raises(ValidationError):
        membership_request(group=group, user=again, answers={})
