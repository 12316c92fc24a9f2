"""Every conversation page in Chromium (axe-core finds nothing, no third-party request, no
console error) and what members do there, by clicking and typing: ask, reply, edit, delete,
start a discussion, reply to it, stop following. One flow runs with JavaScript off."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversation.models import Category, Comment, Follow, Reply, Thread
from events.models import Event
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import (
    AnnouncementFactory,
    CommentFactory,
    EventFactory,
    MembershipFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium logs every 4xx answer as a console error, documents included: the members-only
# page answers 403 and a refused form 400 (conversation.views), so these are expected.
DOCUMENT_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
DOCUMENT_403 = "Failed to load resource: the server responded with a status of 403 (Forbidden)"
REQUIRED = "This field is required."
HINT = "Markdown works: **bold**, *italics*, [a link](https://example.org), lists."
# What a screen reader says after the field's name ("⚠ " is the stylesheet's ::before).
WARNING = f"⚠ {REQUIRED}"


def _member(group, name: str):
    return MembershipFactory(group=group, user=UserFactory(display_name=name)).user


def _no_leaks(page, live_server, *, console=()) -> None:
    """The page asked nothing of another site and logged no error."""
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == list(console)


def _clean(page, live_server, *, console=()) -> None:
    """The page passes axe-core, asked nothing of another site, and logged no error."""
    assert axe_violations(page) == []
    _no_leaks(page, live_server, console=console)


def _ago(**delta):
    return timezone.now() - timedelta(**delta)


@pytest.fixture
def event(group) -> Event:
    return EventFactory(group=group, title="Platform co-ops 101", starts_at=_ago(days=-3))


@pytest.fixture
def talk(event, group):
    """A question answered by a reply, and a newer question without one."""
    ada, grace, bob = (_member(group, name) for name in ("Ada Lovelace", "Grace Hopper", "Bob"))
    question = CommentFactory(
        event=event, author=ada, body="Is there **step-free** access?", created_at=_ago(hours=3)
    )
    answer = CommentFactory(
        event=event,
        parent=question,
        author=grace,
        body="Yes, a ramp at the side door.",
        created_at=_ago(hours=2),
    )
    newer = CommentFactory(
        event=event, author=bob, body="Can I bring my kid?", created_at=_ago(hours=1)
    )
    return {"question": question, "answer": answer, "newer": newer}


def _top_level(page):
    return page.locator("#comments > article.comment > .prose")


# --- The event page and the comments pages -----------------------------------------------------


def test_event_page_for_a_member_shows_comments_and_replies(
    page, live_server, event, talk, member, password
):
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())

    comments = page.locator("#comments")
    expect(comments.get_by_role("heading", level=2)).to_have_text("Questions and comments")
    expect(comments.get_by_label("Ask a question")).to_be_visible()
    expect(_top_level(page)).to_have_text(["Can I bring my kid?", "Is there step-free access?"])
    question = page.locator(f"#comment-{talk['question'].pk}")
    expect(question.locator(".comment-replies .prose")).to_have_text(
        ["Yes, a ramp at the side door."]
    )
    expect(question.locator(".comment-replies .person-name")).to_have_text(["Grace Hopper"])
    expect(question.locator(":scope > .comment-actions")).to_have_text("Report")
    expect(question.locator(":scope > details.reply-form > summary")).to_have_text("Reply")
    expect(question.get_by_label("Your reply")).to_be_hidden()  # closed until opened
    expect(comments.get_by_role("button", name="Hide")).to_have_count(0)
    expect(comments.get_by_role("button", name="Pin")).to_have_count(0)
    _clean(page, live_server)


def test_event_page_for_an_organizer_has_hide_and_pin_buttons(
    page, live_server, event, talk, organizer, password
):
    pinned = CommentFactory(
        event=event,
        author=organizer,
        body="Doors open at 6:30.",
        by_host=True,
        pinned=True,
        created_at=_ago(minutes=10),
    )
    log_in(page, organizer.email, password)
    page.goto(event.get_absolute_url())

    expect(_top_level(page)).to_have_text(
        ["Doors open at 6:30.", "Can I bring my kid?", "Is there step-free access?"]
    )
    mine = page.locator(f"#comment-{pinned.pk}")
    expect(mine).to_have_class("comment pinned")
    expect(mine.locator(".comment-meta .badge")).to_have_text(["Host", "Pinned"])
    expect(mine.locator(":scope > .comment-actions").get_by_role("button")).to_have_text(
        ["Hide", "Unpin"]
    )
    for key in ("question", "newer"):
        actions = page.locator(f"#comment-{talk[key].pk} > .comment-actions")
        expect(actions.get_by_role("link")).to_have_text(["Report"])
        expect(actions.get_by_role("button")).to_have_text(["Hide", "Pin"])
    # A reply is hidden, not pinned.
    expect(
        page.locator(f"#comment-{talk['answer'].pk} .comment-actions").get_by_role("button")
    ).to_have_text(["Hide"])
    _clean(page, live_server)

    page.locator(f"#comment-{talk['newer'].pk}").get_by_role("button", name="Pin").click()
    expect(page.locator(".messages")).to_have_text("Saved.")
    expect(_top_level(page)).to_have_text(
        ["Doors open at 6:30.", "Can I bring my kid?", "Is there step-free access?"]
    )
    expect(page.locator(f"#comment-{talk['newer'].pk} .comment-meta .badge")).to_have_text(
        ["Pinned"]
    )
    _clean(page, live_server)


def test_event_page_for_a_visitor_when_comments_are_public(page, live_server, event, talk):
    Event.objects.filter(pk=event.pk).update(comments_public=True)
    page.goto(event.get_absolute_url())

    comments = page.locator("#comments")
    expect(_top_level(page)).to_have_text(["Can I bring my kid?", "Is there step-free access?"])
    expect(comments.locator(".comment-replies .prose")).to_have_text(
        ["Yes, a ramp at the side door."]
    )
    expect(comments.locator(":scope > p").first).to_have_text(
        "Log in to ask a question or comment (members of the group)."
    )
    expect(comments.locator("form")).to_have_count(0)
    expect(comments.locator("details")).to_have_count(0)
    expect(comments.locator(".comment-actions")).to_have_count(0)
    _clean(page, live_server)


def test_event_page_for_a_visitor_when_comments_are_for_members(page, live_server, event, talk):
    page.goto(event.get_absolute_url())
    comments = page.locator("#comments")
    expect(comments.locator("p")).to_have_text(
        "Members of the group talk about this event here. Log in"
    )
    expect(comments.locator("article")).to_have_count(0)
    _clean(page, live_server)


def test_comments_page_shows_them_all_page_by_page(page, live_server, event, group, password):
    author = _member(group, "Ada Lovelace")
    for number in range(23):
        CommentFactory(
            event=event, author=author, body=f"Question {number}", created_at=_ago(hours=number)
        )
    newest_first = [f"Question {number}" for number in range(23)]
    reader = _member(group, "Reader")
    log_in(page, reader.email, password)
    page.goto(event.get_absolute_url())
    expect(_top_level(page)).to_have_text(newest_first[:20])

    page.get_by_role("link", name="Older questions and comments (23 in all)").click()
    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/comments/?page=2")
    expect(page.get_by_role("link", name=f"← {event.title}")).to_be_visible()
    expect(_top_level(page)).to_have_text(newest_first[20:])
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_have_text("Previous page Page 2 of 2")
    _no_leaks(page, live_server)

    pages.get_by_role("link", name="Previous page").click()
    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/comments/?page=1")
    expect(_top_level(page)).to_have_text(newest_first[:20])
    expect(pages).to_have_text("Page 1 of 2 Next page")
    expect(page.get_by_label("Ask a question")).to_be_visible()
    _no_leaks(page, live_server)


def test_comments_page_has_a_level_one_heading(page, live_server, event, talk, member, password):
    log_in(page, member.email, password)
    page.goto(f"/events/{event.slug}/comments/")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    _clean(page, live_server)


def test_comment_page_and_reply_page(page, live_server, event, talk, member, password):
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    question = talk["question"]
    page.locator(f"#comment-{question.pk} > header > a").click()

    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/comments/{question.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A comment")
    expect(page.locator(".comments article.comment .prose")).to_have_text(
        ["Is there step-free access?", "Yes, a ramp at the side door."]
    )
    expect(page.locator(".comments details > summary")).to_have_text("Reply")
    _clean(page, live_server)

    answer = talk["answer"]
    page.locator(f"#comment-{answer.pk} > header > a").click()
    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/comments/{answer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A reply")
    expect(page.locator(".comments .prose")).to_have_text(["Yes, a ramp at the side door."])
    _clean(page, live_server)
    page.get_by_role("link", name="Read the comment it answers").click()
    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/comments/{question.pk}/")


def test_report_page_refuses_a_report_without_reason_next_to_the_field(
    page, live_server, event, talk, member, password
):
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    newer = talk["newer"]
    page.locator(f"#comment-{newer.pk}").get_by_role("link", name="Report").click()

    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/comments/{newer.pk}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report to the organizers")
    expect(page.locator("blockquote")).to_have_text("Can I bring my kid?")
    reasons = page.get_by_role("group", name="What is wrong?")
    expect(reasons.get_by_role("radio")).to_have_count(5)
    _clean(page, live_server)

    page.get_by_role("button", name="Send my report").click()
    expect(reasons.locator(".errorlist")).to_have_text(REQUIRED)
    expect(reasons).to_have_accessible_description(WARNING)
    _clean(page, live_server, console=[DOCUMENT_400])

    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(f"{live_server.url}{event.get_absolute_url()}#comment-{newer.pk}")


# --- A question, a reply, an edit and a deletion -----------------------------------------------


def _ask(page, text: str) -> None:
    page.locator("#comments").get_by_label("Ask a question").fill(text)
    page.get_by_role("button", name="Post my question").click()


def _reply(page, comment_pk: int, text: str) -> None:
    thread = page.locator(f"#comment-{comment_pk}")
    thread.locator(":scope > details.reply-form > summary").click()
    thread.get_by_label("Your reply").fill(text)
    thread.get_by_role("button", name="Post my reply").click()


def test_member_asks_another_replies_then_the_first_edits_and_deletes(
    page, open_tab, live_server, event, group, password
):
    ada = _member(group, "Ada Lovelace")
    grace = _member(group, "Grace Hopper")
    event_url = f"{live_server.url}{event.get_absolute_url()}"
    log_in(page, ada.email, password)
    page.goto(event.get_absolute_url())
    expect(page.locator("#comments")).to_contain_text("No questions yet.")

    _ask(page, "Will there be **slides**?")
    question = Comment.objects.get(event=event)
    expect(page).to_have_url(f"{event_url}#comment-{question.pk}")
    expect(page.locator(".messages")).to_have_text("Your comment is posted.")
    mine = page.locator(f"#comment-{question.pk}")
    expect(mine.locator(".person-name")).to_have_text("Ada Lovelace")
    expect(mine.locator(".prose")).to_have_text("Will there be slides?")
    expect(mine.locator(".prose strong")).to_have_text("slides")
    expect(mine.locator(":scope > .comment-actions").get_by_role("link")).to_have_text(
        ["Edit", "Delete"]
    )
    _clean(page, live_server)

    other = open_tab()
    log_in(other, grace.email, password)
    other.goto(event.get_absolute_url())
    _reply(other, question.pk, "Yes, they go online after.")
    answer = Comment.objects.get(parent=question)
    expect(other).to_have_url(f"{event_url}#comment-{answer.pk}")
    expect(other.locator(f"#comment-{question.pk} .comment-replies .prose")).to_have_text(
        ["Yes, they go online after."]
    )
    _clean(other, live_server)

    page.reload()
    expect(mine.locator(".comment-replies .prose")).to_have_text(["Yes, they go online after."])
    mine.locator(":scope > .comment-actions").get_by_role("link", name="Edit").click()
    expect(page).to_have_url(f"{event_url}comments/{question.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit my comment")
    body = page.get_by_label("Your comment")
    expect(body).to_have_value("Will there be **slides**?")
    _clean(page, live_server)
    body.fill("Will there be slides, and a recording?")
    page.get_by_role("button", name="Save my comment").click()
    expect(page).to_have_url(f"{event_url}#comment-{question.pk}")
    expect(mine.locator(":scope > .prose")).to_have_text("Will there be slides, and a recording?")
    expect(mine.locator(":scope > header")).to_contain_text("(edited)")

    mine.locator(":scope > .comment-actions").get_by_role("link", name="Delete").click()
    expect(page).to_have_url(f"{event_url}comments/{question.pk}/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete my comment")
    expect(page.locator(".card.prose")).to_have_text("Will there be slides, and a recording?")
    _clean(page, live_server)
    page.get_by_role("button", name="Delete it").click()
    expect(page).to_have_url(event_url)
    expect(page.locator(".messages")).to_have_text("Your comment is deleted.")
    # What Grace wrote stays, under a marker where the question was.
    expect(mine.locator(":scope > p, :scope > .comment-replies .prose")).to_have_text(
        ["This comment was deleted.", "Yes, they go online after."]
    )
    expect(mine.locator(":scope > header .person-name")).to_have_text("Deleted")
    expect(mine).not_to_contain_text("slides")
    expect(mine.locator(":scope > .comment-actions")).to_have_count(0)
    _clean(page, live_server)


def test_question_and_reply_without_javascript(open_tab, live_server, event, group, password):
    ada = _member(group, "Ada Lovelace")
    grace = _member(group, "Grace Hopper")
    scripts = []
    tabs = []
    for person in (ada, grace):
        tab = open_tab(java_script_enabled=False)
        tab.on(
            "request",
            lambda request: (
                scripts.append(request.url) if request.resource_type == "script" else None
            ),
        )
        log_in(tab, person.email, password)
        tab.goto(event.get_absolute_url())
        tabs.append(tab)
    first, second = tabs

    _ask(first, "Is there a vegan option?")
    question = Comment.objects.get(event=event)
    expect(first.locator(f"#comment-{question.pk} .prose")).to_have_text("Is there a vegan option?")

    second.reload()
    details = second.locator(f"#comment-{question.pk} > details.reply-form")
    expect(details).not_to_have_attribute("open", "")
    _reply(second, question.pk, "Everything is vegan.")
    expect(second.locator(f"#comment-{question.pk} .comment-replies .prose")).to_have_text(
        ["Everything is vegan."]
    )

    first.reload()
    first.locator(f"#comment-{question.pk} > .comment-actions").get_by_role(
        "link", name="Delete"
    ).click()
    first.get_by_role("button", name="Delete it").click()
    expect(first.locator(f"#comment-{question.pk} > p")).to_have_text("This comment was deleted.")
    assert [(c.body, c.parent_id, c.is_deleted) for c in Comment.objects.all()] == [
        ("", None, True),
        ("Everything is vegan.", question.pk, False),
    ]
    assert scripts == []
    for tab in tabs:
        assert third_party_requests(tab, live_server.url) == []
        assert tab.console_errors == []


def test_empty_question_shows_the_error_next_to_the_field(
    page, live_server, event, member, password
):
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    page.get_by_role("button", name="Post my question").click()

    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/comments/")
    field = page.get_by_label("Ask a question")
    expect(field).to_have_accessible_description(f"{HINT} {WARNING}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#comments .errorlist")).to_have_text(REQUIRED)
    assert Comment.objects.count() == 0
    # axe: the comments page, test_comments_page_has_a_level_one_heading
    _no_leaks(page, live_server, console=[DOCUMENT_400])

    field.fill("Now with words.")
    page.get_by_role("button", name="Post my question").click()
    expect(page.locator("#comments article .prose")).to_have_text(["Now with words."])


def test_empty_reply_shows_the_error_next_to_the_reply_field(
    page, live_server, event, talk, member, password
):
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    question = page.locator(f"#comment-{talk['question'].pk}")
    question.locator(":scope > details.reply-form > summary").click()
    question.get_by_role("button", name="Post my reply").click()

    reply = page.locator(f"textarea#reply-{talk['question'].pk}")
    expect(reply).to_be_visible()
    expect(reply).to_have_accessible_description(WARNING)
    expect(page.locator('[aria-invalid="true"]')).to_have_count(1)
    assert Comment.objects.count() == 3
    _clean(page, live_server, console=[DOCUMENT_400])


# --- Discussions ----------------------------------------------------------------------------


@pytest.fixture
def board(group):
    projects = Category.objects.create(group=group, name="Projects", position=0)
    Category.objects.create(group=group, name="Reading", position=1)
    author = _member(group, "Ada Lovelace")
    quiet = ThreadFactory(group=group, author=author, title="A quiet one")
    quiet.last_activity_at = _ago(days=3)
    locked = ThreadFactory(
        group=group, author=author, title="Old plans", category=projects, locked=True
    )
    locked.last_activity_at = _ago(days=1)
    pinned = ThreadFactory(group=group, author=author, title="Read me first", pinned=True)
    pinned.last_activity_at = _ago(days=9)
    for thread in (quiet, locked, pinned):
        Thread.objects.filter(pk=thread.pk).update(last_activity_at=thread.last_activity_at)
    ReplyFactory(thread=locked, author=_member(group, "Grace Hopper"), created_at=_ago(days=1))
    return {"projects": projects, "quiet": quiet, "locked": locked, "pinned": pinned}


def test_board_lists_discussions_with_categories_and_badges(
    page, live_server, board, member, password
):
    log_in(page, member.email, password)
    page.goto("/discussions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Discussions")
    titles = page.locator(".thread-title")
    expect(titles).to_have_text(["Read me first", "Old plans", "A quiet one"])
    rows = page.locator(".thread-row")
    expect(rows.nth(0).locator(".badge")).to_have_text(["Pinned"])
    expect(rows.nth(1).locator(".badge")).to_have_text(["Locked", "Projects"])
    expect(rows.nth(1).locator("p.muted")).to_contain_text("1 reply")
    expect(rows.nth(2).locator(".badge")).to_have_count(0)
    category = page.get_by_label("Category")
    expect(category.locator("option")).to_have_text(["All categories", "Projects", "Reading"])
    _clean(page, live_server)

    category.select_option(label="Projects")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{live_server.url}/discussions/?category={board['projects'].pk}")
    expect(titles).to_have_text(["Old plans"])
    _clean(page, live_server)

    page.get_by_role("link", name="Old plans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Old plans")
    expect(page.locator(".thread > p.muted .badge")).to_have_text(["Locked", "Projects"])
    expect(page.locator("#replies-title")).to_have_text("1 reply")
    expect(page.locator(".comments")).to_contain_text(
        "The organizers have locked this discussion: no new replies."
    )
    expect(page.get_by_label("Your reply")).to_have_count(0)
    _clean(page, live_server)


def test_thread_page_for_an_organizer_has_the_moderation_controls(
    page, live_server, board, group, organizer, password
):
    thread = board["quiet"]
    first = ReplyFactory(thread=thread, author=_member(group, "Grace Hopper"), body="First!")
    ReplyFactory(thread=thread, author=_member(group, "Bob"), body="Second.")
    log_in(page, organizer.email, password)
    page.goto(thread.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_have_text("A quiet one")
    expect(page.locator(".comments article .prose")).to_have_text(["First!", "Second."])
    expect(page.locator("#replies-title")).to_have_text("2 replies")
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    tools = page.locator(".moderation")
    expect(tools.get_by_role("heading", level=2)).to_have_text("Organizers")
    expect(tools.get_by_role("button")).to_have_text(["Pin", "Lock", "Hide", "Move"])
    expect(tools.get_by_label("Move to").locator("option")).to_have_text(
        ["General", "Projects", "Reading"]
    )
    replies = page.locator(".comments article")
    expect(replies.nth(0).get_by_role("button")).to_have_text(["Hide"])
    expect(page.get_by_label("Your reply")).to_be_visible()
    _clean(page, live_server)

    tools.get_by_label("Move to").select_option(label="Reading")
    tools.get_by_role("button", name="Move").click()
    expect(page.locator(".messages")).to_have_text("Saved.")
    expect(page.locator(".thread > p.muted .badge")).to_have_text(["Reading"])
    tools.get_by_role("button", name="Lock").click()
    expect(page.locator(".thread > p.muted .badge")).to_have_text(["Locked", "Reading"])
    expect(tools.get_by_role("button", name="Unlock")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_count(0)
    replies.nth(0).get_by_role("button", name="Hide").click()
    expect(page.locator(f"#reply-{first.pk}")).to_have_class("comment is-hidden")
    expect(page.locator(f"#reply-{first.pk} .badge")).to_have_text("Hidden")
    expect(page.locator(f"#reply-{first.pk}").get_by_role("button")).to_have_text(["Show again"])
    _no_leaks(page, live_server)

    Follow.objects.get_or_create(thread=thread, member=organizer)
    page.reload()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()


def test_hidden_writing_keeps_its_contrast_for_organizers(
    page, live_server, event, talk, board, organizer, password
):
    reply = ReplyFactory(thread=board["quiet"], body="Buy my course!", hidden_at=_ago(hours=1))
    Comment.objects.filter(pk=talk["newer"].pk).update(hidden_at=_ago(hours=1))
    log_in(page, organizer.email, password)
    page.goto(board["quiet"].get_absolute_url())
    expect(page.locator(f"#reply-{reply.pk}")).to_have_class("comment is-hidden")
    assert axe_violations(page) == []
    page.goto(talk["newer"].get_absolute_url())
    expect(page.locator(f"#comment-{talk['newer'].pk}")).to_have_class("comment is-hidden")
    _clean(page, live_server)


def test_member_starts_a_discussion_another_replies_and_the_first_unfollows(
    page, open_tab, live_server, board, group, password
):
    ada = _member(group, "Ada Lovelace (2)")
    grace = _member(group, "Grace Hopper (2)")
    log_in(page, ada.email, password)
    page.goto("/discussions/")
    page.get_by_role("link", name="Start a discussion").click()
    expect(page).to_have_url(f"{live_server.url}/discussions/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a discussion")
    expect(page.get_by_label("Category").locator("option")).to_have_text(
        ["General", "Projects", "Reading"]
    )
    _clean(page, live_server)

    page.get_by_role("button", name="Start the discussion").click()
    expect(page.locator(".errorlist")).to_have_text([REQUIRED, REQUIRED])
    expect(page.get_by_label("Title")).to_have_accessible_description(WARNING)
    expect(page.get_by_label("Message")).to_have_accessible_description(f"{HINT} {WARNING}")
    _clean(page, live_server, console=[DOCUMENT_400])

    page.get_by_label("Title").fill("A reading group on co-op law?")
    page.get_by_label("Category").select_option(label="Reading")
    page.get_by_label("Message").fill("Who would join? *Monthly*, online.")
    page.get_by_role("button", name="Start the discussion").click()
    thread = Thread.objects.get(title="A reading group on co-op law?")
    expect(page).to_have_url(f"{live_server.url}/discussions/{thread.pk}/")
    expect(page.locator(".messages")).to_have_text("Your discussion is started. You follow it.")
    expect(page.locator(".thread .prose")).to_have_text("Who would join? Monthly, online.")
    expect(page.locator(".thread > p.muted .badge")).to_have_text(["Reading"])
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    expect(page.locator("#replies-title")).to_have_text("0 replies")
    expect(page.locator(".moderation")).to_have_count(0)
    _clean(page, live_server, console=[DOCUMENT_400])

    other = open_tab()
    log_in(other, grace.email, password)
    other.goto("/discussions/")
    expect(other.locator(".thread-title").first).to_have_text("Read me first")
    other.get_by_role("link", name="A reading group on co-op law?").click()
    expect(other.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    other.get_by_role("button", name="Post my reply").click()  # empty first
    expect(other.get_by_label("Your reply")).to_have_accessible_description(f"{HINT} {WARNING}")
    _clean(other, live_server, console=[DOCUMENT_400])
    other.get_by_label("Your reply").fill("Count me in.")
    other.get_by_role("button", name="Post my reply").click()
    reply = Reply.objects.get(thread=thread)
    expect(other).to_have_url(f"{live_server.url}/discussions/{thread.pk}/#reply-{reply.pk}")
    expect(other.locator(".messages")).to_have_text(
        "Your reply is posted. You follow this discussion."
    )
    expect(other.get_by_role("button", name="Stop following")).to_be_visible()
    _clean(other, live_server, console=[DOCUMENT_400])

    page.reload()
    expect(page.locator(f"#reply-{reply.pk} .person-name")).to_have_text("Grace Hopper (2)")
    expect(page.locator(f"#reply-{reply.pk} .prose")).to_have_text("Count me in.")
    page.get_by_role("button", name="Stop following").click()
    expect(page.locator(".messages")).to_have_text("You no longer follow this discussion.")
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    assert list(Follow.objects.filter(thread=thread).values_list("member", flat=True)) == [grace.pk]
    _clean(page, live_server, console=[DOCUMENT_400])


def test_author_edits_their_discussion_and_their_reply(page, live_server, group, password):
    ada = _member(group, "Ada Lovelace")
    thread = ThreadFactory(group=group, author=ada, title="Tools we use")
    reply = ReplyFactory(thread=thread, author=ada, body="I start: a shared calendar.")
    log_in(page, ada.email, password)
    page.goto(thread.get_absolute_url())
    expect(page.locator(".thread .comment-actions").get_by_role("link")).to_have_text(
        ["Edit", "Delete"]
    )

    page.locator(".thread .comment-actions").get_by_role("link", name="Edit").click()
    expect(page).to_have_url(f"{live_server.url}/discussions/{thread.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit my discussion")
    expect(page.get_by_label("Title")).to_have_value("Tools we use")
    expect(page.get_by_label("Category")).to_have_count(0)
    _clean(page, live_server)
    page.get_by_label("Title").fill("Tools our co-ops use")
    page.get_by_role("button", name="Save my discussion").click()
    expect(page).to_have_url(f"{live_server.url}/discussions/{thread.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tools our co-ops use")
    expect(page.locator(".thread > p.muted")).to_contain_text("(edited)")

    mine = page.locator(f"#reply-{reply.pk}")
    mine.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(f"{live_server.url}/discussions/{thread.pk}/replies/{reply.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit my reply")
    _clean(page, live_server)
    page.get_by_label("Your reply").fill("")
    page.get_by_role("button", name="Save my reply").click()
    expect(page.get_by_label("Your reply")).to_have_accessible_description(f"{HINT} {WARNING}")
    _clean(page, live_server, console=[DOCUMENT_400])
    page.get_by_label("Your reply").fill("I start: a shared calendar and a wiki.")
    page.get_by_role("button", name="Save my reply").click()
    expect(page).to_have_url(f"{live_server.url}/discussions/{thread.pk}/#reply-{reply.pk}")
    expect(mine.locator(".prose")).to_have_text("I start: a shared calendar and a wiki.")
    expect(mine.locator("header")).to_contain_text("(edited)")

    mine.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete my reply")
    _clean(page, live_server, console=[DOCUMENT_400])
    page.get_by_role("button", name="Delete it").click()
    expect(page.locator(".messages")).to_have_text("Your reply is deleted.")
    expect(page.locator("#replies-title")).to_have_text("0 replies")


# --- Announcements and the members-only page -----------------------------------------------


def test_announcements_list_and_page(page, live_server, group, organizer, member, password):
    AnnouncementFactory(
        group=group, author=organizer, subject="New venue", send_at=_ago(days=2), body="Hi"
    )
    AnnouncementFactory(
        group=group,
        author=organizer,
        subject="Summer picnic",
        send_at=_ago(hours=1),
        body="Bring **a dish** to share.",
    )
    AnnouncementFactory(group=group, subject="Not yet", send_at=_ago(days=-1), emailed_at=None)
    log_in(page, member.email, password)
    page.goto("/discussions/")
    page.get_by_role("link", name="Announcements from the organizers").click()

    expect(page).to_have_url(f"{live_server.url}/announcements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Announcements")
    expect(page.locator(".thread-title")).to_have_text(["Summer picnic", "New venue"])
    _clean(page, live_server)

    page.get_by_role("link", name="Summer picnic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summer picnic")
    expect(page.locator("article .prose")).to_have_text("Bring a dish to share.")
    expect(page.locator("article p.muted")).to_contain_text(organizer.display_name)
    _clean(page, live_server)


def test_members_only_page_for_a_visitor_and_an_outsider(
    page, open_tab, live_server, event, talk, password
):
    comments_url = f"/events/{event.slug}/comments/"
    response = page.goto(comments_url)
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("For members of the group")
    expect(page.locator("main")).to_contain_text(
        "Only members of Platform Cooperatives NYC read and write the questions and comments "
        "on this event."
    )
    login = page.locator("main").get_by_role("link", name="Log in", exact=True)
    expect(login).to_have_attribute("href", f"/accounts/login/?next={comments_url}")
    _clean(page, live_server, console=[DOCUMENT_403])

    outsider = UserFactory()
    tab = open_tab()
    log_in(tab, outsider.email, password)
    for url, says in (
        ("/discussions/", "read and write in its discussions."),
        ("/announcements/", "read the organizers' announcements."),
        (comments_url, "read and write the questions and comments on this event."),
    ):
        response = tab.goto(url)
        assert response.status == 403, url
        expect(tab.get_by_role("heading", level=1)).to_have_text("For members of the group")
        expect(tab.locator("main")).to_contain_text(says)
        expect(tab.get_by_role("button", name="Join the group")).to_be_visible()
        assert axe_violations(tab) == [], url
    assert third_party_requests(tab, live_server.url) == []
    assert tab.console_errors == [DOCUMENT_403] * 3
