"""House rules of the code base itself, checked on the files (docs/GUIDE: module size)."""

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
