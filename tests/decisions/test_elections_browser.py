"""Elections and settings polls in Chromium: an organizer opens an election by the form, the
poll page shows the role, seats, term and candidates, the close shows the transferable-vote
stages and hands over the role; a settings poll is proposed by its form. axe-core finds
nothing on any of these pages, and no request leaves the site."""

import pytest
from playwright.sync_api import expect

from decisions import services
from decisions.models import Election, Option, Poll, SettingPoll
from groups.models import Membership, Role
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCUMENT_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


def _member(group, name: str):
    return MembershipFactory(group=group, user=UserFactory(display_name=name)).user


def _clean(tab, live_server, *, console=()) -> None:
    assert axe_violations(tab) == []
    assert third_party_requests(tab, live_server.url) == []
    assert tab.console_errors == list(console)


def _ids(poll, *labels):
    by_label = dict(Option.objects.filter(poll=poll).values_list("label", "pk"))
    return [by_label[label] for label in labels]


def _stage(tab, number: int):
    rows = tab.locator("table.results").nth(number - 1).locator("tbody tr")
    return rows.evaluate_all(
        "rows => rows.map(row => [row.cells[0].innerText.trim(), row.cells[1].innerText.trim()])"
    )


def test_an_election_by_the_form_counted_by_stv_hands_over_the_role(
    page, live_server, group, organizer, password
):
    ada, grace, lin = (_member(group, n) for n in ("Ada Lovelace", "Grace Hopper", "Lin Ostrom"))
    log_in(page, organizer.email, password)
    page.goto("/polls/")
    page.get_by_role("link", name="Open an election").click()
    _clean(page, live_server)
    page.get_by_label("Co-organizer").check()
    page.get_by_label("Seats").fill("2")
    page.get_by_role("button", name="Open the election").click()
    expect(page.get_by_label("Ada Lovelace")).to_be_visible()
    assert Election.objects.count() == 0
    _clean(page, live_server, console=[DOCUMENT_400])

    for name in ("Ada Lovelace", "Grace Hopper", "Lin Ostrom"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="Open the election").click()
    poll = Poll.objects.get()
    expect(page).to_have_url(f"{live_server.url}{poll.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Election: Co-organizer, 2 seats")
    election = page.locator("section[aria-labelledby=election-title]")
    expect(election).to_contain_text("This election chooses 2 people for the role of Co-organizer.")
    expect(election).to_contain_text("Candidates: Ada Lovelace, Grace Hopper, Lin Ostrom")
    _clean(page, live_server, console=[DOCUMENT_400])

    # Hand count: 4 ballots, 2 seats, quota 4 // 3 + 1 = 2. Stage 1: Ada 3 → elected, surplus
    # 1 passes at 1/3: Grace 1 + 1/3, Lin 2/3. Stage 2: Lin excluded (nothing further: 2/3
    # exhausted). Stage 3: Grace, the one hopeful left for the one seat left, is elected.
    for voter, ranks in (
        (ada, ["Ada Lovelace", "Grace Hopper"]),
        (grace, ["Grace Hopper"]),
        (lin, ["Ada Lovelace", "Lin Ostrom"]),
        (organizer, ["Ada Lovelace", "Lin Ostrom"]),
    ):
        services.ballot_cast(poll=poll, member=voter, choices=_ids(poll, *ranks))
    page.reload()
    page.get_by_role("button", name="Close the poll now").click()
    expect(page.locator("#results-title + p")).to_have_text(
        "4 ballots. Quota: 2 votes. Elected: Ada Lovelace, Grace Hopper."
    )
    expect(page.locator("table.results caption")).to_have_text(
        [
            "Stage 1",
            "Stage 2 · Ada Lovelace’s surplus passed on",
            "Stage 3 · Lin Ostrom excluded, ballots passed on",
        ]
    )
    assert _stage(page, 1) == [
        ["Ada Lovelace (elected)", "3"],
        ["Grace Hopper", "1"],
        ["Lin Ostrom", "0"],
    ]
    assert _stage(page, 2) == [
        ["Ada Lovelace", "2"],
        ["Grace Hopper", "1.33"],
        ["Lin Ostrom", "0.67"],
    ]
    roles = dict(Membership.objects.filter(group=group).values_list("user__display_name", "role"))
    assert [roles["Ada Lovelace"], roles["Grace Hopper"], roles["Lin Ostrom"]] == [
        Role.CO_ORGANIZER,
        Role.CO_ORGANIZER,
        Role.MEMBER,
    ]
    _clean(page, live_server, console=[DOCUMENT_400])

    page.goto("/polls/")
    page.get_by_role("link", name="Propose a change of settings").click()
    page.get_by_label("members may open polls").check()
    page.get_by_label("On", exact=True).check()
    page.get_by_role("button", name="Open the settings poll").click()
    setting = SettingPoll.objects.get()
    expect(page).to_have_url(f"{live_server.url}{setting.poll.get_absolute_url()}")
    expect(page.locator("section[aria-labelledby=setting-title]")).to_contain_text(
        "The members decide the setting “members may open polls”. Yes turns it on."
    )
    _clean(page, live_server, console=[DOCUMENT_400])
