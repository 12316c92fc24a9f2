"""The kinds of email the site sends, each registered by the app that sends it.

Core names no kind: an app declares its kinds (name, label, the member preference that turns
them off, templates, what renders them) and registers them from its AppConfig.ready(). The
outbox, the admin's email log and the unsubscribe page read them from here.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from ..registry import Registry

# context(params, recipient) -> the template context, or None when the email is no longer due
# (what it was about is gone, the member voted meanwhile...): the row is then dropped unsent.
ContextBuilder = Callable[[dict, Any], dict | None]
# attachments(params, context) -> [(filename, content, mimetype)]
AttachmentsBuilder = Callable[[dict, dict], list[tuple[str, Any, str]]]


@dataclass(frozen=True)
class EmailKind:
    """One kind of email.

    `preference`: the member's boolean field that turns this kind off (its emails carry the
    one-click unsubscribe), None for emails a member always gets. `context` builds the
    template context from the row's params, in the recipient's language (None for kinds whose
    messages are rendered by someone else and queued whole: allauth's, the contact form).
    `templates`: the prefix of `<prefix>_subject.txt`, `<prefix>.txt` and, when `html`,
    `<prefix>.html` (default `emails/<name>`). A context with a `group` names the group's list
    (List-Id).
    """

    name: str
    label: str | Promise
    preference: str | None = None
    context: ContextBuilder | None = None
    templates: str = ""
    html: bool = True
    attachments: AttachmentsBuilder | None = None

    @property
    def template_prefix(self) -> str:
        return self.templates or f"emails/{self.name}"


class KindRegistry(Registry[EmailKind]):
    """The registry of kinds, looked up by name; a name belongs to one kind only."""

    def register(self, item: EmailKind) -> EmailKind:
        known = self.get(item.name)
        if known is not None and known != item:
            raise ValueError(f"another email kind is registered as {item.name!r}")
        return super().register(item)

    def get(self, name: str) -> EmailKind | None:
        return next((kind for kind in self if kind.name == name), None)

    def labels(self) -> Iterator[tuple[str, str | Promise]]:
        """(name, label) of every kind, for the admin's filter and choices."""
        for kind in self:
            yield kind.name, kind.label


kinds: KindRegistry = KindRegistry(
    """Every kind of email, registered by the app that sends it from its AppConfig.ready()
    (events: RSVPs, changes, reminders, announcements...; conversation, decisions, members,
    groups: theirs). core.emails.outbox queues and sends only registered kinds."""
)
