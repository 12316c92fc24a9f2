"""Announcements written in English and Spanish (issue 25, item 9): each member reads it, on
the site and in their email, in their language, and in English where the Spanish is empty."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from conversation import services
from conversation.models import Announcement
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(group):
    return {
        language: MembershipFactory(group=group, user=UserFactory(language=language)).user
        for language in ("en", "es")
    }


def _emails(readers) -> dict:
    by_address = {message.to[0]: message for message in mail.outbox}
    return {language: by_address[user.email] for language, user in readers.items()}


def test_written_in_both_each_member_gets_their_language(
    client, group, organizer, readers, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:conversation_announcement_add"),
            {
                "group": group.pk,
                "subject_en": "Picnic on Sunday",
                "subject_es": " Picnic   el domingo ",
                "body_en": "Bring **food**.",
                "body_es": "Trae **comida**.",
            },
            headers={"accept-language": "es"},  # the organizer reads the admin in Spanish
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    announcement = Announcement.objects.get()
    assert (
        announcement.subject_en,
        announcement.subject_es,
        announcement.body_html_en,
        announcement.body_html_es,
    ) == (
        "Picnic on Sunday",
        "Picnic el domingo",
        "<p>Bring <strong>food</strong>.</p>",
        "<p>Trae <strong>comida</strong>.</p>",
    )
    emails = _emails(readers)
    assert emails["es"].subject.endswith("Picnic el domingo")
    assert "Trae **comida**." in emails["es"].body
    assert emails["en"].subject.endswith("Picnic on Sunday")
    assert "comida" not in emails["en"].body
    html = dict((mime, content) for content, mime in emails["es"].alternatives)["text/html"]
    assert "<p>Trae <strong>comida</strong>.</p>" in html
    client.force_login(readers["es"])
    page = client.get(announcement.get_absolute_url()).content.decode()
    assert ("Picnic el domingo" in page, "Picnic on Sunday" in page) == (True, False)
    client.force_login(readers["en"])
    page = client.get(reverse("conversation:announcements")).content.decode()
    assert ("Picnic on Sunday" in page, "Picnic el domingo" in page) == (True, False)


def test_english_only_reaches_spanish_members_in_english(
    group, organizer, readers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announcement_send(
            group=group, by=organizer, subject="We're moving", body="Soon"
        )
    assert (announcement.subject_es, announcement.body_es) == (None, None)
    emails = _emails(readers)
    assert emails["es"].subject.endswith("We're moving")
    assert "Soon" in emails["es"].body


def test_the_change_form_corrects_each_language(client, group, organizer):
    announcement = services.announcement_send(
        group=group, by=organizer, subject="News", body="Body", subject_es="Noticias"
    )
    client.force_login(organizer)
    url = reverse("admin:conversation_announcement_change", args=[announcement.pk])
    html = client.get(url).content.decode()
    assert re.search(r'<div class="form-row[^"]*field-subject_en field-subject_es', html)
    response = client.post(
        url,
        {
            "subject_en": "News",
            "subject_es": "",
            "body_en": "Body",
            "body_es": "Cuerpo *nuevo*",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    announcement.refresh_from_db()
    assert (announcement.subject_es, announcement.body_html_es) == (
        None,
        "<p>Cuerpo <em>nuevo</em></p>",
    )
    # The English subject stays required.
    response = client.post(url, {"subject_en": " ", "body_en": "Body", "_save": "Save"})
    assert response.status_code == 200
    assert "subject_en" in response.context["adminform"].form.errors
