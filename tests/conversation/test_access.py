"""role × URL × method → status for every conversation URL, and what each answer did.

One row per case: the URL (its name and the objects that fill it), the method, the data
posted, then the expected status for each column of roles. A successful POST must have its
effect (`then`) and redirect where it says (`to`); any other answer must leave every
conversation table as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversation import services
from conversation.models import (
    Announcement,
    Category,
    Comment,
    Follow,
    Mute,
    Reply,
    Report,
    Revision,
    Thread,
)
from events.models import Event
from groups.models import MembershipStatus, Role
from groups.permissions import organizers_group
from groups.services import membership_leave
from tests.factories import (
    AnnouncementFactory,
    CommentFactory,
    EventFactory,
    GroupFactory,
    MembershipFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
    organizer_for,
)
from tests.rows import table_rows
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db

# The columns of the table and the roles each one stands for. outsider: an account that never
# joined; former: one that left; pending: a request to join waits. None of them is a member.
# host: a member named host of `event` (of no other). member and other: two members; the
# objects called mine are member's, the ones called theirs are other's.
COLUMNS = {
    "anon": ["anonymous"],
    "out": ["outsider", "former", "pending"],
    "mem": ["member"],
    "oth": ["other"],
    "host": ["host"],
    "org": ["organizer", "co_organizer"],
}
LOGIN = 302  # to the login page, with the URL asked for as next
OWN = "You can edit or delete what you wrote yourself."  # reporting what you wrote


@dataclass(frozen=True)
class Row:
    name: str
    args: tuple
    method: str
    data: dict | Callable | None  # a callable takes the objects
    expected: dict  # role -> status
    # After a successful POST (a 302 for a signed-in person): what changed, where it went.
    then: Callable | None = None
    to: Callable | None = None
    # Where an anonymous person is sent to log in, when it is not the URL itself.
    login_next: Callable | None = None
    # Said on a 400 page.
    says: str = ""
    # A real bug: the row says what should happen, and is expected to fail until it is fixed.
    bug: str = ""

    def url(self, o) -> str:
        return reverse(f"conversation:{self.name}", args=[_arg(o[key]) for key in self.args])


def _arg(value):
    if isinstance(value, Event):
        return value.slug
    return getattr(value, "pk", value)


def R(name, args, method, data, anon, out, mem, oth, host, org, **more):
    statuses = {"anon": anon, "out": out, "mem": mem, "oth": oth, "host": host, "org": org}
    expected = {role: statuses[column] for column, roles in COLUMNS.items() for role in roles}
    return Row(name, args, method, data, expected, **more)


def _latest(model):
    return model.objects.latest("pk")


def _event_url(key, anchor=""):
    return lambda o, user: o[key].get_absolute_url() + anchor


ASKED = {"body": "A new question"}
EDITED = {"body": "Edited words"}
SPAM = {"reason": "spam"}
TOPIC = {"title": "A new topic", "body": "Shall we?"}
RETITLED = {"title": "A better title", "body": "Better words"}
ANSWER = {"body": "A new reply"}
REPLY_ELSEWHERE = lambda o: {"body": "A reply", "parent": o["public_comment"].pk}  # noqa: E731
REPLY_HIDDEN = lambda o: {"body": "A reply", "parent": o["hidden"].pk}  # noqa: E731

# fmt: off
ROWS = [
    # --- An event's comments: members read and write; everyone reads when comments are public.
    #   url, args                              method  data   anon   out  mem  oth  host  org
    R("comments", ("event",),                  "get",  None,   403,  403, 200, 200, 200, 200),
    R("comments", ("event",),                  "head", None,   403,  403, 200, 200, 200, 200),
    R("comments", ("event",),                  "post", ASKED,  LOGIN, 403, 302, 302, 302, 302,
      then=lambda o, u: Comment.objects.filter(event=o["event"], author=u, **ASKED).count() == 1,
      to=lambda o, u: f"{o['event'].get_absolute_url()}#comment-{_latest(Comment).pk}",
      login_next=_event_url("event")),
    R("comments", ("event",),                  "put",  None,   405,  405, 405, 405, 405, 405),
    R("comments", ("public",),                 "get",  None,   200,  200, 200, 200, 200, 200),
    R("comments", ("public",),                 "post", ASKED,  LOGIN, 403, 302, 302, 302, 302,
      then=lambda o, u: Comment.objects.filter(event=o["public"], author=u, **ASKED).count() == 1,
      to=lambda o, u: f"{o['public'].get_absolute_url()}#comment-{_latest(Comment).pk}",
      login_next=_event_url("public")),
    # A draft: only organizers see it, and nobody comments on it yet.
    # Answering a comment of another event, or a hidden one: refused next to the form.
    R("comments", ("event",),                  "post", REPLY_ELSEWHERE,
                                                               LOGIN, 403, 400, 400, 400, 400,
      login_next=_event_url("event"), says="That comment is no longer there."),
    R("comments", ("event",),                  "post", REPLY_HIDDEN,
                                                               LOGIN, 403, 400, 400, 400, 400,
      login_next=_event_url("event"), says="That comment is no longer there."),
    R("comments", ("draft",),                  "get",  None,   404,  404, 404, 404, 404, 200),
    R("comments", ("draft",),                  "post", ASKED,  404,  404, 404, 404, 404, 403),
    R("comments", ("nowhere",),                "get",  None,   404,  404, 404, 404, 404, 404),

    R("comment", ("event", "mine"),            "get",  None,   403,  403, 200, 200, 200, 200),
    R("comment", ("event", "mine"),            "head", None,   403,  403, 200, 200, 200, 200),
    R("comment", ("event", "mine"),            "post", {},     405,  405, 405, 405, 405, 405),
    R("comment", ("event", "mine"),            "put",  None,   405,  405, 405, 405, 405, 405),
    R("comment", ("public", "public_comment"), "get",  None,   200,  200, 200, 200, 200, 200),
    # Hidden: the moderators (organizers, the event's hosts) still see it.
    R("comment", ("event", "hidden"),          "get",  None,   403,  403, 404, 404, 200, 200),
    R("comment", ("public", "public_hidden"),  "get",  None,   404,  404, 404, 404, 404, 200),
    R("comment", ("draft", "draft_comment"),   "get",  None,   404,  404, 404, 404, 404, 200),
    R("comment", ("public", "mine"),           "get",  None,   404,  404, 404, 404, 404, 404),
    R("comment", ("event", "unknown"),         "get",  None,   403,  403, 404, 404, 404, 404),
    R("comment", ("event", "under_hidden"),    "get",  None,   403,  403, 404, 404, 200, 200),

    # --- The author edits and deletes; nobody else does (organizers hide instead).
    R("comment_edit", ("event", "mine"),       "get",  None,   LOGIN, 403, 200, 403, 403, 403),
    R("comment_edit", ("event", "mine"),       "head", None,   LOGIN, 403, 200, 403, 403, 403),
    R("comment_edit", ("event", "mine"),       "post", EDITED, LOGIN, 403, 302, 403, 403, 403,
      then=lambda o, u: Comment.objects.get(pk=o["mine"].pk).body == EDITED["body"],
      to=_event_url("event", "#comment-{mine}")),
    R("comment_edit", ("event", "mine"),       "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("comment_edit", ("event", "theirs"),     "post", EDITED, LOGIN, 403, 403, 302, 403, 403,
      then=lambda o, u: Comment.objects.get(pk=o["theirs"].pk).body == EDITED["body"],
      to=_event_url("event", "#comment-{theirs}")),
    R("comment_edit", ("public", "mine"),      "get",  None,   LOGIN, 404, 404, 404, 404, 404),
    R("comment_edit", ("draft", "draft_comment"), "get", None, LOGIN, 404, 404, 404, 404, 403),
    R("comment_edit", ("event", "unknown"),    "get",  None,   LOGIN, 404, 404, 404, 404, 404),
    # former wrote former_comment while a member.
    R("comment_edit", ("event", "former_comment"), "post", EDITED,
                                                               LOGIN, 403, 403, 403, 403, 403),

    R("comment_delete", ("event", "mine"),     "get",  None,   LOGIN, 403, 200, 403, 403, 403),
    R("comment_delete", ("event", "mine"),     "head", None,   LOGIN, 403, 200, 403, 403, 403),
    R("comment_delete", ("event", "mine"),     "post", {},     LOGIN, 403, 302, 403, 403, 403,
      then=lambda o, u: not Comment.objects.filter(pk=o["mine"].pk).exists(),
      to=_event_url("event")),
    R("comment_delete", ("event", "mine"),     "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("comment_delete", ("public", "mine"),    "post", {},     LOGIN, 404, 404, 404, 404, 404),
    R("comment_delete", ("event", "unknown"),  "post", {},     LOGIN, 404, 404, 404, 404, 404),

    # --- Organizers and the event's hosts hide, show, pin and unpin its comments.
    R("comment_moderate", ("event", "mine"),   "get",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("comment_moderate", ("event", "mine"),   "head", None,   LOGIN, 405, 405, 405, 405, 405),
    R("comment_moderate", ("event", "mine"),   "post", {"action": "hide"},
                                                               LOGIN, 403, 403, 403, 302, 302,
      then=lambda o, u: Comment.objects.get(pk=o["mine"].pk).hidden_by == u,
      to=_event_url("event", "#comments")),
    R("comment_moderate", ("event", "mine"),   "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("comment_moderate", ("event", "theirs"), "post", {"action": "pin"},
                                                               LOGIN, 403, 403, 403, 302, 302,
      then=lambda o, u: Comment.objects.get(pk=o["theirs"].pk).pinned,
      to=_event_url("event", "#comments")),
    R("comment_moderate", ("event", "hidden"), "post", {"action": "show"},
                                                               LOGIN, 403, 403, 403, 302, 302,
      then=lambda o, u: Comment.objects.get(pk=o["hidden"].pk).hidden_at is None,
      to=_event_url("event", "#comments")),
    # The host of `event` is no moderator of another event's comments.
    R("comment_moderate", ("public", "public_comment"), "post", {"action": "hide"},
                                                               LOGIN, 403, 403, 403, 403, 302,
      then=lambda o, u: Comment.objects.get(pk=o["public_comment"].pk).hidden_by == u,
      to=_event_url("public", "#comments")),
    R("comment_moderate", ("event", "mine"),   "post", {"action": "explode"},
                                                               LOGIN, 400, 400, 400, 400, 400),
    R("comment_moderate", ("public", "mine"),  "post", {"action": "hide"},
                                                               LOGIN, 404, 404, 404, 404, 404),
    R("comment_moderate", ("draft", "draft_comment"), "post", {"action": "hide"},
                                                               LOGIN, 404, 404, 404, 404, 302,
      then=lambda o, u: Comment.objects.get(pk=o["draft_comment"].pk).hidden_by == u,
      to=_event_url("draft", "#comments")),

    # --- Members report what others wrote; reporting your own says what to do instead.
    R("comment_report", ("event", "theirs"),   "get",  None,   LOGIN, 403, 200, 200, 200, 200),
    R("comment_report", ("event", "theirs"),   "head", None,   LOGIN, 403, 200, 200, 200, 200),
    R("comment_report", ("event", "theirs"),   "post", SPAM,   LOGIN, 403, 302, 400, 302, 302,
      then=lambda o, u: Report.objects.filter(comment=o["theirs"], by=u).count() == 1,
      to=_event_url("event", "#comment-{theirs}"), says=OWN),
    R("comment_report", ("event", "mine"),     "post", SPAM,   LOGIN, 403, 400, 302, 302, 302,
      then=lambda o, u: Report.objects.filter(comment=o["mine"], by=u).count() == 1,
      to=_event_url("event", "#comment-{mine}"), says=OWN),
    R("comment_report", ("event", "theirs"),   "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("comment_report", ("event", "hidden"),   "get",  None,   LOGIN, 403, 404, 404, 404, 404),
    R("comment_report", ("public", "public_comment"), "get", None, LOGIN, 403, 200, 200, 200, 200),
    R("comment_report", ("public", "mine"),    "get",  None,   LOGIN, 403, 404, 404, 404, 404),
    R("comment_report", ("draft", "draft_comment"), "get", None, LOGIN, 404, 404, 404, 404, 200),

    # --- The discussion board: members only.
    R("board", (),                             "get",  None,   LOGIN, 403, 200, 200, 200, 200),
    R("board", (),                             "head", None,   LOGIN, 403, 200, 200, 200, 200),
    R("board", (),                             "post", {},     LOGIN, 405, 405, 405, 405, 405),
    R("board", (),                             "put",  None,   LOGIN, 405, 405, 405, 405, 405),

    R("thread_new", (),                        "get",  None,   LOGIN, 403, 200, 200, 200, 200),
    R("thread_new", (),                        "head", None,   LOGIN, 403, 200, 200, 200, 200),
    R("thread_new", (),                        "post", TOPIC,  LOGIN, 403, 302, 302, 302, 302,
      then=lambda o, u: Thread.objects.filter(author=u, title=TOPIC["title"]).count() == 1,
      to=lambda o, u: _latest(Thread).get_absolute_url()),
    R("thread_new", (),                        "put",  None,   LOGIN, 405, 405, 405, 405, 405),

    R("thread", ("t_mine",),                   "get",  None,   LOGIN, 403, 200, 200, 200, 200),
    R("thread", ("t_mine",),                   "head", None,   LOGIN, 403, 200, 200, 200, 200),
    R("thread", ("t_mine",),                   "post", ANSWER, LOGIN, 403, 302, 302, 302, 302,
      then=lambda o, u: Reply.objects.filter(thread=o["t_mine"], author=u, **ANSWER).count() == 1,
      to=lambda o, u: _latest(Reply).get_absolute_url()),
    R("thread", ("t_mine",),                   "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    # Hidden: organizers see it (and nobody replies to it).
    R("thread", ("t_hidden",),                 "get",  None,   LOGIN, 403, 404, 404, 404, 200),
    R("thread", ("t_hidden",),                 "post", ANSWER, LOGIN, 403, 404, 404, 404, 400),
    R("thread", ("unknown",),                  "get",  None,   LOGIN, 403, 404, 404, 404, 404),

    R("thread_edit", ("t_mine",),              "get",  None,   LOGIN, 403, 200, 403, 403, 403),
    R("thread_edit", ("t_mine",),              "head", None,   LOGIN, 403, 200, 403, 403, 403),
    R("thread_edit", ("t_mine",),              "post", RETITLED, LOGIN, 403, 302, 403, 403, 403,
      then=lambda o, u: Thread.objects.get(pk=o["t_mine"].pk).title == RETITLED["title"],
      to=lambda o, u: o["t_mine"].get_absolute_url()),
    R("thread_edit", ("t_mine",),              "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    # other wrote t_hidden: hidden from its author too.
    R("thread_edit", ("t_hidden",),            "get",  None,   LOGIN, 403, 404, 404, 404, 403),
    R("thread_edit", ("unknown",),             "get",  None,   LOGIN, 403, 404, 404, 404, 404),

    R("thread_delete", ("t_mine",),            "get",  None,   LOGIN, 403, 200, 403, 403, 403),
    R("thread_delete", ("t_mine",),            "head", None,   LOGIN, 403, 200, 403, 403, 403),
    # other replied in t_mine: it stays as a "deleted" opening above the reply.
    R("thread_delete", ("t_mine",),            "post", {},     LOGIN, 403, 302, 403, 403, 403,
      then=lambda o, u: Thread.objects.filter(
          pk=o["t_mine"].pk, title="", body="", deleted_at__isnull=False).count() == 1,
      to=lambda o, u: reverse("conversation:board")),
    R("thread_delete", ("t_mine",),            "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_delete", ("t_hidden",),          "post", {},     LOGIN, 403, 404, 404, 404, 403),

    R("thread_follow", ("t_theirs",),          "get",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_follow", ("t_theirs",),          "head", None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_follow", ("t_theirs",),          "post", {"follow": "1"},
                                                               LOGIN, 403, 302, 302, 302, 302,
      then=lambda o, u: Follow.objects.filter(thread=o["t_theirs"], member=u).count() == 1,
      to=lambda o, u: o["t_theirs"].get_absolute_url()),
    R("thread_follow", ("t_theirs",),          "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_follow", ("t_hidden",),          "post", {"follow": "1"},
                                                               LOGIN, 403, 404, 404, 404, 302,
      then=lambda o, u: Follow.objects.filter(thread=o["t_hidden"], member=u).count() == 1,
      to=lambda o, u: o["t_hidden"].get_absolute_url()),
    R("thread_follow", ("unknown",),           "post", {"follow": "1"},
                                                               LOGIN, 403, 404, 404, 404, 404),

    # --- Organizers pin, lock, hide and move discussions (hosts are no organizers here).
    R("thread_moderate", ("t_mine",),          "get",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_moderate", ("t_mine",),          "head", None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_moderate", ("t_mine",),          "post", {"action": "pin"},
                                                               LOGIN, 403, 403, 403, 403, 302,
      then=lambda o, u: Thread.objects.get(pk=o["t_mine"].pk).pinned,
      to=lambda o, u: o["t_mine"].get_absolute_url()),
    R("thread_moderate", ("t_mine",),          "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_moderate", ("t_theirs",),        "post", {"action": "lock"},
                                                               LOGIN, 403, 403, 403, 403, 302,
      then=lambda o, u: Thread.objects.get(pk=o["t_theirs"].pk).locked,
      to=lambda o, u: o["t_theirs"].get_absolute_url()),
    R("thread_moderate", ("t_hidden",),        "post", {"action": "show"},
                                                               LOGIN, 403, 404, 404, 404, 302,
      then=lambda o, u: Thread.objects.get(pk=o["t_hidden"].pk).hidden_at is None,
      to=lambda o, u: o["t_hidden"].get_absolute_url()),
    R("thread_moderate", ("t_mine",),          "post", {"action": "explode"},
                                                               LOGIN, 403, 400, 400, 400, 400),
    R("thread_moderate", ("unknown",),         "post", {"action": "pin"},
                                                               LOGIN, 403, 404, 404, 404, 404),

    R("thread_report", ("t_theirs",),          "get",  None,   LOGIN, 403, 200, 200, 200, 200),
    R("thread_report", ("t_theirs",),          "head", None,   LOGIN, 403, 200, 200, 200, 200),
    R("thread_report", ("t_theirs",),          "post", SPAM,   LOGIN, 403, 302, 400, 302, 302,
      then=lambda o, u: Report.objects.filter(thread=o["t_theirs"], by=u).count() == 1,
      to=lambda o, u: o["t_theirs"].get_absolute_url(), says=OWN),
    R("thread_report", ("t_mine",),            "post", SPAM,   LOGIN, 403, 400, 302, 302, 302,
      then=lambda o, u: Report.objects.filter(thread=o["t_mine"], by=u).count() == 1,
      to=lambda o, u: o["t_mine"].get_absolute_url(), says=OWN),
    R("thread_report", ("t_theirs",),          "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("thread_report", ("t_hidden",),          "get",  None,   LOGIN, 403, 404, 404, 404, 200),
    R("thread_report", ("unknown",),           "get",  None,   LOGIN, 403, 404, 404, 404, 404),

    # --- A reply's address: the page of its discussion, at the reply.
    R("reply", ("t_theirs", "r_mine"),         "get",  None,   LOGIN, 403, 302, 302, 302, 302,
      to=lambda o, u: f"{o['t_theirs'].get_absolute_url()}#reply-{o['r_mine'].pk}"),
    R("reply", ("t_theirs", "r_mine"),         "head", None,   LOGIN, 403, 302, 302, 302, 302,
      to=lambda o, u: f"{o['t_theirs'].get_absolute_url()}#reply-{o['r_mine'].pk}"),
    R("reply", ("t_theirs", "r_mine"),         "post", {},     LOGIN, 405, 405, 405, 405, 405),
    R("reply", ("t_theirs", "r_mine"),         "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("reply", ("t_theirs", "r_hidden"),       "get",  None,   LOGIN, 403, 404, 404, 404, 302,
      to=lambda o, u: f"{o['t_theirs'].get_absolute_url()}#reply-{o['r_hidden'].pk}"),
    R("reply", ("t_mine", "r_mine"),           "get",  None,   LOGIN, 403, 404, 404, 404, 404),
    R("reply", ("t_theirs", "unknown"),        "get",  None,   LOGIN, 403, 404, 404, 404, 404),

    R("reply_edit", ("t_theirs", "r_mine"),    "get",  None,   LOGIN, 403, 200, 403, 403, 403),
    R("reply_edit", ("t_theirs", "r_mine"),    "head", None,   LOGIN, 403, 200, 403, 403, 403),
    R("reply_edit", ("t_theirs", "r_mine"),    "post", EDITED, LOGIN, 403, 302, 403, 403, 403,
      then=lambda o, u: Reply.objects.get(pk=o["r_mine"].pk).body == EDITED["body"],
      to=lambda o, u: o["r_mine"].get_absolute_url()),
    R("reply_edit", ("t_theirs", "r_mine"),    "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    # other wrote r_hidden: hidden from its author too.
    R("reply_edit", ("t_theirs", "r_hidden"),  "get",  None,   LOGIN, 403, 404, 404, 404, 403),
    R("reply_edit", ("t_mine", "r_mine"),      "get",  None,   LOGIN, 403, 404, 404, 404, 404),
    R("reply_edit", ("t_theirs", "unknown"),   "get",  None,   LOGIN, 403, 404, 404, 404, 404),

    R("reply_delete", ("t_theirs", "r_mine"),  "get",  None,   LOGIN, 403, 200, 403, 403, 403),
    R("reply_delete", ("t_theirs", "r_mine"),  "head", None,   LOGIN, 403, 200, 403, 403, 403),
    R("reply_delete", ("t_theirs", "r_mine"),  "post", {},     LOGIN, 403, 302, 403, 403, 403,
      then=lambda o, u: not Reply.objects.filter(pk=o["r_mine"].pk).exists(),
      to=lambda o, u: o["t_theirs"].get_absolute_url()),
    R("reply_delete", ("t_theirs", "r_mine"),  "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("reply_delete", ("t_mine", "r_mine"),    "post", {},     LOGIN, 403, 404, 404, 404, 404),

    R("reply_moderate", ("t_theirs", "r_mine"), "get", None,   LOGIN, 405, 405, 405, 405, 405),
    R("reply_moderate", ("t_theirs", "r_mine"), "head", None,  LOGIN, 405, 405, 405, 405, 405),
    R("reply_moderate", ("t_theirs", "r_mine"), "post", {"action": "hide"},
                                                               LOGIN, 403, 403, 403, 403, 302,
      then=lambda o, u: Reply.objects.get(pk=o["r_mine"].pk).hidden_by == u,
      to=lambda o, u: o["t_theirs"].get_absolute_url()),
    R("reply_moderate", ("t_theirs", "r_mine"), "put", None,   LOGIN, 405, 405, 405, 405, 405),
    R("reply_moderate", ("t_theirs", "r_hidden"), "post", {"action": "show"},
                                                               LOGIN, 403, 404, 404, 404, 302,
      then=lambda o, u: Reply.objects.get(pk=o["r_hidden"].pk).hidden_at is None,
      to=lambda o, u: o["t_theirs"].get_absolute_url()),
    R("reply_moderate", ("t_theirs", "r_mine"), "post", {"action": "explode"},
                                                               LOGIN, 403, 400, 400, 400, 400),
    R("reply_moderate", ("t_mine", "r_mine"),  "post", {"action": "hide"},
                                                               LOGIN, 403, 404, 404, 404, 404),

    R("reply_report", ("t_theirs", "r_theirs"), "get", None,   LOGIN, 403, 200, 200, 200, 200),
    R("reply_report", ("t_theirs", "r_theirs"), "head", None,  LOGIN, 403, 200, 200, 200, 200),
    R("reply_report", ("t_theirs", "r_theirs"), "post", SPAM,  LOGIN, 403, 302, 400, 302, 302,
      then=lambda o, u: Report.objects.filter(reply=o["r_theirs"], by=u).count() == 1,
      to=lambda o, u: o["r_theirs"].get_absolute_url(), says=OWN),
    R("reply_report", ("t_theirs", "r_mine"),  "post", SPAM,   LOGIN, 403, 400, 302, 302, 302,
      then=lambda o, u: Report.objects.filter(reply=o["r_mine"], by=u).count() == 1,
      to=lambda o, u: o["r_mine"].get_absolute_url(), says=OWN),
    R("reply_report", ("t_theirs", "r_theirs"), "put", None,   LOGIN, 405, 405, 405, 405, 405),
    R("reply_report", ("t_theirs", "r_hidden"), "get", None,   LOGIN, 403, 404, 404, 404, 200),
    R("reply_report", ("t_mine", "r_theirs"),  "get",  None,   LOGIN, 403, 404, 404, 404, 404),

    # --- Announcements: members read them once their time has come.
    R("announcements", (),                     "get",  None,   LOGIN, 403, 200, 200, 200, 200),
    R("announcements", (),                     "head", None,   LOGIN, 403, 200, 200, 200, 200),
    R("announcements", (),                     "post", {},     LOGIN, 405, 405, 405, 405, 405),
    R("announcements", (),                     "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("announcement", ("news",),               "get",  None,   LOGIN, 403, 200, 200, 200, 200),
    R("announcement", ("news",),               "head", None,   LOGIN, 403, 200, 200, 200, 200),
    R("announcement", ("news",),               "post", {},     LOGIN, 405, 405, 405, 405, 405),
    R("announcement", ("news",),               "put",  None,   LOGIN, 405, 405, 405, 405, 405),
    R("announcement", ("scheduled",),          "get",  None,   LOGIN, 403, 404, 404, 404, 404),
    R("announcement", ("unknown",),            "get",  None,   LOGIN, 403, 404, 404, 404, 404),
]
# fmt: on
TABLE = [
    pytest.param(
        row,
        id="-".join([row.name, *row.args, row.method]),
        marks=[pytest.mark.xfail(strict=True, reason=row.bug)] if row.bug else [],
    )
    for row in ROWS
]


def _fill(to, o, user) -> str:
    """A `to` given as _event_url with {key} placeholders takes the objects' pks."""
    return to(o, user).format(**{key: getattr(value, "pk", "") for key, value in o.items()})


@pytest.fixture(scope="class")
def built(django_db_setup, django_db_blocker):
    """The group, its people, events, comments, discussions and announcements, built once for
    the table's rows (tests/worlds.py; class-scoped, so the other tests of the module do not
    see them); each row still starts from them as built."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture
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
        "other": MembershipFactory(group=group).user,
        "host": MembershipFactory(group=group).user,
        "organizer": organizer,
        "co_organizer": co_organizer,
    }


def _objects(group, people):
    member, other, organizer = people["member"], people["other"], people["organizer"]
    hidden = {"hidden_at": timezone.now(), "hidden_by": organizer}
    event = EventFactory(group=group)
    event.hosts.add(people["host"])
    public = EventFactory(group=group, comments_public=True)
    draft = EventFactory(group=group, status="draft")
    t_mine = ThreadFactory(group=group, author=member)
    t_theirs = ThreadFactory(group=group, author=other)
    objects = {
        "event": event,
        "public": public,
        "draft": draft,
        "nowhere": "no-such-event",
        "unknown": 999_999,
        "mine": CommentFactory(event=event, author=member),
        "theirs": CommentFactory(event=event, author=other),
        "hidden": CommentFactory(event=event, author=other, **hidden),
        "public_comment": CommentFactory(event=public, author=other),
        "public_hidden": CommentFactory(event=public, author=other, **hidden),
        "draft_comment": CommentFactory(event=draft, author=other),
        "t_mine": t_mine,
        "t_theirs": t_theirs,
        "t_hidden": ThreadFactory(group=group, author=other, **hidden),
        "r_mine": ReplyFactory(thread=t_theirs, author=member),
        "r_theirs": ReplyFactory(thread=t_theirs, author=other),
        "r_hidden": ReplyFactory(thread=t_theirs, author=other, **hidden),
        "former_comment": CommentFactory(event=event, author=people["former"]),
        "news": AnnouncementFactory(group=group, author=organizer),
        "scheduled": AnnouncementFactory(
            group=group,
            author=organizer,
            send_at=timezone.now() + timedelta(days=1),
            emailed_at=None,
        ),
    }
    ReplyFactory(thread=t_mine, author=other)  # so deleting t_mine leaves a marker
    objects["under_hidden"] = CommentFactory(event=event, parent=objects["hidden"], author=other)
    return objects


TRACKED = (Comment, Thread, Reply, Report, Follow, Revision, Announcement, Mute, Category)


def _state() -> dict:
    return table_rows(TRACKED)


def _visit(row: Row, role: str, user, o, session) -> tuple[int, list[str]]:
    """One role's request, signed in with `session`; what went wrong besides the status
    (judged when it is right)."""
    client = Client()
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
            next_url = row.login_next(o, user) if row.login_next else url
            expected_location = f"{reverse('account_login')}?next={next_url}"
        else:
            expected_location = _fill(row.to, o, user)
        if response["Location"] != expected_location:
            problems.append(f"went to {response['Location']}, not {expected_location}")
    if status == 302 and user is not None and row.method == "post":
        if row.then(o, user) is not True:
            problems.append("the POST had not its effect")
    elif _state() != before:
        problems.append("the request changed conversation rows")
    if status == 400 and row.says and row.says not in response.content.decode():
        problems.append(f"the page does not say {row.says!r}")
    return status, problems


class TestTable:
    """The table's rows share what `built` made (the class bounds it)."""

    @pytest.mark.parametrize("row", TABLE)
    def test_conversation_access(self, rows, people, objects, row):
        """Each role in a savepoint of its own, rolled back after, so a POST that worked for
        one role (a deleted comment, a new report) is not there for the next."""
        statuses, problems = {}, {}
        for role in row.expected:
            with transaction.atomic():
                session = rows["sessions"].get(role)
                statuses[role], found = _visit(row, role, people[role], objects, session)
                transaction.set_rollback(True)
            if found:
                problems[role] = found
            for cache in caches.all():  # pages cached for one role's changes that rolled back
                cache.clear()
        assert statuses == row.expected
        assert problems == {}


# --- The event page ----------------------------------------------------------------------------


def test_event_page_hides_members_only_comments_from_anonymous(client, group, member):
    event = EventFactory(group=group)
    services.comment_add(event=event, author=member, body="Is there **vegan** food?")
    html = client.get(event.get_absolute_url()).content.decode()
    assert ("vegan" in html, "Members of the group talk about this event here." in html) == (
        False,
        True,
    )


def test_event_page_shows_public_comments_to_anonymous(client, group, member):
    event = EventFactory(group=group, comments_public=True)
    comment = services.comment_add(event=event, author=member, body="Is there **vegan** food?")
    html = client.get(event.get_absolute_url()).content.decode()
    assert comment.body_html == "<p>Is there <strong>vegan</strong> food?</p>"
    assert (comment.body_html in html, "Post my question" in html) == (True, False)


def _comment_forms(html: str, event) -> int:
    """The comment form and each comment's reply form post to the comments URL."""
    return html.count(f'action="{reverse("conversation:comments", args=[event.slug])}"')


def test_event_page_member_sees_the_comment_form(client, group, member):
    event = EventFactory(group=group)
    services.comment_add(event=event, author=member, body="First!")
    client.force_login(member)
    html = client.get(event.get_absolute_url()).content.decode()
    # The form, and the reply form under the one comment.
    assert (_comment_forms(html, event), "Post my question" in html) == (2, True)
    assert "muted you" not in html


MUTED = "The organizers have muted you in conversations: you can read, not post."


def test_event_page_muted_member_sees_the_notice_not_the_form(client, group, member, organizer):
    event = EventFactory(group=group)
    services.comment_add(event=event, author=organizer, body="Welcome, all.")
    client.force_login(member)
    assert _comment_forms(client.get(event.get_absolute_url()).content.decode(), event) == 2
    services.member_mute(group=group, member=member, by=organizer)
    html = client.get(event.get_absolute_url()).content.decode()
    assert _comment_forms(html, event) == 0
    assert html.count(MUTED) == 1
    assert "Welcome, all." in html


# --- A muted member reads and writes nothing new ----------------------------------------------


@pytest.fixture
def muted(group, member, organizer):
    """member wrote a comment, a discussion and a reply, then the organizers muted them."""
    event = EventFactory(group=group)
    thread = services.thread_start(group=group, author=member, title="Before", body="the mute")
    objects = {
        "event": event,
        "comment": services.comment_add(event=event, author=member, body="Before the mute"),
        "thread": thread,
        "reply": services.thread_reply(thread=thread, author=member, body="Me again"),
    }
    services.member_mute(group=group, member=member, by=organizer)
    return objects


MUTED_WRITES = {
    "comments": (lambda o: [o["event"].slug], {"body": "Still here"}),
    "thread_new": (lambda o: [], {"title": "Still", "body": "here"}),
    "thread": (lambda o: [o["thread"].pk], {"body": "Still here"}),
}
MUTED_EDITS = {
    "comment_edit": (lambda o: [o["event"].slug, o["comment"].pk], {"body": "Still here"}),
    "thread_edit": (lambda o: [o["thread"].pk], {"title": "Still", "body": "here"}),
    "reply_edit": (lambda o: [o["thread"].pk, o["reply"].pk], {"body": "Still here"}),
}


def _post_muted(client, member, muted, name, args, data):
    client.force_login(member)
    before = _state()
    response = client.post(reverse(f"conversation:{name}", args=args(muted)), data)
    return (response.status_code, MUTED in response.content.decode(), _state() == before)


@pytest.mark.parametrize("name", MUTED_WRITES)
def test_muted_member_posts_nothing(client, member, muted, name):
    assert _post_muted(client, member, muted, name, *MUTED_WRITES[name]) == (400, True, True)


@pytest.mark.parametrize("name", MUTED_EDITS)
def test_muted_member_edits_nothing(client, member, muted, name):
    assert _post_muted(client, member, muted, name, *MUTED_EDITS[name]) == (400, True, True)


# --- Announcements become visible when they are due --------------------------------------------


def test_scheduled_announcement_appears_when_due(client, group, member):
    send_at = timezone.now() + timedelta(days=1)
    scheduled = AnnouncementFactory(group=group, subject="Summer party", send_at=send_at)
    client.force_login(member)
    url = scheduled.get_absolute_url()
    assert client.get(url).status_code == 404
    assert "Summer party" not in client.get(reverse("conversation:announcements")).content.decode()
    with time_machine.travel(send_at + timedelta(seconds=1)):
        assert client.get(url).status_code == 200
        listing = client.get(reverse("conversation:announcements")).content.decode()
        assert "Summer party" in listing
