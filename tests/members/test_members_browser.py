import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from groups.models import Membership
from members.models import User
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium logs every 4xx answer as a console error, documents included. The delete form
# answers a wrong password with 400 (members.views.delete_account), so this one is expected.
DOCUMENT_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


def _member(group, **kwargs):
    return MembershipFactory(group=group, user=UserFactory(**kwargs)).user


def test_profile_edit_hides_member_from_attendee_lists(page, live_server, group, password):
    member = _member(group, display_name="Ada Lovelace")
    shown = _member(group, display_name="Grace Hopper")
    event = EventFactory(starts_at=timezone.now() + timedelta(days=5), capacity=10)
    services.rsvp_set(event=event, member=member, going=True)
    services.rsvp_set(event=event, member=shown, going=True)
    log_in(page, member.email, password)

    page.goto(event.get_absolute_url())
    expect(page.locator("#rsvp .attendees li")).to_have_text(["Ada Lovelace", "Grace Hopper"])

    page.goto("/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    assert axe_violations(page) == []
    page.get_by_label("Pronouns", exact=True).fill("she/her")
    page.get_by_label("Short bio", exact=True).fill("Writes the first programs.")
    page.get_by_label("City", exact=True).fill("London")
    page.get_by_label("Links", exact=True).fill("https://example.org/ada")
    checkbox = page.get_by_label("Show me in attendee lists", exact=True)
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.locator(".messages")).to_have_text("Your profile is saved.")
    expect(page.get_by_label("Show me in attendee lists", exact=True)).not_to_be_checked()
    assert axe_violations(page) == []
    member.refresh_from_db()
    assert (member.pronouns, member.bio, member.city, member.links) == (
        "she/her",
        "Writes the first programs.",
        "London",
        "https://example.org/ada",
    )
    assert member.show_in_attendee_lists is False
    assert member.display_name == "Ada Lovelace"

    # The weekly email is asked for, never assumed (issue 26 item 9), on /me/'s emails section.
    page.goto("/me/notifications/")
    weekly = page.get_by_label("A weekly email of what happened in the group", exact=True)
    expect(weekly).not_to_be_checked()
    weekly.check()
    page.get_by_role("button", name="Save email preferences").click()
    expect(page.locator(".messages")).to_have_text("Your email preferences are saved.")
    expect(page.get_by_label("A weekly email of what happened in the group")).to_be_checked()
    assert axe_violations(page) == []
    member.refresh_from_db()
    assert member.notify_weekly is True

    page.goto(event.get_absolute_url())
    expect(page.locator("#rsvp .attendees li")).to_have_text(["Grace Hopper"])
    expect(page.locator("#rsvp")).not_to_contain_text("Ada Lovelace")
    expect(page.locator("#rsvp p.muted").filter(has_text="more member")).to_have_text(
        "and 1 more member who keeps their name private"
    )
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_download_my_data_gives_zip_with_data_and_readme(page, live_server, group, password):
    member = _member(group, display_name="Ada Lovelace", email="ada@example.org")
    log_in(page, member.email, password)
    page.goto("/me/data/")
    before = timezone.now().strftime("%Y-%m-%d")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value

    after = timezone.now().strftime("%Y-%m-%d")
    assert download.failure() is None
    assert download.suggested_filename in {
        f"potluck-my-data-{before}.zip",
        f"potluck-my-data-{after}.zip",
    }
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("data.json"))
        readme = archive.read("README.txt").decode()
    assert sorted(names) == ["README.txt", "data.json"]
    assert data["format"] == "potluck-member-export/1"
    assert data["account"]["email"] == "ada@example.org"
    assert data["account"]["display_name"] == "Ada Lovelace"
    assert [m["group"] for m in data["memberships"]] == [group.name]
    assert readme.startswith("Your data from Potluck\n")
    # The download leaves the member on their account page.
    expect(page).to_have_url(f"{live_server.url}/me/data/")
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_directory_search_finds_exactly_the_searched_member(page, live_server, group, password):
    viewer = _member(group, display_name="Viewer")
    ada = _member(group, display_name="Ada Lovelace", pronouns="she/her", city="London")
    _member(group, display_name="Grace Hopper")
    _member(group, display_name="Adam Smith")
    log_in(page, viewer.email, password)

    page.goto("/members/")
    expect(page.locator(".member-cards li a")).to_have_text(
        ["Ada Lovelace", "Adam Smith", "Grace Hopper", "Viewer"]
    )
    assert axe_violations(page) == []

    page.get_by_label("Search by name", exact=True).fill("lovelace")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/members/?q=lovelace")
    results = page.locator(".member-cards li a")
    expect(results).to_have_text(["Ada Lovelace"])
    expect(results).to_have_attribute("href", f"/members/{ada.pk}/")
    assert axe_violations(page) == []

    results.click()
    expect(page).to_have_url(f"{live_server.url}/members/{ada.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    expect(page.locator(".profile-meta")).to_have_text("she/her · London")
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_directory_search_without_match_says_so(page, live_server, group, password):
    viewer = _member(group, display_name="Viewer")
    log_in(page, viewer.email, password)
    page.goto("/members/?q=nobody")
    expect(page.locator(".member-cards")).to_have_count(0)
    expect(page.get_by_text("Nobody's name matches “nobody”.")).to_be_visible()
    expect(page.get_by_role("link", name="See everyone")).to_have_attribute("href", "/members/")
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_leave_confirmation_from_account_page_passes_axe(page, live_server, group, password):
    member = _member(group, display_name="Ada Lovelace")
    log_in(page, member.email, password)
    page.goto("/me/data/")
    page.get_by_role("link", name="Leave the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Leave {group.name}?")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Stay").click()
    expect(page).to_have_url(f"{live_server.url}/me/")
    assert Membership.objects.filter(group=group, user=member).exists()
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_delete_account_wrong_password_then_right_password(page, live_server, group, password):
    member = _member(group, display_name="Ada Lovelace")
    pk, email = member.pk, member.email
    log_in(page, email, password)

    page.goto("/me/data/")
    page.get_by_role("link", name="Delete my account").click()
    expect(page).to_have_url(f"{live_server.url}/me/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete my account")
    assert axe_violations(page) == []

    field = page.get_by_label("Your password", exact=True)
    field.fill("not my password")
    with page.expect_response(f"{live_server.url}/me/delete/") as refused:
        page.get_by_role("button", name="Delete my account for good").click()
    assert refused.value.status == 400
    expect(page).to_have_url(f"{live_server.url}/me/delete/")
    error = page.locator("#id_password_error")
    expect(error).to_have_text("That is not your password.")
    # The error sits right before the field and is announced with it.
    expect(page.locator("#id_password_error + #id_password")).to_have_count(1)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "id_password_helptext id_password_error")
    assert axe_violations(page) == []
    assert User.objects.filter(pk=pk).exists()
    assert page.console_errors == [DOCUMENT_400]

    page.get_by_label("Your password", exact=True).fill(password)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_have_text(
        "Your account and your personal data are deleted. Goodbye!"
    )
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    assert not User.objects.filter(pk=pk).exists()
    assert not User.objects.filter(email__iexact=email).exists()

    log_in(page, email, password)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="My account")).to_have_count(0)
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == [DOCUMENT_400]
