"""Score, dots and dates ballots, their results, written outcomes and consent proposals in
Chromium: axe-core finds nothing, no request to another site, and the forms work without
JavaScript (number inputs, radio rows, the dots checked on the server)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions import services
from decisions.models import BallotBox, Poll, Position
from tests.browser import axe_violations, log_in
from tests.decisions.test_decisions_browser import DOCUMENT_400, _axe_each, _member, _no_leaks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPTIONS = ["Library", "Park", "Café"]


@pytest.fixture
def grace(group):
    return _member(group, "Grace Hopper")


def _open(group, organizer, method, question, **extra):
    now = timezone.now()
    return services.poll_open(
        group=group,
        by=organizer,
        question=question,
        method=method,
        options=extra.pop("options", OPTIONS),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        **extra,
    )


def _dates():
    zone = ZoneInfo("America/New_York")
    day = (timezone.now() + timedelta(days=20)).astimezone(zone).date()
    return [datetime.combine(day + timedelta(days=n), time(18, 30), tzinfo=zone) for n in (0, 2)]


@pytest.fixture
def polls(group, organizer):
    score = _open(group, organizer, "score", "How good is each place?")
    dots = _open(group, organizer, "dots", "Where do we meet?", dots=3)
    dates = _open(group, organizer, "dates", "When do we meet?", options=_dates())
    decision = services.decision_open(
        group=group,
        by=organizer,
        title="Publish our notes",
        body="We publish the notes of each evening under *CC BY*.",
        closes_at=timezone.now() + timedelta(days=7),
    )
    return {"score": score, "dots": dots, "dates": dates, "decision": decision}


def test_member_pages_pass_axe_and_a_block_needs_a_reason(
    page, live_server, group, grace, password, polls
):
    log_in(page, grace.email, password)
    urls = [polls[k].get_absolute_url() for k in ("score", "dots", "dates", "decision")]
    assert _axe_each(page, [*urls, "/consent/"]) == {}
    # Consent: a block without a reason is refused next to the field; with one, shown by name.
    page.get_by_role("link", name="Publish our notes").click()
    page.get_by_label("Block").check()
    page.get_by_role("button", name="State my position").click()
    expect(
        page.get_by_text("A block needs a reason: say what would have to change.")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Your reason").fill("The notes name people who did not agree.")
    page.get_by_role("button", name="State my position").click()
    expect(page.locator(".messages")).to_have_text("Your position is stated.")
    expect(page.get_by_text("Grace Hopper · Block")).to_be_visible()
    assert list(Position.objects.values_list("member", "position")) == [(grace.pk, "block")]
    _no_leaks(page, live_server, console=[DOCUMENT_400])


def test_member_votes_in_each_new_ballot_without_javascript(
    open_tab, live_server, group, organizer, grace, password, polls
):
    tab = open_tab(java_script_enabled=False)
    log_in(tab, grace.email, password)
    urls = [polls[k].get_absolute_url() for k in ("score", "dots", "dates")]

    # Score: number inputs, 0 to 5.
    tab.goto(urls[0])
    ballot = tab.get_by_role("group", name="Give each option 0 to 5 points")
    ballot.get_by_label("Library").fill("5")
    ballot.get_by_label("Café").fill("2")
    tab.get_by_role("button", name="Cast my ballot").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you: your ballot is in.")
    library, park, cafe = polls["score"].options.all()
    assert BallotBox.objects.get(poll=polls["score"]).choices == [
        [library.pk, 5],
        [park.pk, 0],
        [cafe.pk, 2],
    ]

    # Dots: 3 to spread; 4 is refused on the server, next to the ballot, nothing stored.
    tab.goto(urls[1])
    expect(
        tab.get_by_text("You have 3 dots to spread; this ballot uses 0, 3 left.")
    ).to_be_visible()
    ballot = tab.get_by_role("group", name="Spread your 3 dots")
    ballot.get_by_label("Library").fill("2")
    ballot.get_by_label("Park").fill("2")
    tab.get_by_role("button", name="Cast my ballot").click()
    expect(tab.get_by_role("alert")).to_have_text("You have 3 dots: you gave 4.")
    expect(tab.get_by_text("this ballot uses 4, 0 left.")).to_be_visible()
    assert not BallotBox.objects.filter(poll=polls["dots"]).exists()
    ballot.get_by_label("Park").fill("1")
    tab.get_by_role("button", name="Cast my ballot").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you: your ballot is in.")

    # Dates: a radio row per date.
    tab.goto(urls[2])
    first, second = polls["dates"].options.all()
    tab.locator(f"input[name='answer_{first.pk}'][value='if_need_be']").check()
    tab.locator(f"input[name='answer_{second.pk}'][value='yes']").check()
    tab.get_by_role("button", name="Cast my ballot").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you: your ballot is in.")
    assert BallotBox.objects.get(poll=polls["dates"]).choices == [
        [first.pk, "if_need_be"],
        [second.pk, "yes"],
    ]

    _no_leaks(tab, live_server, console=[DOCUMENT_400])


def test_organizer_closes_with_an_outcome_and_makes_the_draft_event(
    page, live_server, group, organizer, grace, password, polls
):
    dates = polls["dates"]
    first, second = dates.options.all()
    services.ballot_cast(poll=dates, member=grace, choices={first: "no", second: "yes"})
    log_in(page, organizer.email, password)
    page.goto(dates.get_absolute_url())
    page.get_by_label("The outcome").fill("We meet on the later date.")
    page.get_by_role("button", name="Close the poll now").click()
    expect(page.locator(".messages")).to_have_text("The poll is closed; the results are shown.")
    outcome = page.get_by_role("region", name="What was decided")
    expect(outcome).to_contain_text("We meet on the later date.")
    expect(page.get_by_text('more "if need be" wins')).to_be_attached()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Make a draft event at the winning time").click()
    poll = Poll.objects.select_related("became_event").get(pk=dates.pk)
    assert poll.became_event.starts_at == second.starts_at
    assert poll.outcome == "We meet on the later date."

    page.goto(polls["decision"].get_absolute_url())
    page.get_by_label("The outcome").fill("Passed, names removed first.")
    page.get_by_role("button", name="Close and tell those who took part").click()
    expect(page.get_by_role("region", name="What was decided")).to_contain_text(
        "Passed, names removed first."
    )
    assert axe_violations(page) == []
    _no_leaks(page, live_server)
