"""The registry of email kinds: each app registers its own from AppConfig.ready(), core names
none, and no app names the kinds of an app above it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.template.loader import get_template

from core.emails.kinds import EmailKind, KindRegistry, kinds
from groups.hooks import alert_kinds

BASE = Path(settings.BASE_DIR)
# Every kind, by the app whose AppConfig.ready() registers it.
BY_APP = {
    "events": [
        "confirmation",
        "waitlisted",
        "promoted",
        "changed",
        "cancelled",
        "reminder",
        "announcement",
        "series_date",
        "message",
        "host_cancelled",
        "no_show_note",
    ],
    "conversation": ["group_post", "reply", "digest", "warning", "report_filed"],
    "decisions": [
        "proposal",
        "poll",
        "poll_reminder",
        "term_ending",
        "poll_receipt",
        "decision",
        "outcome",
    ],
    "members": ["welcome", "account"],
    "groups": [
        "contact",
        "join_approved",
        "join_declined",
        "join_request",
        "organizer_digest",
        "pending_action",
    ],
    "photos": ["takedown_requested"],
    "home": ["weekly"],
}


def _registered_by(kind: EmailKind) -> str:
    """The app whose emails.py declares the kind (its builder, or its label's enumeration)."""
    for name, names in BY_APP.items():
        if kind.name in names:
            return name
    raise AssertionError(f"{kind.name} is registered by no app this test knows")


def test_every_kind_is_registered_once_by_its_own_app():
    assert sorted(kind.name for kind in kinds) == sorted(
        n for names in BY_APP.values() for n in names
    )
    # What organizers are told of: groups.alerts renders each from its app's line.
    lines = {alert.name: alert.line for alert in alert_kinds}
    for kind in kinds:
        if kind.name in lines:
            assert kind.context.__module__ == "groups.alerts", kind.name
            assert lines[kind.name].__module__.split(".")[0] == _registered_by(kind), kind.name
        elif kind.name == "organizer_digest":
            assert kind.context.__module__ == "groups.alerts"
        elif kind.context is not None:
            assert kind.context.__module__ == f"{_registered_by(kind)}.emails", kind.name


def test_the_preferences_are_the_members_own_switches():
    user_fields = {
        field.name: field
        for field in get_user_model()._meta.get_fields()
        if isinstance(field, models.BooleanField)
    }
    preferences = {kind.name: kind.preference for kind in kinds if kind.preference}
    assert preferences == {
        "announcement": "notify_new_events",
        "series_date": "notify_series",
        "reminder": "notify_reminders",
        "message": "notify_organizer_messages",
        "group_post": "notify_announcements",
        "reply": "notify_discussions",
        "digest": "notify_discussions",
        "proposal": "notify_decisions",
        "poll": "notify_decisions",
        "poll_reminder": "notify_poll_reminders",
        "term_ending": "notify_decisions",
        "decision": "notify_decisions",
        "weekly": "notify_weekly",
    }
    assert set(preferences.values()) <= set(user_fields)


def test_every_kind_rendered_here_has_its_templates():
    for kind in kinds:
        if kind.context is None:
            continue  # rendered by someone else (allauth, the contact form) and queued whole
        prefix = kind.template_prefix
        names = [f"{prefix}_subject.txt", f"{prefix}.txt"] + (
            [f"{prefix}.html"] if kind.html else []
        )
        for name in names:
            assert get_template(name), name


def test_a_name_belongs_to_one_kind():
    registry = KindRegistry("a test's own")
    first = EmailKind(name="newsletter", label="Newsletter")
    assert registry.register(first) is first
    registry.register(EmailKind(name="newsletter", label="Newsletter"))  # the same: kept once
    assert list(registry) == [first]
    with pytest.raises(ValueError, match="newsletter"):
        registry.register(EmailKind(name="newsletter", label="Another"))
    assert (registry.get("newsletter"), registry.get("digest")) == (first, None)


def _string_constants(app: str) -> set[tuple[str, str]]:
    """(file, string) of every string literal in the app's Python code but its migrations."""
    found = set()
    for path in (BASE / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add((str(path.relative_to(BASE)), node.value))
    return found


# groups.permissions names models (a discussion's Reply, Proposal, Poll, a consent proposal's
# Decision) whose names are also those of email kinds: the permissions organizers hold, not
# emails.
MODEL_NAMES = {
    ("groups/permissions.py", name) for name in ("reply", "proposal", "poll", "decision")
}


def test_core_names_no_kind():
    every = {name for names in BY_APP.values() for name in names}
    assert (
        sorted((path, value) for path, value in _string_constants("core") if value in every) == []
    )


@pytest.mark.parametrize("app", ["groups", "events", "photos", "members"])
def test_no_app_below_conversation_and_decisions_names_their_kinds(app):
    """Issue 23's rule, as strings anywhere in the app's code (not only imports)."""
    theirs = set(BY_APP["conversation"] + BY_APP["decisions"])
    named = {(path, value) for path, value in _string_constants(app) if value in theirs}
    assert sorted(named - MODEL_NAMES) == []
