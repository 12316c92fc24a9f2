"""Every page of the site, for each role that sees it differently, in English and in Spanish,
in Chromium (issue 18): it renders (the status the table expects), `<html lang>` names the
language, axe-core finds nothing, nothing is asked of another site, and a Spanish page is
really Spanish: the page's own marker string shows translated, and no text on it is an
English string that a catalog (ours, allauth's, Django's) translates.

PAGES is the table; a fast test walks the URL resolver and fails when a named route is
neither in it nor in EXCLUDED (with the reason it is not a page). The browser test runs once
per role, with one context per language, and reports every problem of the role at once;
KNOWN lists the problems found and reported, not yet fixed."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone, translation

from core.emails.message import unsubscribe_token
from decisions import services as decisions
from decisions.counting import Method
from decisions.models import ProposalKind
from events import services as events
from events.emails import EventEmail, cant_make_it_token
from events.models import RSVP, RSVPStatus
from home.demo import pattern, upload
from photos.services import album_for_event, photo_add
from tests.browser import axe_violations, third_party_requests
from tests.events.conftest import build_full_event
from tests.factories import (
    AnnouncementFactory,
    CommentFactory,
    EventFactory,
    MembershipFactory,
    ReplyFactory,
    SeriesFactory,
    ThreadFactory,
    UserFactory,
)
from tests.home.test_query_counts_bilingual import DJANGO_TIME

LANGUAGES = ["en", "es"]
# "newcomer": signed in, never joined (the join page, the members-only notices). "host": a
# member who hosts the upcoming event.
ROLES = ["visitor", "newcomer", "member", "host", "organizer"]


@dataclass(frozen=True)
class Page:
    """One page: its route (None for an error page), its path (formatted with the site's
    ids), who opens it, and a string of the page's own (in <main>), as a msgid.

    The roles are those who see the page differently (what they can do there, what it
    shows them), not every role allowed in: a member and a host see the same privacy page
    under the same header. Every role's header and footer are checked on each page it opens.
    """

    route: str | None
    path: str
    roles: str  # separated by spaces
    marker: str
    status: int = 200
    # A session the page needs instead of the role's own (see SESSIONS).
    session: str = ""
    # The marker's placeholders that stand for another of the site's names.
    names: tuple[tuple[str, str], ...] = ()


# fmt: off
PAGES = [
    # --- Home, events, calendar --------------------------------------------------------------
    Page("home", "/", "visitor member organizer", "What we're about"),
    Page("join", "/join/", "newcomer", "Join %(group)s"),
    Page("leave", "/leave/", "member", "Leave %(group)s?"),
    Page("events:upcoming", "/events/", "visitor member", "Upcoming events"),
    Page("events:past", "/events/past/", "visitor member", "Past events"),
    Page("events:subscribe", "/calendar/", "visitor member", "Subscribe to our calendar"),
    Page("api:docs", "/api/docs/", "visitor", "The OpenAPI schema (JSON)"),
    Page("events:detail", "/events/{upcoming}/", "visitor member host organizer",
         "Add to calendar"),
    Page("events:detail", "/events/{past}/", "visitor member organizer", "Follow-up"),
    Page("events:check_in", "/events/{upcoming}/check-in/", "host organizer", "Door check-in"),
    Page("events:message", "/events/{upcoming}/message/", "host", "Message the people going"),
    Page("events:attendees", "/events/{upcoming}/attendees/", "host organizer", "Attendees"),
    Page("events:mine", "/me/events/", "member", "My events"),
    # The links in emails work without logging in.
    Page("email_unsubscribe", "/email/unsubscribe/{unsubscribe}/", "visitor",
         "Turn these emails off?"),
    Page("events:cant_make_it", "/email/cant-make-it/{cant_make_it}/", "visitor",
         "Yes, free my seat"),
    Page("events:speaker", "/speakers/{speaker}/", "visitor", "Events"),
    # A member sees the "email me when a new date is scheduled" button.
    Page("events:series", "/series/{series}/", "visitor member", "Upcoming"),
    # --- Photos ------------------------------------------------------------------------------
    Page("photos:albums", "/photos/", "visitor", "Photos"),
    Page("photos:album", "/photos/albums/{album}/", "visitor member", "All photos"),
    Page("photos:photo", "/photos/{photo}/", "visitor member organizer", "A photo from %(album)s"),
    Page("photos:upload", "/photos/albums/{album}/upload/", "member", "Add photos to %(album)s"),
    Page("photos:upload_event", "/events/{upcoming}/photos/upload/", "member",
         "Add photos to %(album)s", names=(("album", "upcoming_title"),)),
    # The upload's second step, for the photos just added (the organizer's).
    Page("photos:describe", "/photos/albums/{album}/describe/?photos={photo}", "organizer",
         "Describe your photos"),
    # --- Conversation ------------------------------------------------------------------------
    Page("conversation:comments", "/events/{upcoming}/comments/", "visitor member host",
         "Questions and comments"),
    Page("conversation:comment", "/events/{upcoming}/comments/{comment}/", "visitor member host",
         "A comment"),
    Page("conversation:comment_edit", "/events/{upcoming}/comments/{comment}/edit/", "member",
         "Edit my comment"),
    Page("conversation:comment_delete", "/events/{upcoming}/comments/{comment}/delete/", "member",
         "Delete my comment"),
    Page("conversation:comment_report", "/events/{upcoming}/comments/{comment}/report/", "host",
         "Report to the organizers"),
    Page("conversation:board", "/discussions/", "member", "Discussions"),
    Page("conversation:thread_new", "/discussions/new/", "member", "Start a discussion"),
    Page("conversation:thread", "/discussions/{thread}/", "member organizer", "Post my reply"),
    Page("conversation:thread_edit", "/discussions/{thread}/edit/", "member", "Edit my discussion"),
    Page("conversation:thread_delete", "/discussions/{thread}/delete/", "member",
         "Delete my discussion"),
    Page("conversation:thread_report", "/discussions/{thread}/report/", "host",
         "Report to the organizers"),
    Page("conversation:reply_edit", "/discussions/{thread}/replies/{reply}/edit/", "host",
         "Edit my reply"),
    Page("conversation:reply_delete", "/discussions/{thread}/replies/{reply}/delete/", "host",
         "Delete my reply"),
    Page("conversation:reply_report", "/discussions/{thread}/replies/{reply}/report/", "member",
         "Report to the organizers"),
    Page("conversation:announcements", "/announcements/", "member", "Announcements"),
    Page("conversation:announcement", "/announcements/{announcement}/", "member", "Announcements"),
    # --- Deciding together -------------------------------------------------------------------
    Page("decisions:proposals", "/proposals/", "member", "Proposals"),
    Page("decisions:proposal_new", "/proposals/new/", "member", "Propose something"),
    # Its author, a member who may support it, an organizer who decides.
    Page("decisions:proposal", "/proposals/{proposal}/", "member host organizer", "Proposals"),
    Page("decisions:polls", "/polls/", "member organizer", "Polls"),
    Page("decisions:poll_new", "/polls/new/", "organizer", "Open a poll"),
    Page("decisions:election_new", "/polls/election/", "organizer", "Open an election"),
    Page("decisions:setting_poll_new", "/polls/setting/", "organizer",
         "Propose a change of settings"),
    Page("decisions:poll", "/polls/{poll}/", "member organizer", "Open until"),
    Page("decisions:decisions", "/consent/", "member", "Consent proposals"),
    Page("decisions:decision_new", "/consent/new/", "organizer", "Open a consent proposal"),
    Page("decisions:decision", "/consent/{decision}/", "member organizer", "Positions"),
    Page("decisions:log", "/log/", "member", "What the organizers did"),
    Page("actions_pending", "/actions/", "organizer", "Waiting for a second organizer"),
    Page("group_delete", "/actions/delete-group/", "organizer", "What deleting the group does"),
    # --- Members, privacy, the member's data (its export button is on /me/) -------------------
    Page("members:me", "/me/", "newcomer member", "My account"),
    Page("members:me_notifications", "/me/notifications/", "member organizer", "Emails I want"),
    Page("members:me_calendar", "/me/calendar/", "member", "Your calendar feed"),
    Page("members:me_security", "/me/security/", "member organizer", "Two-factor sign-in"),
    Page("members:me_data", "/me/data/", "newcomer member", "Download my data"),
    Page("members:delete", "/me/delete/", "member", "Delete my account"),
    Page("members:directory", "/members/", "member", "Members"),
    Page("members:profile", "/members/{profile}/", "visitor member", "Member"),
    Page("members:privacy", "/privacy/", "visitor", "Your data and privacy"),
    # --- Accounts (allauth) ------------------------------------------------------------------
    Page("account_login", "/accounts/login/", "visitor", "Log in"),
    Page("account_signup", "/accounts/signup/", "visitor", "Join %(group)s"),
    Page("account_email_verification_sent", "/accounts/confirm-email/", "visitor",
         "Check your email", session="signup_pending"),
    Page("account_reset_password", "/accounts/password/reset/", "visitor", "Password Reset"),
    Page("account_reset_password_done", "/accounts/password/reset/done/", "visitor",
         "Password Reset"),
    # The emailed link keeps the key in the session and shows the form at .../set-password/.
    Page("account_reset_password_from_key", "/accounts/password/reset/key/{reset_key}/", "visitor",
         "Change Password"),
    Page("account_reset_password_from_key_done", "/accounts/password/reset/key/done/", "visitor",
         "Change Password"),
    Page("account_inactive", "/accounts/inactive/", "visitor", "Account Inactive"),
    # create_organizer's one-time link: opening it only shows the form.
    Page("organizer_link", "/organizer-link/{organizer_link}/", "visitor",
         "Choose your password"),
    Page("account_email", "/accounts/email/", "member", "Email address"),
    Page("account_change_password", "/accounts/password/change/", "member", "Change Password"),
    Page("account_reauthenticate", "/accounts/reauthenticate/", "member", "Confirm"),
    Page("account_logout", "/accounts/logout/", "member", "Sign Out"),
    # --- Error pages -------------------------------------------------------------------------
    Page(None, "/no-such-page/", "visitor member", "We can't find that page", status=404),
    Page(None, "/events/{upcoming}/check-in/", "member", "You can't open this page", status=403),
    # Each app's members-only notice.
    Page(None, "/members/", "newcomer", "For members of the group", status=403),
    Page(None, "/discussions/", "newcomer", "For members of the group", status=403),
    Page(None, "/proposals/", "newcomer", "For members of the group", status=403),
]
# fmt: on

# Named routes that are no page of their own, and why. The admin (its own namespace) is out
# of this test: tests/events/test_admin_browser.py opens its pages.
EXCLUDED = {
    # POST-only actions: they redirect, or show a page of the table again.
    "contact": "POST only: the home page's form (a refused message is the home page, 400)",
    "set_language": "POST only: the footer's language switch",
    "events:rsvp": "POST only",
    "decisions:poll_receipt_email": "POST only: the receipt page's button",
    "decisions:poll_cancel": "POST only",
    "events:join_and_go": "POST only",
    "events:breakout": "POST only",
    "photos:takedown": "POST only",
    "photos:delete": "POST only",
    "photos:status": "POST only",
    "conversation:comment_moderate": "POST only",
    "conversation:thread_follow": "POST only",
    "conversation:thread_moderate": "POST only",
    "conversation:reply_moderate": "POST only",
    "decisions:proposal_support": "POST only",
    "decisions:proposal_decide": "POST only",
    "decisions:poll_close": "POST only",
    "decisions:poll_outcome": "POST only",
    "decisions:poll_event": "POST only",
    "decisions:decision_close": "POST only",
    "members:rotate_calendar": "POST only",
    "members:export": "POST only: the data export is a ZIP download (the button is on /me/data/)",
    "events:series_follow": "POST only: the series page's button",
    # Redirects to a page of the table.
    "conversation:reply": "redirects to its discussion's page, at the reply",
    "account_set_password": "redirects to account_change_password: every account has one",
    "account_confirm_login_code": "logging in by emailed code is off (redirects to login)",
    # Feeds, files, machine-readable answers.
    "events:atom": "Atom feed",
    "events:calendar": "iCalendar feed",
    "events:calendar_history": "iCalendar feed",
    "events:personal_calendar": "iCalendar feed",
    "events:event_calendar": "iCalendar file",
    "events:series_calendar": "iCalendar feed",
    "events:oembed": "JSON: oEmbed for other sites",
    # Frames for other sites, without the site's header and footer:
    # tests/events/test_embed_browser.py opens them in both languages and themes with axe-core.
    "events:embed": "a frame for other sites (test_embed_browser.py)",
    "events:embed_event": "a frame for other sites (test_embed_browser.py)",
    "sitemap": "XML sitemap",
    "decisions:log_json": "JSON: the log for tools/verify_log.py",
    # ActivityPub (tests/federation/): JSON for other servers; the actor and an event's
    # object redirect a browser to the home page and the event's page.
    "federation:webfinger": "JSON (JRD) for fediverse servers",
    "federation:nodeinfo_links": "JSON for fediverse servers",
    "federation:nodeinfo": "JSON for fediverse servers",
    "federation:actor": "ActivityPub JSON; a browser is redirected to the home page",
    "federation:outbox": "ActivityPub JSON",
    "federation:followers": "ActivityPub JSON",
    "federation:event": "ActivityPub JSON; a browser is redirected to the event's page",
    "federation:inbox": "POST only: signed activities from fediverse servers",
    "federation:shared_inbox": "POST only: signed activities from fediverse servers",
    "api:root": "JSON API (tests/api/)",
    "api:events": "JSON API (tests/api/)",
    "api:event": "JSON API (tests/api/)",
    "api:series": "JSON API (tests/api/)",
    "api:speakers": "JSON API (tests/api/)",
    "api:openapi-json": "OpenAPI schema, JSON (tests/api/)",
    "api:api-root": "django-ninja's name for /api/, which api:root answers",
    "action_confirm": "one waiting act's page: tests/groups/test_confirmations_browser.py",
    "action_withdraw": "POST only: the button on a waiting act's page",
    "robots": "robots.txt, plain text",
    "healthz": "health check, plain text",
    "group_cover": "image file",
    "events:cover": "image file",
    "events:speaker_photo": "image file",
    "photos:file": "image file",
    "members:avatar": "image file",
    # Two-factor sign-in: pages that need an authenticator, a pending login or a recent
    # password; tests/members/test_two_factor_browser.py opens each in both languages on a
    # phone with axe-core (the rest answer POST, a file, or a redirect).
    "members:admin_two_factor": "test_two_factor_browser.py: the admin's gate",
    "mfa_index": "redirects to /me/security/, whose card is the overview",
    "mfa_activate_totp": "test_two_factor_browser.py: setting up an app",
    "mfa_deactivate_totp": "test_two_factor_browser.py: the other two-factor pages",
    "mfa_authenticate": "test_two_factor_browser.py: the second step of a login",
    "mfa_reauthenticate": "test_two_factor_browser.py: the other two-factor pages",
    "mfa_view_recovery_codes": "test_two_factor_browser.py: after setting up an app",
    "mfa_generate_recovery_codes": "test_two_factor_browser.py: the other two-factor pages",
    "mfa_download_recovery_codes": "a text file",
    "mfa_add_webauthn": "test_two_factor_browser.py: adding a passkey",
    "mfa_list_webauthn": "test_two_factor_browser.py: the passkeys",
    "mfa_edit_webauthn": "renaming a passkey: a form reached from the passkeys page",
    "mfa_remove_webauthn": "removing a passkey: a confirmation reached from the passkeys page",
    "mfa_login_webauthn": "POST only: logging in with a passkey",
    "mfa_reauthenticate_webauthn": "POST only: confirming with a passkey",
}

# Problems this test found when it was written, reported rather than fixed here (the code is
# others' to change): (path in PAGES, role, language, start of the problem). Tolerated until
# fixed; the test fails when one no longer happens, so that its line goes.
KNOWN: list[tuple[str, str, str, str]] = []

# Sessions some pages need: the page that asks for the emailed code exists only while a
# sign-up waits for it (a new address each time: allauth limits the codes sent to one).
_SIGNUPS = itertools.count()
SESSIONS = {
    "signup_pending": lambda: _session_after(
        "/accounts/signup/",
        {
            "display_name": "Nadia",
            "email": f"nadia{next(_SIGNUPS)}@example.org",
            "password1": "a long passphrase here",
            "password2": "a long passphrase here",
        },
    ),
}


def _session_after(path: str, data: dict) -> str:
    client = Client()
    client.post(path, data)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- The resolver and the table agree -----------------------------------------------------------


def _named_routes(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from _named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


SAMPLE_IDS = {
    "upcoming": "an-event",
    "past": "a-past-event",
    "speaker": "a-speaker",
    "series": "a-series",
    "album": 1,
    "photo": 2,
    "comment": 3,
    "thread": 4,
    "reply": 5,
    "announcement": 6,
    "proposal": 7,
    "poll": 8,
    "decision": 10,
    "profile": 9,
    "unsubscribe": "a-token",
    "cant_make_it": "a-token",
    "reset_key": "1-a-key",
    "organizer_link": "1/a-key",
}


def test_every_named_html_route_is_in_the_table_or_excluded_with_a_reason():
    routes = set(_named_routes())
    in_table = {page.route for page in PAGES if page.route}
    assert sorted(routes - in_table - set(EXCLUDED)) == []
    assert sorted((in_table | set(EXCLUDED)) - routes) == []  # nothing stale
    assert in_table & set(EXCLUDED) == set()


def test_each_path_of_the_table_resolves_to_its_route():
    wrong = [
        (page.route, page.path)
        for page in PAGES
        if page.route
        and resolve(page.path.format(**SAMPLE_IDS).split("?")[0]).view_name != page.route
    ]
    assert wrong == []


def test_each_page_names_known_roles():
    assert [page.path for page in PAGES if not set(page.roles.split()) <= set(ROLES)] == []


# --- The site ------------------------------------------------------------------------------------


def _person(group, name: str, **fields):
    return MembershipFactory(group=group, user=UserFactory(display_name=name, **fields)).user


@pytest.fixture
def site(group, organizer, settings, tmp_path):
    """One of everything a page shows: events upcoming and past (speakers, program,
    breakouts, a series, a host), a photo, comments, a discussion with a reply, an
    announcement, proposals, a poll and the log; the people of ROLES."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = False  # the site's own 404 and 403 pages
    now = timezone.now()
    organizer.display_name = "Olu Ade"
    organizer.save(update_fields=["display_name"])
    member = _person(group, "Ada Lovelace", profile_visibility="everyone")
    host = _person(group, "Grace Hopper")
    series = SeriesFactory(group=group, name="Co-op evenings", slug="co-op-evenings")
    upcoming = build_full_event(
        group=group,
        series=series,
        title="Platform co-ops 101",
        slug="platform-co-ops-101",
        starts_at=now + timedelta(days=7),
        capacity=30,
        comments_public=True,
    )
    upcoming.hosts.add(host)
    past = EventFactory(
        group=group,
        series=series,
        title="Housing co-ops night",
        slug="housing-co-ops-night",
        starts_at=now - timedelta(days=10),
        comments_public=True,
    )
    rsvp = events.rsvp_set(event=upcoming, member=member, going=True)
    events.rsvp_set(event=upcoming, member=host, going=True)
    RSVP.objects.create(event=past, member=member, status=RSVPStatus.GOING)
    album = album_for_event(event=past, by=organizer)
    photo = photo_add(
        album=album,
        uploaded_by=organizer,
        file=upload(pattern("a", (480, 320)), "a.png"),
        alt_text="Chairs in a circle",
    )
    comment = CommentFactory(event=upcoming, author=member, body="Is there step-free access?")
    CommentFactory(event=upcoming, author=host, parent=comment, body="Yes, a ramp.")
    CommentFactory(event=past, author=host, body="The slides are online.")
    thread = ThreadFactory(group=group, author=member, title="Reading list")
    reply = ReplyFactory(thread=thread, author=host, body="Ours is on the wiki.")
    announcement = AnnouncementFactory(group=group, author=organizer, subject="New venue")
    proposal = decisions.proposal_add(
        group=group,
        author=member,
        kind=ProposalKind.TOPIC,
        title="Co-op conversions",
        body="How owners sell a business to its workers.",
    )
    declined = decisions.proposal_add(
        group=group, author=host, kind=ProposalKind.TOPIC, title="Housing co-ops again"
    )
    decisions.proposal_decline(proposal=declined, by=organizer, reason="We had it in March.")
    poll = decisions.poll_open(
        group=group,
        by=organizer,
        question="Which weeknight suits you?",
        options=["Tuesday evenings", "Wednesday evenings"],
        method=Method.SINGLE,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
    )
    decision = decisions.decision_open(
        group=group,
        by=organizer,
        title="Publish our notes",
        body="Under *CC BY*.",
        closes_at=now + timedelta(days=7),
    )
    decisions.position_state(decision=decision, member=host, position="block", reason="Names.")
    reset_key = default_token_generator.make_token(member)
    ids = {
        "upcoming": upcoming.slug,
        "past": past.slug,
        "speaker": upcoming.event_speakers.first().speaker.slug,
        "series": series.slug,
        "album": album.pk,
        "photo": photo.pk,
        "comment": comment.pk,
        "thread": thread.pk,
        "reply": reply.pk,
        "announcement": announcement.pk,
        "proposal": proposal.pk,
        "poll": poll.pk,
        "decision": decision.pk,
        "profile": member.pk,
        "unsubscribe": unsubscribe_token(member, EventEmail.ANNOUNCEMENT),
        "cant_make_it": cant_make_it_token(rsvp),
        "reset_key": f"{user_pk_to_url_str(member)}-{reset_key}",
        "organizer_link": f"{user_pk_to_url_str(member)}/{reset_key}",
    }
    return {
        "users": {
            "newcomer": UserFactory(display_name="Nadia Okafor"),
            "member": member,
            "host": host,
            "organizer": organizer,
        },
        "ids": ids,
        # What the markers' placeholders stand for.
        "names": {"group": group.name, "album": album.title, "upcoming_title": upcoming.title},
    }


# --- In Chromium ---------------------------------------------------------------------------------

# <html lang>; every text the page shows or says (its text nodes; the attributes read aloud
# or shown), leaving out what is marked as another language (the language menu's "English");
# and the text of <main>.
PAGE_TEXTS = """() => {
  const lang = document.documentElement.lang;
  const ours = (element) => {
    const marked = element.closest('[lang]');
    return !marked || marked.lang === lang;
  };
  const clean = (text) => text.replace(/\\s+/g, ' ').trim();
  const texts = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, template') || !ours(parent)) continue;
    texts.push(clean(node.textContent));
  }
  const attributes = ['aria-label', 'placeholder', 'title', 'alt'];
  for (const element of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (!ours(element)) continue;
    texts.push(...attributes.map((name) => clean(element.getAttribute(name) || '')));
  }
  for (const button of document.querySelectorAll('input[type=submit], input[type=button]')) {
    if (ours(button)) texts.push(clean(button.value));
  }
  const main = document.querySelector('main');
  return {lang, texts: texts.filter(Boolean), main: main ? clean(main.textContent) : ''};
}"""


def _untranslated(texts: list[str], language: str) -> list[tuple[str, str]]:
    """The texts that are a whole English msgid of a catalog (ours, allauth's, Django's)
    whose translation differs: a string the page should have shown translated."""
    found = set()
    with translation.override(language):
        for text in set(texts):
            translated = translation.gettext(text)
            if translated != text:
                found.add((text, translated))
    return sorted(found)


def _marker(page: Page, language: str, names: dict) -> str:
    with translation.override(language):
        text = translation.gettext(page.marker)
    if "%(" not in text:
        return text
    return text % (names | {key: names[name] for key, name in page.names})


def _check(tab, page: Page, path: str, language: str, site, live_server) -> list[str]:
    """Opens the page in the tab: what is wrong with it."""
    seen = len(tab.requested_urls)
    response = tab.goto(path)
    problems = []
    if response is None or response.status != page.status:
        problems.append(f"status {response.status if response else None}, not {page.status}")
    # Colours do not change with the language: their contrast (half of axe's time) is checked
    # in Spanish, whose longer words also move the layout most; every other rule in both.
    skip = ("color-contrast",) if language == settings.LANGUAGE_CODE else ()
    problems += [f"axe: {violation}" for violation in axe_violations(tab, skip=skip)]
    requested = set(tab.requested_urls[seen:])
    problems += [
        f"third party: {url}"
        for url in third_party_requests(tab, live_server.url)
        if url in requested
    ]
    shown = tab.evaluate(PAGE_TEXTS)
    if shown["lang"] != language:
        problems.append(f'<html lang="{shown["lang"]}">')
    marker = _marker(page, language, site["names"])
    if marker not in shown["main"]:
        problems.append(f"{marker!r} is not in <main>")
    problems += [
        f"time written Django's way: {t!r}" for t in shown["texts"] if DJANGO_TIME.search(t)
    ]
    if language != settings.LANGUAGE_CODE:
        problems += [
            f"in English: {text!r} (translation: {translated!r})"
            for text, translated in _untranslated(shown["texts"], language)
        ]
    return problems


def _context(browser, live_server, language: str, session: str | None):
    """A browser context that asks for the language (cookie and Accept-Language), signed in
    with the session if one is given, and a tab in it that records its requests."""
    context = browser.new_context(base_url=live_server.url, locale=language)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
    if session:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session})
    context.add_cookies([cookie | {"url": live_server.url} for cookie in cookies])
    tab = context.new_page()
    tab.requested_urls = []
    tab.on("request", lambda request: tab.requested_urls.append(request.url))
    return context, tab


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _visit_all(browser, live_server, site, role: str, language: str) -> list[tuple]:
    """Every page of the role in one language: (path in PAGES, path, problem) for each
    problem found."""
    user = site["users"].get(role)
    if user is not None:
        user.language = language  # a member's own choice, which wins over the cookie
        user.save(update_fields=["language"])
    found = []
    contexts = {}
    try:
        for page in PAGES:
            if role not in page.roles.split():
                continue
            key = page.session or role
            if key not in contexts:
                if page.session:
                    session = SESSIONS[page.session]()
                else:
                    session = _session_of(user) if user is not None else None
                contexts[key] = _context(browser, live_server, language, session)
            path = page.path.format(**site["ids"])
            problems = _check(contexts[key][1], page, path, language, site, live_server)
            found += [(page.path, path, problem) for problem in problems]
    finally:
        for context, _tab in contexts.values():
            context.close()
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_in_both_languages(browser, live_server, site, role):
    failures, seen = [], set()
    for language in LANGUAGES:
        for template, path, problem in _visit_all(browser, live_server, site, role, language):
            known = [
                entry
                for entry in KNOWN
                if entry[:3] == (template, role, language) and problem.startswith(entry[3])
            ]
            if known:
                seen.update(known)
            else:
                failures.append(f"{path} ({role}, {language}): {problem}")
    pages = sum(role in page.roles.split() for page in PAGES)
    assert failures == [], f"{len(failures)} problems on {pages} pages × {len(LANGUAGES)}:\n" + (
        "\n".join(failures)
    )
    gone = [entry for entry in KNOWN if entry[1] == role and entry not in seen]
    assert gone == [], "fixed: take these out of KNOWN"
