"""Every kind of email Potluck sends, to a member who chose Spanish, is Spanish from subject
to footer, and the same email to a member who chose English stays English (issue 18).

Each case triggers its email the way the site does (the service, the worker's task run on
commit, or the page a person posts to), in the *other* language than the recipient's, so an
email that follows whoever happened to be active instead of its reader shows up. The checks
read the fixed strings of the email's own templates (with what they extend and include) the
way makemessages does, and compare the email with both languages' catalogs: every fixed
string shown is in the reader's language and no other. Dates are left alone (they are being
reworked per language elsewhere).

A table-driven guard fails when a template in an email folder has no case here, so a new kind
of email needs its Spanish test.
"""

import ast
import html
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from allauth.account import app_settings as allauth_settings
from django.conf import settings
from django.core import mail
from django.template.loader import get_template
from django.test.signals import template_rendered
from django.utils import timezone, translation
from django.utils.translation.template import templatize

from conversation import services as conversation_services
from conversation.emails import ConversationEmail
from core.emails.kinds import kinds as email_kinds
from decisions import services as decisions_services
from decisions.emails import DecisionEmail
from events import services as event_services
from events.emails import EventEmail
from events.models import RSVP, EventStatus, RSVPStatus, SeriesFollow
from groups import confirmations
from groups import services as group_services
from groups.alerts import organizer_digests_send
from groups.models import AlertChoice, Role
from home import weekly as home_weekly
from members import services as member_services
from photos.models import Album, Photo
from photos.services import photo_request_takedown
from tests.factories import (
    PASSWORD,
    EventFactory,
    MembershipFactory,
    SeriesFactory,
    UserFactory,
    VenueFactory,
)
from tests.outbox import set_up_sent

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
CATALOG = BASE / "locale" / "es" / "LC_MESSAGES" / "django.po"
OTHER = {"es": "en", "en": "es"}
# A string of an email's template is compared by its pieces between placeholders; shorter
# pieces ("Hi", ".") say nothing about the language.
MIN_PIECE = 4

# Files in the email folders that are pages shown in the browser, not emails.
PAGES = {
    "emails/cant_make_it.html": "the page the “can't make it” link opens",
    "emails/link_invalid.html": "the page an expired email link opens",
    "emails/unsubscribe.html": "the page the unsubscribe link opens",
}


# --- Reading the fixed strings of a template ---------------------------------------------------


@dataclass(frozen=True)
class Msg:
    """One translatable string: msgid, with its plural and context when it has them."""

    msgid: str
    plural: str = ""
    context: str = ""

    def forms(self, language: str) -> list[str]:
        """How it reads in the language (both plural forms for a plural)."""
        with translation.override(language):
            if self.plural:
                if self.context:
                    return [
                        translation.npgettext(self.context, self.msgid, self.plural, n)
                        for n in (1, 2)
                    ]
                return [translation.ngettext(self.msgid, self.plural, n) for n in (1, 2)]
            if self.context:
                return [translation.pgettext(self.context, self.msgid)]
            return [translation.gettext(self.msgid)]


_CALL = re.compile(r"\b(gettext|ngettext|pgettext|npgettext|_)\(")
_LITERAL = re.compile(r"""\s*(u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"))\s*,?""")


def _source(name: str) -> str:
    return Path(get_template(name).template.origin.name).read_text()


def _own_msgs(source: str) -> list[Msg]:
    """The strings makemessages would extract from one template's source."""
    code = templatize(source)
    found = []
    for call in _CALL.finditer(code):
        literals, position = [], call.end()
        while match := _LITERAL.match(code, position):
            literals.append(ast.literal_eval(match.group(1)))
            position = match.end()
        kind = call.group(1)
        if kind in ("gettext", "_"):
            found.append(Msg(literals[0]))
        elif kind == "ngettext":
            found.append(Msg(literals[0], plural=literals[1]))
        elif kind == "pgettext":
            found.append(Msg(literals[1], context=literals[0]))
        else:
            found.append(Msg(literals[1], plural=literals[2], context=literals[0]))
    return found


_USES = re.compile(r"""{%\s*(?:extends|include)\s+["']([^"']+)["']""")


def template_chain(name: str) -> list[str]:
    """The template with everything it extends or includes, each once."""
    chain, todo = [], [name]
    while todo:
        current = todo.pop()
        if current not in chain:
            chain.append(current)
            todo.extend(_USES.findall(_source(current)))
    return chain


def template_msgs(names) -> list[Msg]:
    msgs = []
    for name in names:
        for template in template_chain(name):
            msgs.extend(m for m in _own_msgs(_source(template)) if m not in msgs)
    return msgs


# --- Comparing an email with the catalogs ------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|%[sd]")
_URL = re.compile(r"""https?://[^\s"'<>]+""")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pieces(text: str) -> list[str]:
    pieces = (_flat(piece) for piece in _PLACEHOLDER.split(text))
    return [p for p in pieces if len(p) >= MIN_PIECE and re.search(r"[^\W\d_]", p)]


def _readable(part: str, *, is_html: bool) -> str:
    """What a reader reads: links and (in HTML) markup entities aside, spaces collapsed."""
    text = _URL.sub(" ", part)
    return _flat(html.unescape(text) if is_html else text)


def language_problems(text: str, msgs, language: str) -> tuple[list[str], list[str]]:
    """(strings shown, problems): each fixed string found in either language must read in
    `language` only. A problem names the text in the wrong language or the form missing."""
    other = OTHER[language]
    shown, problems = [], []
    for msg in msgs:
        wanted = [f for f in msg.forms(language) if _pieces(f)]
        unwanted = [f for f in msg.forms(other) if _pieces(f)]
        if not wanted:
            continue

        def present(form):
            return all(piece in text for piece in _pieces(form))

        if not any(present(form) for form in wanted + unwanted):
            continue
        shown.append(msg.msgid)
        if not any(present(form) for form in wanted):
            problems.append(f"missing in {language}: {wanted[0]!r}")
        allowed = {piece for form in wanted for piece in _pieces(form)}
        for form in unwanted:
            for piece in _pieces(form):
                shared = any(piece in ok for ok in allowed)
                if not shared and piece in text:
                    problems.append(f"{other} text: {piece!r} (of {msg.msgid!r})")
    return shown, problems


def _html_lang(part: str) -> str | None:
    match = re.search(r"<html[^>]*\blang=\"([^\"]*)\"", part)
    return match[1] if match else None


# --- The cases ---------------------------------------------------------------------------------


@dataclass
class World:
    """What a case needs to send its email to one recipient in `language`."""

    group: object
    organizer: object
    language: str
    client: object
    commit: object  # django_capture_on_commit_callbacks

    @property
    def other(self) -> str:
        return OTHER[self.language]

    def person(self, **fields):
        """A member of the group who chose `language`."""
        fields.setdefault("language", self.language)
        fields.setdefault("display_name", "Rosa Luxemburgo")
        return MembershipFactory(group=self.group, user=UserFactory(**fields)).user

    def stranger(self, **fields):
        """Another member, who chose no language (the one whose action sends the email)."""
        fields.setdefault("display_name", "Ana")
        return MembershipFactory(group=self.group, user=UserFactory(**fields)).user

    def run(self, action):
        """Does the change, in the other language (someone else's request, or the worker),
        and runs what it queued for after the commit. What the set-up queued (without a
        commit of its own) leaves first, as its commits would have sent it."""
        set_up_sent()
        with translation.override(self.other), self.commit(execute=True):
            return action()

    def event(self, **fields):
        fields.setdefault("title", "Cooperativas 2026")
        fields.setdefault("summary", "·")
        fields.setdefault("starts_at", timezone.now() + timedelta(days=5))
        return EventFactory(group=self.group, **fields)

    def host(self, event):
        host = self.stranger(display_name="Ana Anfitriona")
        event.hosts.add(host)
        return host

    def post(self, path, data, *, language=None):
        """A visitor's (or the signed-in client's) form, in `language` (default: the other
        language than the recipient's)."""
        set_up_sent()
        language = language or self.other
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with self.commit(execute=True):
            response = self.client.post(path, data, headers={"accept-language": language})
        assert response.status_code in (200, 302), response.status_code
        return response


def _confirmation(w):
    member, event = w.person(), w.event(capacity=5)
    w.run(lambda: event_services.rsvp_set(event=event, member=member, going=True))
    return member.email


def _confirmation_by_host(w):
    member, event = w.person(), w.event(capacity=5)
    host = w.host(event)
    w.run(lambda: event_services.rsvp_add(event=event, member=member, by=host))
    return member.email


def _waitlisted(w):
    member, event = w.person(), w.event(capacity=1)
    event_services.rsvp_set(event=event, member=w.stranger(), going=True)
    w.run(lambda: event_services.rsvp_set(event=event, member=member, going=True))
    return member.email


def _waitlisted_by_host(w):
    member, event = w.person(), w.event(capacity=1)
    host = w.host(event)
    event_services.rsvp_set(event=event, member=w.stranger(), going=True)
    w.run(lambda: event_services.rsvp_add(event=event, member=member, by=host))
    return member.email


def _promoted(w):
    member, first, event = w.person(), w.stranger(), w.event(capacity=1)
    event_services.rsvp_set(event=event, member=first, going=True)
    event_services.rsvp_set(event=event, member=member, going=True)
    w.run(lambda: event_services.rsvp_cancel(event=event, member=first))
    return member.email


def _going(w, **fields):
    member, event = w.person(), w.event(capacity=5, **fields)
    event_services.rsvp_set(event=event, member=member, going=True)
    return member, event


def _changed(w):
    member, event = _going(w)
    event.venue = VenueFactory(name="Casa Rosa")
    w.run(lambda: event_services.event_save(event=event, by=w.organizer, changed_fields=["venue"]))
    return member.email


def _cancelled(w):
    member, event = _going(w)
    w.run(
        lambda: event_services.event_set_status(
            event=event, status=EventStatus.CANCELLED, by=w.organizer
        )
    )
    return member.email


def _reminder(w):
    member, _event = _going(w, starts_at=timezone.now() + timedelta(hours=2))
    w.run(event_services.reminders_send)
    return member.email


def _announcement(w):
    member, draft = w.person(), w.event(status=EventStatus.DRAFT)
    w.run(
        lambda: event_services.event_set_status(
            event=draft, status=EventStatus.PUBLISHED, by=w.organizer
        )
    )
    return member.email


def _series_date(w):
    series = SeriesFactory(group=w.group, name="Tertulia")
    member, draft = w.person(), w.event(status=EventStatus.DRAFT, series=series)
    SeriesFollow.objects.create(series=series, member=member)
    w.run(
        lambda: event_services.event_set_status(
            event=draft, status=EventStatus.PUBLISHED, by=w.organizer
        )
    )
    return member.email


def _message(w):
    member, event = _going(w)
    w.run(
        lambda: event_services.event_message(
            event=event, subject="Tazas", body="Traed tazas.", by=w.organizer
        )
    )
    return member.email


def _host_cancelled(w):
    member, event = _going(w)
    host = w.host(event)
    rsvp = RSVP.objects.get(event=event, member=member)
    w.run(lambda: event_services.rsvp_move(rsvp=rsvp, to=RSVPStatus.NOT_GOING, by=host))
    return member.email


def _no_show_note(w):
    member = w.person()
    for days in (20, 10):
        event = w.event(title=f"Tarde {days}", starts_at=timezone.now() - timedelta(days=days))
        RSVP.objects.create(event=event, member=member, status=RSVPStatus.GOING, no_show=True)
    w.run(lambda: event_services.no_show_notes_send(group=w.group, threshold=2))
    return member.email


def _group_post(w):
    member = w.person()
    w.run(
        lambda: conversation_services.announcement_send(
            group=w.group, by=w.organizer, subject="Mudanza", body="Nos mudamos."
        )
    )
    return member.email


def _thread(w, author):
    return conversation_services.thread_start(
        group=w.group, author=author, title="Té y pastel", body="¿Quién trae qué?"
    )


def _reply(w):
    member = w.person()
    thread = _thread(w, member)  # its author follows it
    w.run(
        lambda: conversation_services.thread_reply(
            thread=thread, author=w.stranger(), body="Yo traigo pastel."
        )
    )
    return member.email


def _digest(w):
    member = w.person(discussion_digest=True)
    thread = _thread(w, member)
    later = timezone.now() + timedelta(hours=1)
    conversation_services.thread_reply(
        thread=thread, author=w.stranger(), body="Yo traigo pastel.", now=later
    )
    w.run(lambda: conversation_services.digests_send(now=later + timedelta(hours=1)))
    return member.email


def _warning(w):
    member = w.person()
    thread = _thread(w, member)
    report = conversation_services.report_file(item=thread, by=w.stranger(), reason="spam")
    w.run(
        lambda: conversation_services.report_resolve(
            report=report, by=w.organizer, action="warn", note="Por favor, no."
        )
    )
    return member.email


def _proposal(w):
    member = w.person(notify_decisions=True)
    w.run(
        lambda: decisions_services.proposal_add(
            group=w.group, author=w.stranger(), kind="breakout", title="Huertos"
        )
    )
    return member.email


def _open_poll(w, closes_in):
    now = timezone.now()
    return decisions_services.poll_open(
        group=w.group,
        by=w.organizer,
        question="¿Dónde?",
        options=["Casa Rosa", "El parque"],
        method="single",
        opens_at=now,
        closes_at=now + closes_in,
        now=now,
    )


def _poll(w):
    member = w.person(notify_decisions=True)
    w.run(lambda: _open_poll(w, timedelta(days=3)))
    return member.email


def _poll_reminder(w):
    member = w.person()
    _open_poll(w, timedelta(hours=12))
    w.run(decisions_services.poll_reminders_send)
    return member.email


def _term_ending(w):
    member = w.person(notify_decisions=True)
    now = timezone.now()
    poll = decisions_services.election_open(
        group=w.group,
        by=w.organizer,
        role="co_organizer",
        seats=1,
        candidates=[member, w.stranger()],
        closes_at=now + timedelta(days=1),
        term_ends=now + timedelta(days=20),
        now=now,
    )
    decisions_services.ballot_cast(poll=poll, member=member, choices=[poll.options.first()])
    decisions_services.poll_close(poll=poll, by=w.organizer)
    w.run(lambda: decisions_services.elections_remind_due(now=now + timedelta(days=7)))
    return member.email


def _poll_receipt(w):
    member = w.person()
    poll = _open_poll(w, timedelta(days=2))
    cast = decisions_services.ballot_cast(poll=poll, member=member, choices=[poll.options.first()])
    w.run(
        lambda: decisions_services.ballot_receipt_email(
            poll=poll, member=member, receipt=cast.receipt
        )
    )
    return member.email


def _open_decision(w):
    return decisions_services.decision_open(
        group=w.group,
        by=w.organizer,
        title="Notas abiertas",
        body="Publicamos las notas.",
        closes_at=timezone.now() + timedelta(days=3),
    )


def _decision(w):
    member = w.person(notify_decisions=True)
    w.run(lambda: _open_decision(w))
    return member.email


def _outcome(w):
    """A poll closed with its written outcome: told to those who voted."""
    member = w.person()
    poll = _open_poll(w, timedelta(days=3))
    decisions_services.ballot_cast(poll=poll, member=member, choices=["El parque"])
    w.run(lambda: decisions_services.poll_close(poll=poll, by=w.organizer, outcome="El parque."))
    return member.email


def _decision_outcome(w):
    """A consent proposal closed with its outcome: told to those who stated a position."""
    member = w.person()
    decision = _open_decision(w)
    decisions_services.position_state(decision=decision, member=member, position="agree")
    w.run(
        lambda: decisions_services.decision_close(
            decision=decision, by=w.organizer, outcome="Aprobada."
        )
    )
    return member.email


def _weekly(w):
    member = w.person(notify_weekly=True)
    _thread(w, w.stranger())
    decisions_services.proposal_add(
        group=w.group, author=w.stranger(), kind="breakout", title="Huertos"
    )
    _open_poll(w, timedelta(days=3))
    w.run(home_weekly.weeklies_send)
    return member.email


def _welcome(w):
    user = UserFactory(language=w.language, display_name="Rosa Luxemburgo")
    w.run(lambda: member_services.member_join_on_verification(user=user))
    return user.email


def _join_decision(w, *, approved):
    w.group.join_needs_approval = True
    w.group.save()
    user = UserFactory(language=w.language, display_name="Rosa Luxemburgo")
    pending = group_services.membership_request(group=w.group, user=user, answers={})
    if approved:
        w.run(
            lambda: group_services.membership_approve(
                membership=pending, by=w.organizer, message="¡Bienvenida!"
            )
        )
    else:
        w.run(
            lambda: group_services.membership_decline(
                membership=pending, by=w.organizer, message="Lo siento."
            )
        )
    return user.email


def _organizer_reads(w, **fields):
    """The group's organizer reads `language` (organizers are told of what waits)."""
    for name, value in {"language": w.language, **fields}.items():
        setattr(w.organizer, name, value)
    w.organizer.save()
    w.group.join_needs_approval = True
    w.group.save()


def _join_request(w):
    _organizer_reads(w)
    user = UserFactory(display_name="Rosa Luxemburgo")
    w.run(lambda: group_services.membership_request(group=w.group, user=user, answers={}))
    return w.organizer.email


def _report_filed(w):
    _organizer_reads(w)
    thread = _thread(w, w.stranger())
    w.run(lambda: conversation_services.report_file(item=thread, by=w.person(), reason="spam"))
    return w.organizer.email


def _takedown_requested(w):
    _organizer_reads(w)
    album = Album.objects.create(group=w.group, title="Picnic", created_by=w.organizer)
    photo = Photo.objects.create(album=album, image="photos/a.jpg")
    w.run(lambda: photo_request_takedown(photo=photo, member=UserFactory()))
    return w.organizer.email


def _pending_action(w):
    """A second organizer asks for a ban: the first is told it waits for them."""
    _organizer_reads(w)
    other = MembershipFactory(group=w.group, user=UserFactory(), role=Role.ORGANIZER).user
    target = w.person()
    w.run(
        lambda: confirmations.action_request(
            group=w.group,
            kind=confirmations.MEMBER_BAN.name,
            target=target.pk,
            title="Ban",
            by=other,
            reason="spam",
        )
    )
    return w.organizer.email


def _organizer_digest(w):
    _organizer_reads(w, organizer_alerts=AlertChoice.DIGEST)
    group_services.membership_request(group=w.group, user=UserFactory(), answers={})
    w.run(lambda: organizer_digests_send(now=timezone.now() + timedelta(days=1, minutes=1)))
    return w.organizer.email


def _contact(w):
    """A visitor reading the site in the other language writes to the organizers; here the
    group's one organizer chose the recipient's language."""
    w.organizer.language = w.language
    w.organizer.save(update_fields=["language"])
    w.post("/contact/", {"name": "Rosa", "email": "rosa@example.org", "message": "Puedo ayudar."})
    return w.organizer.email


def _signup_code(w):
    """Someone reading the site in `language` signs up: not a member yet, so the page's
    language is theirs."""
    w.post(
        "/accounts/signup/",
        {
            "display_name": "Rosa",
            "email": "rosa@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        language=w.language,
    )
    return "rosa@example.org"


def _account_already_exists(w):
    """Someone (anyone, in the other language) signs up with a member's address."""
    member = w.person()
    w.post(
        "/accounts/signup/",
        {
            "display_name": "Rosa",
            "email": member.email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    return member.email


def _password_reset(w):
    """A member asks for a new password from a browser that reads the other language."""
    member = w.person()
    w.post("/accounts/password/reset/", {"email": member.email})
    return member.email


def _unknown_account(w):
    """Someone reading the site in `language` asks for a password for an unknown address."""
    w.post("/accounts/password/reset/", {"email": "nadie@example.org"}, language=w.language)
    return "nadie@example.org"


def _email_added(w):
    """A signed-in member adds an address from a browser that reads the other language."""
    member = w.person()
    w.client.force_login(member)
    w.post("/accounts/email/", {"action_add": "", "email": "nueva@example.org"})
    return "nueva@example.org"


@dataclass(frozen=True)
class Case:
    send: object  # World -> the recipient's address
    subject: tuple = ()  # templates of the subject
    text: tuple = ()  # templates of the plain-text body
    html: tuple = ()  # templates of the HTML body (none: no HTML part)
    strings: tuple = ()  # strings written in Python that these emails show, in every part
    subject_strings: tuple = ()  # the subject, when Python writes it


def _kind(kind, send, *strings, subject=True) -> Case:
    return Case(
        send=send,
        subject=(f"emails/{kind}_subject.txt",) if subject else (),
        text=(f"emails/{kind}.txt",),
        html=(f"emails/{kind}.html",),
        strings=tuple(Msg(s) for s in strings),
    )


def _allauth(prefix, send, *, html=False) -> Case:
    return Case(
        send=send,
        subject=(f"account/email/{prefix}_subject.txt",),
        text=(f"account/email/{prefix}_message.txt",),
        html=(f"account/email/{prefix}_message.html",) if html else (),
    )


def _alert(kind, send, *strings) -> Case:
    return Case(
        send=send,
        subject=(f"{kind}_subject.txt",),
        text=(f"{kind}.txt",),
        strings=tuple(Msg(s) for s in strings),
    )


CASES = {
    # events (events/emails.py)
    "confirmation": _kind(EventEmail.CONFIRMATION, _confirmation),
    "confirmation_by_host": _kind(EventEmail.CONFIRMATION, _confirmation_by_host),
    "waitlisted": _kind(EventEmail.WAITLISTED, _waitlisted),
    "waitlisted_by_host": _kind(EventEmail.WAITLISTED, _waitlisted_by_host),
    "promoted": _kind(EventEmail.PROMOTED, _promoted),
    "changed": _kind(EventEmail.CHANGED, _changed, "New place: %(place)s"),
    "cancelled": _kind(EventEmail.CANCELLED, _cancelled),
    "reminder": _kind(EventEmail.REMINDER, _reminder),
    "announcement": _kind(EventEmail.ANNOUNCEMENT, _announcement),
    "series_date": _kind(EventEmail.SERIES_DATE, _series_date),
    # The subject is the organizer's own words.
    "message": _kind(EventEmail.MESSAGE, _message),
    "host_cancelled": _kind(EventEmail.HOST_CANCELLED, _host_cancelled),
    "no_show_note": _kind(EventEmail.NO_SHOW_NOTE, _no_show_note),
    # conversation (conversation/emails.py); a group post's subject is the organizer's.
    "group_post": _kind(ConversationEmail.GROUP_POST, _group_post),
    "reply": _kind(ConversationEmail.REPLY, _reply),
    "digest": _kind(ConversationEmail.DIGEST, _digest),
    "warning": _kind(ConversationEmail.WARNING, _warning, "Spam or advertising"),
    # decisions (decisions/emails.py)
    "proposal": _kind(DecisionEmail.PROPOSAL, _proposal, "Breakout theme"),
    "poll": _kind(DecisionEmail.POLL, _poll),
    "poll_reminder": _kind(DecisionEmail.POLL_REMINDER, _poll_reminder),
    "term_ending": _kind(DecisionEmail.TERM_ENDING, _term_ending),
    "poll_receipt": _kind(DecisionEmail.POLL_RECEIPT, _poll_receipt),
    "decision": _kind(DecisionEmail.DECISION, _decision),
    "outcome": _kind(DecisionEmail.OUTCOME, _outcome),
    "decision_outcome": _kind(DecisionEmail.OUTCOME, _decision_outcome),
    # home (home/emails.py): what happened this week
    "weekly": _kind("weekly", _weekly, "Breakout theme"),
    # members (members/emails.py)
    "welcome": _kind("welcome", _welcome),
    # groups (groups/emails.py): plain text only; the contact form's subject is written in Python
    "join_approved": Case(
        send=lambda w: _join_decision(w, approved=True),
        subject=("groups/email/join_approved_subject.txt",),
        text=("groups/email/join_approved.txt",),
    ),
    "join_declined": Case(
        send=lambda w: _join_decision(w, approved=False),
        subject=("groups/email/join_declined_subject.txt",),
        text=("groups/email/join_declined.txt",),
    ),
    # organizers hear of what waits for them (groups/alerts.py)
    "join_request": _alert(
        "groups/email/join_request", _join_request, "%(name)s asks to join the group."
    ),
    "report_filed": _alert(
        "conversation/email/report_filed",
        _report_filed,
        "A member reported something for the organizers to look at: %(reason)s.",
    ),
    "takedown_requested": _alert(
        "photos/email/takedown_requested",
        _takedown_requested,
        "Someone asked for a photo in “%(album)s” to be taken down.",
    ),
    "pending_action": _alert("groups/email/pending_action", _pending_action),
    "organizer_digest": _alert(
        "groups/email/organizer_digest", _organizer_digest, "%(name)s asks to join the group."
    ),
    "contact": Case(
        send=_contact,
        text=("groups/email/contact.txt",),
        subject_strings=(Msg("[%(group)s] A message from %(name)s"),),
    ),
    # allauth (members.adapter.AccountAdapter.send_mail)
    "signup_code": _allauth("email_confirmation_signup", _signup_code, html=True),
    "account_already_exists": _allauth("account_already_exists", _account_already_exists),
    "password_reset": _allauth("password_reset_key", _password_reset),
    "unknown_account": _allauth("unknown_account", _unknown_account),
    "email_added": _allauth("email_confirmation", _email_added),
}


# --- The guard: every email template has a case ------------------------------------------------


def _email_folder_templates() -> set[str]:
    """Every file in an email folder: templates/emails/, and any templates/**/email/."""
    files = set(TEMPLATES.glob("emails/**/*")) | set(TEMPLATES.glob("**/email/**/*"))
    return {str(path.relative_to(TEMPLATES)) for path in files if path.is_file()}


def _covered() -> set[str]:
    names = set()
    for case in CASES.values():
        for name in case.subject + case.text + case.html:
            names.update(template_chain(name))
    return names


def test_every_email_template_has_a_spanish_case():
    missing = _email_folder_templates() - _covered() - set(PAGES)
    assert sorted(missing) == []


def test_every_email_kind_has_a_case():
    """Every kind an app registered (core.emails.kinds); allauth's emails are the "account"
    kind."""
    named = {case.text[0].split("/")[-1].removesuffix(".txt") for case in CASES.values()}
    if any(case.text[0].startswith("account/email/") for case in CASES.values()):
        named.add("account")
    assert {kind.name for kind in email_kinds} - named == set()


def test_the_pages_in_email_folders_still_exist():
    assert set(PAGES) <= _email_folder_templates()


def test_allauth_sends_only_the_emails_covered():
    """allauth's other emails (notifications of a changed password or address, login and
    password codes) are off in settings; turning one on needs a case here."""
    assert (
        allauth_settings.EMAIL_NOTIFICATIONS,
        allauth_settings.LOGIN_BY_CODE_ENABLED,
        allauth_settings.PASSWORD_RESET_BY_CODE_ENABLED,
        allauth_settings.EMAIL_VERIFICATION_BY_CODE_ENABLED,
        allauth_settings.PREVENT_ENUMERATION,
    ) == (False, False, False, True, True)


def test_every_string_of_our_email_templates_is_translated():
    """From the catalog itself (polib): nothing missing, empty or fuzzy."""
    catalog = {(entry.msgctxt or "", entry.msgid): entry for entry in polib.pofile(str(CATALOG))}
    ours = sorted(
        name for name in _email_folder_templates() - set(PAGES) if (TEMPLATES / name).exists()
    )
    problems = []
    for msg in template_msgs(ours):
        entry = catalog.get((msg.context, msg.msgid))
        if entry is None:
            problems.append(f"not in the catalog: {msg.msgid!r}")
        elif entry.obsolete or "fuzzy" in entry.flags:
            problems.append(f"fuzzy or obsolete: {msg.msgid!r}")
        elif not (entry.msgstr or all(entry.msgstr_plural.values())):
            problems.append(f"untranslated: {msg.msgid!r}")
    assert problems == []


# --- Each email, in each language --------------------------------------------------------------


@pytest.fixture
def sent(group, organizer, client, django_capture_on_commit_callbacks):
    """Sends a case's email to a recipient in a language: (message, templates rendered)."""

    def send(case: Case, language: str):
        rendered = []

        def record(sender, template, **kwargs):
            rendered.append(template.name)

        world = World(
            group=group,
            organizer=organizer,
            language=language,
            client=client,
            commit=django_capture_on_commit_callbacks,
        )
        template_rendered.connect(record)
        try:
            address = case.send(world)
        finally:
            template_rendered.disconnect(record)
        messages = [m for m in mail.outbox if address in m.to]
        assert len(messages) == 1, [(m.to, m.subject) for m in mail.outbox]
        translation.activate(settings.LANGUAGE_CODE)  # a request leaves its language active
        return messages[0], rendered

    return send


def _parts(message) -> dict[str, str | None]:
    alternatives = getattr(message, "alternatives", [])
    htmls = [body for body, mimetype in alternatives if mimetype == "text/html"]
    if message.content_subtype == "html":  # an HTML-only email
        return {"subject": message.subject, "text": None, "html": message.body}
    return {"subject": message.subject, "text": message.body, "html": htmls[0] if htmls else None}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_email_in_the_readers_language(sent, name, language):
    case = CASES[name]
    message, rendered = sent(case, language)
    for template in case.subject + case.text + case.html:
        assert template in rendered, f"{name} did not render {template}"
    parts = _parts(message)
    assert (parts["html"] is not None) == bool(case.html)
    checks = {
        "subject": (template_msgs(case.subject) + list(case.subject_strings), False),
        "text": (template_msgs(case.text) + list(case.strings), False),
        "html": (template_msgs(case.html) + list(case.strings), True),
    }
    problems, shown = [], {}
    for part, (msgs, is_html) in checks.items():
        if parts[part] is None or not msgs:
            continue
        shown[part], found = language_problems(
            _readable(parts[part], is_html=is_html), msgs, language
        )
        problems += [f"{part}: {problem}" for problem in found]
        if not shown[part]:
            problems.append(f"{part}: none of its fixed strings found in {parts[part]!r}")
    lang = _html_lang(parts["html"]) if parts["html"] is not None else None
    if lang is not None and lang != language:
        problems.append(f'html: <html lang="{lang}">')
    assert problems == [], "\n".join([f"{name} to a reader of {language}:", *problems])


def test_the_checks_see_english_in_a_spanish_email():
    """The comparison itself: English left in a Spanish text is found and named."""
    msgs = template_msgs(["emails/welcome.txt"])
    english = (
        "Hi Rosa, you're a member of Cooperativas now. See what's coming up and say you're going: "
    )
    shown, problems = language_problems(_flat(english), msgs, "es")
    assert shown == [
        "Hi %(name)s, you're a member of %(group)s now.",
        "See what's coming up and say you're going:",
    ]
    assert problems == [
        "missing in es: 'Hola %(name)s, ahora eres miembro de %(group)s.'",
        'en text: ", you\'re a member of" (of "Hi %(name)s, you\'re a member of %(group)s now.")',
        "en text: 'now.' (of \"Hi %(name)s, you're a member of %(group)s now.\")",
        "missing in es: 'Mira lo que viene y confirma tu asistencia:'",
        "en text: \"See what's coming up and say you're going:\" "
        "(of \"See what's coming up and say you're going:\")",
    ]


# --- Joining in Spanish, before choosing a language on /me/ ------------------------------------


def _code(message) -> str:
    return re.search(r"^\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)[1]


def test_signing_up_in_spanish_gets_the_welcome_in_spanish(
    client, group, settings, django_capture_on_commit_callbacks
):
    """Someone who reads the site in Spanish and signs up has chosen no language on /me/ yet:
    the code and the welcome that follows it are both Spanish."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    spanish = {"accept-language": "es"}
    form = {
        "display_name": "Rosa",
        "email": "rosa@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", form, headers=spanish)
    assert response.status_code == 302
    [code_email] = mail.outbox
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/confirm-email/", {"code": _code(code_email)}, headers=spanish
        )
    assert response.status_code == 302
    [welcome] = mail.outbox
    msgs = template_msgs(["emails/welcome_subject.txt"])
    _shown, in_subject = language_problems(_flat(welcome.subject), msgs, "es")
    body = _readable(welcome.body, is_html=False)
    _shown, in_body = language_problems(body, template_msgs(["emails/welcome.txt"]), "es")
    assert in_subject + in_body == []
