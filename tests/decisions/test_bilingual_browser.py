"""Opening a poll in both languages, in Chromium: the Spanish part is folded until asked for,
says what is wrong next to its field, and axe-core finds nothing either way."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions.models import Poll
from tests.browser import axe_violations, log_in, third_party_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCUMENT_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


def test_organizer_opens_a_poll_in_both_languages(page, live_server, organizer, password):
    log_in(page, organizer.email, password)
    page.goto("/polls/new/")
    spanish = page.get_by_label("Question in Spanish")
    expect(spanish).to_be_hidden()  # folded while empty
    assert axe_violations(page) == []
    page.get_by_text("In Spanish too (optional)").click()
    expect(spanish).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Question", exact=True).fill("Where do we meet?")
    page.get_by_label("Options", exact=True).fill("Library\nPark")
    spanish.fill("¿Dónde nos vemos?")
    options_es = page.get_by_label("Options in Spanish")
    options_es.fill("Biblioteca")
    page.get_by_role("button", name="Open the poll").click()
    # Refused: the Spanish part stays open with the message next to the field.
    expect(options_es).to_be_visible()
    expect(options_es).to_have_accessible_description(
        "One per line, in the same order as the options, or none. "
        "⚠ Give each option in Spanish, in the same order, or none."
    )
    assert Poll.objects.count() == 0
    assert axe_violations(page) == []

    options_es.fill("Biblioteca\nParque")
    page.get_by_role("button", name="Open the poll").click()
    poll = Poll.objects.get()
    expect(page).to_have_url(f"{live_server.url}{poll.get_absolute_url()}")
    assert (poll.question_es, [o.label_es for o in poll.options.all()]) == (
        "¿Dónde nos vemos?",
        ["Biblioteca", "Parque"],
    )
    page.goto(f"{poll.get_absolute_url()}?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Dónde nos vemos?")
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == [DOCUMENT_400]
    assert poll.closes_at > timezone.now() + timedelta(days=1)
