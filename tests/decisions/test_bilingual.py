"""The board's section for proposals is named in each language, and found whatever language
the proposer reads."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conversation.models import Category
from decisions import services
from decisions.models import Poll

pytestmark = pytest.mark.django_db


def test_the_proposals_section_has_both_names_and_is_made_once(group, member):
    with translation.override("es"):
        services.proposal_add(group=group, author=member, kind="topic", title="Huertos")
    services.proposal_add(group=group, author=member, kind="topic", title="Gardens")
    (section,) = Category.objects.filter(group=group)
    assert (section.name_en, section.name_es) == ("Proposals", "Propuestas")
    with translation.override("es"):
        assert section.name == "Propuestas"
    assert section.threads.count() == 2


# --- Polls written in both languages (issue 25, item 9) ----------------------------------------


def _poll_form(**spanish):
    # Read in the group's time zone (New York), as the page says.
    now = timezone.localtime(timezone.now(), ZoneInfo("America/New_York"))
    return {
        "question": "Where do we meet?",
        "details": "We *vote*.",
        "options": "Library\nPark",
        "method": "single",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "voters": "members",
        **spanish,
    }


def test_a_poll_opened_with_its_spanish_is_read_in_each_language(client, organizer, member):
    client.force_login(organizer)
    response = client.post(
        reverse("decisions:poll_new"),
        _poll_form(
            question_es="¿Dónde nos vemos?",
            details_es="*Votamos*.",
            options_es="Biblioteca\nParque",
        ),
        headers={"accept-language": "es"},  # the opener reads Spanish: the main text is English
    )
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert (poll.question_en, poll.question_es, poll.details_html_es) == (
        "Where do we meet?",
        "¿Dónde nos vemos?",
        "<p><em>Votamos</em>.</p>",
    )
    assert list(poll.options.values_list("label_en", "label_es")) == [
        ("Library", "Biblioteca"),
        ("Park", "Parque"),
    ]
    client.force_login(member)
    spanish = client.get(poll.get_absolute_url(), headers={"accept-language": "es"}).text
    assert ["¿Dónde nos vemos?" in spanish, "Biblioteca" in spanish, "Library" in spanish] == [
        True,
        True,
        False,
    ]
    english = client.get(poll.get_absolute_url(), headers={"accept-language": "en"}).text
    assert ["Where do we meet?" in english, "Library" in english, "Biblioteca" in english] == [
        True,
        True,
        False,
    ]


def test_a_poll_without_spanish_shows_the_english_to_spanish_readers(
    client, group, organizer, member
):
    poll = services.poll_open(
        group=group,
        by=organizer,
        question="Tea or coffee?",
        options=["Tea", "Coffee"],
        method="single",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=1),
    )
    assert list(poll.options.values_list("label_es", flat=True)) == [None, None]
    client.force_login(member)
    with translation.override("es"):
        assert (poll.question, [o.label for o in poll.options.all()]) == (
            "Tea or coffee?",
            ["Tea", "Coffee"],
        )
    page = client.get(poll.get_absolute_url(), headers={"accept-language": "es"}).text
    assert ("Tea or coffee?" in page, "Coffee" in page) == (True, True)


def test_spanish_options_must_match_the_options(client, organizer):
    client.force_login(organizer)
    response = client.post(reverse("decisions:poll_new"), _poll_form(options_es="Biblioteca"))
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "options_es": ["Give each option in Spanish, in the same order, or none."]
    }
    assert Poll.objects.exists() is False
    page = response.content.decode()
    assert '<details class="in-spanish" open>' in page


def test_the_spanish_part_of_the_form_is_folded_when_empty(client, organizer):
    client.force_login(organizer)
    page = client.get(reverse("decisions:poll_new")).content.decode()
    assert '<details class="in-spanish">' in page
    assert 'name="question_es"' in page and 'lang="es"' in page


def test_the_poll_email_asks_each_member_in_their_language(
    group, organizer, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.factories import MembershipFactory, UserFactory

    readers = {
        language: MembershipFactory(
            group=group, user=UserFactory(language=language, notify_decisions=True)
        ).user
        for language in ("en", "es")
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_open(
            group=group,
            by=organizer,
            question="Tea or coffee?",
            question_es="¿Té o café?",
            options=["Tea", "Coffee"],
            options_es=["Té", "Café"],
            method="single",
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
        )
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "¿Té o café?" in subjects[readers["es"].email]
    assert "Tea or coffee?" in subjects[readers["en"].email]
