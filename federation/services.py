"""The group's life in the fediverse: its keys, its followers, the actors it follows (Follow
and its Undo), what the inbox accepts, and which activity an event's change sends (Create,
Update, Delete) to whom."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from events.models import Event, EventStatus
from groups.models import Group

from . import documents, remote, replies, signatures
from .delivery import deliveries_queue
from .models import (
    Actor,
    BlockedDomain,
    Follower,
    Following,
    FollowingState,
    RemoteActor,
    RemoteReply,
)

logger = logging.getLogger(__name__)


def actor_get(*, group: Group) -> Actor:
    """The group's federation row, with its key pair made the first time it is asked for."""
    actor = Actor.objects.filter(group=group).first()
    if actor is not None:
        return actor
    private, public = signatures.key_pair()
    actor, _created = Actor.objects.get_or_create(
        group=group, defaults={"private_key_pem": private, "public_key_pem": public}
    )
    return actor


def enabled_actor(group: Group | None) -> Actor | None:
    """The group's actor when federation is on, else None (nothing is shown or sent)."""
    if group is None:
        return None
    actor = Actor.objects.filter(group=group, enabled=True).first()
    return actor


def blocked_domains() -> list[str]:
    return list(BlockedDomain.objects.values_list("domain", flat=True))


def follower_inboxes(*, group: Group) -> list[str]:
    """One inbox per follower server (its shared inbox), blocked instances left out."""
    blocked = blocked_domains()
    inboxes = {
        follower.actor.delivery_inbox
        for follower in Follower.objects.filter(group=group).select_related("actor")
        if not remote.is_blocked(follower.actor.domain, blocked)
    }
    return sorted(inboxes)


# --- remote actors -----------------------------------------------------------------------


def _fetch_json(url: str, *, actor: Actor) -> dict:
    """A signed GET of an ActivityPub document (servers in "authorized fetch" mode want it)."""
    group = actor.group
    headers = signatures.sign(
        method="GET",
        url=url,
        body=None,
        key_id=documents.key_id(group),
        private_key_pem=actor.private_key_pem,
    )
    headers["Accept"] = ", ".join(remote.ACTIVITY_TYPES)
    answer = remote.request("GET", url, headers=headers)
    if answer.status != 200:
        raise remote.RemoteError(f"{url} answered {answer.status}")
    return answer.json()


def _profile_url(value) -> str:
    """The actor's `url` (a string, a Link or a list of them), when it is http(s)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("href", "")
    value = str(value or "")
    return value[:500] if value.startswith(("https://", "http://")) else ""


def remote_actor_fetch(*, key_id: str, actor: Actor) -> RemoteActor:
    """Fetches the actor that owns a key (the key's URL without its fragment, or the key
    document's owner) and stores what Potluck needs of it."""
    url = key_id.split("#", 1)[0]
    document = _fetch_json(url, actor=actor)
    if "publicKey" not in document and document.get("owner"):
        owner = str(document["owner"])
        if remote.domain_of(owner) != remote.domain_of(url):
            raise remote.RemoteError("the key's owner is on another server")
        document = _fetch_json(owner, actor=actor)
    key = document.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict) and k.get("id") == key_id), None)
    if not isinstance(key, dict) or not key.get("publicKeyPem") or not document.get("inbox"):
        raise remote.RemoteError("the actor has no public key or inbox")
    uri = str(document.get("id", url))
    if remote.domain_of(uri) != remote.domain_of(key_id):
        raise remote.RemoteError("the actor is on another server than its key")
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    values = {
        "key_id": str(key.get("id", key_id)),
        "public_key_pem": str(key["publicKeyPem"]),
        "inbox": str(document["inbox"]),
        "shared_inbox": str(endpoints.get("sharedInbox", "")),
        "username": str(document.get("preferredUsername", ""))[:200],
        "name": str(document.get("name") or "")[:200],
        "url": _profile_url(document.get("url")),
        "domain": remote.domain_of(uri),
        "fetched_at": timezone.now(),
    }
    found, _created = RemoteActor.objects.update_or_create(uri=uri, defaults=values)
    return found


# --- following other actors ---------------------------------------------------------------


class FollowError(Exception):
    """The group cannot follow that address (says why, for the organizer)."""


def _webfinger(address: str) -> str:
    """The actor URL of `name@host` (with or without `acct:` or a leading @), asked of the
    host's WebFinger over the bounded fetch (http only where loopback peers are allowed)."""
    name, _at, host = address.removeprefix("acct:").lstrip("@").rpartition("@")
    if not name or not host or "/" in host:
        raise FollowError(_("Give an address such as name@example.org or an actor's URL."))
    scheme = "http" if settings.POTLUCK_FEDERATION_ALLOW_PRIVATE else "https"
    query = urlencode({"resource": f"acct:{name}@{host}"})
    url = f"{scheme}://{host}/.well-known/webfinger?{query}"
    answer = remote.request("GET", url, headers={"Accept": "application/jrd+json"})
    if answer.status != 200:
        raise remote.RemoteError(f"WebFinger answered {answer.status}")
    links = answer.json().get("links")
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and str(link.get("type", "")).split(";")[0]
            in ("application/activity+json", "application/ld+json")
            and link.get("href")
        ):
            return str(link["href"])
    raise remote.RemoteError("WebFinger names no ActivityPub actor")


def follow_send(*, group: Group, target: str) -> Following:
    """The group follows `target` (an actor URL or `acct:name@host`): the actor is fetched
    (its key and inbox kept), a Following row waits for its answer and a signed Follow is
    queued for its inbox (the worker sends it, with retries)."""
    actor = enabled_actor(group)
    if actor is None:
        raise FollowError(_("Turn federation on for the group first."))
    target = target.strip()
    try:
        url = target if target.startswith(("https://", "http://")) else _webfinger(target)
        if remote.is_blocked(remote.domain_of(url), blocked_domains()):
            raise FollowError(_("That instance is blocked."))
        found = remote_actor_fetch(key_id=url, actor=actor)
    except remote.RemoteError as error:
        raise FollowError(
            _("Could not find %(target)s: %(reason)s") % {"target": target, "reason": error}
        ) from error
    if found.uri == documents.actor_id(group):
        raise FollowError(_("The group cannot follow itself."))
    with transaction.atomic():
        follow = documents.activity(group, "Follow", found.uri, to=[found.uri])
        following, _created = Following.objects.update_or_create(
            group=group,
            actor=found,
            defaults={
                "follow_id": follow["id"],
                "state": FollowingState.PENDING,
                "answered_at": None,
            },
        )
        deliveries_queue(group=group, activity=follow, kind="Follow", inboxes=[found.inbox])
    return following


def follow_undo(*, following: Following) -> None:
    """The group stops following: an Undo of its Follow is queued, the row goes."""
    group, followed = following.group, following.actor
    with transaction.atomic():
        if enabled_actor(group) is not None:
            follow = {
                "id": following.follow_id,
                "type": "Follow",
                "actor": documents.actor_id(group),
                "object": followed.uri,
            }
            undo = documents.activity(group, "Undo", follow, to=[followed.uri])
            deliveries_queue(group=group, activity=undo, kind="Undo", inboxes=[followed.inbox])
        following.delete()


def _follow_answered(*, group: Group, signer: RemoteActor, activity: dict) -> str:
    """Accept or Reject of the group's Follow, matched by the Follow's id or, when the answer
    carries the Follow itself without an id we know, by what it follows; only the followed
    actor (the signer) can answer."""
    answered = activity.get("object")
    accepted = activity.get("type") == "Accept"
    answer = {
        "state": FollowingState.ACCEPTED if accepted else FollowingState.REJECTED,
        "answered_at": timezone.now(),
    }
    rows = Following.objects.filter(group=group, actor=signer)
    follow_id = _object_id(answered)
    updated = rows.filter(follow_id=follow_id).update(**answer) if follow_id else 0
    if (
        not updated
        and isinstance(answered, dict)
        and answered.get("type") == "Follow"
        and _object_id(answered.get("actor")) == documents.actor_id(group)
        and _object_id(answered.get("object")) == signer.uri
    ):
        updated = rows.update(**answer)
    if not updated:
        return "ignored"
    return "follow accepted" if accepted else "follow rejected"


# --- events --------------------------------------------------------------------------------


def _activity_for(before: str | None, after: str) -> str | None:
    """Which activity a status change sends: first publication Create; a change of a public
    event Update (a cancellation too: its ical:status says CANCELLED, as Mobilizon does);
    back to draft Delete; a draft's changes nothing."""
    public = (EventStatus.PUBLISHED, EventStatus.CANCELLED)
    if after == EventStatus.PUBLISHED and before in (None, EventStatus.DRAFT):
        return "Create"
    if after in public and before in public:
        return "Update"
    if after == EventStatus.DRAFT and before in public:
        return "Delete"
    return None


def event_federate(*, event_id: int, before: str | None, change: str | None = None) -> int:
    """After an event's change commits (events.hooks.event_changed): the activity for its
    followers, one delivery per follower server; returns how many were queued."""
    event = Event.objects.select_related("group", "venue").filter(pk=event_id).first()
    if event is None:
        return 0
    kind = _activity_for(before, event.status)
    actor = enabled_actor(event.group)
    if kind is None or actor is None:
        return 0
    inboxes = follower_inboxes(group=event.group)
    if not inboxes:
        return 0
    with override(None):
        if kind == "Delete":
            body = documents.event_delete(event.group, event.pk)
        else:
            body = documents.event_activity(event, kind)
    return deliveries_queue(group=event.group, activity=body, kind=kind, inboxes=inboxes)


def event_deleted(*, group_id: int, event_pk: int, status: str) -> int:
    """A deleted event that followers saw: Delete, once the deletion commits."""
    if status not in (EventStatus.PUBLISHED, EventStatus.CANCELLED):
        return 0
    group = Group.objects.filter(pk=group_id).first()
    if enabled_actor(group) is None:
        return 0
    inboxes = follower_inboxes(group=group)
    if not inboxes:
        return 0
    body = documents.event_delete(group, event_pk)
    return deliveries_queue(group=group, activity=body, kind="Delete", inboxes=inboxes)


# --- what the inbox accepts ---------------------------------------------------------------


class Refused(Exception):
    """The activity is not one the group takes; `status` is the polite answer's code."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def _object_id(value) -> str:
    if isinstance(value, dict):
        return str(value.get("id", ""))
    return str(value or "")


def inbox_receive(*, actor: Actor, signer: RemoteActor, activity: dict) -> str:
    """Acts on a verified activity addressed to the group; returns what was done, or raises
    Refused. Follow is accepted (Accept queued for the follower's inbox), Undo of a Follow
    and Delete of the actor drop the follower (and its replies), Accept and Reject of the
    group's own Follow update its Following row; a Create of a Note replying to an event
    waits for an organizer when the group takes replies (replies.py), its Delete removes it;
    anything else (an Update of a Note too) is ignored."""
    group = actor.group
    kind = activity.get("type")
    if kind == "Follow":
        if _object_id(activity.get("object")) != documents.actor_id(group):
            raise Refused("this Follow is for someone else")
        with transaction.atomic():
            Follower.objects.update_or_create(
                group=group, actor=signer, defaults={"follow_id": str(activity.get("id", ""))}
            )
            accept = documents.activity(group, "Accept", activity, to=[signer.uri])
            deliveries_queue(group=group, activity=accept, kind="Accept", inboxes=[signer.inbox])
        return "followed"
    if kind in ("Accept", "Reject"):
        return _follow_answered(group=group, signer=signer, activity=activity)
    if kind == "Undo":
        undone = activity.get("object")
        undone_type = undone.get("type") if isinstance(undone, dict) else None
        follows = Follower.objects.filter(group=group, actor=signer)
        if undone_type == "Follow" or follows.filter(follow_id=_object_id(undone)).exists():
            follows.delete()
            return "unfollowed"
        return "ignored"
    if kind == "Delete" and _object_id(activity.get("object")) == signer.uri:
        RemoteActor.objects.filter(pk=signer.pk).delete()  # its follows go with it
        RemoteReply.objects.filter(actor_uri=signer.uri).delete()
        return "actor deleted"
    if kind == "Create":
        return replies.reply_receive(actor=actor, signer=signer, note=activity.get("object"))
    if kind == "Delete" and _object_id(activity.get("object")):
        deleted = replies.reply_delete(signer=signer, note_id=_object_id(activity.get("object")))
        return "reply deleted" if deleted else "ignored"
    return "ignored"
