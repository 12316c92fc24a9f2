import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from core.models import Email, EmailState
from events.models import Breakout, Event, Series, Speaker
from groups.demo import DEMO_ORGANIZER_EMAIL
from groups.models import Group, Membership, ResourceLink, Role, SocialLink
from home.demo import ALBUM_PHOTOS
from members.models import User
from photos.models import Album, Photo, PhotoStatus
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.markdown_checks import out_of_step
from tests.worlds import built_once

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Rosa", "email": "rosa@example.org", "message": "I can host in March."}


def test_home_shows_the_group(client, group, organizer):
    ResourceLink.objects.create(group=group, title="Coop reading list", url="https://a.example/r")
    SocialLink.objects.create(group=group, label="Mastodon", url="https://a.example/@coops")
    MembershipFactory(group=group)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="group-name">Platform Cooperatives NYC</h1>' in html
    assert group.tagline in html
    assert "We talk about <strong>cooperatives</strong>." in html
    assert organizer.display_name in html
    assert "Coop reading list" in html and "https://a.example/r" in html
    assert "Mastodon" in html
    assert 'href="/accounts/signup/"' in html
    assert response.context["counts"] == {"members": 2, "upcoming": 0, "past": 0, "photos": 0}


def test_home_without_a_group_explains_what_to_do(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"seed_demo" in response.content


def test_contact_form_delivers_to_organizers(
    client, group, organizer, django_capture_on_commit_callbacks
):
    co = UserFactory()
    MembershipFactory(group=group, user=co, role=Role.CO_ORGANIZER)
    MembershipFactory(group=group)  # a plain member gets nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", CONTACT)
    assert response.status_code == 302
    assert response["Location"] == "/"
    # One email per organizer (the outbox sends one message to one address), each logged.
    assert sorted(m.to for m in mail.outbox) == sorted([[organizer.email], [co.email]])
    for message in mail.outbox:
        assert message.reply_to == ["rosa@example.org"]
        assert "I can host in March." in message.body
        assert "Rosa" in message.subject
    logged = Email.objects.filter(kind="contact", state=EmailState.SENT)
    assert sorted(logged.values_list("address", "recipient")) == sorted(
        [(organizer.email, organizer.pk), (co.email, co.pk)]
    )


def test_contact_form_rejects_filled_honeypot(
    client, group, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", {**CONTACT, "website": "http://spam.example"})
    assert response.status_code == 400
    assert response.context["contact_form"].errors == {
        "website": ["This field must be left empty."]
    }
    assert mail.outbox == []


def test_contact_form_shows_errors_next_to_fields(
    client, group, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", {**CONTACT, "email": "not-an-email", "message": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_email_error"' in html and "Enter a valid email address." in html
    assert 'aria-invalid="true"' in html
    assert response.context["contact_form"].errors.keys() == {"email", "message"}
    assert mail.outbox == []


def test_contact_form_is_rate_limited(client, group, organizer, django_capture_on_commit_callbacks):
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            statuses.append(client.post("/contact/", CONTACT).status_code)
    assert statuses == [302, 302, 302, 302, 302, 429]
    assert len(mail.outbox) == 5


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (
            Group,
            Membership,
            ResourceLink,
            SocialLink,
            User,
            Event,
            Speaker,
            Album,
            Photo,
        )
    }


def test_home_shows_next_event_and_recent_past(client, group):
    now = timezone.now()
    past = [EventFactory(starts_at=now - timedelta(days=i * 30)) for i in (1, 2, 3, 4)]
    nxt = EventFactory(starts_at=now + timedelta(days=5))
    EventFactory(starts_at=now + timedelta(days=50))
    response = client.get("/")
    assert response.context["next_event"] == nxt
    assert response.context["recent_past"] == past[:3]
    assert response.context["counts"]["upcoming"] == 2
    assert response.context["counts"]["past"] == 4


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The media folder of the demo, seeded as `make run` seeds it: DEBUG on (with it off
    seed_demo refuses, tests/config), the photo worker run after the commit."""
    media = tmp_path_factory.mktemp("demo-media")

    def build():
        with (
            override_settings(DEBUG=True, MEDIA_ROOT=media),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            call_command("seed_demo", stdout=io.StringIO())
        return media

    yield from built_once(django_db_blocker, build)


class TestTheDemo:
    """The demo group `make run` loads, seeded once for the class (`seeded`, tests/worlds.py):
    each test that seeded it again took 3-4 s."""

    def test_seed_demo_is_idempotent(self, seeded, settings, django_capture_on_commit_callbacks):
        settings.DEBUG = True  # as `make run` loads it; with DEBUG off it refuses (tests/config)
        settings.MEDIA_ROOT = tmp_path = seeded
        first = _snapshot()
        files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=io.StringIO())
        assert _snapshot() == first
        assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()) == files
        # Pictures drawn by home/demo.py, stored through the upload pipelines.
        group = Group.objects.get()
        assert (tmp_path / group.cover_image.name).exists()
        assert all(event.cover_image for event in Event.objects.all())
        covers = [group.cover_image.name, *Event.objects.values_list("cover_image", flat=True)]
        renditions = [
            name.replace(".jpg", f"-600.{ext}") for name in covers for ext in ("jpg", "webp")
        ]
        assert [name for name in renditions if not (tmp_path / name).exists()] == []
        assert all(speaker.photo for speaker in Speaker.objects.all())
        # Every demo member but the demo organizer has a face and a few words on their profile.
        people = User.objects.exclude(email=DEMO_ORGANIZER_EMAIL).order_by("display_name")
        assert [(p.display_name, bool(p.avatar), bool(p.bio), bool(p.city)) for p in people] == [
            (name, True, True, True) for name in ["Austin", "Dev", "Lin", "Mike", "Rosa"]
        ]
        album = Album.objects.get()
        photos = list(album.photos.values_list("status", "caption"))
        assert photos == [(PhotoStatus.PUBLISHED, caption) for caption, _alt in ALBUM_PHOTOS]
        assert all(photo.has_renditions for photo in album.photos.all())
        organizers = sorted(
            group.memberships.organizers().values_list("user__display_name", flat=True)
        )
        # Lin and the demo organizer were elected co-organizers (decisions/demo.py).
        assert organizers == ["Austin", "Demo Organizer", "Lin", "Mike"]
        # Its Markdown is stored rendered, as every writer stores it.
        markdown_rows = [
            group,
            *Event.objects.all(),
            *Series.objects.all(),
            *Speaker.objects.all(),
            *Breakout.objects.all(),
        ]
        assert out_of_step(*markdown_rows) == []
        assert group.html["about"].startswith("<p>We imagine online platforms")

    def test_the_demo_decides_together(self, seeded):
        """A consent proposal with a stand-aside and its reason, a closed dates poll made an event,
        a past election of co-organizers who facilitate (decisions/demo.py)."""
        from decisions.demo import CONSENT_TITLE, DATES_QUESTION
        from decisions.models import Decision, Election, Poll

        decision = Decision.objects.get(title=CONSENT_TITLE)
        positions = dict(decision.positions.values_list("member__display_name", "position"))
        assert positions == {"Rosa": "agree", "Lin": "agree", "Dev": "abstain", "Austin": "agree"}
        assert decision.positions.get(position="abstain").reason.startswith("I stand aside")
        dates = Poll.objects.get(question=DATES_QUESTION)
        assert (dates.method, dates.is_closed(), bool(dates.outcome)) == ("dates", True, True)
        assert dates.became_event.starts_at == dates.options.get(position=1).starts_at
        election = Election.objects.get()
        assert (election.role, election.seats, election.applied_at is not None) == (
            "co_organizer",
            2,
            True,
        )
        memberships = Group.objects.get().memberships
        roles = dict(memberships.values_list("user__display_name", "role"))
        assert (roles["Lin"], roles["Demo Organizer"], roles["Dev"]) == (
            "co_organizer",
            "co_organizer",
            "member",
        )
