"""Rows built once per test module, as Django's TestCase.setUpTestData builds them once per
class: a table-driven test (tests/*/test_access.py) ran the same factories for each of its
hundreds of rows, and the building cost more than the request it checks.

A module-scoped fixture builds the rows inside a transaction that is never committed, with
`built_once(django_db_blocker, build)`; each test then runs in a savepoint of it
(pytest-django's `db`, as before), so what a test writes is rolled back at its end and the
next test sees the rows as built. Each test gets its own deep copy of the Python objects
(`fresh_copy`), as setUpTestData's do, so an attribute one test sets on an instance does not
reach the next. At the end of the module the transaction is rolled back.

Every test of a module that builds such rows should ask for them (an autouse fixture): a test
that does not would still run inside the transaction and see them. Where only some tests share
the rows, the fixture is class-scoped and those tests go in a class (tests/conversation/
test_access.py): the transaction ends with the class.

Query-count tests build their rows for each size once, look at every case's page on them and
roll them back at once (`seen_at_sizes`); each test then checks its own case's count
(`counted`, `pinned`).
"""

import copy

from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

# As tests/conftest.py's _fast_password_hashing, which is function-scoped and so not yet in
# force while a module-scoped fixture builds.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def built_once(django_db_blocker, build):
    """For a module-scoped fixture (`yield from built_once(django_db_blocker, build)`): yields
    what `build()` returns, its rows kept in a transaction rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # Like the TestCase's own atomic blocks: a durable block inside a test is allowed.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                rows = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield rows
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def fresh_copy(rows):
    """The rows' objects for one test: a deep copy, shared references kept shared."""
    return copy.deepcopy(rows)


def pages_seen(client, *, people: dict, roles: list[str], urls: list[str], seen: dict) -> dict:
    """role -> the text of each of `urls` as that role saw it (signed out for "anonymous",
    else as people[role]), opened once per list of URLs: `seen` (a module-scoped dict) keeps
    them for the other tests of a module whose rules open the same pages, as the same people,
    in the same order, from the same rows, each checking its own marker in them."""
    key = tuple(urls)
    if key not in seen:
        pages = {}
        for role in roles:
            client.logout()
            if role != "anonymous":
                client.force_login(people[role])
            pages[role] = [client.get(url).content.decode() for url in urls]
        seen[key] = pages
    return seen[key]


def session_keys(people: dict) -> dict:
    """name -> the session key of that person signed in once, for rows built once (above):
    a sign-in for each row of a table (a session row, its key cycled, last_login) cost more
    than many rows' own requests. A request carries one with `client.cookies[
    settings.SESSION_COOKIE_NAME] = key`. What a request writes to a session is rolled back
    with the test's (or the role's) savepoint, and the caches that also hold sessions are
    emptied after each test (tests/conftest.py), so the session is then read from its row.
    People given as None (signed out) get no key."""
    from django.conf import settings
    from django.test import Client

    keys = {}
    for name, user in people.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            keys[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def seen_at_sizes(django_db_blocker, sizes, look) -> dict:
    """size -> what look(size) saw, each size's rows built in a transaction of its own that is
    rolled back at once (built_once, above), so one page's rows never reach another
    page's counts."""
    seen = {}
    for size in sizes:
        rows = built_once(django_db_blocker, lambda size=size: look(size))
        try:
            seen[size] = next(rows)
        finally:
            rows.close()  # the rollback
    for cache in caches.all():
        cache.clear()
    return seen


def counted(client, url, method="get", data=None):
    """(the response, the SQL it ran): client.get or .post of url, the caches emptied first,
    counted as django_assert_num_queries counts. A test asserts the count with `pinned`."""
    for cache in caches.all():
        cache.clear()
    return counted_warm(client, url, method, data)


def counted_warm(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    return response, [query["sql"] for query in queries.captured_queries]


def pinned(sql: list[str], expected: int) -> None:
    """As django_assert_num_queries fails: the count and every query."""
    assert len(sql) == expected, f"{len(sql)} queries, expected {expected}:\n" + "\n".join(sql)
