"""Who gets the decisions emails (new proposals, new polls, the reminder before a poll closes)
and who does not; their text, and their List-* headers and one-click unsubscribe as a mail
client reads them."""

import email
import email.policy
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.emails.message import unsubscribe_token
from core.models import Email, EmailState
from decisions import services
from decisions.emails import DecisionEmail
from decisions.models import Voters
from events.models import RSVP, RSVPStatus
from groups.models import MembershipStatus, Role
from tests.events.test_email_headers import _raw_headers
from tests.factories import EventFactory, GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)  # Monday, 8:00 AM in New York
CLOSES = NOW + timedelta(days=3)  # Thursday May 7, 8:00 AM EDT in the group's zone
CLOSES_TEXT = "Thu, May 7 · 8:00 AM"
LAST_DAY = CLOSES - timedelta(hours=23)
QUESTION = "Rosa's place & the park: where?"
TITLE = "Workers' rights & platforms"
BODY = "Bring tea & mugs, it's Rosa's turn."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what a transaction would run on commit (the worker sends at once in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _member(group, role=Role.MEMBER, **preferences):
    return MembershipFactory(group=group, user=UserFactory(**preferences), role=role).user


def _keen(group, **fields):
    return _member(group, notify_decisions=True, **fields)


def _to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _emails(*people) -> list[str]:
    return sorted(person.email for person in people)


def _logged() -> list[tuple[str, str]]:
    logged = Email.objects.filter(state__in=(EmailState.SENT, EmailState.FAILED))
    return sorted(logged.values_list("address", "kind"))


def _poll(group, by, **kwargs):
    fields = {
        "question": QUESTION,
        "options": ["Rosa's place", "The park"],
        "method": "single",
        "opens_at": NOW,
        "closes_at": CLOSES,
        "now": NOW,
        **kwargs,
    }
    return services.poll_open(group=group, by=by, **fields)


def _text(message) -> str:
    return message.body


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def outsiders(group):
    """People who asked for every decisions email but must get none: a request to join still
    pending, a deactivated account, and someone who is no member at all."""
    pending = MembershipFactory(
        group=group, status=MembershipStatus.PENDING, user=UserFactory(notify_decisions=True)
    ).user
    inactive = _keen(group, is_active=False)
    stranger = UserFactory(notify_decisions=True)
    return [pending, inactive, stranger]


# --- New proposals -----------------------------------------------------------------------------


def test_decisions_emails_are_off_by_default_reminders_on():
    user = UserFactory()
    assert (user.notify_decisions, user.notify_poll_reminders) == (False, True)


def test_new_proposal_emails_members_who_asked_only(group, organizer, outsiders, commit):
    keen, also_keen = _keen(group), _keen(group, role=Role.CO_ORGANIZER)
    default = _member(group)
    author = _keen(group)
    with commit():
        services.proposal_add(group=group, author=author, kind="topic", title=TITLE, now=NOW)
    assert _to() == _emails(keen, also_keen)
    assert _logged() == sorted((p.email, DecisionEmail.PROPOSAL) for p in (keen, also_keen))
    assert default.email not in _to() and organizer.email not in _to()


def test_new_proposal_by_default_emails_nobody(group, organizer, member, commit):
    _member(group)
    with commit():
        services.proposal_add(group=group, author=member, kind="topic", title=TITLE, now=NOW)
    assert mail.outbox == []


def test_refused_proposal_emails_nobody(group, commit):
    keen = _keen(group)
    with pytest.raises(ValidationError), commit():
        services.proposal_add(group=group, author=keen, kind="topic", title=" ", now=NOW)
    with pytest.raises(PermissionDenied), commit():
        services.proposal_add(group=group, author=UserFactory(), kind="topic", title="Hi")
    assert mail.outbox == []


def test_new_proposal_email_text(group, member, commit):
    keen = _keen(group)
    with commit():
        proposal = services.proposal_add(
            group=group,
            author=member,
            kind="guest",
            title=TITLE,
            body=BODY,
            contact="trebor@example.org",
            now=NOW,
        )
    [message] = mail.outbox
    assert message.to == [keen.email]
    assert message.subject == f"{group.name}: new proposal, “{TITLE}”"
    url = f"http://127.0.0.1:8000/proposals/{proposal.pk}/"
    text = _text(message)
    assert f"{member.display_name} proposed something (Guest speaker):\n\n{TITLE}\n\n{BODY}" in text
    assert f"Support it or comment on the site: {url}" in text
    assert "Don't want these emails? Turn them off: http://127.0.0.1:8000/email/" in text
    assert ("&#x27;" in text, "&amp;" in text) == (False, False)
    html = _html(message)
    assert "Workers&#x27; rights &amp; platforms" in html
    assert f'href="{url}"' in html
    # The guest's contact is for the organizers and the proposer only.
    assert "trebor@example.org" not in text + html


# --- New polls ---------------------------------------------------------------------------------


def test_new_poll_emails_members_who_asked_not_its_opener(group, outsiders, commit):
    opener = _keen(group, role=Role.ORGANIZER)
    keen = _keen(group)
    _member(group)
    with commit():
        _poll(group, opener)
    assert _to() == [keen.email]
    assert _logged() == [(keen.email, DecisionEmail.POLL)]


def test_attendees_poll_emails_only_those_going(group, organizer, commit):
    event = EventFactory(group=group)
    going, staying_home, waiting = _keen(group), _keen(group), _keen(group)
    going_quiet = _member(group)
    for person, status in (
        (going, RSVPStatus.GOING),
        (going_quiet, RSVPStatus.GOING),
        (staying_home, RSVPStatus.NOT_GOING),
    ):
        RSVP.objects.create(event=event, member=person, status=status)
    RSVP.objects.create(
        event=event, member=waiting, status=RSVPStatus.WAITLISTED, waitlisted_at=NOW, waitlist_seq=1
    )
    not_answered = _keen(group)
    with commit():
        _poll(group, organizer, voters=Voters.ATTENDEES, event=event)
    assert _to() == [going.email]
    assert not_answered.email not in _to()


def test_attendees_poll_not_emailed_to_its_opener(group, commit):
    """As for a members' poll: who opened it knows."""
    event = EventFactory(group=group)
    opener, going = _keen(group, role=Role.ORGANIZER), _keen(group)
    for person in (opener, going):
        RSVP.objects.create(event=event, member=person, status=RSVPStatus.GOING)
    with commit():
        _poll(group, opener, voters=Voters.ATTENDEES, event=event)
    assert _to() == [going.email]


def test_poll_opening_later_is_emailed_at_its_opening_once(group, commit, clock):
    opener = _keen(group, role=Role.ORGANIZER)
    keen = _keen(group)
    opens = NOW + timedelta(days=1)
    with commit():
        _poll(group, opener, opens_at=opens)
    assert mail.outbox == []
    with commit():
        assert services.polls_announce_due() == 0
    assert mail.outbox == []
    clock.move_to(opens)
    with commit():
        assert services.polls_announce_due() == 1
    assert _to() == [keen.email]
    clock.move_to(opens + timedelta(minutes=10))
    with commit():
        assert services.polls_announce_due() == 0
        services.periodic()
    assert _to() == [keen.email]


def test_new_poll_email_text(group, organizer, commit):
    keen = _keen(group)
    with commit():
        poll = _poll(group, organizer)
    [message] = mail.outbox
    assert message.to == [keen.email]
    assert message.subject == f"{group.name}: a poll is open, “{QUESTION}”"
    url = f"http://127.0.0.1:8000/polls/{poll.pk}/"
    text = _text(message)
    assert f"{QUESTION}\n\n- Rosa's place\n- The park\n" in text
    assert f"Voting is open until {CLOSES_TEXT}." in text
    assert f"Vote on the site: {url}" in text
    assert ("&#x27;" in text, "&amp;" in text) == (False, False)
    html = _html(message)
    assert "Rosa&#x27;s place &amp; the park: where?" in html
    assert "<li>Rosa&#x27;s place</li><li>The park</li>" in html
    assert f'href="{url}"' in html


# --- Poll reminders ----------------------------------------------------------------------------


def test_poll_reminder_to_voters_who_have_not_voted(
    group, organizer, member, outsiders, commit, clock
):
    voted = _member(group)
    quiet = _member(group, notify_poll_reminders=False)
    poll = _poll(group, organizer)
    services.ballot_cast(poll=poll, member=voted, choices=[poll.options.first()], now=NOW)
    mail.outbox.clear()
    with commit():
        services.poll_reminders_send()  # days before the last: nothing yet
    assert mail.outbox == []
    clock.move_to(LAST_DAY)
    with commit():
        services.poll_reminders_send()
    assert _to() == _emails(organizer, member)
    assert _logged() == sorted((p.email, DecisionEmail.POLL_REMINDER) for p in (organizer, member))
    assert voted.email not in _to() and quiet.email not in _to()
    mail.outbox.clear()
    clock.move_to(LAST_DAY + timedelta(hours=1))
    with commit():
        services.poll_reminders_send()
        services.periodic()
    assert mail.outbox == []


def test_poll_reminder_for_attendees_poll_only_to_those_going(
    group, organizer, member, commit, clock
):
    event = EventFactory(group=group)
    going, going_voted = _member(group), _member(group)
    for person in (going, going_voted):
        RSVP.objects.create(event=event, member=person, status=RSVPStatus.GOING)
    poll = _poll(group, organizer, voters=Voters.ATTENDEES, event=event)
    services.ballot_cast(poll=poll, member=going_voted, choices=[poll.options.first()], now=NOW)
    clock.move_to(LAST_DAY)
    with commit():
        services.poll_reminders_send()
    assert _to() == [going.email]  # not the organizer nor member: they are not going


def test_poll_reminder_not_sent_to_who_voted_since_it_was_queued(
    group, organizer, member, django_capture_on_commit_callbacks, clock
):
    poll = _poll(group, organizer)
    clock.move_to(LAST_DAY)
    with django_capture_on_commit_callbacks() as queued:
        services.poll_reminders_send()
    services.ballot_cast(poll=poll, member=member, choices=[poll.options.first()])
    for callback in queued:
        callback()
    assert _to() == [organizer.email]


def test_poll_reminder_email_text(group, organizer, commit, clock):
    poll = _poll(group, organizer)
    clock.move_to(LAST_DAY)
    with commit():
        services.poll_reminders_send()
    [message] = mail.outbox
    assert message.to == [organizer.email]
    assert message.subject == f"{group.name}: the poll “{QUESTION}” closes tomorrow"
    text = _text(message)
    assert f"You have not voted yet in this poll:\n\n{QUESTION}\n\n" in text
    assert f"It closes {CLOSES_TEXT}." in text
    assert f"Vote on the site: http://127.0.0.1:8000/polls/{poll.pk}/" in text
    assert ("&#x27;" in text, "&amp;" in text) == (False, False)
    assert "Rosa&#x27;s place &amp; the park: where?" in _html(message)


# --- As a mail client reads them ---------------------------------------------------------------

GROUP = "Rosa's Co-op Circle"
SITE = "https://coops.example.org"
SUBJECTS = {
    DecisionEmail.PROPOSAL: f"{GROUP}: new proposal, “{TITLE}”",
    DecisionEmail.POLL: f"{GROUP}: a poll is open, “{QUESTION}”",
    DecisionEmail.POLL_REMINDER: f"{GROUP}: the poll “{QUESTION}” closes tomorrow",
}
PREFERENCE = {
    DecisionEmail.PROPOSAL: "notify_decisions",
    DecisionEmail.POLL: "notify_decisions",
    DecisionEmail.POLL_REMINDER: "notify_poll_reminders",
}


@pytest.fixture
def sent(settings, django_capture_on_commit_callbacks, clock):
    """One email of each decisions kind, as the worker sends it, to Mary; and the link each
    should carry, signed when it was sent."""
    settings.SITE_URL = SITE
    group = GroupFactory(name=GROUP, slug="rosas-circle")
    organizer = _member(group, role=Role.ORGANIZER)
    mary = _keen(group, display_name="Mary O'Neil")
    ana = _member(group)
    messages, links = {}, {}

    def one(kind, action):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        [messages[kind]] = [m for m in mail.outbox if m.to == [mary.email]]
        links[kind] = SITE + reverse("email_unsubscribe", args=[unsubscribe_token(mary, kind)])

    one(
        DecisionEmail.PROPOSAL,
        lambda: services.proposal_add(
            group=group, author=ana, kind="topic", title=TITLE, body=BODY, now=NOW
        ),
    )
    one(DecisionEmail.POLL, lambda: _poll(group, organizer))
    clock.move_to(LAST_DAY)
    one(DecisionEmail.POLL_REMINDER, services.poll_reminders_send)
    return messages, links, mary


def test_every_decisions_kind_is_checked():
    assert set(SUBJECTS) == {
        DecisionEmail.PROPOSAL,
        DecisionEmail.POLL,
        DecisionEmail.POLL_REMINDER,
    }


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP], ids=["file", "smtp"])
@pytest.mark.parametrize("kind", sorted(SUBJECTS), ids=str)
def test_decisions_email_read_by_a_mail_client(sent, kind, policy):
    messages, links, _mary = sent
    raw = messages[kind].message(policy=policy).as_bytes()
    headers = _raw_headers(raw)
    assert headers[b"list-id"] == f"List-Id: {GROUP} <rosas-circle.coops.example.org>".encode()
    assert headers[b"list-unsubscribe"] == f"List-Unsubscribe: <{links[kind]}>".encode()
    assert headers[b"list-unsubscribe-post"] == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == SUBJECTS[kind]
    text = parsed.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert ("&#x27;" in text, "&amp;" in text, "&quot;" in text) == (False, False, False)
    assert f"{GROUP} · {SITE}" in text
    assert f"Turn them off: {links[kind]}" in text
    assert "Rosa&#x27;s" in html


@pytest.mark.parametrize("kind", sorted(SUBJECTS), ids=str)
def test_unsubscribe_link_turns_that_preference_off(client, sent, kind, clock):
    messages, _links, mary = sent
    link = messages[kind].extra_headers["List-Unsubscribe"].strip("<>")
    clock.move_to(NOW + timedelta(days=30))  # the link still works a month later
    response = client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    mary.refresh_from_db()
    turned_off = PREFERENCE[kind]
    kept = ({"notify_decisions", "notify_poll_reminders"} - {turned_off}).pop()
    assert (getattr(mary, turned_off), getattr(mary, kept)) == (False, True)
    assert mary.notify_new_events is True


def test_after_unsubscribing_no_more_decisions_emails(client, sent, commit):
    messages, _links, _mary = sent
    link = messages[DecisionEmail.POLL].extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    group = GroupFactory._meta.model.objects.get(slug="rosas-circle")
    keen = _keen(group)
    mail.outbox.clear()
    with commit():
        services.proposal_add(group=group, author=_member(group), kind="topic", title="Tea")
    assert _to() == [keen.email]
