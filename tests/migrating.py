"""Taking the test database back to the state before a data migration and forward again, for
the tests that run the migration on rows written as they were (tests/events/test_venue_merge.py,
tests/groups/test_log_chain*.py).

Django's MigrationExecutor.migrate() unapplies in the order of the whole project's plan: it
renders the models at the first migration to undo and then renders them again for every applied
migration of every app that comes after it in that order, up to the last one to undo: 17 of the
21 seconds the venue test took. `back_to` unapplies the same migrations, with the same
operations and the same state before each, but builds the state of every migration that stays
first, unrendered, and renders it once. Forward, Django's own migrate() renders once already.
"""

from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState


def back_to(executor: MigrationExecutor, target: tuple[str, str]) -> ProjectState:
    """Unapplies every migration after `target` (of its app and of the apps that depend on
    it), as `migrate app target` does; returns the project state at `target`."""
    plan = [migration for migration, _backwards in executor.migration_plan([target])]
    undone = {(migration.app_label, migration.name) for migration in plan}
    graph = executor.loader.graph
    staying = [key for key in executor.loader.applied_migrations if key not in undone]
    state = executor.loader.project_state([key for key in staying if key in graph.nodes])
    state.apps  # noqa: B018 - rendered once, here; the states after it are its copies
    before = {}
    for migration in reversed(plan):  # in the order they were applied
        before[migration] = state
        state = migration.mutate_state(state, preserve=True)
    for migration in plan:
        executor.unapply_migration(before[migration], migration)
    return executor.loader.project_state([target])


def forward_to(executor: MigrationExecutor, targets: list[tuple[str, str]]) -> ProjectState:
    """Applies the migrations up to `targets` (Django's migrate()); returns the project state
    there (its `.apps` are the historical models)."""
    executor.loader.build_graph()  # what is applied now, whatever went before
    executor.migrate(targets)
    return executor.loader.project_state(targets)
