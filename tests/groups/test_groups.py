import pytest

pytestmark = pytest.mark.django_db


def test_healthz_checks_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


# A transactional test run earlier on the same worker flushes what the migrations wrote;
# serialized_rollback restores it from the copy taken when the test database was built.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_organizers_group_from_migration_matches_the_code():
    from django.contrib.auth.models import Group as AuthGroup

    from groups.permissions import organizer_permission_codenames

    migrated = AuthGroup.objects.get(name="Organizers")
    assert sorted(
        migrated.permissions.values_list("content_type__app_label", "codename")
    ) == sorted(organizer_permission_codenames())


def test_group_changed_hook_refreshes_calendar_feeds(django_capture_on_commit_callbacks):
    """The group admin calls group_changed(); events registered calendar_changed on it."""
    from events.calendar_cache import GENERATION_KEY
    from groups.hooks import group_changed
    from groups.models import ChangeGeneration

    generations = ChangeGeneration.objects.filter(key=GENERATION_KEY)
    assert list(generations.values_list("value", flat=True)) == []
    with django_capture_on_commit_callbacks(execute=True):
        group_changed()
    assert list(generations.values_list("value", flat=True)) == [1]
