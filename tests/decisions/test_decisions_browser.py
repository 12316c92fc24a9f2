"""Every decisions page in Chromium (axe-core finds nothing, in light and dark, no request to
another site, no console error) and what members and organizers do there, by clicking and
typing: propose a guest, support and withdraw, decline with a reason, make a draft event, open
a poll, vote by ranks with JavaScript off, change the ballot, close a poll early."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions import services
from decisions.counting import Method
from decisions.models import (
    BallotBox,
    Option,
    Poll,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Support,
    VoterRoll,
)
from events.models import Event, EventStatus
from events.services import event_set_status
from groups.models import LogEntry, LogKind
from tests.browser import axe_violations, log_in, third_party_requests
from tests.decisions.rolls import enrol
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium logs every 4xx answer as a console error, documents included: a refused form
# answers 400 (decisions.views), so these are expected after one.
DOCUMENT_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
REQUIRED = "This field is required."
# What a screen reader says after the field's name ("⚠ " is the stylesheet's ::before).
WARNING = f"⚠ {REQUIRED}"
CONTACT = "ines@example.org, or @ines@social.example"
REASON = "We had an evening on housing co-ops in March; let us give other themes a turn."
THEMES = ["Data trusts", "Co-op finance", "Rider-owned delivery", "Housing co-ops"]


def _member(group, name: str):
    return MembershipFactory(group=group, user=UserFactory(display_name=name)).user


def _no_leaks(tab, live_server, *, console=()) -> None:
    """The tab asked nothing of another site and logged no error."""
    assert third_party_requests(tab, live_server.url) == []
    assert tab.console_errors == list(console)


def _clean(tab, live_server, *, console=()) -> None:
    assert axe_violations(tab) == []
    _no_leaks(tab, live_server, console=console)


def _axe_each(tab, urls) -> dict[str, list[str]]:
    """axe-core on each page in turn: the pages with violations, all of them at once."""
    found = {}
    for url in urls:
        response = tab.goto(url)
        assert response.status == 200, url
        violations = axe_violations(tab)
        if violations:
            found[url] = violations
    return found


@pytest.fixture
def ada(group):
    return _member(group, "Ada Lovelace")


@pytest.fixture
def grace(group):
    return _member(group, "Grace Hopper")


def _poll(group, organizer, method, *, question, options=THEMES, **extra):
    now = timezone.now()
    return services.poll_open(
        group=group,
        by=organizer,
        question=question,
        options=options,
        method=method,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        **extra,
    )


def _expect_ranks(ballot, ranks) -> None:
    """The rank each option's field holds, in the poll's option order (THEMES)."""
    for label, rank in zip(THEMES, ranks, strict=True):
        expect(ballot.get_by_label(label, exact=True)).to_have_value(rank)


def _results(tab, table: int = 0):
    """A results table's rows as (option, votes) texts."""
    rows = tab.locator("table.results").nth(table).locator("tbody tr")
    return rows.evaluate_all(
        "rows => rows.map(row => [row.cells[0].innerText.trim(), row.cells[1].innerText.trim()])"
    )


def _ids(poll, *labels):
    by_label = dict(Option.objects.filter(poll=poll).values_list("label", "pk"))
    return [by_label[label] for label in labels]


@pytest.fixture
def decisions(group, organizer, ada, grace):
    """Proposals of every status, an open single-choice poll, an open ranked poll and a closed
    ranked poll counted in three rounds; the log has entries of five kinds."""
    guest = services.proposal_add(
        group=group,
        author=ada,
        kind=ProposalKind.GUEST,
        title="Invite Inés from a data trust",
        body="She runs a **data trust** for delivery riders.",
        contact=CONTACT,
    )
    topic = services.proposal_add(
        group=group,
        author=grace,
        kind=ProposalKind.TOPIC,
        title="Co-op conversions",
        body="How owners sell a business to its workers.",
    )
    services.proposal_support(proposal=topic, member=ada)
    declined = services.proposal_add(
        group=group, author=grace, kind=ProposalKind.BREAKOUT, title="Housing co-ops again"
    )
    services.proposal_decline(proposal=declined, by=organizer, reason=REASON)
    scheduled = services.proposal_add(
        group=group, author=ada, kind=ProposalKind.TOPIC, title="Unions and platform co-ops"
    )
    services.proposal_support(proposal=scheduled, member=grace)
    event = services.proposal_to_event(proposal=scheduled, by=organizer)
    event_set_status(event=event, status=EventStatus.PUBLISHED, by=organizer)

    single = _poll(
        group,
        organizer,
        Method.SINGLE,
        question="Which weeknight suits you?",
        options=["Tuesday", "Wednesday", "Thursday"],
    )
    ranked = _poll(group, organizer, Method.RANKED, question="Next month's breakout themes?")
    closed = _poll(group, organizer, Method.RANKED, question="Last month's breakout themes?")
    # Round 1: 3, 2, 2, 1 (Housing co-ops out); round 2: 3, 2, 3 (Co-op finance out);
    # round 3: Rider-owned delivery 5 of 8 wins.
    a, b, c, d = THEMES
    ballots = [[a]] * 3 + [[b, c]] * 2 + [[c]] * 2 + [[d, c]]
    for number, ranks in enumerate(ballots):
        voter = _member(group, f"Voter {number}")
        enrol(closed, voter)  # joined after it opened
        services.ballot_cast(poll=closed, member=voter, choices=_ids(closed, *ranks))
    services.poll_close(poll=closed, by=organizer)
    return {
        "guest": guest,
        "topic": topic,
        "declined": declined,
        "scheduled": scheduled,
        "event": event,
        "single": single,
        "ranked": ranked,
        "closed": closed,
    }


def _member_pages(d) -> dict[str, str]:
    return {
        "proposals": "/proposals/",
        "declined proposals": "/proposals/?status=declined",
        "new proposal": "/proposals/new/",
        "open proposal": d["guest"].get_absolute_url(),
        "declined proposal": d["declined"].get_absolute_url(),
        "scheduled proposal": d["scheduled"].get_absolute_url(),
        "its event": d["event"].get_absolute_url(),
        "polls": "/polls/",
        "single-choice ballot": d["single"].get_absolute_url(),
        "ranked ballot": d["ranked"].get_absolute_url(),
        "ranked results": d["closed"].get_absolute_url(),
        "log": "/log/",
    }


def _organizer_pages(d) -> dict[str, str]:
    """Where an organizer's page differs from a member's: buttons and forms of their own."""
    return {
        "open proposal": d["guest"].get_absolute_url(),
        "declined proposal": d["declined"].get_absolute_url(),
        "scheduled proposal": d["scheduled"].get_absolute_url(),
        "polls": "/polls/",
        "new poll": "/polls/new/",
        "ranked ballot": d["ranked"].get_absolute_url(),
    }


# In dark mode, the member's pages with a component of each kind (filters, a notice, a ballot,
# result tables, the log): the other pages, the organizers' included, share their styles.
DARK = {"proposals", "declined proposal", "ranked ballot", "ranked results", "log"}


# --- Every page: axe-core, light and dark ------------------------------------------------------


def test_every_page_passes_axe_for_a_member_and_an_organizer(
    page, open_tab, live_server, decisions, grace, organizer, password
):
    log_in(page, grace.email, password)
    assert _axe_each(page, _member_pages(decisions).values()) == {}
    _no_leaks(page, live_server)

    tab = open_tab()
    log_in(tab, organizer.email, password)
    assert _axe_each(tab, _organizer_pages(decisions).values()) == {}
    _no_leaks(tab, live_server)


def test_pages_pass_axe_in_dark_mode(page, live_server, decisions, grace, password):
    page.emulate_media(color_scheme="dark")
    log_in(page, grace.email, password)
    dark = [url for name, url in _member_pages(decisions).items() if name in DARK]
    assert _axe_each(page, dark) == {}
    _no_leaks(page, live_server)


def test_pages_show_what_they_are_about(page, open_tab, live_server, decisions, grace, password):
    """The pages axe checked show the right content: statuses, the reason, the event and
    its credit, the ballots, the rounds and the log's sentences."""
    log_in(page, grace.email, password)
    d = decisions

    page.goto("/proposals/")
    # Open and planned ones unless asked: the scheduled and declined ones are not listed.
    expect(page.locator(".thread-title")).to_have_text(
        ["Co-op conversions", "Invite Inés from a data trust"]
    )
    expect(page.locator(".thread-row .muted")).to_have_text(
        [
            "Topic · Open · 1 supports it · Grace Hopper",
            "Guest speaker · Open · 0 support it · Ada Lovelace",
        ]
    )

    page.goto(d["declined"].get_absolute_url())
    expect(page.locator("article p.notice")).to_have_text(f"The organizers declined it: “{REASON}”")
    expect(page.get_by_role("button", name="Support it")).to_have_count(0)

    page.goto(d["scheduled"].get_absolute_url())
    expect(page.locator("article > p").nth(1)).to_have_text(
        "Scheduled · Unions and platform co-ops"
    )
    page.get_by_role("link", name="Unions and platform co-ops").click()
    expect(page).to_have_url(f"{live_server.url}{d['event'].get_absolute_url()}")
    expect(page.locator(".proposal-credit")).to_have_text(
        "This evening began as a proposal by Ada Lovelace."
    )
    page.locator(".proposal-credit").get_by_role("link", name="a proposal").click()
    expect(page).to_have_url(f"{live_server.url}{d['scheduled'].get_absolute_url()}")

    page.goto(d["single"].get_absolute_url())
    expect(page.get_by_role("group", name="Your choice").get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("button", name="Cast my ballot")).to_be_visible()

    page.goto(d["ranked"].get_absolute_url())
    for label in THEMES:
        expect(page.get_by_label(label, exact=True)).to_have_value("")
    expect(page.locator("#results-title + p")).to_have_text(
        "The results appear when the poll closes."
    )

    page.goto(d["closed"].get_absolute_url())
    expect(page.get_by_role("button", name="Cast my ballot")).to_have_count(0)
    expect(page.locator("#results-title + p")).to_have_text("8 ballots. Rider-owned delivery wins.")
    expect(page.locator("table.results caption")).to_have_text(["Round 1", "Round 2", "Round 3"])
    assert _results(page, 0) == [
        ["Data trusts", "3"],
        ["Co-op finance", "2"],
        ["Rider-owned delivery", "2"],
        ["Housing co-ops (eliminated)", "1"],
    ]
    assert _results(page, 1) == [
        ["Data trusts", "3"],
        ["Co-op finance (eliminated)", "2"],
        ["Rider-owned delivery", "3"],
    ]
    assert _results(page, 2) == [["Data trusts", "3"], ["Rider-owned delivery", "5"]]

    page.goto("/log/")
    organizer = d["closed"].created_by.display_name
    expect(page.locator(".log-list > li > p:first-child")).to_have_text(
        [
            f"{organizer} closed the poll “Last month's breakout themes?”. "
            "Result: Rider-owned delivery.",
            f"{organizer} opened the poll “Last month's breakout themes?”. "
            f"Voters on its roll: {d['closed'].eligible_count}.",
            f"{organizer} opened the poll “Next month's breakout themes?”. "
            f"Voters on its roll: {d['ranked'].eligible_count}.",
            f"{organizer} opened the poll “Which weeknight suits you?”. "
            f"Voters on its roll: {d['single'].eligible_count}.",
            f"{organizer} published “Unions and platform co-ops”.",
            f"{organizer} turned the proposal “Unions and platform co-ops” into an event.",
            f"{organizer} declined the proposal “Housing co-ops again”, saying: “{REASON}”",
        ]
    )
    _no_leaks(page, live_server)


def test_empty_pages_pass_axe(page, live_server, grace, password):
    log_in(page, grace.email, password)
    assert _axe_each(page, ["/proposals/", "/polls/", "/log/"]) == {}
    page.goto("/proposals/")
    expect(page.locator(".thread-list")).to_have_text("No proposals here yet. Be the first.")
    page.goto("/polls/")
    expect(page.locator(".thread-list")).to_have_text("No polls yet.")
    expect(page.get_by_role("link", name="Open a poll")).to_have_count(0)
    page.goto("/log/")
    expect(page.locator(".log-list")).to_have_text("Nothing yet.")
    _no_leaks(page, live_server)


# --- Proposals ---------------------------------------------------------------------------------


def test_member_proposes_a_guest_another_supports_then_withdraws(
    page, open_tab, live_server, group, ada, grace, organizer, password
):
    log_in(page, ada.email, password)
    page.goto("/proposals/")
    page.get_by_role("link", name="Propose something").click()
    expect(page).to_have_url(f"{live_server.url}/proposals/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose something")

    # Refused: nothing chosen, no title; the errors stand next to their fields.
    page.get_by_role("button", name="Propose it").click()
    kind = page.get_by_role("group", name="What do you propose?")
    expect(kind.locator(".errorlist")).to_have_text(REQUIRED)
    expect(kind).to_have_accessible_description(WARNING)
    title = page.get_by_label("Title")
    expect(title).to_have_accessible_description(
        f"A topic, the guest's name, or the breakout's theme. {WARNING}"
    )
    assert Proposal.objects.count() == 0
    _clean(page, live_server, console=[DOCUMENT_400])

    kind.get_by_label("Guest speaker").check()
    title.fill("Invite Inés from a data trust")
    page.get_by_label("Why").fill("She runs a **data trust** for delivery riders.")
    page.get_by_label("For a guest: how to reach them").fill(CONTACT)
    page.get_by_role("button", name="Propose it").click()

    proposal = Proposal.objects.get()
    expect(page).to_have_url(f"{live_server.url}/proposals/{proposal.pk}/")
    expect(page.locator(".messages")).to_have_text("Thank you: your proposal is up for support.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite Inés from a data trust")
    expect(page.locator("article > p.muted").first).to_contain_text(
        "Guest speaker · proposed by Ada Lovelace"
    )
    expect(page.locator("article .prose")).to_have_text(
        "She runs a data trust for delivery riders."
    )
    expect(page.locator("#support-title")).to_have_text("0 members support it")
    expect(page.get_by_role("button", name="Support it")).to_have_count(0)  # her own
    assert (proposal.kind, proposal.contact, proposal.author) == (ProposalKind.GUEST, CONTACT, ada)
    _clean(page, live_server, console=[DOCUMENT_400])

    # Another member: the proposal, not the guest's contact; supports it, then withdraws.
    other = open_tab()
    log_in(other, grace.email, password)
    other.goto("/proposals/")
    other.get_by_role("link", name="Invite Inés from a data trust").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Invite Inés from a data trust")
    expect(other.locator("main")).not_to_contain_text(CONTACT)
    expect(other.locator("main")).not_to_contain_text("How to reach them")
    other.get_by_role("button", name="Support it").click()
    expect(other.locator(".messages")).to_have_text("You support this proposal.")
    expect(other.locator("#support-title")).to_have_text("1 member supports it")
    assert list(Support.objects.values_list("member", flat=True)) == [grace.pk]
    _clean(other, live_server)
    other.goto("/proposals/")
    expect(other.locator(".thread-row .muted")).to_have_text(
        "Guest speaker · Open · 1 supports it · including you · Ada Lovelace"
    )
    other.get_by_role("link", name="Invite Inés from a data trust").click()
    other.get_by_role("button", name="Withdraw my support").click()
    expect(other.locator(".messages")).to_have_text("You no longer support this proposal.")
    expect(other.locator("#support-title")).to_have_text("0 members support it")
    expect(other.get_by_role("button", name="Support it")).to_be_visible()
    assert Support.objects.count() == 0
    assert Proposal.objects.get().support_count == 0
    _no_leaks(other, live_server)

    # The organizer sees how to reach the guest.
    boss = open_tab()
    log_in(boss, organizer.email, password)
    boss.goto(proposal.get_absolute_url())
    expect(boss.locator("main")).to_contain_text(
        f"How to reach them (only the organizers and the proposer see this): {CONTACT}"
    )
    _no_leaks(boss, live_server)


def test_organizer_declines_with_a_reason_members_read_it_and_the_log_says_so(
    page, open_tab, live_server, group, ada, grace, organizer, password
):
    proposal = services.proposal_add(
        group=group, author=ada, kind=ProposalKind.BREAKOUT, title="Housing co-ops again"
    )
    log_in(page, organizer.email, password)
    page.goto(proposal.get_absolute_url())
    decide = page.get_by_role("region", name="For organizers")
    # Without a reason: refused, the error next to the field.
    decide.get_by_role("button", name="Decline it").click()
    reason = page.get_by_label("Why decline it?")
    expect(reason).to_have_accessible_description(
        f"Members read this reason; it is also in the transparency log. {WARNING}"
    )
    assert Proposal.objects.get().status == ProposalStatus.OPEN
    _clean(page, live_server, console=[DOCUMENT_400])

    reason.fill(REASON)
    decide.get_by_role("button", name="Decline it").click()
    expect(page).to_have_url(f"{live_server.url}{proposal.get_absolute_url()}")
    expect(page.locator(".messages")).to_have_text("Declined. Members can read your reason.")
    expect(page.locator("article p.notice")).to_have_text(f"The organizers declined it: “{REASON}”")
    declined = Proposal.objects.get()
    assert (declined.status, declined.decline_reason) == (ProposalStatus.DECLINED, REASON)
    _clean(page, live_server, console=[DOCUMENT_400])

    member = open_tab()
    log_in(member, grace.email, password)
    member.goto(proposal.get_absolute_url())
    expect(member.locator("article > p").nth(1)).to_have_text("Declined")
    expect(member.locator("article p.notice")).to_have_text(
        f"The organizers declined it: “{REASON}”"
    )
    expect(member.get_by_role("region", name="For organizers")).to_have_count(0)
    member.get_by_role("link", name="What the organizers did").click()
    expect(member).to_have_url(f"{live_server.url}/log/")
    entry = member.locator(".log-list > li").first
    expect(entry.locator("p").first).to_have_text(
        f"{organizer.display_name} declined the proposal “Housing co-ops again”, saying: “{REASON}”"
    )
    entry.get_by_role("link", name="Housing co-ops again").click()
    expect(member).to_have_url(f"{live_server.url}{proposal.get_absolute_url()}")
    _clean(member, live_server)


def test_organizer_makes_a_proposal_a_draft_event(
    page, open_tab, live_server, group, ada, grace, organizer, password
):
    proposal = services.proposal_add(
        group=group,
        author=ada,
        kind=ProposalKind.TOPIC,
        title="Unions and platform co-ops",
        body="What unions and worker co-ops can do together.",
    )
    log_in(page, organizer.email, password)
    page.goto(proposal.get_absolute_url())
    page.get_by_role("button", name="Make it a draft event").click()

    event = Event.objects.get()
    expect(page).to_have_url(f"{live_server.url}/admin/events/event/{event.pk}/change/")
    expect(page.locator(".messagelist")).to_contain_text(
        "A draft event is ready: set its date and publish it."
    )
    expect(page.locator("#id_title_en")).to_have_value("Unions and platform co-ops")
    expect(page.locator("#id_description_en")).to_have_value(
        "What unions and worker co-ops can do together."
    )
    assert event.status == EventStatus.DRAFT
    scheduled = Proposal.objects.get()
    assert (scheduled.status, scheduled.event) == (ProposalStatus.SCHEDULED, event)
    assert list(LogEntry.objects.values_list("kind", "title")) == [
        (LogKind.PROPOSAL_SCHEDULED, "Unions and platform co-ops")
    ]
    assert third_party_requests(page, live_server.url) == []

    # The organizer's proposal page links to the draft; a member's does not, yet.
    page.goto(proposal.get_absolute_url())
    expect(page.locator("article > p").nth(1)).to_have_text(
        "Scheduled · Unions and platform co-ops"
    )
    expect(page.get_by_role("button", name="Make it a draft event")).to_have_count(0)
    _clean(page, live_server)
    member = open_tab()
    log_in(member, grace.email, password)
    member.goto(proposal.get_absolute_url())
    expect(member.locator("article > p").nth(1)).to_have_text("Scheduled")
    _clean(member, live_server)


# --- Polls -------------------------------------------------------------------------------------


def test_member_ranks_without_javascript_and_changes_the_ballot_with_the_receipt(
    open_tab, live_server, group, organizer, grace, password
):
    poll = _poll(group, organizer, Method.RANKED, question="Next month's breakout themes?")
    tab = open_tab(java_script_enabled=False)
    log_in(tab, grace.email, password)
    tab.goto("/polls/")
    tab.get_by_role("link", name="Next month's breakout themes?").click()
    expect(tab.get_by_role("heading", level=2, name="Your ballot")).to_be_visible()
    expect(tab.get_by_role("textbox", name="Your receipt")).to_have_count(
        0
    )  # nothing to change yet
    ballot = tab.get_by_role("group", name="Rank the options you accept")
    ballot.get_by_label("Co-op finance").select_option("1")
    ballot.get_by_label("Data trusts").select_option("2")
    tab.get_by_role("button", name="Cast my ballot").click()

    # The receipt, shown this once, on the answer to the vote itself.
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you: your ballot is in.")
    receipt = tab.locator("#receipt").inner_text()
    assert len(receipt) == 22
    assert list(VoterRoll.objects.values_list("member", flat=True)) == [grace.pk]
    assert list(BallotBox.objects.values_list("choices", flat=True)) == [
        _ids(poll, "Co-op finance", "Data trusts")
    ]
    tab.get_by_role("link", name="Back to the poll").click()
    expect(tab.locator("#ballot-title")).to_have_text(
        "You voted: change your ballot with your receipt"
    )
    _expect_ranks(ballot, ["", "", "", ""])  # the site cannot tell which ballot is hers
    expect(tab.get_by_role("textbox", name="Your receipt")).to_have_value(
        ""
    )  # no JavaScript: typed in

    ballot.get_by_label("Data trusts").select_option("1")
    ballot.get_by_label("Housing co-ops").select_option("2")
    ballot.get_by_label("Rider-owned delivery").select_option("3")
    tab.get_by_role("textbox", name="Your receipt").fill(receipt)
    tab.get_by_role("button", name="Change my ballot").click()
    expect(tab.locator(".messages")).to_have_text("Your ballot is changed.")
    assert list(BallotBox.objects.values_list("choices", flat=True)) == [
        _ids(poll, "Data trusts", "Housing co-ops", "Rider-owned delivery")
    ]
    assert VoterRoll.objects.count() == 1
    _no_leaks(tab, live_server)


def test_the_browser_keeps_the_receipt_and_fills_it_in(
    page, live_server, group, organizer, grace, password
):
    """With JavaScript: the receipt page (axe-checked) stores the receipt in this browser; the
    poll page fills the receipt field from it, so changing needs nothing typed."""
    poll = _poll(group, organizer, Method.SINGLE, question="Which night?", options=["Tue", "Thu"])
    log_in(page, grace.email, password)
    page.goto(poll.get_absolute_url())
    page.get_by_label("Tue").check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_role("button", name="Email it to me")).to_be_visible()
    receipt = page.locator("#receipt").inner_text()
    assert page.evaluate(f"localStorage.getItem('potluck-receipt-{poll.pk}')") == receipt
    _clean(page, live_server)

    page.get_by_role("link", name="Back to the poll").click()
    expect(page.get_by_role("textbox", name="Your receipt")).to_have_value(receipt)
    page.get_by_label("Thu").check()
    page.get_by_role("button", name="Change my ballot").click()
    expect(page.locator(".messages")).to_have_text("Your ballot is changed.")
    assert list(BallotBox.objects.values_list("choices", flat=True)) == [_ids(poll, "Thu")]
    _clean(page, live_server)


def test_the_same_rank_twice_is_refused_next_to_the_ballot(
    page, live_server, group, organizer, grace, password
):
    poll = _poll(group, organizer, Method.RANKED, question="Next month's breakout themes?")
    log_in(page, grace.email, password)
    page.goto(poll.get_absolute_url())
    ballot = page.get_by_role("group", name="Rank the options you accept")
    ballot.get_by_label("Data trusts").select_option("1")
    ballot.get_by_label("Housing co-ops").select_option("1")
    page.get_by_role("button", name="Cast my ballot").click()

    form = page.get_by_role("region", name="Your ballot").locator("form")
    expect(form.get_by_role("alert")).to_have_text(
        "Give each rank to one option only (1 is used twice)."
    )
    _expect_ranks(ballot, ["1", "", "", "1"])
    expect(page.locator(".messages")).to_have_count(0)
    assert BallotBox.objects.count() == 0
    _clean(page, live_server, console=[DOCUMENT_400])


def test_organizer_opens_a_poll_and_it_is_listed(page, live_server, group, organizer, password):
    log_in(page, organizer.email, password)
    page.goto("/polls/")
    page.get_by_role("link", name="Open a poll").click()
    expect(page).to_have_url(f"{live_server.url}/polls/new/")
    options = page.get_by_label("Options", exact=True)
    options.fill("Only one idea")
    page.get_by_role("button", name="Open the poll").click()
    expect(page.get_by_label("Question", exact=True)).to_have_accessible_description(WARNING)
    assert Poll.objects.count() == 0
    _clean(page, live_server, console=[DOCUMENT_400])

    page.get_by_label("Question", exact=True).fill("Next month's breakout themes?")
    page.get_by_role("button", name="Open the poll").click()
    expect(options).to_have_accessible_description(
        "One per line, at least two. For a dates poll, one date and time per line, such as "
        "2026-05-12 18:30, in the group's time zone. ⚠ Give at least two options."
    )
    assert Poll.objects.count() == 0
    _clean(page, live_server, console=[DOCUMENT_400] * 2)

    options.fill("\n".join(THEMES))
    page.get_by_label("Ranked choice: options in order of preference").check()
    page.get_by_role("button", name="Open the poll").click()
    poll = Poll.objects.get()
    expect(page).to_have_url(f"{live_server.url}{poll.get_absolute_url()}")
    expect(page.locator(".messages")).to_have_text("The poll is open.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Next month's breakout themes?")
    expect(
        page.get_by_role("group", name="Rank the options you accept").locator("label")
    ).to_have_text(THEMES)
    assert poll.method == Method.RANKED and poll.is_open()

    page.get_by_role("navigation", name="Decide together").get_by_role("link", name="Polls").click()
    expect(page.locator(".thread-title")).to_have_text(["Next month's breakout themes?"])
    expect(page.locator(".thread-row .muted")).to_contain_text("Open until")
    _no_leaks(page, live_server, console=[DOCUMENT_400] * 2)


def test_organizer_closes_a_poll_early_and_the_results_show(
    page, open_tab, live_server, group, organizer, ada, grace, password
):
    poll = _poll(group, organizer, Method.RANKED, question="Next month's breakout themes?")
    for voter, ranks in (
        (ada, ["Data trusts"]),
        (grace, ["Co-op finance", "Data trusts"]),
        (organizer, ["Data trusts", "Co-op finance"]),
    ):
        services.ballot_cast(poll=poll, member=voter, choices=_ids(poll, *ranks))
    log_in(page, organizer.email, password)
    page.goto(poll.get_absolute_url())
    expect(page.locator("#results-title + p")).to_have_text(
        "The results appear when the poll closes. 3 ballots so far."
    )
    page.get_by_role("button", name="Close the poll now").click()

    expect(page.locator(".messages")).to_have_text("The poll is closed; the results are shown.")
    expect(page.locator("#results-title + p")).to_have_text("3 ballots. Data trusts wins.")
    expect(page.locator("table.results caption")).to_have_text(["Votes"])
    assert _results(page) == [
        ["Data trusts", "2"],
        ["Co-op finance", "1"],
        ["Rider-owned delivery", "0"],
        ["Housing co-ops", "0"],
    ]
    expect(page.get_by_role("button", name="Close the poll now")).to_have_count(0)
    expect(page.get_by_role("button", name="Change my ballot")).to_have_count(0)
    assert not Poll.objects.get().is_open()
    _clean(page, live_server)

    member = open_tab()
    log_in(member, grace.email, password)
    member.goto(poll.get_absolute_url())
    expect(member.locator("#results-title + p")).to_have_text("3 ballots. Data trusts wins.")
    expect(member.locator("main")).to_contain_text("You voted in this poll.")
    member.goto("/log/")
    expect(member.locator(".log-list > li > p:first-child").first).to_have_text(
        f"{organizer.display_name} closed the poll “Next month's breakout themes?”. "
        "Result: Data trusts."
    )
    _no_leaks(member, live_server)
