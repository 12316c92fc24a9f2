from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from events.models import Event
from groups.confirmations import action_kind
from groups.models import Group, LogKind, Role, setting_choices

register = template.Library()


def _field_names(detail: str) -> str:
    names = []
    for name in filter(None, detail.split(",")):
        try:
            names.append(str(Event._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            names.append(name)
    return ", ".join(names)


def _role(value: str) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return value


def _setting_name(detail: str) -> str:
    try:
        return str(Group._meta.get_field(detail.split(":")[0]).verbose_name)
    except FieldDoesNotExist:
        return detail


def _setting_value(detail: str) -> str:
    """The value a settings poll set ("setting:value"), in the reader's language."""
    setting, _sep, value = detail.partition(":")
    try:
        return str(dict(setting_choices(setting)).get(value, value))
    except FieldDoesNotExist:
        return value


@register.simple_tag
def log_sentence(entry):
    """One line of the transparency log (below), with the second organizer where one confirmed."""
    return _confirmed(entry, _sentence(entry))


def _sentence(entry):
    """One line of the transparency log, said in the reader's language from what was stored
    (kinds, field names and role keys, never translated text)."""
    actor = entry.actor.display_name if entry.actor else _("A former member")
    member = entry.member.display_name if entry.member else _("a former member")
    # Titles in quotes: a question's own "?" then reads right before the sentence's stop.
    if entry.url:
        link = format_html('“<a href="{}">{}</a>”', entry.url, entry.title)
    else:
        link = format_html("“{}”", entry.title)
    kind = entry.kind
    if kind == LogKind.EVENT_PUBLISHED:
        return format_html(_("{actor} published {event}."), actor=actor, event=link)
    if kind == LogKind.EVENT_CHANGED:
        return format_html(
            _("{actor} changed {event}: {fields}."),
            actor=actor,
            event=link,
            fields=_field_names(entry.detail),
        )
    if kind == LogKind.EVENT_CANCELLED:
        return format_html(_("{actor} cancelled {event}."), actor=actor, event=link)
    if kind == LogKind.EVENT_UNPUBLISHED:
        return format_html(_("{actor} returned {event} to draft."), actor=actor, event=link)
    if kind in (LogKind.ROLE_GRANTED, LogKind.ROLE_REMOVED) and entry.actor is None:
        # An election's close (or an account deleted since): nobody to name as the actor.
        return format_html(
            _("{member} became {role}.")
            if kind == LogKind.ROLE_GRANTED
            else _("{member} is no longer {role}."),
            member=member,
            role=_role(entry.detail),
        )
    if kind == LogKind.SETTING_CHANGED:
        return format_html(
            _("The members' poll {poll} changed the setting “{setting}” to “{value}”."),
            poll=link,
            setting=_setting_name(entry.detail),
            value=_setting_value(entry.detail),
        )
    if kind == LogKind.ROLE_GRANTED:
        return format_html(
            _("{actor} made {member} {role}."), actor=actor, member=member, role=_role(entry.detail)
        )
    if kind == LogKind.ROLE_REMOVED:
        return format_html(
            _("{actor} took the role of {role} from {member}."),
            actor=actor,
            member=member,
            role=_role(entry.detail),
        )
    if kind == LogKind.MEMBER_REMOVED:
        return format_html(_("{actor} removed a member from the group."), actor=actor)
    if kind == LogKind.MEMBER_BANNED:
        return format_html(_("{actor} banned someone from the group."), actor=actor)
    if kind == LogKind.POLL_OPENED:
        sentence = format_html(_("{actor} opened the poll {poll}."), actor=actor, poll=link)
        if entry.detail:  # the roll of eligible voters, fixed then (older entries have none)
            roll = format_html(_("Voters on its roll: {count}."), count=entry.detail)
            return format_html("{} {}", sentence, roll)
        return sentence
    if kind == LogKind.POLL_CLOSED:
        if entry.actor is None:
            sentence = format_html(_("The poll {poll} closed at its set time."), poll=link)
        else:
            sentence = format_html(_("{actor} closed the poll {poll}."), actor=actor, poll=link)
        if entry.detail:
            result = format_html(_("Result: {winner}."), winner=entry.detail)
            return format_html("{} {}", sentence, result)
        return sentence
    if kind == LogKind.PROPOSAL_DECLINED:
        return format_html(
            _("{actor} declined the proposal {proposal}, saying: “{reason}”"),
            actor=actor,
            proposal=link,
            reason=entry.detail,
        )
    if kind == LogKind.PROPOSAL_SCHEDULED:
        return format_html(
            _("{actor} turned the proposal {proposal} into an event."), actor=actor, proposal=link
        )
    sentence = _more_sentences(entry, actor=actor, member=member, link=link)
    if sentence is None:
        return format_html("{}: {}", entry.get_kind_display(), link)
    return sentence


def _confirmed(entry, sentence):
    """Acts that waited for a second organizer name both (groups.confirmations)."""
    if entry.confirmed_by_id is None:
        return sentence
    second = entry.confirmed_by.display_name if entry.confirmed_by else _("a former member")
    return format_html("{} {}", sentence, format_html(_("Confirmed by {second}."), second=second))


def _more_sentences(entry, *, actor, member, link):
    """The kinds issue 27 added to the log."""
    kind = entry.kind
    if kind == LogKind.JOIN_APPROVED:
        return format_html(
            _("{actor} approved {member}'s request to join."), actor=actor, member=member
        )
    if kind == LogKind.JOIN_DECLINED:
        return format_html(_("{actor} declined a request to join."), actor=actor)
    if kind == LogKind.POLL_CANCELLED:
        return format_html(
            _("{actor} cancelled the poll {poll}, without a result."), actor=actor, poll=link
        )
    if kind == LogKind.DISCUSSION_DELETED:
        return format_html(_("{actor} deleted the discussion {thread}."), actor=actor, thread=link)
    if kind == LogKind.CONTENT_HIDDEN:
        return format_html(_("{actor} hid a post by {member}."), actor=actor, member=member)
    if kind == LogKind.MEMBER_MUTED:
        return format_html(
            _("{actor} muted {member} in conversations."), actor=actor, member=member
        )
    if kind == LogKind.MEMBER_WARNED:
        return format_html(_("{actor} warned {member}."), actor=actor, member=member)
    if kind == LogKind.ANNOUNCEMENT_SENT:
        return format_html(
            _("{actor} sent the announcement {announcement}."), actor=actor, announcement=link
        )
    if kind == LogKind.ATTENDEE_ADDED:
        if entry.detail == "waitlisted":
            return format_html(
                _("{actor} added {member} to the waitlist of {event}, first in line."),
                actor=actor,
                member=member,
                event=link,
            )
        return format_html(
            _("{actor} added {member} to the people going to {event}."),
            actor=actor,
            member=member,
            event=link,
        )
    if kind == LogKind.ATTENDEE_MOVED:
        return format_html(
            _("{actor} moved {member} to {where} at {event}."),
            actor=actor,
            member=member,
            where=_where(entry.detail),
            event=link,
        )
    if kind == LogKind.POLL_SCHEDULED:
        return format_html(
            _("{actor} turned the date poll {poll} into a draft event."), actor=actor, poll=link
        )
    if kind == LogKind.OUTCOME_WRITTEN:
        return format_html(
            _("{actor} wrote the outcome of {item}: {outcome}"),
            actor=actor,
            item=link,
            outcome=entry.detail,
        )
    if kind == LogKind.DECISION_OPENED:
        return format_html(
            _("{actor} opened the consent proposal {proposal}."), actor=actor, proposal=link
        )
    if kind == LogKind.DECISION_CLOSED:
        return format_html(
            _("{actor} closed the consent proposal {proposal}: {outcome}"),
            actor=actor,
            proposal=link,
            outcome=entry.detail,
        )
    if kind == LogKind.ACTION_WITHDRAWN:
        return format_html(
            _("{actor} withdrew a request to a second organizer: {act}."),
            actor=actor,
            act=_act_label(entry.detail),
        )
    if kind == LogKind.CAPACITY_RAISED:
        return format_html(
            _("{actor} raised the capacity of {event} to {capacity}."),
            actor=actor,
            event=link,
            capacity=entry.detail or _("unlimited"),
        )
    return None


def _act_label(name: str) -> str:
    """The act's name in the reader's language (groups.confirmations.action_kinds)."""
    try:
        return str(action_kind(name).label).lower()
    except LookupError:
        return name


def _where(value: str) -> str:
    where = {"going": _("going"), "waitlisted": _("the waitlist"), "not_going": _("not going")}
    return where.get(value, value)


@register.filter
def votes(value) -> str:
    """A transferable-vote count: whole numbers as they are, fractions to two decimals
    (the exact fraction in the count; the page rounds only what it shows)."""
    if value == int(value):
        return str(int(value))
    return formats.number_format(round(float(value), 2), decimal_pos=2)
