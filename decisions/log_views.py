"""The transparency log's pages (members only): the list, and the whole log as JSON with its
hash chain for tools/verify_log.py (docs/verify-log.md)."""

from html import unescape

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe

from groups.logchain import CHAIN_FORMAT, GENESIS, HASHED_FIELDS, at_text
from groups.models import LogEntry, LogKind

from .templatetags.decisions import log_sentence
from .views import members_only

LOG_PER_PAGE = 50


@require_safe
@members_only
def log(request, group, looking):
    """What organizers and hosts did that affects members, newest first (the log's index)."""
    entries = LogEntry.objects.filter(group=group).select_related("actor", "member")
    paginator = Paginator(entries.order_by("-at", "-pk"), LOG_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "entries": page.object_list,
    }
    context["recorded"] = [label for _value, label in LogKind.choices]
    return TemplateResponse(request, "decisions/log.html", context)


@require_safe
@members_only
def log_json(request, group, looking):
    """The whole log, oldest first, with each entry's hash and the one before it, for anyone
    the log page is shown to to check with tools/verify_log.py (docs/verify-log.md)."""
    entries = (
        LogEntry.objects.filter(group=group)
        .select_related("actor", "member", "confirmed_by")
        .order_by("pk")
    )
    data = {
        "group": group.name,
        "log": request.build_absolute_uri(reverse("decisions:log")),
        "hash": "sha256",
        "format": CHAIN_FORMAT,
        "genesis": GENESIS,
        "hashed_fields": ["prev", *HASHED_FIELDS],
        "entries": [_entry_json(entry) for entry in entries],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})


def _entry_json(entry) -> dict:
    return {
        "id": entry.pk,
        "text": unescape(strip_tags(log_sentence(entry))),
        "by": entry.actor.display_name if entry.actor else None,
        "confirmed_by": entry.confirmed_by.display_name if entry.confirmed_by else None,
        "kind": entry.kind,
        "at": at_text(entry.at),
        "title": entry.title,
        "url": entry.url,
        "detail": entry.detail,
        "key": entry.key,
        "actor_ref": entry.actor_ref,
        "member_ref": entry.member_ref,
        "confirmed_by_ref": entry.confirmed_by_ref,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
