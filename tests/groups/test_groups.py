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


def test_an_edit_of_the_group_refreshes_calendar_feeds(group, django_capture_on_commit_callbacks):
    """Every feed shows the group's name and zone: the events app watches the group."""
    from core.models import ChangeGeneration
    from events.calendar_cache import GENERATION_KEY

    with django_capture_on_commit_callbacks(execute=True):
        group.name = "Platform Co-ops NYC"
        group.save()
    assert ChangeGeneration.objects.get(key=GENERATION_KEY).value == 1
