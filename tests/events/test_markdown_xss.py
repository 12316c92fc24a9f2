"""No script survives any Markdown field, whatever the organizer (or an intruder) types."""

from html.parser import HTMLParser

import pytest
from django.conf import settings

from core.markdown import markdown_store, render_markdown
from events.models import Breakout, Event, EventSpeaker, Series, Speaker
from groups.models import Group
from tests.factories import BreakoutFactory, EventFactory, SeriesFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><input type=submit>",
    "<input autofocus onfocus=alert(1)>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<link rel=stylesheet href=javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "<scr<script>ipt>alert(1)</script>",
    '"><script>alert(1)</script>',
    '<a href="http://example.org" onclick="alert(1)">x</a>',
    "`<script>alert(1)</script>`",
    '<IMG SRC="jav\tascript:alert(1);">',
]
# Never acceptable anywhere in a page (our JSON-LD data block aside).
PAGE_FORBIDDEN = {"script", "iframe", "object", "embed", "svg", "math", "base", "style"}
# Also never produced by Markdown rendering (the page template has its own forms and metas).
MARKDOWN_FORBIDDEN = PAGE_FORBIDDEN | {"img", "form", "input", "meta", "link", "details", "body"}


def is_own_script(tag: str, attributes: dict) -> bool:
    """Our own script files (static/js: the visitor's local time, the upload form)."""
    return tag == "script" and (attributes.get("src") or "").startswith(settings.STATIC_URL)


class Inspector(HTMLParser):
    def __init__(self, forbidden):
        super().__init__()
        self.forbidden = forbidden
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        is_data_block = tag == "script" and attributes.get("type") == "application/ld+json"
        if tag in self.forbidden and not is_data_block and not is_own_script(tag, attributes):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag} {name}")
            if value and name in {"href", "src", "action", "data", "formaction"}:
                cleaned = "".join(value.split()).lower()
                if cleaned.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value}")


def _problems(html: str, forbidden=PAGE_FORBIDDEN) -> list[str]:
    inspector = Inspector(forbidden)
    inspector.feed(html)
    return inspector.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_markdown_neutralizes(payload):
    html = render_markdown(payload)
    assert _problems(html, MARKDOWN_FORBIDDEN) == []
    assert "<script" not in html.lower()


def _every_markdown_field(group, body):
    """One row of each model with Markdown fields, written the way the writers write them
    (markdown_store, which the services, importer, admin and factories call)."""
    group.about = group.step_up = body
    group.save(update_fields=["about", "step_up", *markdown_store(group)])
    series = SeriesFactory(group=group, description=body)
    speaker = SpeakerFactory(bio=body)
    event = EventFactory(series=series, description=body)
    EventSpeaker.objects.create(event=event, speaker=speaker)
    breakout = BreakoutFactory(event=event, topic="T", notes=body, notes_published=True)
    return series, speaker, event, breakout


def test_every_markdown_field_is_sanitized_on_its_page(client, group):
    series, speaker, event, breakout = _every_markdown_field(group, "\n\n".join(PAYLOADS))
    shown = {
        "/": [group.about_html, group.step_up_html],
        event.get_absolute_url(): [event.description_html, speaker.bio_html, breakout.notes_html],
        speaker.get_absolute_url(): [speaker.bio_html],
        series.get_absolute_url(): [series.description_html],
    }
    for url, stored in shown.items():
        html = client.get(url).content.decode()
        assert _problems(html) == [], url
        # The only script elements are our JSON-LD data blocks and our own script files.
        assert html.lower().count("<script") == html.count(
            '<script type="application/ld+json">'
        ) + html.count(f'<script src="{settings.STATIC_URL}')
        # What was sanitized when it was stored is what the page shows.
        assert [_problems(part, MARKDOWN_FORBIDDEN) for part in stored] == [[]] * len(stored)
        assert [part in html for part in stored] == [True] * len(stored), url


def test_pages_show_the_stored_html_not_a_fresh_rendering(client, group):
    series, speaker, event, _breakout = _every_markdown_field(group, "**Markdown**")
    Group.objects.update(about_html="<p>stored about</p>", step_up_html="<p>stored step</p>")
    Series.objects.update(description_html="<p>stored series</p>")
    Speaker.objects.update(bio_html="<p>stored bio</p>")
    Event.objects.update(description_html="<p>stored event</p>")
    Breakout.objects.update(notes_html="<p>stored notes</p>")
    shown = {
        "/": ["<p>stored about</p>", "<p>stored step</p>"],
        event.get_absolute_url(): [
            "<p>stored event</p>",
            "<p>stored bio</p>",
            "<p>stored notes</p>",
        ],
        speaker.get_absolute_url(): ["<p>stored bio</p>"],
        series.get_absolute_url(): ["<p>stored series</p>"],
    }
    for url, stored in shown.items():
        html = client.get(url).content.decode()
        assert [part in html for part in stored] == [True] * len(stored), url
        assert "<strong>Markdown</strong>" not in html, url
