"""Elections hand over roles when they close; settings polls apply what the members pass."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Email
from decisions import services
from decisions.models import Candidate, Election, SettingPoll
from decisions.templatetags.decisions import log_sentence
from groups.models import Group, LogEntry, LogKind, Membership, Role
from tests.decisions.rolls import enrol
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _members(group, *names):
    return [
        MembershipFactory(group=group, user=UserFactory(display_name=n), role=Role.MEMBER).user
        for n in names
    ]


def _role(group, user):
    return Membership.objects.get(group=group, user=user).role


def _election(group, by, candidates, seats=1, role=Role.ORGANIZER):
    return services.election_open(
        group=group,
        by=by,
        role=role,
        seats=seats,
        candidates=candidates,
        closes_at=NOW + timedelta(days=7),
        term_ends=NOW + timedelta(days=365),
        now=NOW,
    )


def _vote(poll, ballots):
    options = {o.label: o for o in poll.options.all()}
    for member, ranking in ballots:
        services.ballot_cast(poll=poll, member=member, choices=[options[n] for n in ranking])


def test_election_open_makes_a_ranked_poll_with_named_candidates(group, organizer):
    ana, ben = _members(group, "Ana", "Ben")
    poll = _election(group, organizer, [ana, ben], seats=1)
    assert poll.method == "ranked"
    assert poll.question == "Election: Organizer, 1 seat"
    assert poll.question_es == "Elección: Organizador, 1 puesto"
    assert [o.label for o in poll.options.all()] == ["Ana", "Ben"]
    assert [(c.option.label, c.member) for c in Candidate.objects.order_by("pk")] == [
        ("Ana", ana),
        ("Ben", ben),
    ]
    election = Election.objects.get(poll=poll)
    assert (election.role, election.seats) == (Role.ORGANIZER, 1)


def test_election_open_refuses_non_members_members_and_bad_terms(group, organizer, member):
    ana, ben = _members(group, "Ana", "Ben")
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        _election(group, member, [ana, ben])
    with pytest.raises(ValidationError) as error:
        _election(group, organizer, [ana, outsider])
    assert error.value.message_dict == {"candidates": ["Candidates must be members of the group."]}
    with pytest.raises(ValidationError) as error:
        _election(group, organizer, [ana, ben], seats=3)
    assert error.value.message_dict == {
        "candidates": ["Give at least as many candidates as seats."]
    }
    with pytest.raises(ValidationError) as error:
        services.election_open(
            group=group,
            by=organizer,
            role="president",
            seats=1,
            candidates=[ana, ben],
            closes_at=NOW + timedelta(days=7),
            term_ends=NOW + timedelta(days=1),
        )
    assert sorted(error.value.message_dict) == ["role", "term_ends"]
    assert Election.objects.count() == 0


def test_election_close_hands_over_the_role(group, organizer):
    """One seat: Ana 2 first choices, Ben 1 → Ana wins outright. The organizer who was not
    elected steps down (Ana is an organizer now, so the group keeps one)."""
    ana, ben, cy = _members(group, "Ana", "Ben", "Cy")
    poll = _election(group, organizer, [ana, ben])
    _vote(poll, [(ana, ["Ana"]), (cy, ["Ana", "Ben"]), (ben, ["Ben"])])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    assert _role(group, ana) == Role.ORGANIZER
    assert _role(group, ben) == Role.MEMBER
    assert _role(group, organizer) == Role.MEMBER
    closed = LogEntry.objects.get(kind=LogKind.POLL_CLOSED)
    assert closed.detail == "Ana"
    assert [(e.kind, e.member, e.actor) for e in LogEntry.objects.order_by("pk")][1:] == [
        (LogKind.ROLE_GRANTED, ana, None),
        (LogKind.ROLE_REMOVED, organizer, None),
        (LogKind.POLL_CLOSED, None, organizer),
    ]
    assert Election.objects.get(poll=poll).applied_at == NOW + timedelta(hours=1)


def test_election_by_the_clock_two_seats_by_stv(group, organizer):
    """Two co-organizer seats, 7 ballots: quota 7 // 3 + 1 = 3. Stage 1: Ana 4, Ben 1, Cy 2
    → Ana elected, surplus 1 passes at 1/4: her 4 ballots rank Ben next → Ben 1 + 1 = 2.
    Stage 2: Ben 2, Cy 2 — tied; at stage 1 Ben had 1, Cy 2 → Ben excluded, Cy elected."""
    ana, ben, cy, dee = _members(group, "Ana", "Ben", "Cy", "Dee")
    old = MembershipFactory(group=group, role=Role.CO_ORGANIZER).user
    poll = _election(group, organizer, [ana, ben, cy], seats=2, role=Role.CO_ORGANIZER)
    voters = [ana, ben, cy, dee, organizer, old, UserFactory()]
    Membership.objects.create(group=group, user=voters[-1])
    enrol(poll, voters[-1])  # joined after the poll opened
    rankings = [["Ana", "Ben"]] * 4 + [["Ben"]] + [["Cy"]] * 2
    _vote(poll, list(zip(voters, rankings, strict=True)))
    assert services.polls_close_due(now=NOW + timedelta(days=8)) == 1
    results = services.election_results(election=Election.objects.get(poll=poll))
    assert [o.label for o in results.elected] == ["Ana", "Cy"]
    assert results.quota == 3
    assert _role(group, ana) == _role(group, cy) == Role.CO_ORGANIZER
    assert _role(group, ben) == Role.MEMBER
    assert _role(group, old) == Role.MEMBER  # not re-elected: steps down
    assert _role(group, organizer) == Role.ORGANIZER  # another role: untouched
    assert LogEntry.objects.get(kind=LogKind.POLL_CLOSED).detail == "Ana, Cy"


def test_election_never_leaves_the_group_without_an_organizer(group, organizer):
    """No ballot: nobody is elected and nothing changes. Ana elected but her account gone
    before the close: the sole organizer, not elected, stays all the same."""
    ana, ben = _members(group, "Ana", "Ben")
    poll = _election(group, organizer, [ana, ben])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    assert _role(group, organizer) == Role.ORGANIZER
    poll = _election(group, organizer, [ana, ben])
    _vote(poll, [(ana, ["Ana"]), (ben, ["Ana"])])
    ana.delete()
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    assert _role(group, organizer) == Role.ORGANIZER
    assert _role(group, ben) == Role.MEMBER
    assert LogEntry.objects.filter(kind=LogKind.ROLE_REMOVED).count() == 0


def test_election_close_twice_applies_once(group, organizer):
    ana, ben = _members(group, "Ana", "Ben")
    poll = _election(group, organizer, [ana, ben])
    _vote(poll, [(ben, ["Ben"])])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    assert services.polls_close_due(now=NOW + timedelta(days=8)) == 0
    assert LogEntry.objects.filter(kind=LogKind.ROLE_GRANTED, member=ben).count() == 1


def test_members_are_reminded_once_before_the_term_ends(group, organizer):
    ana, ben = _members(group, "Ana", "Ben")
    for user in (ana, ben, organizer):
        user.notify_decisions = True
        user.save()
    poll = _election(group, organizer, [ana, ben])
    _vote(poll, [(ana, ["Ana"])])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    term_ends = NOW + timedelta(days=365)
    assert services.elections_remind_due(now=term_ends - timedelta(days=15)) == 0
    assert services.elections_remind_due(now=term_ends - timedelta(days=13)) == 3
    assert services.elections_remind_due(now=term_ends - timedelta(days=12)) == 0
    emails = Email.objects.filter(kind="term_ending")
    assert sorted(e.recipient_id for e in emails) == sorted([ana.pk, ben.pk, organizer.pk])


# --- Settings the members decide ---------------------------------------------------------------


def _setting_poll(group, by, setting="join_needs_approval", value=True):
    return services.setting_poll_open(
        group=group,
        by=by,
        setting=setting,
        value=value,
        closes_at=NOW + timedelta(days=7),
        now=NOW,
    )


def _answer(poll, votes):
    options = {o.label: o for o in poll.options.all()}
    for member, answer in votes:
        services.ballot_cast(poll=poll, member=member, choices=[options[answer]])


def test_a_passed_settings_poll_changes_the_setting_on_close(group, organizer):
    group.members_decide_settings = True
    group.save()
    ana, ben = _members(group, "Ana", "Ben")
    poll = _setting_poll(group, organizer)
    assert poll.method == "single"
    assert [o.label for o in poll.options.all()] == ["Yes", "No"]
    assert [o.label_es for o in poll.options.all()] == ["Sí", "No"]
    _answer(poll, [(ana, "Yes"), (ben, "Yes"), (organizer, "No")])
    assert Group.objects.get(pk=group.pk).join_needs_approval is False  # not before the close
    services.polls_close_due(now=NOW + timedelta(days=8))
    assert Group.objects.get(pk=group.pk).join_needs_approval is True
    changed = LogEntry.objects.get(kind=LogKind.SETTING_CHANGED)
    assert (changed.detail, changed.url) == ("join_needs_approval:on", poll.get_absolute_url())
    assert SettingPoll.objects.get(poll=poll).passed is True


def test_a_failed_settings_poll_changes_nothing(group, organizer):
    """A tie (1 yes, 1 no) is not more than half of the ballots."""
    ana, ben = _members(group, "Ana", "Ben")
    poll = _setting_poll(group, organizer, setting="members_open_polls")
    _answer(poll, [(ana, "Yes"), (ben, "No")])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    assert Group.objects.get(pk=group.pk).members_open_polls is False
    assert LogEntry.objects.filter(kind=LogKind.SETTING_CHANGED).count() == 0
    assert SettingPoll.objects.get(poll=poll).passed is False


def test_settings_poll_refuses_other_settings_and_no_change(group, organizer):
    with pytest.raises(ValidationError) as error:
        _setting_poll(group, organizer, setting="name")
    assert list(error.value.message_dict) == ["setting"]
    with pytest.raises(ValidationError) as error:
        _setting_poll(group, organizer, value=False)
    assert error.value.message_dict == {"value": ["The setting already has this value."]}
    assert SettingPoll.objects.count() == 0


def test_settings_poll_can_turn_on_members_deciding(group, organizer, member):
    poll = _setting_poll(group, organizer, setting="members_decide_settings")
    _answer(poll, [(member, "Yes")])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    assert Group.objects.get(pk=group.pk).members_decide_settings is True


def test_the_log_page_says_what_the_members_decided(client, group, organizer):
    ana, ben = _members(group, "Ana", "Ben")
    poll = _election(group, organizer, [ana, ben])
    _vote(poll, [(ana, ["Ana"]), (ben, ["Ana"])])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    setting = _setting_poll(group, ana, setting="members_open_polls")
    _answer(setting, [(ana, "Yes"), (ben, "Yes")])
    services.polls_close_due(now=NOW + timedelta(days=8))
    client.force_login(ben)
    page = client.get("/log/").text
    sentences = [
        re.sub(r"<[^>]+>", "", p) for p in re.findall(r'<li class="card"><p>(.*?)</p>', page)
    ]
    question = "Change “members may open polls” to “on”?"
    assert sentences == [
        # Applied when the clock noticed, a day after the closing time.
        f"The members' poll “{question}” changed the setting “members may open polls” to “on”.",
        f"The poll “{question}” closed at its set time. Result: Yes.",
        f"{organizer.display_name} closed the poll “Election: Organizer, 1 seat”. Result: Ana.",
        # The clock stands at NOW: the services write these at the time it says.
        f"Ana opened the poll “{question}”. Voters on its roll: 3.",
        f"{organizer.display_name} is no longer Organizer.",
        "Ana became Organizer.",
        f"{organizer.display_name} opened the poll “Election: Organizer, 1 seat”."
        " Voters on its roll: 3.",
    ]


def test_a_settings_poll_opens_the_attendee_lists_to_everyone(group, organizer):
    group.members_decide_settings = True
    group.save()
    ana, ben = _members(group, "Ana", "Ben")
    poll = _setting_poll(group, organizer, setting="attendee_lists", value="anyone")
    assert poll.question == "Change “who sees attendee lists” to “everyone”?"
    _answer(poll, [(ana, "Yes"), (ben, "Yes"), (organizer, "No")])
    services.polls_close_due(now=NOW + timedelta(days=8))
    assert Group.objects.get(pk=group.pk).attendee_lists == "anyone"
    changed = LogEntry.objects.get(kind=LogKind.SETTING_CHANGED)
    assert changed.detail == "attendee_lists:anyone"
    assert str(log_sentence(changed)) == (
        f'The members\' poll “<a href="{poll.get_absolute_url()}">Change “who sees attendee '
        "lists” to “everyone”?</a>” changed the setting “who sees attendee lists” to “everyone”."
    )


def test_a_settings_poll_turns_public_comments_off(group, organizer, member):
    poll = _setting_poll(group, organizer, setting="comments_may_be_public", value=False)
    _answer(poll, [(member, "Yes")])
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    assert Group.objects.get(pk=group.pk).comments_may_be_public is False


def test_a_settings_poll_refuses_a_value_the_setting_cannot_take(group, organizer):
    with pytest.raises(ValidationError) as error:
        _setting_poll(group, organizer, setting="attendee_lists", value="sometimes")
    assert error.value.message_dict == {"value": ["Choose one of this setting's values."]}
    with pytest.raises(ValidationError) as error:
        _setting_poll(group, organizer, setting="attendee_lists", value=True)
    assert list(error.value.message_dict) == ["value"]
    assert SettingPoll.objects.count() == 0
