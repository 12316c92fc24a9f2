"""What members write in conversations, in their data: the export, the privacy page, and what
happens to it when they delete their account (their choice: delete it, or keep it unsigned)."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.html import escape

from conversation import data, services
from conversation.models import Comment, Reply, Revision, Thread
from members import services as member_services
from members.data import WritingOnDelete
from members.models import User
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def _at(hours: int) -> datetime:
    return NOW + timedelta(hours=hours)


def _iso(hours: int) -> str:
    return _at(hours).isoformat()


@pytest.fixture
def other(group):
    return MembershipFactory(
        group=group, user=UserFactory(display_name="Otto Other", email="otto@example.org")
    ).user


@pytest.fixture
def writing(group, member, other, organizer):
    """What `member` and `other` wrote: comments, discussions and replies, some edited,
    each with replies by the other person."""
    event = EventFactory(group=group, title="Bike repair night")
    mine = services.comment_add(event=event, author=member, body="Mine asked", now=_at(1))
    services.comment_edit(comment=mine, by=member, body="Mine asked better", now=_at(2))
    answered = services.comment_add(
        event=event, author=other, body="Otto answered", parent=mine, now=_at(3)
    )
    alone = services.comment_add(event=event, author=member, body="Mine alone", now=_at(4))
    theirs = services.comment_add(event=event, author=other, body="Otto asked", now=_at(5))
    my_answer = services.comment_add(
        event=event, author=member, body="Mine answered", parent=theirs, now=_at(6)
    )
    my_thread = services.thread_start(
        group=group, author=member, title="Mine titled", body="Mine opened", now=_at(7)
    )
    services.thread_edit(
        thread=my_thread, by=member, title="Mine retitled", body="Mine reopened", now=_at(8)
    )
    otto_in_mine = services.thread_reply(
        thread=my_thread, author=other, body="Otto replied", now=_at(9)
    )
    services.reply_edit(reply=otto_in_mine, by=other, body="Otto replied, edited", now=_at(10))
    services.thread_reply(thread=my_thread, author=member, body="Mine replied", now=_at(11))
    lonely = services.thread_start(
        group=group, author=member, title="Mine lonely", body="Mine only", now=_at(12)
    )
    services.thread_reply(thread=lonely, author=member, body="Mine again", now=_at(13))
    their_thread = services.thread_start(
        group=group, author=other, title="Otto titled", body="Otto opened", now=_at(14)
    )
    in_theirs = services.thread_reply(
        thread=their_thread, author=member, body="Mine replied there", now=_at(15)
    )
    services.reply_edit(reply=in_theirs, by=member, body="Mine replied there, edited", now=_at(16))
    services.thread_reply(thread=their_thread, author=other, body="Otto again", now=_at(17))
    return {
        "event": event,
        "mine": mine,
        "answered": answered,
        "alone": alone,
        "theirs": theirs,
        "my_answer": my_answer,
        "my_thread": my_thread,
        "otto_in_mine": otto_in_mine,
        "lonely": lonely,
        "their_thread": their_thread,
        "in_theirs": in_theirs,
    }


OTTOS_WORDS = ("Otto answered", "Otto asked", "Otto replied", "Otto opened", "Otto again")


# --- Export ------------------------------------------------------------------------------------


def test_export_has_the_members_writing_and_nothing_by_others(
    group, member, other, organizer, writing
):
    report = services.report_file(
        item=writing["theirs"],
        by=member,
        reason="off_topic",
        details="Not about bikes",
        now=_at(18),
    )
    services.report_file(item=writing["mine"], by=other, reason="spam", details="Otto reported")
    mute = services.member_mute(group=group, member=member, by=organizer, until=_at(48))
    archive = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member)))
    exported = json.loads(archive.read("data.json"))
    event = writing["event"]
    assert exported["comments"] == [
        {
            "event": "Bike repair night",
            "in_reply_to": None,
            "number": writing["mine"].pk,
            "body": "Mine asked better",
            "written_at": _iso(1),
            "edited_at": _iso(2),
            "hidden": False,
            "earlier_versions": [{"body": "Mine asked", "replaced_at": _iso(2)}],
        },
        {
            "event": event.title,
            "in_reply_to": None,
            "number": writing["alone"].pk,
            "body": "Mine alone",
            "written_at": _iso(4),
            "edited_at": None,
            "hidden": False,
            "earlier_versions": [],
        },
        {
            "event": event.title,
            "in_reply_to": writing["theirs"].pk,
            "number": writing["my_answer"].pk,
            "body": "Mine answered",
            "written_at": _iso(6),
            "edited_at": None,
            "hidden": False,
            "earlier_versions": [],
        },
    ]
    assert exported["discussions"] == [
        {
            "discussion": "Mine retitled",
            "started": True,
            "body": "Mine reopened",
            "written_at": _iso(7),
            "edited_at": _iso(8),
            "hidden": False,
            "earlier_versions": [
                {"title": "Mine titled", "body": "Mine opened", "replaced_at": _iso(8)}
            ],
        },
        {
            "discussion": "Mine retitled",
            "started": False,
            "body": "Mine replied",
            "written_at": _iso(11),
            "edited_at": None,
            "hidden": False,
            "earlier_versions": [],
        },
        {
            "discussion": "Mine lonely",
            "started": True,
            "body": "Mine only",
            "written_at": _iso(12),
            "edited_at": None,
            "hidden": False,
            "earlier_versions": [],
        },
        {
            "discussion": "Mine lonely",
            "started": False,
            "body": "Mine again",
            "written_at": _iso(13),
            "edited_at": None,
            "hidden": False,
            "earlier_versions": [],
        },
        {
            "discussion": "Otto titled",
            "started": False,
            "body": "Mine replied there, edited",
            "written_at": _iso(15),
            "edited_at": _iso(16),
            "hidden": False,
            "earlier_versions": [{"body": "Mine replied there", "replaced_at": _iso(16)}],
        },
    ]
    assert exported["follows"] == [
        {"discussion": "Mine retitled", "since": _iso(7)},
        {"discussion": "Mine lonely", "since": _iso(12)},
        {"discussion": "Otto titled", "since": _iso(15)},
    ]
    assert exported["reports"] == [
        {
            "about": "comment",
            "reason": "off_topic",
            "details": "Not about bikes",
            "status": "open",
            "reported_at": _iso(18),
        }
    ]
    assert report.by == member
    assert exported["muted"] == {
        "since": mute.created_at.astimezone(UTC).isoformat(),
        "until": _iso(48),
    }
    raw = archive.read("data.json").decode()
    assert [words for words in (*OTTOS_WORDS, "Otto reported", "otto@") if words in raw] == []


def test_export_rows_have_exactly_the_keys_the_sections_describe(member, writing):
    services.report_file(item=writing["theirs"], by=member, reason="spam")
    exported = json.loads(
        zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member))).read("data.json")
    )
    for section in data.SECTIONS:
        entries = exported[section.key]
        rows = entries if isinstance(entries, list) else [entries]
        assert rows != [], section.key
        for row in rows:
            assert sorted(row) == sorted(item.key for item in section.items), section.key


def test_export_without_conversations_has_empty_sections(member):
    exported = json.loads(
        zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member))).read("data.json")
    )
    assert {section.key: exported[section.key] for section in data.SECTIONS} == {
        "comments": [],
        "discussions": [],
        "follows": [],
        "reports": [],
        "muted": {"since": None, "until": None},
    }


def test_export_readme_lists_every_key_of_the_new_sections(member):
    archive = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member)))
    readme = archive.read("README.txt").decode()
    for section in data.SECTIONS:
        assert f"== {section.key}: {section.title} ==" in readme
        for item in section.items:
            assert f"  {item.key}: {item.label}. {item.meaning}" in readme


# --- The privacy page --------------------------------------------------------------------------


def test_privacy_page_shows_the_sections_and_the_deletion_choices(client):
    page = client.get("/privacy/").content.decode()
    for section in data.SECTIONS:
        assert f">{escape(section.title)}</h2>" in page
        assert f"{escape(section.why)}" in page
        for item in section.items:
            assert f"<dt>{escape(item.label)}</dt><dd>{escape(item.meaning)}</dd>" in page
    assert len(WritingOnDelete.labels) == 2
    for label in WritingOnDelete.labels:
        assert f"<li>{escape(label)}</li>" in page


# --- Deleting the account ----------------------------------------------------------------------


def test_delete_page_offers_both_choices_as_radio_buttons(client, member):
    client.force_login(member)
    page = client.get("/me/delete/").content.decode()
    radios = re.findall(r'<input type="radio" name="writing" value="(\w+)"[^>]*>', page)
    assert radios == ["delete", "keep"]
    checked = re.findall(r'<input type="radio" name="writing" value="(\w+)"[^>]*checked', page)
    assert checked == ["delete"]
    for label in WritingOnDelete.labels:
        assert f"{escape(label)}" in page


def _delete_account(client, member, password, writing_choice):
    client.force_login(member)
    response = client.post("/me/delete/", {"password": password, "writing": writing_choice})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()


def test_delete_account_deleting_writing(client, member, other, password, writing):
    _delete_account(client, member, password, "delete")
    # Comments: a marker where Otto replied, the rest gone; Otto's are all there.
    mine = Comment.objects.get(pk=writing["mine"].pk)
    assert (mine.author, mine.body, mine.body_html, mine.deleted_at is None) == (
        None,
        "",
        "",
        False,
    )
    assert sorted(Comment.objects.values_list("body", flat=True)) == sorted(
        ["", "Otto answered", "Otto asked"]
    )
    assert list(mine.replies.all()) == [writing["answered"]]
    # Discussions: Otto replied in "Mine retitled", which stays as a marker with his reply.
    my_thread = Thread.objects.get(pk=writing["my_thread"].pk)
    assert (my_thread.author, my_thread.title, my_thread.body, my_thread.body_html) == (
        None,
        "",
        "",
        "",
    )
    assert my_thread.deleted_at is not None
    assert list(my_thread.replies.all()) == [writing["otto_in_mine"]]
    assert my_thread.reply_count == 1
    assert list(Thread.objects.order_by("pk")) == [my_thread, writing["their_thread"]]
    their_thread = Thread.objects.get(pk=writing["their_thread"].pk)
    assert list(their_thread.replies.values_list("body", flat=True)) == ["Otto again"]
    assert their_thread.reply_count == 1
    assert sorted(Reply.objects.values_list("body", flat=True)) == [
        "Otto again",
        "Otto replied, edited",
    ]
    # Only Otto's earlier version is left.
    assert list(Revision.objects.values_list("body", "reply")) == [
        ("Otto replied", writing["otto_in_mine"].pk)
    ]


def test_delete_account_keeping_writing(client, group, member, other, password, writing):
    name = "Zelda Quartzfeld"
    member.display_name = name
    member.save(update_fields=["display_name"])
    _delete_account(client, member, password, "keep")
    assert Comment.objects.filter(author__isnull=True).count() == 3
    assert Thread.objects.filter(author__isnull=True).count() == 2
    assert Reply.objects.filter(author__isnull=True).count() == 3
    assert Revision.objects.count() == 4
    mine = Comment.objects.get(pk=writing["mine"].pk)
    assert (mine.body, mine.deleted_at) == ("Mine asked better", None)
    client.force_login(other)
    for url in (
        writing["mine"].get_absolute_url(),
        writing["event"].get_absolute_url(),
        writing["my_thread"].get_absolute_url(),
        writing["their_thread"].get_absolute_url(),
        "/discussions/",
    ):
        page = client.get(url).content.decode()
        assert "A former member" in page, url
        assert name not in page, url
    thread_page = client.get(writing["my_thread"].get_absolute_url()).content.decode()
    assert "Mine reopened" in thread_page
    assert "Mine replied" in thread_page
