"""role × URL × method → status for every decisions URL, and what each answer did.

As tests/conversation/test_access.py does: one row per case, the URL (its name and the objects
that fill it), the method, the data posted, then the expected status for each column of roles.
A successful POST must have its effect (`then`) and redirect where it says (`to`); any other
answer must leave every decisions table (and the transparency log) as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversation.models import Thread
from core.models import Email
from decisions import services
from decisions.models import (
    BallotBox,
    Candidate,
    Decision,
    Election,
    Eligible,
    Option,
    Poll,
    Position,
    Proposal,
    ProposalKind,
    ProposalStatus,
    SettingPoll,
    Support,
    VoterRoll,
    Voters,
)
from decisions.services.rolls import eligible_freeze
from events import services as event_services
from events.models import Event
from groups.models import Group, LogEntry, LogKind, MembershipStatus, PendingAction, Role
from groups.permissions import organizers_group
from groups.services import membership_leave
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
)
from tests.rows import table_rows
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db

# The columns of the table and the roles each one stands for. outsider: an account that never
# joined; former: one that left; pending: a request to join waits. None of them is a member.
# member: a member who wrote none of the objects; author: the member who proposed `prop` and
# `backed`, and who is going to the event whose attendees vote in `attendees`.
COLUMNS = {
    "anon": ["anonymous"],
    "out": ["outsider", "former", "pending"],
    "mem": ["member"],
    "auth": ["author"],
    "org": ["organizer", "co_organizer"],
}
LOGIN = 302  # to the login page, with the URL asked for as next
MEMBERS_ONLY = "Only members of"  # the members-only page, with its join button
CONTACT = "guest@example.org, +1 555 0100"


@dataclass(frozen=True)
class Row:
    name: str
    args: tuple
    method: str
    data: dict | Callable | None  # a callable takes the objects
    expected: dict  # role -> status
    # After a successful POST (a 302 for a signed-in person): what changed, where it went.
    then: Callable | None = None  # (objects, user) -> bool
    to: Callable | None = None  # (objects, user) -> URL
    # Said on the page answered (a 400's error, a 302's next page).
    says: str = ""
    # Run in the role's savepoint before the request (a setting of the group).
    setup: Callable | None = None

    def url(self, o) -> str:
        return reverse(
            f"decisions:{self.name}", args=[getattr(o[k], "pk", o[k]) for k in self.args]
        )


def R(name, args, method, data, anon, out, mem, auth, org, **more):
    statuses = {"anon": anon, "out": out, "mem": mem, "auth": auth, "org": org}
    expected = {role: statuses[column] for column, roles in COLUMNS.items() for role in roles}
    return Row(name, args, method, data, expected, **more)


def _url(key):
    return lambda o, u: o[key].get_absolute_url()


def _members_open_polls(o):
    Group.objects.filter(pk=o["prop"].group_id).update(members_open_polls=True)


def _poll_form(o):
    zone = o["prop"].group.zone
    now = timezone.now().astimezone(zone)
    return {
        "question": "Which day suits?",
        "details": "For the *summer* series.",
        "options": "Tuesday\nThursday\n\nSaturday",
        "method": "approval",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "voters": "members",
        "event": "",
    }


def _poll_made(o, u) -> bool:
    poll = Poll.objects.get(question="Which day suits?")
    return (
        poll.created_by == u
        and list(poll.options.values_list("label", flat=True))
        == ["Tuesday", "Thursday", "Saturday"]
        and LogEntry.objects.filter(
            kind=LogKind.POLL_OPENED, actor=u, url=poll.get_absolute_url()
        ).exists()
    )


def _dates_form(o):
    return {**_poll_form(o), "method": "dates", "options": "2030-03-12 18:30\n2030-03-05 18:30"}


def _dates_made(o, u) -> bool:
    poll = Poll.objects.get(question="Which day suits?")
    zone = o["prop"].group.zone
    # 2030-03-10 is the change to daylight time in New York: the two evenings have different
    # offsets (EST, then EDT), each read as the group's wall-clock time.
    return [
        (opt.label, opt.starts_at.astimezone(zone).utcoffset()) for opt in poll.options.all()
    ] == [
        ("2030-03-05 18:30", timedelta(hours=-5)),
        ("2030-03-12 18:30", timedelta(hours=-4)),
    ]


def _poll_to(o, u) -> str:
    return Poll.objects.get(question="Which day suits?").get_absolute_url()


def _option(key, label):
    return lambda o: {"choice": o[key].options.get(label=label).pk}


def _voted(key, label):
    """On the roll, and the box holds that one ballot (the box cannot say whose)."""

    def then(o, u):
        choices = list(BallotBox.objects.filter(poll=o[key]).values_list("choices", flat=True))
        return VoterRoll.objects.filter(poll=o[key], member=u).exists() and choices == [
            [o[key].options.get(label=label).pk]
        ]

    return then


def _election_form(o):
    now = timezone.now().astimezone(o["prop"].group.zone)
    return {
        "role": "co_organizer",
        "seats": "1",
        "candidates": [o["prop"].author_id, o["member"].pk],
        "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "term_ends": (now + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M"),
    }


def _election_made(o, u) -> bool:
    election = Election.objects.select_related("poll").get(poll__created_by=u, role="co_organizer")
    return (
        (election.role, election.seats, election.poll.method) == ("co_organizer", 1, "ranked")
        and sorted(Candidate.objects.filter(election=election).values_list("member", flat=True))
        == sorted([o["prop"].author_id, o["member"].pk])
        and LogEntry.objects.filter(
            kind=LogKind.POLL_OPENED, actor=u, url=election.poll.get_absolute_url()
        ).count()
        == 1
    )


def _election_to(o, u) -> str:
    return Election.objects.get(poll__created_by=u, role="co_organizer").poll.get_absolute_url()


def _setting_form(o):
    now = timezone.now().astimezone(o["prop"].group.zone)
    return {
        "setting": "join_needs_approval",
        "value": "on",
        "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }


def _setting_made(o, u) -> bool:
    made = SettingPoll.objects.select_related("poll").get()
    return (made.setting, made.value, made.poll.created_by, made.poll.method) == (
        "join_needs_approval",
        "on",
        u,
        "single",
    )


def _setting_to(o, u) -> str:
    return SettingPoll.objects.get().poll.get_absolute_url()


def _no_receipt_sent(o, u) -> bool:
    return not Email.objects.filter(kind="poll_receipt").exists()


def _supports(o, u) -> bool:
    """Supported, and counted; the author is told their own proposal is for others."""
    prop = Proposal.objects.get(pk=o["prop"].pk)
    mine = u == prop.author
    return Support.objects.filter(
        proposal=prop, member=u
    ).exists() is not mine and prop.support_count == Support.objects.filter(
        proposal=prop
    ).count() == int(not mine)


def _withdrew(o, u) -> bool:
    backed = Proposal.objects.get(pk=o["backed"].pk)
    return not Support.objects.filter(
        proposal=backed, member=u
    ).exists() and backed.support_count == Support.objects.filter(proposal=backed).count() == (
        3 if u == backed.author else 2
    )


def _status(key, status):
    return lambda o, u: Proposal.objects.get(pk=o[key].pk).status == status


def _declined(o, u) -> bool:
    prop = Proposal.objects.get(pk=o["prop"].pk)
    return (prop.status, prop.decline_reason) == ("declined", "Not this year") and (
        LogEntry.objects.filter(
            kind=LogKind.PROPOSAL_DECLINED, actor=u, detail="Not this year"
        ).count()
        == 1
    )


def _scheduled(o, u) -> bool:
    prop = Proposal.objects.select_related("event").get(pk=o["prop"].pk)
    return (
        prop.status == ProposalStatus.SCHEDULED
        and prop.event.status == "draft"
        and prop.event.title == prop.title
        and LogEntry.objects.filter(kind=LogKind.PROPOSAL_SCHEDULED, actor=u).count() == 1
    )


def _closed(o, u) -> bool:
    poll = Poll.objects.get(pk=o["poll"].pk)
    return poll.is_closed() and (
        LogEntry.objects.filter(kind=LogKind.POLL_CLOSED, actor=u, title=poll.question).count() == 1
    )


def _points(key, **points):
    return lambda o: {
        f"points_{o[key].options.get(label=label).pk}": value for label, value in points.items()
    }


def _pairs_voted(key, **given):
    def then(o, u):
        ballot = BallotBox.objects.get(poll=o[key])
        labels = dict(o[key].options.values_list("pk", "label"))
        return [[labels[pk], value] for pk, value in ballot.choices] == [
            [label, value] for label, value in given.items()
        ]

    return then


def _cancel_waits(key):
    def then(o, u) -> bool:
        waiting = PendingAction.objects.filter(kind="poll_cancel", target=o[key].pk)
        return list(waiting.values_list("requested_by", flat=True)) == [u.pk] and (
            Poll.objects.filter(pk=o[key].pk).exists()
        )

    return then


def _answer(o):
    tue, thu = o["dates"].options.all()
    return {f"answer_{tue.pk}": "yes", f"answer_{thu.pk}": "if_need_be"}


def _outcome_written(o, u) -> bool:
    poll = Poll.objects.get(pk=o["closed"].pk)
    return poll.outcome == "Tea won." and (
        LogEntry.objects.filter(kind=LogKind.OUTCOME_WRITTEN, actor=u, detail="Tea won.").count()
        == 1
    )


def _dates_event(o, u) -> bool:
    poll = Poll.objects.select_related("became_event").get(pk=o["dates_closed"].pk)
    return (
        poll.became_event.status == "draft"
        and poll.became_event.starts_at == poll.options.get(label="Thu").starts_at
        and LogEntry.objects.filter(kind=LogKind.POLL_SCHEDULED, actor=u).count() == 1
    )


def _decision_form(o):
    closes = timezone.now().astimezone(o["prop"].group.zone) + timedelta(days=3)
    return {
        "title": "Open notes",
        "body": "We *publish*.",
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
    }


def _decision_made(o, u) -> bool:
    decision = Decision.objects.get(title="Open notes")
    return (
        decision.created_by == u
        and LogEntry.objects.filter(
            kind=LogKind.DECISION_OPENED, actor=u, url=decision.get_absolute_url()
        ).count()
        == 1
    )


def _decision_to(o, u) -> str:
    return Decision.objects.get(title="Open notes").get_absolute_url()


def _stated(position):
    return lambda o, u: (
        list(Position.objects.filter(decision=o["consent"]).values_list("member", "position"))
        == [(u.pk, position)]
    )


def _decision_closed(o, u) -> bool:
    decision = Decision.objects.get(pk=o["consent"].pk)
    return (
        decision.closed_at is not None
        and decision.outcome == "Passed."
        and (LogEntry.objects.filter(kind=LogKind.DECISION_CLOSED, actor=u).count() == 1)
    )


def _no_cancel(o, u) -> bool:
    return not PendingAction.objects.exists()


PROPOSAL = {"kind": "topic", "title": "Bike lanes", "body": "Why *not*?", "contact": ""}
GUEST = {"kind": "guest", "title": "Ada Guest", "body": "", "contact": "ada@example.org"}

# fmt: off
ROWS = [
    # --- Proposals: members read, propose and support; non-members get the members-only page.
    #   url, args                      method  data       anon   out  mem  auth org
    R("proposals", (),                 "get",  None,      LOGIN, 403, 200, 200, 200),
    R("proposals", (),                 "head", None,      LOGIN, 403, 200, 200, 200),
    R("proposals", (),                 "post", {},        405,   405, 405, 405, 405),

    R("proposal_new", (),              "get",  None,      LOGIN, 403, 200, 200, 200),
    R("proposal_new", (),              "post", PROPOSAL,  LOGIN, 403, 302, 302, 302,
      then=lambda o, u: (
          Proposal.objects.filter(author=u, title="Bike lanes", kind="topic").count() == 1
          and Thread.objects.filter(author=u, title="Bike lanes").count() == 1
      ),
      to=lambda o, u: Proposal.objects.get(title="Bike lanes").get_absolute_url()),
    # A guest's contact is kept; for a topic it is dropped.
    R("proposal_new", (),              "post", GUEST,     LOGIN, 403, 302, 302, 302,
      then=lambda o, u: Proposal.objects.get(author=u, title="Ada Guest").contact
      == GUEST["contact"],
      to=lambda o, u: Proposal.objects.get(title="Ada Guest").get_absolute_url()),
    R("proposal_new", (),              "post", {**PROPOSAL, "title": " "},
                                                          LOGIN, 403, 400, 400, 400),
    R("proposal_new", (),              "post", {**PROPOSAL, "kind": "party"},
                                                          LOGIN, 403, 400, 400, 400),
    R("proposal_new", (),              "put",  None,      405,   405, 405, 405, 405),

    R("proposal", ("prop",),           "get",  None,      LOGIN, 403, 200, 200, 200),
    R("proposal", ("prop",),           "head", None,      LOGIN, 403, 200, 200, 200),
    R("proposal", ("prop",),           "post", {},        405,   405, 405, 405, 405),
    R("proposal", ("declined",),       "get",  None,      LOGIN, 403, 200, 200, 200),
    R("proposal", ("unknown",),        "get",  None,      LOGIN, 403, 404, 404, 404),

    # Supporting your own proposal: refused with a message, nothing counted.
    R("proposal_support", ("prop",),   "post", {"support": "1"},
                                                          LOGIN, 403, 302, 302, 302,
      then=_supports, to=_url("prop")),
    R("proposal_support", ("backed",), "post", {"support": "0"},
                                                          LOGIN, 403, 302, 302, 302,
      then=_withdrew, to=_url("backed")),
    # A declined proposal is no longer open for support.
    R("proposal_support", ("declined",), "post", {"support": "1"},
                                                          LOGIN, 403, 302, 302, 302,
      then=lambda o, u: not Support.objects.filter(proposal=o["declined"]).exists(),
      to=_url("declined")),
    R("proposal_support", ("prop",),   "get",  None,      405,   405, 405, 405, 405),
    R("proposal_support", ("unknown",), "post", {"support": "1"},
                                                          LOGIN, 403, 404, 404, 404),

    # --- Organizers decide: planned, declined with a reason, a draft event, open again.
    R("proposal_decide", ("prop",),    "post", {"action": "plan"},
                                                          LOGIN, 403, 403, 403, 302,
      then=_status("prop", ProposalStatus.PLANNED), to=_url("prop")),
    R("proposal_decide", ("prop",),    "post", {"action": "decline", "reason": "Not this year"},
                                                          LOGIN, 403, 403, 403, 302,
      then=_declined, to=_url("prop")),
    R("proposal_decide", ("prop",),    "post", {"action": "decline", "reason": ""},
                                                          LOGIN, 403, 403, 403, 400),
    R("proposal_decide", ("prop",),    "post", {"action": "event"},
                                                          LOGIN, 403, 403, 403, 302,
      then=_scheduled,
      to=lambda o, u: reverse(
          "admin:events_event_change", args=[Proposal.objects.get(pk=o["prop"].pk).event_id]
      )),
    R("proposal_decide", ("declined",), "post", {"action": "reopen"},
                                                          LOGIN, 403, 403, 403, 302,
      then=_status("declined", ProposalStatus.OPEN), to=_url("declined")),
    R("proposal_decide", ("prop",),    "post", {"action": "explode"},
                                                          LOGIN, 403, 403, 403, 400),
    R("proposal_decide", ("prop",),    "get",  None,      405,   405, 405, 405, 405),
    R("proposal_decide", ("unknown",), "post", {"action": "plan"},
                                                          LOGIN, 403, 404, 404, 404),

    # --- Polls: members read and vote; organizers open and close them.
    R("polls", (),                     "get",  None,      LOGIN, 403, 200, 200, 200),
    R("polls", (),                     "head", None,      LOGIN, 403, 200, 200, 200),
    R("polls", (),                     "post", {},        405,   405, 405, 405, 405),

    R("poll_new", (),                  "get",  None,      LOGIN, 403, 403, 403, 200),
    R("poll_new", (),                  "post", _poll_form, LOGIN, 403, 403, 403, 302,
      then=_poll_made, to=_poll_to),
    # Where the group lets members open polls.
    R("poll_new", (),                  "get",  None,      LOGIN, 403, 200, 200, 200,
      setup=_members_open_polls),
    R("poll_new", (),                  "post", _poll_form, LOGIN, 403, 302, 302, 302,
      then=_poll_made, to=_poll_to, setup=_members_open_polls),
    R("poll_new", (),                  "post", lambda o: {**_poll_form(o), "options": "Only one"},
                                                          LOGIN, 403, 403, 403, 400,
      says="Give at least two options."),
    R("poll_new", (),                  "put",  None,      405,   405, 405, 405, 405),
    # A dates poll: one time per line, read in the group's zone; a dots poll needs its dots.
    R("poll_new", (),                  "post", _dates_form, LOGIN, 403, 403, 403, 302,
      then=_dates_made, to=_poll_to),
    R("poll_new", (),                  "post", lambda o: {**_poll_form(o), "method": "dots"},
                                                          LOGIN, 403, 403, 403, 400,
      says="Give each member a number of dots."),
    R("poll_new", (),                  "post", lambda o: {**_poll_form(o), "method": "dates"},
                                                          LOGIN, 403, 403, 403, 400,
      says="Write each date as a date and a time"),

    R("poll", ("poll",),               "get",  None,      LOGIN, 403, 200, 200, 200),
    R("poll", ("poll",),               "head", None,      LOGIN, 403, 200, 200, 200),
    R("poll", ("poll",),               "post", _option("poll", "Tea"),
                                                          LOGIN, 403, 200, 200, 200,
      then=_voted("poll", "Tea")),
    R("poll", ("poll",),               "post", {"choice": 999_999},
                                                          LOGIN, 403, 400, 400, 400),
    R("poll", ("poll",),               "put",  None,      405,   405, 405, 405, 405),
    # Set to open tomorrow: not there yet for members; organizers see it, nobody votes.
    R("poll", ("future",),             "get",  None,      LOGIN, 403, 404, 404, 200),
    R("poll", ("future",),             "post", _option("future", "Tea"),
                                                          LOGIN, 403, 404, 404, 400,
      says="This poll is not open yet."),
    R("poll", ("closed",),             "get",  None,      LOGIN, 403, 200, 200, 200),
    R("poll", ("closed",),             "post", _option("closed", "Tea"),
                                                          LOGIN, 403, 400, 400, 400,
      says="This poll is closed."),
    # Only the people going to the event vote: the author is, nobody else.
    R("poll", ("attendees",),          "get",  None,      LOGIN, 403, 200, 200, 200),
    R("poll", ("attendees",),          "post", _option("attendees", "Tea"),
                                                          LOGIN, 403, 400, 200, 400,
      then=_voted("attendees", "Tea"),
      says="Only the people going to the event vote in this poll."),
    R("poll", ("unknown",),            "get",  None,      LOGIN, 403, 404, 404, 404),

    # Emailing a receipt: only one of this poll's, by someone who voted (the service's tests
    # send one); a wrong one is refused with a message and sends nothing.
    R("poll_receipt_email", ("poll",), "post", {"receipt": "not-mine"},
                                                          LOGIN, 403, 302, 302, 302,
      then=_no_receipt_sent, to=_url("poll")),
    R("poll_receipt_email", ("poll",), "post", {},        LOGIN, 403, 302, 302, 302,
      then=_no_receipt_sent, to=_url("poll")),
    R("poll_receipt_email", ("poll",), "get",  None,      405,   405, 405, 405, 405),
    R("poll_receipt_email", ("unknown",), "post", {"receipt": "x"},
                                                          LOGIN, 403, 404, 404, 404),

    R("poll_close", ("poll",),         "post", {},        LOGIN, 403, 403, 403, 302,
      then=_closed, to=_url("poll")),
    R("poll_close", ("poll",),         "get",  None,      405,   405, 405, 405, 405),
    # Closed already: said, and nothing changes.
    R("poll_close", ("closed",),       "post", {},        LOGIN, 403, 403, 403, 302,
      then=lambda o, u: not LogEntry.objects.filter(kind=LogKind.POLL_CLOSED).exists(),
      to=_url("closed")),
    R("poll_close", ("unknown",),      "post", {},        LOGIN, 403, 404, 404, 404),
    R("poll_close", ("poll",),         "post", {"outcome": "Tea."},
                                                          LOGIN, 403, 403, 403, 302,
      then=lambda o, u: _closed(o, u) and Poll.objects.get(pk=o["poll"].pk).outcome == "Tea.",
      to=_url("poll")),

    # --- Score, dots and dates ballots.
    R("poll", ("score",),              "post", _points("score", Tea=5, Coffee=2),
                                                          LOGIN, 403, 200, 200, 200,
      then=_pairs_voted("score", Tea=5, Coffee=2)),
    R("poll", ("score",),              "post", _points("score", Tea=6),
                                                          LOGIN, 403, 400, 400, 400),
    R("poll", ("dots",),               "post", _points("dots", Tea=2, Coffee=1),
                                                          LOGIN, 403, 200, 200, 200,
      then=_pairs_voted("dots", Tea=2, Coffee=1)),
    R("poll", ("dots",),               "post", _points("dots", Tea=2, Coffee=2),
                                                          LOGIN, 403, 400, 400, 400,
      says="You have 3 dots: you gave 4."),
    R("poll", ("dates",),              "post", _answer,   LOGIN, 403, 200, 200, 200,
      then=_pairs_voted("dates", Tue="yes", Thu="if_need_be")),
    R("poll", ("dates_closed",),       "get",  None,      LOGIN, 403, 200, 200, 200),

    # --- Written outcomes, and a dates poll's draft event: organizers.
    R("poll_outcome", ("closed",),     "post", {"outcome": "Tea won."},
                                                          LOGIN, 403, 403, 403, 302,
      then=_outcome_written, to=_url("closed")),
    R("poll_outcome", ("closed",),     "post", {"outcome": ""},
                                                          LOGIN, 403, 403, 403, 400),
    R("poll_outcome", ("poll",),       "post", {"outcome": "Early"},
                                                          LOGIN, 403, 403, 403, 400,
      says="Close the poll first"),
    R("poll_outcome", ("closed",),     "get",  None,      405,   405, 405, 405, 405),
    R("poll_outcome", ("unknown",),    "post", {"outcome": "x"},
                                                          LOGIN, 403, 404, 404, 404),
    R("poll_event", ("dates_closed",), "post", {},        LOGIN, 403, 403, 403, 302,
      then=_dates_event,
      to=lambda o, u: reverse(
          "admin:events_event_change",
          args=[Poll.objects.get(pk=o["dates_closed"].pk).became_event_id],
      )),
    # Not a dates poll: said, nothing made.
    R("poll_event", ("closed",),       "post", {},        LOGIN, 403, 403, 403, 302,
      then=lambda o, u: Poll.objects.get(pk=o["closed"].pk).became_event_id is None,
      to=_url("closed")),
    R("poll_event", ("dates_closed",), "get",  None,      405,   405, 405, 405, 405),
    R("poll_event", ("unknown",),      "post", {},        LOGIN, 403, 404, 404, 404),

    # --- Consent proposals: members read and state positions; organizers open and close.
    R("decisions", (),                 "get",  None,      LOGIN, 403, 200, 200, 200),
    R("decisions", (),                 "head", None,      LOGIN, 403, 200, 200, 200),
    R("decisions", (),                 "post", {},        405,   405, 405, 405, 405),
    R("decision_new", (),              "get",  None,      LOGIN, 403, 403, 403, 200),
    R("decision_new", (),              "post", _decision_form,
                                                          LOGIN, 403, 403, 403, 302,
      then=_decision_made, to=_decision_to),
    R("decision_new", (),              "post", _decision_form,
                                                          LOGIN, 403, 302, 302, 302,
      then=_decision_made, to=_decision_to,
      setup=_members_open_polls),
    R("decision_new", (),              "post", lambda o: {**_decision_form(o), "body": ""},
                                                          LOGIN, 403, 403, 403, 400),
    R("decision_new", (),              "put",  None,      405,   405, 405, 405, 405),
    R("decision", ("consent",),        "get",  None,      LOGIN, 403, 200, 200, 200),
    R("decision", ("consent",),        "head", None,      LOGIN, 403, 200, 200, 200),
    R("decision", ("consent",),        "post", {"position": "agree", "reason": ""},
                                                          LOGIN, 403, 302, 302, 302,
      then=_stated("agree"), to=_url("consent")),
    R("decision", ("consent",),        "post", {"position": "block", "reason": "Names."},
                                                          LOGIN, 403, 302, 302, 302,
      then=_stated("block"), to=_url("consent")),
    R("decision", ("consent",),        "post", {"position": "block", "reason": " "},
                                                          LOGIN, 403, 400, 400, 400,
      says="A block needs a reason"),
    R("decision", ("consent",),        "put",  None,      405,   405, 405, 405, 405),
    R("decision", ("unknown",),        "get",  None,      LOGIN, 403, 404, 404, 404),
    R("decision_close", ("consent",),  "post", {"outcome": "Passed."},
                                                          LOGIN, 403, 403, 403, 302,
      then=_decision_closed, to=_url("consent")),
    # No outcome: said, and nothing changes.
    R("decision_close", ("consent",),  "post", {"outcome": ""},
                                                          LOGIN, 403, 403, 403, 302,
      then=lambda o, u: Decision.objects.get(pk=o["consent"].pk).closed_at is None,
      to=_url("consent")),
    R("decision_close", ("consent",),  "get",  None,      405,   405, 405, 405, 405),
    R("decision_close", ("unknown",),  "post", {"outcome": "x"},
                                                          LOGIN, 403, 404, 404, 404),

    # --- Elections: organizers open them; members read them on the poll page.
    R("election_new", (),              "get",  None,      LOGIN, 403, 403, 403, 200),
    R("election_new", (),              "post", _election_form, LOGIN, 403, 403, 403, 302,
      then=_election_made, to=_election_to),
    R("election_new", (),              "post", lambda o: {**_election_form(o), "candidates": []},
                                                          LOGIN, 403, 403, 403, 400),
    R("election_new", (),              "post", lambda o: {**_election_form(o), "seats": "3"},
                                                          LOGIN, 403, 403, 403, 400,
      says="Give at least as many candidates as seats."),
    R("election_new", (),              "put",  None,      405,   405, 405, 405, 405),
    R("poll", ("election",),           "get",  None,      LOGIN, 403, 200, 200, 200,
      says=""),

    # --- Settings polls: whoever may open polls proposes; a setting already so is refused.
    R("setting_poll_new", (),          "get",  None,      LOGIN, 403, 403, 403, 200),
    R("setting_poll_new", (),          "post", _setting_form, LOGIN, 403, 403, 403, 302,
      then=_setting_made, to=_setting_to),
    R("setting_poll_new", (),          "post", _setting_form, LOGIN, 403, 302, 302, 302,
      then=_setting_made, to=_setting_to, setup=_members_open_polls),
    R("setting_poll_new", (),          "post", lambda o: {**_setting_form(o), "value": "off"},
                                                          LOGIN, 403, 403, 403, 400,
      says="The setting already has this value."),
    R("setting_poll_new", (),          "put",  None,      405,   405, 405, 405, 405),

    # Cancelling: two organizers here, so it waits for the second (groups.confirmations).
    R("poll_cancel", ("poll",),        "post", {},        LOGIN, 403, 403, 403, 302,
      then=_cancel_waits("poll"), to=_url("poll")),
    R("poll_cancel", ("poll",),        "get",  None,      405,   405, 405, 405, 405),
    R("poll_cancel", ("closed",),      "post", {},        LOGIN, 403, 403, 403, 302,
      then=_no_cancel, to=_url("closed")),
    R("poll_cancel", ("unknown",),     "post", {},        LOGIN, 403, 404, 404, 404),

    # --- The transparency log: members read it.
    R("log", (),                       "get",  None,      LOGIN, 403, 200, 200, 200),
    R("log", (),                       "head", None,      LOGIN, 403, 200, 200, 200),
    R("log", (),                       "post", {},        405,   405, 405, 405, 405),
    # --- The log as JSON, with its hashes: the log page's rules.
    R("log_json", (),                  "get",  None,      LOGIN, 403, 200, 200, 200),
    R("log_json", (),                  "post", {},        405,   405, 405, 405, 405),
]
# fmt: on


def _ids(rows) -> list[str]:
    """name-args-method, numbered from the second row of the same URL and method."""
    plain = ["-".join([row.name, *row.args, row.method]) for row in rows]
    return [
        name if plain[:i].count(name) == 0 else f"{name}-{plain[:i].count(name) + 1}"
        for i, name in enumerate(plain)
    ]


TABLE = [pytest.param(row, id=id_) for row, id_ in zip(ROWS, _ids(ROWS), strict=True)]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The group, its people and every proposal, poll and election, built once for the
    module's rows (tests/worlds.py); each test still starts from them as built."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def rows(built, db):
    return fresh_copy(built)


@pytest.fixture
def people(rows):
    return rows["people"]


@pytest.fixture
def objects(rows):
    return rows["objects"]


def _build():
    group = GroupFactory()
    member = MembershipFactory(group=group, role=Role.MEMBER).user
    people = _people(group, member, organizer_for(group))
    return {"people": people, "objects": _objects(group, people), "sessions": _sessions(people)}


def _sessions(people) -> dict[str, str]:
    """Their session keys, each signed in once for the module (tests/worlds.session_keys)."""
    return session_keys(people)


def _people(group, member, organizer):
    co_organizer = UserFactory(is_staff=True)
    co_organizer.groups.add(organizers_group())
    MembershipFactory(group=group, user=co_organizer, role=Role.CO_ORGANIZER)
    former = MembershipFactory(group=group).user
    membership_leave(group=group, user=former)
    return {
        "anonymous": None,
        "outsider": UserFactory(),
        "former": former,
        "pending": MembershipFactory(group=group, status=MembershipStatus.PENDING).user,
        "member": member,
        "author": MembershipFactory(group=group).user,
        "organizer": organizer,
        "co_organizer": co_organizer,
    }


def _poll(group, by, question, *, opens, closes, labels=("Tea", "Coffee"), **more) -> Poll:
    poll = Poll.objects.create(
        group=group,
        question=question,
        opens_at=timezone.now() + opens,
        closes_at=timezone.now() + closes,
        created_by=by,
        **more,
    )
    starts = timezone.now() + timedelta(days=10)
    Option.objects.bulk_create(
        Option(
            poll=poll,
            label=label,
            position=i,
            starts_at=starts + timedelta(days=2 * i) if more.get("method") == "dates" else None,
        )
        for i, label in enumerate(labels)
    )
    eligible_freeze(poll=poll, now=timezone.now())  # as poll_open does
    return poll


def _objects(group, people):
    author, organizer = people["author"], people["organizer"]
    prop = services.proposal_add(
        group=group,
        author=author,
        kind=ProposalKind.GUEST,
        title="Invite Grace",
        body="She built a co-op.",
        contact=CONTACT,
    )
    backed = services.proposal_add(group=group, author=author, kind="topic", title="Backed")
    for person in ("member", "organizer", "co_organizer"):
        services.proposal_support(proposal=backed, member=people[person])
    declined = services.proposal_add(group=group, author=author, kind="topic", title="Declined")
    services.proposal_decline(proposal=declined, by=organizer, reason="Done last year")
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=5))
    event_services.rsvp_set(event=event, member=author, going=True)
    hour = timedelta(hours=1)
    objects = {
        "prop": prop,
        "backed": backed,
        "declined": declined,
        "unknown": 999_999,
        "poll": _poll(group, organizer, "Tea or coffee?", opens=-hour, closes=24 * hour),
        "future": _poll(group, organizer, "Later?", opens=24 * hour, closes=48 * hour),
        "closed": _poll(
            group,
            organizer,
            "Before?",
            opens=-48 * hour,
            closes=-hour,
            closed_noted_at=timezone.now(),
        ),
        "attendees": _poll(
            group,
            organizer,
            "At the event?",
            opens=-hour,
            closes=24 * hour,
            voters=Voters.ATTENDEES,
            event=event,
        ),
        "member": people["member"],
        "election": services.election_open(
            group=group,
            by=organizer,
            role="organizer",
            seats=2,
            candidates=[people["member"], author, organizer],
            closes_at=timezone.now() + 24 * hour,
            term_ends=timezone.now() + 365 * 24 * hour,
        ),
        "score": _poll(group, organizer, "Score?", opens=-hour, closes=hour, method="score"),
        "dots": _poll(group, organizer, "Dots?", opens=-hour, closes=hour, method="dots", dots=3),
        "dates": _poll(
            group, organizer, "When?", opens=-hour, closes=hour, method="dates", labels=DAYS
        ),
        "dates_closed": _poll(
            group,
            organizer,
            "When was it?",
            opens=-2 * hour,
            closes=-hour,
            method="dates",
            labels=DAYS,
            closed_noted_at=timezone.now(),
        ),
        "consent": services.decision_open(
            group=group,
            by=organizer,
            title="Notes",
            body="Publish them.",
            closes_at=timezone.now() + 24 * hour,
        ),
    }
    thu = objects["dates_closed"].options.get(label="Thu")
    BallotBox.objects.create(
        poll=objects["dates_closed"], choices=[[thu.pk, "yes"]], receipt_hash="x"
    )
    return objects


DAYS = ("Tue", "Thu")


TRACKED = (
    Proposal,
    Support,
    Poll,
    Option,
    Eligible,
    VoterRoll,
    BallotBox,
    LogEntry,
    Thread,
    Event,
    Group,
    Election,
    Candidate,
    SettingPoll,
    Email,
    Decision,
    Position,
)


def _state() -> dict:
    return table_rows(TRACKED)


# One client for every request: its handler loads the middleware once (whitenoise reads the
# static files then), and its cookies are emptied for each visitor.
_CLIENT = Client()


def _client(user) -> Client:
    _CLIENT.cookies = SimpleCookie()
    if user is not None:
        _CLIENT.force_login(user)
    return _CLIENT


def _visit(row: Row, role: str, user, o, session) -> tuple[int, list[str]]:
    """One role's request, signed in with `session`; what went wrong besides the status
    (judged when it is right)."""
    if row.setup:
        row.setup(o)
    client = _client(None)
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    url = row.url(o)
    before = _state()
    data = row.data(o) if callable(row.data) else row.data
    response = getattr(client, row.method)(url, **({} if data is None else {"data": data}))
    status, problems = response.status_code, []
    if status != row.expected[role]:
        return status, problems
    if status == 302:
        if user is None:
            expected_location = f"{reverse('account_login')}?next={url}"
        else:
            expected_location = row.to(o, user)
        if response["Location"] != expected_location:
            problems.append(f"went to {response['Location']}, not {expected_location}")
    # A first ballot answers 200 with its receipt (shown once, no redirect), and is judged.
    if (
        (status == 302 or (status == 200 and row.then))
        and user is not None
        and row.method == "post"
    ):
        if row.then(o, user) is not True:
            problems.append("the POST had not its effect")
    elif _state() != before:
        problems.append("the request changed decisions rows")
    body = response.content.decode()
    members_only = status == 403 and row.method != "head" and role in COLUMNS["out"]
    if members_only and MEMBERS_ONLY not in body:
        problems.append("not the members-only page")
    if status == 400 and row.says and row.says not in body:
        problems.append(f"the page does not say {row.says!r}")
    return status, problems


@pytest.mark.parametrize("row", TABLE)
def test_decisions_access(rows, people, objects, row):
    """Each role in a savepoint of its own, rolled back after, so a POST that worked for one
    role (a new proposal, a ballot, a closed poll) is not there for the next."""
    statuses, problems = {}, {}
    for role in row.expected:
        with transaction.atomic():
            session = rows["sessions"].get(role)
            statuses[role], found = _visit(row, role, people[role], objects, session)
            transaction.set_rollback(True)
        if found:
            problems[role] = found
        for cache in caches.all():
            cache.clear()
    assert statuses == row.expected
    assert problems == {}


# --- What each role sees on the pages --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("member", False),
        ("author", True),
        ("organizer", True),
        ("co_organizer", True),
    ],
)
def test_guest_contact_shown_to_the_organizers_and_the_proposer_only(people, objects, role, sees):
    client = _client(people[role])
    page = client.get(objects["prop"].get_absolute_url()).content.decode()
    assert "She built a co-op." in page
    assert (CONTACT.split(",")[0] in page, "+1 555 0100" in page) == (sees, sees)
    listing = client.get(reverse("decisions:proposals")).content.decode()
    assert "Invite Grace" in listing
    assert "guest@example.org" not in listing


def test_members_only_page_for_non_members_and_login_for_anonymous(people, objects):
    urls = [
        reverse("decisions:proposals"),
        objects["prop"].get_absolute_url(),
        reverse("decisions:polls"),
        objects["poll"].get_absolute_url(),
        reverse("decisions:log"),
    ]
    for url in urls:
        response = _client(None).get(url)
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
        for role in ("outsider", "former", "pending"):
            response = _client(people[role]).get(url)
            page = response.content.decode()
            assert (response.status_code, MEMBERS_ONLY in page, "Join the group" in page) == (
                403,
                True,
                True,
            ), (url, role)
            assert "Invite Grace" not in page and "Tea or coffee?" not in page


def test_organizers_alone_see_the_decide_and_close_forms(people, objects):
    decide = reverse("decisions:proposal_decide", args=[objects["prop"].pk])
    close = reverse("decisions:poll_close", args=[objects["poll"].pk])
    seen = {}
    for role in ("member", "author", "organizer", "co_organizer"):
        client = _client(people[role])
        proposal = client.get(objects["prop"].get_absolute_url()).content.decode()
        poll = client.get(objects["poll"].get_absolute_url()).content.decode()
        polls = client.get(reverse("decisions:polls")).content.decode()
        seen[role] = (decide in proposal, close in poll, reverse("decisions:poll_new") in polls)
    assert seen == {
        "member": (False, False, False),
        "author": (False, False, False),
        "organizer": (True, True, True),
        "co_organizer": (True, True, True),
    }


def test_future_poll_listed_only_once_open(people, objects):
    client = _client(people["member"])
    assert "Later?" not in client.get(reverse("decisions:polls")).content.decode()
    client = _client(people["organizer"])
    assert "Later?" not in client.get(reverse("decisions:polls")).content.decode()
    Poll.objects.filter(pk=objects["future"].pk).update(opens_at=timezone.now())
    client = _client(people["member"])
    assert "Later?" in client.get(reverse("decisions:polls")).content.decode()
    assert client.get(objects["future"].get_absolute_url()).status_code == 200
