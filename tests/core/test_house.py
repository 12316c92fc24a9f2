"""House rules of the code base itself, checked on its files (the design guide: module size,
no private attributes passed between modules)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "config",
    "core",
    "groups",
    "events",
    "members",
    "photos",
    "home",
    "conversation",
    "decisions",
)
MAX_LINES = 500


def app_files(*suffixes: str) -> list[Path]:
    """Every file of the apps with one of these suffixes, migrations left out."""
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*")
        if path.suffix in suffixes and "migrations" not in path.relative_to(ROOT).parts
    )


def test_app_modules_at_most_500_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in app_files(".py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


# Rewritten by the lead on another branch, which will move them to the public attributes
# (request.group, request.viewer, request.page_generation): the exception goes at the merge.
LEAD_OWNED = {
    "events/views/versions.py",
    "home/pagecache.py",
    "core/generations.py",
    "core/db.py",
    "groups/generations.py",
    "events/generation.py",
    "events/calendar_cache.py",
}
# The two temporary bridges to those files' private names, deleted with the exception.
BRIDGES = {"groups/legacy.py", "events/views/legacy.py"}


def test_no_private_potluck_attributes():
    """Requests, connections and forms carry public, documented attributes only (groups.
    middleware); a `_potluck_` name passed between modules must not come back."""
    files = app_files(".py", ".html") + sorted((ROOT / "templates").rglob("*.html"))
    found = sorted(
        name
        for path in files
        if (name := str(path.relative_to(ROOT))) not in LEAD_OWNED | BRIDGES
        and "_potluck_" in path.read_text(encoding="utf-8")
    )
    assert found == []
