"""Discovery (WebFinger, NodeInfo), the group as an actor with its outbox and followers, the
events as ActivityPub objects, and the inboxes. JSON only; nothing here is cached HTML."""

import json
import logging

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from events.models import Event

from . import documents, remote, signatures
from .models import Follower, RemoteActor
from .services import Refused, blocked_domains, enabled_actor, inbox_receive, remote_actor_fetch

logger = logging.getLogger(__name__)

JRD = "application/jrd+json"
NODEINFO_PROFILE = "http://nodeinfo.diaspora.software/ns/schema/2.1"
NODEINFO_TYPE = f'application/json; profile="{NODEINFO_PROFILE}#"'
OUTBOX_PAGE = 20


def _json(document: dict, content_type: str = documents.ACTIVITY_JSON, status: int = 200):
    response = HttpResponse(json.dumps(document), content_type=content_type, status=status)
    response["Vary"] = "Accept"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _message(text: str, status: int) -> JsonResponse:
    return JsonResponse({"error": text} if status >= 400 else {"status": text}, status=status)


def _wants_activity(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/activity+json" in accept or "application/ld+json" in accept


def _actor_or_404(request, slug: str):
    actor = enabled_actor(request.group)
    if actor is None or request.group.slug.lower() != slug.lower():
        raise Http404
    return actor


@require_safe
def webfinger(request):
    resource = request.GET.get("resource", "")
    actor = enabled_actor(request.group)
    if actor is None:
        raise Http404
    group = actor.group
    names = {f"acct:{group.slug}@{documents.host()}".lower(), documents.actor_id(group).lower()}
    if resource.lower() not in names:
        raise Http404
    document = {
        "subject": f"acct:{group.slug}@{documents.host()}",
        "aliases": [documents.actor_id(group), documents.absolute(group.get_absolute_url())],
        "links": [
            {"rel": "self", "type": documents.ACTIVITY_JSON, "href": documents.actor_id(group)},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": documents.absolute(group.get_absolute_url()),
            },
        ],
    }
    return _json(document, content_type=JRD)


@require_safe
def nodeinfo_links(request):
    href = documents.absolute(reverse("federation:nodeinfo"))
    return _json({"links": [{"rel": NODEINFO_PROFILE, "href": href}]}, "application/json")


@require_safe
def nodeinfo(request):
    group = request.group
    federating = enabled_actor(group) is not None
    local_posts = Event.objects.published().count() if federating else 0
    document = {
        "version": "2.1",
        "software": {
            "name": "potluck",
            "version": "0.1.0",
            "homepage": documents.absolute("/"),
        },
        "protocols": ["activitypub"] if federating else [],
        "services": {"inbound": [], "outbound": ["atom1.0"]},
        "openRegistrations": False,
        "usage": {"users": {"total": 1 if federating else 0}, "localPosts": local_posts},
        "metadata": {"nodeName": group.name if group else ""},
    }
    return _json(document, NODEINFO_TYPE)


@require_safe
def actor(request, slug):
    found = _actor_or_404(request, slug)
    if not _wants_activity(request):
        return HttpResponseRedirect(found.group.get_absolute_url())
    content_type = (
        documents.ACTIVITY_JSON
        if "application/activity+json" in request.headers.get("Accept", "")
        else documents.LD_JSON
    )
    return _json(documents.actor_document(found.group, found), content_type)


@require_safe
def outbox(request, slug):
    """The group's published events as Create activities, newest first, 20 a page."""
    found = _actor_or_404(request, slug)
    base = documents.absolute(reverse("federation:outbox", kwargs={"slug": slug}))
    events = (
        Event.objects.published()
        .filter(group=found.group)
        .select_related("group", "venue")
        .order_by("-created_at", "-pk")
    )
    page_number = request.GET.get("page")
    if page_number is None:
        return _json(documents.collection(base, total=events.count(), first=f"{base}?page=1"))
    paginator = Paginator(events, OUTBOX_PAGE)
    try:
        page = paginator.page(page_number)
    except InvalidPage as error:
        raise Http404 from error
    document = {
        "@context": documents.CONTEXT,
        "id": f"{base}?page={page.number}",
        "type": "OrderedCollectionPage",
        "partOf": base,
        "orderedItems": [documents.event_activity(event, "Create") for event in page],
    }
    if page.has_next():
        document["next"] = f"{base}?page={page.next_page_number()}"
    if page.has_previous():
        document["prev"] = f"{base}?page={page.previous_page_number()}"
    return _json(document)


@require_safe
def followers(request, slug):
    """The count only, as Mastodon shows when an account hides its followers."""
    found = _actor_or_404(request, slug)
    total = Follower.objects.filter(group=found.group).count()
    return _json(documents.collection(documents.followers_id(found.group), total=total))


@require_safe
def event(request, slug, pk):
    found = _actor_or_404(request, slug)
    row = (
        Event.objects.published()
        .filter(group=found.group, pk=pk)
        .select_related("group", "venue")
        .first()
    )
    if row is None:
        raise Http404
    if not _wants_activity(request):
        return HttpResponseRedirect(row.get_absolute_url())
    return _json(documents.event_document(row))


def _signer(request, actor, signature) -> RemoteActor:
    """The verified signer: the cached actor owning the key, fetched again once when the
    signature does not verify with what is cached (the key may have changed)."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    path = request.get_full_path()
    cached = RemoteActor.objects.filter(key_id=signature.key_id).first()
    for attempt in (cached, None):
        signer = attempt
        if signer is None:
            try:
                signer = remote_actor_fetch(key_id=signature.key_id, actor=actor)
            except remote.RemoteError as error:
                raise signatures.SignatureError(f"the signer's key: {error}") from error
        try:
            signatures.verify(
                signature, method="POST", path=path, headers=headers,
                public_key_pem=signer.public_key_pem,
            )  # fmt: skip
            return signer
        except signatures.SignatureError:
            if attempt is None:
                raise
    raise signatures.SignatureError("signature does not verify")


def _inbox(request, actor):
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        signature = signatures.check_request(
            method="POST", path=request.get_full_path(), headers=headers, body=request.body
        )
    except signatures.SignatureError as error:
        return _message(str(error), 401)
    blocked = blocked_domains()
    if remote.is_blocked(remote.domain_of(signature.key_id), blocked):
        return _message("this instance is blocked here", 403)
    try:
        activity = json.loads(request.body)
    except ValueError:
        return _message("the body is not JSON", 400)
    if not isinstance(activity, dict):
        return _message("the body is not an activity", 400)
    try:
        signer = _signer(request, actor, signature)
    except signatures.SignatureError as error:
        return _message(str(error), 401)
    if str(activity.get("actor", "")).split("#", 1)[0] != signer.uri:
        return _message("the activity's actor is not its signer", 401)
    try:
        done = inbox_receive(actor=actor, signer=signer, activity=activity)
    except Refused as refused:
        return _message(str(refused), refused.status)
    return _message(done, 202)


@csrf_exempt
@require_POST
def inbox(request, slug):
    return _inbox(request, _actor_or_404(request, slug))


@csrf_exempt
@require_POST
def shared_inbox(request):
    actor = enabled_actor(request.group)
    if actor is None:
        raise Http404
    return _inbox(request, actor)
