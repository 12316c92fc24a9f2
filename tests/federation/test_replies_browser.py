"""The event page with an approved reply from the fediverse in Chromium, in English and
Spanish: axe-core finds nothing, the author's name links to their profile, nothing is asked of
another site (the reply's HTML was cleaned when received)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from federation.models import RemoteReply, ReplyState
from federation.services import actor_get
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import PASSWORD, EventFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "badge"), [("en", "From the fediverse"), ("es", "Desde el fediverso")]
)
def test_event_page_shows_an_approved_reply(page, live_server, group, language, badge):
    actor = actor_get(group=group)
    actor.enabled = actor.replies = True
    actor.save(update_fields=["enabled", "replies"])
    event = EventFactory(group=group)
    _reply(event, ReplyState.APPROVED)
    member = MembershipFactory(group=group).user
    log_in(page, member.email, PASSWORD)  # in English: its labels
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(event.get_absolute_url())
    reply = page.locator("article#fediverse-reply-" + str(RemoteReply.objects.get().pk))
    expect(reply).to_contain_text("Is there parking?")
    expect(reply).to_contain_text(badge)
    author = reply.get_by_role("link", name="Alice Remote")
    expect(author).to_have_attribute("href", "https://remote.example/@alice")
    expect(author).to_have_attribute("rel", "nofollow ugc noopener")
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []


def _reply(event, state=ReplyState.PENDING):
    return RemoteReply.objects.create(
        event=event,
        note_id="https://remote.example/statuses/1",
        actor_uri="https://remote.example/users/alice",
        author_name="Alice Remote",
        profile_url="https://remote.example/@alice",
        content_html=(
            '<p>Is there parking? <a href="https://remote.example/map" '
            'rel="nofollow ugc noopener noreferrer">map</a></p>'
        ),
        published_at=timezone.now(),
        state=state,
    )


def test_organizer_approves_from_the_queue(page, live_server, group, organizer):
    """The admin home's line leads to the waiting replies; approving one: axe-core on each."""
    actor = actor_get(group=group)
    actor.enabled = actor.replies = True
    actor.save(update_fields=["enabled", "replies"])
    reply = _reply(EventFactory(group=group))
    log_in(page, organizer.email, PASSWORD)
    page.goto("/admin/")
    page.get_by_role("link", name="1 reply from the fediverse waiting").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.goto(f"/admin/federation/remotereply/{reply.pk}/change/")
    expect(page.locator("#content-main")).to_contain_text("Is there parking?")
    assert axe_violations(page) == []
    page.goto("/admin/federation/remotereply/?state__exact=pending")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="Approve: show on the event page")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    expect(page.locator("ul.messagelist")).to_contain_text("1 reply approved.")
    reply.refresh_from_db()
    assert reply.state == ReplyState.APPROVED
    assert page.console_errors == []
