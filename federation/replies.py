"""Replies to the group's events written on other servers (a Create of a Note whose inReplyTo
is an event's object or page). Off unless the group's Actor.replies is on; each waits for an
organizer (admin: Replies from the fediverse), approved ones show among the event's comments.
The Note's HTML is never trusted: nh3 keeps the tags the house's Markdown allows.
An Update of a Note is ignored (the approved text stays what the organizer read)."""

from datetime import datetime
from urllib.parse import urlsplit

import nh3
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS
from events.models import Event, by_slug
from groups.access import viewer
from groups.models import Group
from groups.visibility import allowed

from . import documents, remote
from .models import Actor, RemoteActor, RemoteReply, ReplyState

CONTENT_MAX = 20_000


def clean_html(content: str) -> str:
    """The Note's HTML with only the tags and link schemes the house's Markdown allows."""
    return nh3.clean(
        content[:CONTENT_MAX],
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
    ).strip()


def replied_event(group: Group, target: str) -> Event | None:
    """The group's published event a Note replies to: its ActivityPub id or its page URL."""
    parts = urlsplit(target)
    if f"{parts.scheme}://{parts.netloc}" != documents.absolute("/").rstrip("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    events = Event.objects.published().filter(group=group)
    if match.view_name == "federation:event" and match.kwargs["slug"].lower() == group.slug.lower():
        return events.filter(pk=match.kwargs["pk"]).first()
    if match.view_name == "events:detail":
        return by_slug(events, match.kwargs["slug"]).first()
    return None


def _published(note: dict) -> datetime:
    moment = parse_datetime(str(note.get("published") or ""))
    if moment is None or timezone.is_naive(moment):
        return timezone.now()
    return min(moment, timezone.now())


def _profile(signer: RemoteActor) -> str:
    """The author's page: the actor's url (http or https, services._profile_url) when it is
    on their own server, else their id."""
    if signer.url and remote.domain_of(signer.url) == signer.domain:
        return signer.url
    return signer.uri


def reply_receive(*, actor: Actor, signer: RemoteActor, note) -> str:
    """A Create's object: stored as a waiting reply when it is a Note by the signer, on the
    signer's server, replying to one of the group's events, and the group takes replies."""
    if not actor.replies or not isinstance(note, dict) or note.get("type") != "Note":
        return "ignored"
    note_id = str(note.get("id", ""))
    author = str(note.get("attributedTo", signer.uri))
    if not note_id or remote.domain_of(note_id) != signer.domain or author != signer.uri:
        return "ignored"
    target = note.get("inReplyTo")
    target = target.get("id") if isinstance(target, dict) else target
    event = replied_event(actor.group, str(target or ""))
    if event is None:
        return "ignored"
    content = clean_html(str(note.get("content") or ""))
    if not content:
        return "ignored"
    name = (signer.name or f"@{signer.username}@{signer.domain}").strip()[:200]
    try:
        with transaction.atomic():
            RemoteReply.objects.create(
                event=event,
                note_id=note_id,
                actor_uri=signer.uri,
                author_name=name,
                profile_url=_profile(signer),
                content_html=content,
                published_at=_published(note),
            )
    except IntegrityError:
        return "already received"  # a repeated delivery
    return "reply waiting"


def reply_delete(*, signer: RemoteActor, note_id: str) -> bool:
    """The author deleted their Note: gone from here too."""
    deleted, _rows = RemoteReply.objects.filter(note_id=note_id, actor_uri=signer.uri).delete()
    return bool(deleted)


def replies_decide(*, replies, approve: bool, now: datetime | None = None) -> int:
    """Organizers approve (shown on the event page) or reject (the text is dropped; the row
    stays so the same Note is not taken again)."""
    now = now or timezone.now()
    count = 0
    for reply in replies.exclude(state=ReplyState.APPROVED if approve else ReplyState.REJECTED):
        reply.state = ReplyState.APPROVED if approve else ReplyState.REJECTED
        reply.decided_at = now
        if not approve:
            reply.content_html = ""
        reply.save(update_fields=["state", "decided_at", "content_html"])
        count += 1
    return count


def event_replies_context(request, event: Event) -> dict:
    """The event page's approved replies (registered on events.hooks.event_page_context): one
    query, and none where the page shows no comments (a draft, a visitor when the group keeps
    comments for members), as conversation.views.event_comments_context decides."""
    if event.is_draft or not allowed(viewer(request), "comments", event=event):
        return {"fediverse_replies": []}
    return {"fediverse_replies": list(RemoteReply.objects.shown().filter(event=event))}
