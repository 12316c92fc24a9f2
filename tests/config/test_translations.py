"""The Spanish catalog is complete and current, and no user-facing string escapes it.

- Every message of locale/es/LC_MESSAGES/django.po is translated, none fuzzy or obsolete.
- `make translations` (the Makefile's MAKEMESSAGES, run here on a copy of the sources)
  extracts exactly the catalog's messages: a string marked since has no Spanish yet, and fails.
- No text in a template, and no message, label or help text in Python, is left unmarked
  (scanned below: text outside {% translate %} and {% blocktranslate %}, and visible
  attributes; string literals given to ValidationError, messages, labels, verbose names…).
- The compiled catalog (`make messages`) is the one Django loads: a sample of Spanish messages
  comes back from gettext.
"""

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
APPS = [
    "config",
    "home",
    "federation",
    "api",
    "conversation",
    "decisions",
    "members",
    "photos",
    "events",
    "groups",
    "core",
]
WORD = re.compile(r"[A-Za-z]{2,}")
# Names that stay as they are in every language.
UNTRANSLATED_WORDS = {"Potluck"}


def _catalog() -> polib.POFile:
    return polib.pofile(str(CATALOG))


def _key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


# --- The catalog -------------------------------------------------------------------------------


def test_every_spanish_message_is_translated_and_none_fuzzy():
    catalog = _catalog()
    assert catalog.metadata["Language"] == "es"
    assert len(catalog) > 1000
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []
    assert [e.msgid for e in catalog.obsolete_entries()] == []
    for entry in catalog:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_placeholders_survive_translation():
    """msgfmt --check checks python-format; this also covers brace and template placeholders."""
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|\{\{ ?\w+ ?\}\}|<[^>]+>")
    for entry in _catalog():
        if not entry.msgid_plural:
            expected = sorted(placeholder.findall(entry.msgid))
            assert sorted(placeholder.findall(entry.msgstr)) == expected, entry.msgid
            continue
        # A plural form may name the count where the English singular does not, no more.
        known = {*placeholder.findall(entry.msgid), *placeholder.findall(entry.msgid_plural)}
        for text in entry.msgstr_plural.values():
            assert set(placeholder.findall(text)) <= known, (entry.msgid, text)
        assert set(placeholder.findall(entry.msgstr_plural[1])) >= set(
            placeholder.findall(entry.msgid_plural)
        ), entry.msgid_plural


def _makemessages_args() -> list[str]:
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    return shlex.split(re.search(r"^MAKEMESSAGES := (.*)$", makefile, re.M)[1])


def test_the_catalog_holds_exactly_the_marked_strings(tmp_path):
    """What `make translations` would extract today is what the catalog holds."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("GNU gettext's xgettext is missing (.ci/run installs it)")
        pytest.skip("GNU gettext's xgettext is not installed")
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for name in [*APPS, "templates"]:
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    (copy / "locale").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *_makemessages_args()],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {_key(e) for e in polib.pofile(str(copy / CATALOG.relative_to(ROOT)))}
    committed = {_key(e) for e in _catalog()}
    assert sorted(extracted - committed) == [], "marked but not in the catalog: `make translations`"
    assert sorted(committed - extracted) == [], "in the catalog but no longer marked"


def test_the_compiled_catalog_is_the_one_django_loads():
    mo = CATALOG.with_suffix(".mo")
    assert mo.exists(), "compile the catalogs first: `make messages` (make test does)"
    assert mo.stat().st_mtime >= CATALOG.stat().st_mtime, "the .mo is older: `make messages`"
    entries = [e for e in _catalog() if not e.msgid_plural and not e.msgctxt]
    with translation.override("es"):
        for entry in entries[:: max(len(entries) // 60, 1)]:
            assert translation.gettext(entry.msgid) == entry.msgstr


# --- Nothing unmarked --------------------------------------------------------------------------

VISIBLE_ATTRIBUTES = re.compile(
    r'\b(alt|title|placeholder|aria-label|aria-description|label)\s*=\s*"([^"]*)"', re.I
)
CSS_CLASSES = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in UNTRANSLATED_WORDS]


def unmarked_template_text(source: str) -> list[str]:
    """Text a person reads that is outside {% translate %} and {% blocktranslate %}."""
    kept, until = [], None
    for token in Lexer(source).tokenize():
        name = (token.contents.split() or [""])[0]
        if until is not None:
            if token.token_type == TokenType.BLOCK and name == until:
                until = None
            kept.append(" ")
        elif token.token_type == TokenType.BLOCK:
            if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                until = {"blocktrans": "endblocktrans"}.get(name, f"end{name}")
            kept.append(" ")
        elif token.token_type == TokenType.TEXT:
            kept.append(token.contents)
        else:
            kept.append(" ")
    flat = re.sub(r"<!--.*?-->", " ", "".join(kept), flags=re.S)
    problems = [
        f'{name}="{value}"' for name, value in VISIBLE_ATTRIBUTES.findall(flat) if _words(value)
    ]
    flat = re.sub(r"<[^>]*>", " ", flat)  # tags, with their attributes
    flat = re.sub(r'[\w-]+="[^"]*"', " ", flat)  # attributes cut off by a template tag
    flat = re.sub(r"&[a-z]+;|&#\d+;", " ", flat)
    for line in flat.splitlines():
        items = [item for item in line.split() if not CSS_CLASSES.match(item)]
        if _words(" ".join(items)):
            problems.append(line.strip())
    return problems


def _templates() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return sorted(
        path
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.suffix in (".html", ".txt", ".xml")
    )


def test_no_template_text_is_left_unmarked():
    found = {
        str(path.relative_to(ROOT)): problems
        for path in _templates()
        if (problems := unmarked_template_text(path.read_text()))
    }
    assert found == {}


def test_the_template_scan_finds_what_it_must():
    source = (
        '{% load i18n %}<h1>{% translate "Fine" %}</h1><p>Not marked</p>'
        '<img alt="A cat" src="x.png">{% blocktranslate %}Also fine{% endblocktranslate %}'
        '<p class="{{ x }} is-open">{{ name }}</p>{% comment %}notes{% endcomment %}'
    )
    assert unmarked_template_text(source) == ['alt="A cat"', "Not marked"]


# Calls whose arguments reach people: the first positional (or the second, after the request
# or form), and these keywords anywhere; a model or form field's first positional argument.
MESSAGE_CALLS = {
    "ValidationError": 0,
    "PermissionDenied": 0,
    "Http404": 0,
    "success": 1,
    "error": 1,
    "warning": 1,
    "info": 1,
    "message_user": 1,
    "add_error": 1,
}
TEXT_KEYWORDS = {
    "verbose_name",
    "verbose_name_plural",
    "help_text",
    "label",
    "description",
    "empty_label",
    "empty_value_display",
}


def _literal(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def unmarked_python_strings(source: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        candidates = [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        if name in MESSAGE_CALLS:
            candidates += node.args[MESSAGE_CALLS[name] : MESSAGE_CALLS[name] + 1]
        if name.endswith("Field") and node.args:
            candidates.append(node.args[0])
        for candidate in candidates:
            text = _literal(candidate)
            if text is not None and _words(text):
                problems.append((candidate.lineno, f"line {candidate.lineno}: {name}({text!r})"))
    return [problem for _line, problem in sorted(problems)]


def test_no_python_message_is_left_unmarked():
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            problems = (
                [] if "migrations" in path.parts else unmarked_python_strings(path.read_text())
            )
            if problems:
                found[str(path.relative_to(ROOT))] = problems
    assert found == {}


def test_the_python_scan_finds_what_it_must():
    source = (
        "raise ValidationError('Too long')\n"
        "messages.success(request, _('Saved'))\n"
        "messages.error(request, 'Oops')\n"
        "title = models.CharField('title', max_length=9, help_text=_('Fine'))\n"
        "field = forms.CharField(label='Name')\n"
    )
    assert unmarked_python_strings(source) == [
        "line 1: ValidationError('Too long')",
        "line 3: error('Oops')",
        "line 4: CharField('title')",
        "line 5: CharField('Name')",
    ]
