"""The group's exit bundle: its public site as static files in one ZIP, to browse offline or put
on any static host.

Every page is rendered as an anonymous visitor sees it (Django's test Client, through the whole
middleware stack), so what is members-only, a draft or a person's own data is left out by the
same code that leaves it out for visitors. The crawl starts at the home page, follows the links
a visitor can follow to the public pages listed in PAGES, and takes the images, stylesheets and
feeds those pages use. Links between bundled files become relative paths ("index.html" named
explicitly: file:// serves no directory index); links to pages that are not bundled (sign-in,
RSVP) point at the live site; scripts are left out (no page needs one).
"""

import html
import json
import os.path
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from django.utils.translation import gettext as _

# The paths of the public site that the bundle holds (every other path stays on the live site).
PAGES = [
    re.compile(pattern)
    for pattern in (
        r"^/$",
        r"^/events/$",
        r"^/events/past/$",
        r"^/events/feed\.atom$",
        r"^/calendar\.ics$",
        r"^/calendar/$",
        r"^/calendar/all\.ics$",
        r"^/group/cover/[-\w]+\.\w+$",
        r"^/events/[-\w]+/$",
        r"^/events/[-\w]+/calendar\.ics$",
        r"^/events/[-\w]+/cover/[-\w]+\.\w+$",
        r"^/speakers/[-\w]+/$",
        r"^/speakers/[-\w]+/photo/[-\w]+\.\w+$",
        r"^/series/[-\w]+/$",
        r"^/photos/$",
        r"^/photos/albums/\d+/$",
        r"^/photos/\d+/$",
        r"^/photos/f/[-0-9a-f]+/[-\w.]+$",
        r"^/privacy/$",
        # A face a visitor sees: only members who chose to show their profile to everyone.
        r"^/members/\d+/avatar\.\w+$",
        r"^/static/[-\w./]+$",
    )
]
# Paths a visitor may reach that no offline copy should hold (forms, personal pages).
NEVER = re.compile(r"/(rsvp|join-and-go|breakout|check-in|message|attendees|upload|describe)/")
START = ["/", "/events/", "/events/past/", "/photos/", "/privacy/", "/calendar.ics"]
START += ["/events/feed.atom"]
MAX_FILES = 20000
ATTRIBUTE = re.compile(
    r"""(?P<name>\b(?:href|src|action|poster))=(?P<q>["'])(?P<value>.*?)(?P=q)"""
)
SRCSET = re.compile(r"""\bsrcset=(?P<q>["'])(?P<value>.*?)(?P=q)""")
CSS_URL = re.compile(r"""url\((?P<q>["']?)(?P<value>[^"')]+)(?P=q)\)""")
SCRIPT = re.compile(r"<script\b(?![^>]*application/ld\+json)[^>]*>.*?</script>\s*", re.S | re.I)
JSON_LD = re.compile(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', re.S)


class BundleError(Exception):
    """The site could not be rendered at all: the build fails with this message."""


Key = tuple[str, str]  # (path, "page=N" or "")


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).netloc


def key_for(url: str, *, base: str = "/") -> Key | None:
    """The bundle's key for a link on a page at `base`, or None when it is not one of ours."""
    parts = urlsplit(urljoin(base, url))
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", _site_host()):
        return None
    path = parts.path or "/"
    if NEVER.search(path) or not any(pattern.match(path) for pattern in PAGES):
        return None
    query = parse_qs(parts.query)
    if set(query) - {"page"}:
        return None
    page = query.get("page", [""])[0]
    if page and not page.isdigit():
        return None
    return (path, f"page={page}" if page and page != "1" else "")


def file_for(key: Key) -> str:
    """Where a key's file sits in the bundle: pages as index.html in their folder."""
    path, query = key
    if not path.endswith("/"):
        return path.lstrip("/")
    folder = path.lstrip("/")
    if query:
        return f"{folder}index-page-{query.removeprefix('page=')}.html"
    return f"{folder}index.html"


@dataclass
class Crawl:
    """What the crawl found: files by key, the keys of HTML pages and CSS, errors."""

    bodies: dict[Key, bytes] = field(default_factory=dict)
    kinds: dict[Key, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _static_fallback(path: str) -> bytes | None:
    """Static files where no middleware serves them (DEBUG without collectstatic)."""
    name = path.removeprefix(settings.STATIC_URL)
    try:
        with staticfiles_storage.open(name) as handle:
            return handle.read()
    except (FileNotFoundError, OSError, ValueError):
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                return handle.read()
    return None


def _links(kind: str, text: str, base: str) -> list[str]:
    if kind == "css":
        return [m["value"] for m in CSS_URL.finditer(text)]
    links = [m["value"] for m in ATTRIBUTE.finditer(SCRIPT.sub("", text))]
    for m in SRCSET.finditer(text):
        links += [candidate.strip().split(" ")[0] for candidate in m["value"].split(",")]
    return [html.unescape(link) for link in links]


def _kind(content_type: str) -> str:
    if content_type.startswith("text/html"):
        return "html"
    if content_type.startswith("text/css"):
        return "css"
    return "file"


def crawl(
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
    store: Callable[[Key, bytes], None] | None = None,
) -> Crawl:
    """Renders the public site as an anonymous visitor, page by page. Pages and stylesheets
    are kept for rewriting; other files (images, feeds) go to `store` as they come and are
    kept as empty bodies, so a large album never sits in memory whole."""
    site = urlsplit(settings.SITE_URL)
    client = Client(HTTP_HOST=site.netloc, raise_request_exception=False)
    secure = site.scheme == "https"
    found = Crawl()
    queue = [key for key in (key_for(url) for url in START) if key]
    seen = set(queue)
    while queue:
        key = queue.pop(0)
        path, query = key
        response = client.get(path, parse_qs(query), secure=secure)
        hops = 0
        while response.status_code in (301, 302, 303, 307, 308) and hops < 3:
            target = key_for(response["Location"], base=path)
            if target is None:
                break
            response = client.get(target[0], parse_qs(target[1]), secure=secure)
            hops += 1
        if response.status_code != 200:
            body = _static_fallback(path) if path.startswith(settings.STATIC_URL) else None
            if body is None:
                found.errors.append(
                    _("%(path)s answered %(status)d")
                    % {"path": path, "status": response.status_code}
                )
                continue
            found.bodies[key], found.kinds[key] = body, "css" if path.endswith(".css") else "file"
        else:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            found.bodies[key] = body
            found.kinds[key] = _kind(response.get("Content-Type", ""))
        if store is not None and found.kinds[key] == "file":
            store(key, found.bodies[key])
            found.bodies[key] = b""
        if found.kinds[key] in ("html", "css"):
            for link in _links(found.kinds[key], found.bodies[key].decode(), path):
                target = key_for(link, base=path)
                if target and target not in seen and len(seen) < MAX_FILES:
                    seen.add(target)
                    queue.append(target)
        progress(len(found.bodies), len(seen))
    if ("/", "") not in found.bodies:
        raise BundleError(
            _(
                "The home page could not be rendered (%(errors)s); is the host of "
                "POTLUCK_SITE_URL among DJANGO_ALLOWED_HOSTS?"
            )
            % {"errors": found.errors[0] if found.errors else "?"}
        )
    return found


def _attribute(value: str, *, base: str, here: str, crawled: Crawl) -> str:
    """An attribute's (HTML-escaped) link, rewritten and escaped again."""
    link = html.unescape(value)
    rewritten = _relative(link, base=base, here=here, crawled=crawled)
    return value if rewritten == link else html.escape(rewritten)


def _relative(link: str, *, base: str, here: str, crawled: Crawl) -> str:
    """A link on the page at `base` (whose file is `here`), as the bundle writes it."""
    if link.startswith("#") or not link:
        return link
    fragment = f"#{link.split('#', 1)[1]}" if "#" in link else ""
    target = key_for(link, base=base)
    if target is not None and target in crawled.bodies:
        relative = posixpath.relpath(file_for(target), posixpath.dirname(here) or ".")
        return relative + fragment
    parts = urlsplit(urljoin(base, link))
    if parts.scheme in ("", "http", "https") and parts.netloc in ("", _site_host()):
        query = f"?{parts.query}" if parts.query else ""
        return f"{settings.SITE_URL}{parts.path}{query}{fragment}"
    return link  # another site's address, mailto:, data:


def rewrite(key: Key, crawled: Crawl) -> bytes:
    """A page or stylesheet with its links made relative (and a page without scripts)."""
    base, here = key[0], file_for(key)
    text = crawled.bodies[key].decode()
    if crawled.kinds[key] == "css":
        return CSS_URL.sub(
            lambda m: (
                f"url({m['q']}{_relative(m['value'], base=base, here=here, crawled=crawled)}"
                f"{m['q']})"
            ),
            text,
        ).encode()
    text = SCRIPT.sub("", text)
    text = ATTRIBUTE.sub(
        lambda m: (
            f"{m['name']}={m['q']}"
            f"{_attribute(m['value'], base=base, here=here, crawled=crawled)}{m['q']}"
        ),
        text,
    )

    def srcset(m):
        candidates = []
        for candidate in m["value"].split(","):
            url, _space, descriptor = candidate.strip().partition(" ")
            url = _attribute(url, base=base, here=here, crawled=crawled)
            candidates.append(f"{url} {descriptor}".strip())
        return f"srcset={m['q']}{', '.join(candidates)}{m['q']}"

    return SRCSET.sub(srcset, text).encode()


def public_data(crawled: Crawl) -> dict:
    """The JSON of the public data: what the bundled pages show, read back from them (each
    event page's schema.org description, each album's photos with their alt text)."""
    events, albums = [], []
    for key, kind in sorted(crawled.kinds.items()):
        if kind != "html":
            continue
        text = crawled.bodies[key].decode()
        if re.match(r"^/events/[-\w]+/$", key[0]) and key[0] not in ("/events/past/",):
            for block in JSON_LD.findall(text):
                try:
                    data = json.loads(block)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("@type") == "Event":
                    events.append({"page": file_for(key), **data})
        if re.match(r"^/photos/albums/\d+/$", key[0]) and not key[1]:
            photos = [
                {"file": file_for(target), "alt": html.unescape(alt)}
                for src, alt in re.findall(r'<img[^>]*?src="([^"]+)"[^>]*?alt="([^"]*)"', text)
                if (target := key_for(src, base=key[0])) in crawled.bodies
            ]
            title = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
            albums.append(
                {
                    "page": file_for(key),
                    "title": html.unescape(re.sub(r"<[^>]+>", "", title[1])).strip()
                    if title
                    else "",
                    "photos": photos,
                }
            )
    return {"site": settings.SITE_URL, "events": events, "albums": albums}


def build_zip(
    *, folder: str, progress: Callable[[int, int], None] = lambda done, total: None
) -> tuple[str, Crawl]:
    """Crawls and writes the bundle as a ZIP in a temporary file (the caller stores and
    removes it); files other than pages go into the ZIP as the crawl meets them."""
    handle, name = tempfile.mkstemp(suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as archive:

            def store(key: Key, body: bytes) -> None:
                archive.writestr(f"{folder}/{file_for(key)}", body)

            crawled = crawl(progress=progress, store=store)
            for key in sorted(crawled.bodies):
                if crawled.kinds[key] in ("html", "css"):
                    archive.writestr(f"{folder}/{file_for(key)}", rewrite(key, crawled))
            archive.writestr(
                f"{folder}/data.json",
                json.dumps(public_data(crawled), ensure_ascii=False, indent=2),
            )
    except BaseException:
        os.unlink(name)
        raise
    return name, crawled
