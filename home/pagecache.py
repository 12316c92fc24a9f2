"""Render once, serve many: public pages for visitors without a session, built once per change.

A visitor who sends no session cookie sees exactly what every other such visitor sees, so the
page is rendered once and kept in the "bodies" cache under a key that holds the page
counter (core/generations.py), the language, the host and the full path. The counter is read
from the database in one query on every request, so a change made by any worker, server or
management command is on every server's next page, with Redis or with per-process memory.
A page is kept only until the next moment it changes by the clock alone (an event starts,
ends, opens or closes RSVPs: request.page_expires), read in that same query.

A signed-in person's event page is cached too, under the version of the page they see
(events.views.EventPageVersion: role and flags, and their own RSVP or host duty, so members
without either share one copy; a person with an RSVP has a copy of their own). That the
version covers everything personal on the page is checked by a differential test
(tests/home/test_pagecache.py): people of every kind, with different names, addresses and
settings, are served exactly the page rendered for them alone.

A signed-in member's own pages (home/personal.py: the member home, the /me/ sections, a
discussion, a poll) are cached per person: the version is the person (plus what the page
shows from outside the project's tables), so nobody is served another's copy; such a copy is
kept half an hour at most.

Whether a response is stored is decided by one object, the request's `page_cache`
(PageCacheDecision): its key, or why there is none, and `storable(response)`.

What never lands in the cache:
- any other page for someone with a session, a member's page for a request without one,
  or a response that sets a cookie, writes the session or adds a message;
- a CSRF token: the page is rendered with a hole where {% csrf_token %} goes, and each
  response fills the hole with a token masked for that visitor (which also sets their
  cookie). A page whose rendering asks for a real token anyway is simply not stored.
Pages without a hole are kept compressed (brotli and gzip, built once); see compression.py
for BREACH.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core import compression
from core.generations import request_expires, request_generation, timeout_until, unexpired
from events.views import event_page_version

from .personal import PERSONAL_PAGES, PERSONAL_TIMEOUT, PersonalPageVersion

# Pages that look the same to every visitor without a session (by URL name).
PUBLIC_PAGES = frozenset(
    {
        "home",
        "events:upcoming",
        "events:past",
        "events:detail",
        "events:speaker",
        "events:series",
        "events:subscribe",
        "photos:albums",
        "photos:album",
        "photos:photo",
        "members:privacy",
    }
)
# Pages a signed-in person may get from the cache too: the function says which version of
# the page they see (everything on it that is not the same for every member), or None.
MEMBER_PAGES = {"events:detail": event_page_version, **PERSONAL_PAGES}
# Pages never stored whoever asks, each with why (the decision's reason).
NEVER_CACHED = {
    # events/views/preview.py: an organizer's look at an unpublished page, rendered as a
    # stand-in member sees it; nobody else may read it and it changes with every edit.
    "admin:events_event_preview": "an organizer's preview of an event page as a member sees it",
}
# Query parameters those pages read; any other parameter is served uncached (so made-up
# parameters cannot fill the cache).
QUERY_PARAMETERS = frozenset({"page", "lang"})
# What {% csrf_token %} writes into a cached page, replaced for each response.
CSRF_HOLE = "potluck-csrf-hole-3f9a7c1e5b2d4f60"
TIMEOUT = 24 * 3600  # a bound on memory: keys change with the data, pages expire by the clock
HEADERS = ("Content-Type", "Content-Language", "Cache-Control", "X-Robots-Tag")
IDENTITY = "identity"


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    coding: str  # IDENTITY, or the Content-Encoding of body
    hole: bool  # body has CSRF_HOLE (and is then kept uncompressed)
    expires: datetime | None  # the next moment the page changes by the clock alone


@dataclass(frozen=True)
class PageCacheDecision:
    """Whether this request's page may come from the cache and go into it.

    key: the cache key, or None when the page is rendered for this request alone, and then
    reason says why (for a person reading the code or a debugger, not for the page).
    """

    key: str | None
    reason: str = ""
    expires: datetime | None = None
    timeout: int = TIMEOUT  # seconds kept at most (before expires)

    def storable(self, request, response) -> bool:
        return self.key is not None and _storable(request, response)


NOT_CACHED = PageCacheDecision(None, "not a cached page")


def decide(request) -> PageCacheDecision:
    """The cache key of this request's page, or why it must be rendered for it."""
    if request.method not in ("GET", "HEAD"):
        return PageCacheDecision(None, "not a GET or HEAD")
    match = request.resolver_match
    if match is not None and match.view_name in NEVER_CACHED:
        return PageCacheDecision(None, NEVER_CACHED[match.view_name])
    if match is None:
        return NOT_CACHED
    public = match.view_name in PUBLIC_PAGES
    versions = MEMBER_PAGES.get(match.view_name)
    if not public and versions is None:
        return NOT_CACHED
    if not set(request.GET) <= QUERY_PARAMETERS:
        return PageCacheDecision(None, "a query parameter the page does not read")
    cookies = request.COOKIES
    if CookieStorage.cookie_name in cookies:
        return PageCacheDecision(None, "a message waiting to be shown")
    version = None
    if settings.SESSION_COOKIE_NAME not in cookies and not public:
        return PageCacheDecision(None, "a member's page asked for without a session")
    if settings.SESSION_COOKIE_NAME in cookies:
        if versions is None:
            return PageCacheDecision(None, "a signed-in person's page")
        if SessionStorage.session_key in request.session:
            return PageCacheDecision(None, "a message waiting to be shown")
        version = versions(request, **match.kwargs)
        if version is None:
            return PageCacheDecision(None, "no version of the page for this person")
    generation = request_generation(request)
    if generation is None:
        return PageCacheDecision(None, "no page counter read for this request")
    parts = (
        version,
        generation,
        translation.get_language(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
    )
    key = "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    timeout = PERSONAL_TIMEOUT if isinstance(version, PersonalPageVersion) else TIMEOUT
    return PageCacheDecision(key, expires=request_expires(request), timeout=timeout)


def _storable(request, response) -> bool:
    if request.method != "GET":
        return False  # a HEAD may be answered without its body: only a GET fills the cache
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Content-Encoding"):
        return False
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
        "Cache-Control", ""
    ):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a real token was written into the page
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and getattr(messages, "added_new", False))


def _fill(body: bytes, request) -> bytes:
    return body.replace(CSRF_HOLE.encode(), get_token(request).encode())


class PublicPageCacheMiddleware:
    """Serves PUBLIC_PAGES from the cache to visitors without a session (see module doc).

    It comes after the CSRF middleware, so the token a response asks for gets its cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        decision = getattr(request, "page_cache", NOT_CACHED)
        # Rendering may have brought the moment forward (relative times, "2 h ago").
        expires = request_expires(request)
        if decision.storable(request, response) and unexpired(expires):
            self._store(replace(decision, expires=expires), response)
            if CSRF_HOLE.encode() in response.content:
                response.content = _fill(response.content, request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        decision = request.page_cache = decide(request)
        if decision.key is None:
            return None
        coding = compression.negotiate(request) or IDENTITY
        wanted, plain = f"{decision.key}:{coding}", f"{decision.key}:{IDENTITY}"
        found = caches["bodies"].get_many([wanted, plain] if coding != IDENTITY else [plain])
        page = found.get(wanted)
        if page is None and getattr(found.get(plain), "hole", False):
            page = found[plain]  # a page with a hole is kept once, uncompressed
        if page is None or not unexpired(page.expires):
            return None
        request.page_expires = page.expires  # kept as stored if the page is stored again
        response = HttpResponse(_fill(page.body, request) if page.hole else page.body)
        for name, value in page.headers:
            response.headers[name] = value
        if page.coding != IDENTITY:
            response.headers["Content-Encoding"] = page.coding
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        return response

    def process_template_response(self, request, response):
        if getattr(request, "page_cache", NOT_CACHED).key is not None:
            response.context_data = {**(response.context_data or {}), "csrf_token": CSRF_HOLE}
        return response

    def _store(self, decision: PageCacheDecision, response) -> None:
        key, expires, timeout = decision.key, decision.expires, decision.timeout
        body = response.content
        headers = tuple((name, response[name]) for name in HEADERS if response.has_header(name))
        bodies = caches["bodies"]
        if CSRF_HOLE.encode() in body:
            # Filled and compressed for each response: kept once, whatever the coding asked.
            pages = {f"{key}:{IDENTITY}": CachedPage(body, headers, IDENTITY, True, expires)}
        else:
            pages = {f"{key}:{IDENTITY}": CachedPage(body, headers, IDENTITY, False, expires)}
            for coding in compression.CODINGS:
                packed = compression.compress(body, coding, once=True)
                pages[f"{key}:{coding}"] = CachedPage(packed, headers, coding, False, expires)
        bodies.set_many(pages, timeout=timeout_until(expires, timeout))
