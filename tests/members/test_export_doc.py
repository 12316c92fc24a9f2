"""docs/data-export.md lists every section and field of the export's data.json, and no others.

The table's section is the first backticked name of its first cell; its fields are the
backticked names of its third cell once the parenthesised parts (which hold values, not
fields) are removed. Keys of objects nested inside a field (`answers`, `earlier_versions`) are
described in parentheses and not compared here.
"""

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conversation import services as conversation
from decisions import services as decisions
from members import services
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.members.test_data import media_root, rich_member  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-export.md"
# Named by the doc's prose, not its table.
TOP_LEVEL = {"format", "exported_at"}


def _without_parentheses(text: str) -> str:
    while (shorter := re.sub(r"\([^()]*\)", "", text)) != text:
        text = shorter
    return text


def _backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def doc_table(text: str) -> dict[str, tuple[str, list[str]]]:
    """{section: (type, [field, …])} from the doc's "| section | type | fields |" table."""
    lines = iter(text.splitlines())
    for line in lines:
        if re.fullmatch(r"\|\s*section\s*\|\s*type\s*\|\s*fields\s*\|", line.strip()):
            break
    else:
        raise AssertionError("no | section | type | fields | table in the doc")
    table: dict[str, tuple[str, list[str]]] = {}
    for line in lines:
        line = line.strip()
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if all(set(cell) <= set("-: ") for cell in cells):
            continue  # the separator row
        assert len(cells) == 3, line
        [section, *_rest] = _backticked(cells[0])
        assert section not in table, f"{section} twice in the table"
        table[section] = (cells[1], _backticked(_without_parentheses(cells[2])))
    return table


def test_parsing_skips_values_in_parentheses():
    text = (
        "| section | type | fields |\n| --- | --- | --- |\n"
        "| `s` | list | `a`, `b` (`x`, or `y` (`z`)), `c` (a list of `d`): prose |\n\nAfter.\n"
    )
    assert doc_table(text) == {"s": ("list", ["a", "b", "c"])}


@pytest.fixture
def everything(rich_member, group, organizer):  # noqa: F811 - the imported fixture
    """rich_member, with something in every section the other apps add too."""
    user = rich_member["user"]
    other = MembershipFactory(group=group, user=UserFactory(display_name="Otto Other")).user
    now = timezone.now()
    event = EventFactory(group=group, title="Bike repair night")
    comment = conversation.comment_add(event=event, author=user, body="Zelda asks")
    conversation.comment_edit(comment=comment, by=user, body="Zelda asks better")
    conversation.comment_add(event=event, author=user, body="Zelda adds", parent=comment)
    mine = conversation.thread_start(group=group, author=user, title="Coops", body="Let's talk")
    conversation.thread_edit(thread=mine, by=user, title="Co-ops", body="Let us talk")
    theirs = conversation.thread_start(group=group, author=other, title="Otto's", body="Otto")
    reply = conversation.thread_reply(thread=theirs, author=user, body="Zelda replies")
    conversation.reply_edit(reply=reply, by=user, body="Zelda replies, edited")
    conversation.report_file(item=theirs, by=user, reason="off_topic", details="Not co-ops")
    decisions.proposal_add(
        group=group, author=user, kind="guest", title="Invite Grace", contact="grace@example.org"
    )
    ottos = decisions.proposal_add(group=group, author=other, kind="topic", title="Otto's idea")
    decisions.proposal_support(proposal=ottos, member=user)
    poll = decisions.poll_open(
        group=group,
        by=organizer,
        question="Which talk first?",
        method="ranked",
        options=["Housing", "Mutual aid"],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
    )
    decisions.ballot_cast(poll=poll, member=user, choices=list(poll.options.all()))
    consent = decisions.decision_open(
        group=group, by=organizer, title="Notes", body="Publish them.", closes_at=poll.closes_at
    )
    decisions.position_state(decision=consent, member=user, position="block", reason="Names.")
    conversation.member_mute(group=group, member=user, by=organizer, until=now + timedelta(days=2))
    return user


def _data_json(user) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(services.member_export(member=user)))
    return json.loads(archive.read("data.json"))


def test_doc_lists_every_section_and_field_of_the_export(everything):
    text = DOC.read_text(encoding="utf-8")
    table = doc_table(text)
    data = _data_json(everything)

    assert set(data) >= TOP_LEVEL
    assert f'`"format": "{services.EXPORT_FORMAT}"`' in text
    assert data["format"] == services.EXPORT_FORMAT
    assert '`"exported_at"`' in text
    assert set(table) == set(data) - TOP_LEVEL

    for section, (kind, fields) in table.items():
        value = data[section]
        assert len(fields) == len(set(fields)), f"{section}: a field listed twice"
        if kind == "object":
            assert isinstance(value, dict), section
            rows = [value]
        else:
            assert kind == "list", f"{section}: type {kind!r}"
            assert isinstance(value, list), section
            assert value, f"{section}: the member has none, so its fields go unchecked"
            rows = value
        for row in rows:
            assert sorted(fields) == sorted(row), section
    assert data["muted"]["since"] is not None
