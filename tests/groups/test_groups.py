import pytest

pytestmark = pytest.mark.django_db


def test_healthz_checks_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.migrations
def test_organizers_group_from_migration_matches_the_code(migrated_organizer_permissions):
    """Read when the test database was migrated (tests/conftest.py), before any test ran."""
    from groups.permissions import organizer_permission_codenames

    assert migrated_organizer_permissions == sorted(organizer_permission_codenames())


def test_group_changed_hook_refreshes_calendar_feeds(django_capture_on_commit_callbacks):
    """The group admin calls group_changed(); events registered calendar_changed on it."""
    from core.models import ChangeGeneration
    from events.calendar_cache import GENERATION_KEY
    from groups.hooks import group_changed

    generations = ChangeGeneration.objects.filter(key=GENERATION_KEY)
    assert list(generations.values_list("value", flat=True)) == []
    with django_capture_on_commit_callbacks(execute=True):
        for refresh in group_changed:
            refresh()
    assert list(generations.values_list("value", flat=True)) == [1]
