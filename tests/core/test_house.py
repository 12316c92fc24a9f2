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


def test_no_private_potluck_attributes():
    """Requests, connections and forms carry public, documented attributes only (groups.
    middleware); a `_potluck_` name passed between modules must not come back."""
    files = app_files(".py", ".html") + sorted((ROOT / "templates").rglob("*.html"))
    found = sorted(
        str(path.relative_to(ROOT))
        for path in files
        if "_potluck_" in path.read_text(encoding="utf-8")
    )
    assert found == []


def _files_saying(*needles: str) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)}: {needle}"
        for path in app_files(".py")
        for needle in needles
        if needle in path.read_text(encoding="utf-8")
    )


def test_one_meaning_of_organizer():
    """The membership role, read through groups.access.Viewer; nothing else decides it."""
    assert _files_saying("def is_organizer") == ["groups/access.py: def is_organizer"]


def test_the_cache_reads_no_private_state_of_django_and_compiles_no_sql_by_probes():
    """Change counters move through transaction.on_commit() alone (core/generations.py)."""
    private = ("run_on_commit", "savepoint_ids", "atomic_blocks", "in_atomic_block")
    assert _files_saying(*private, "CompiledQuery", "_compile(") == []
