"""core.cache.FailoverRedisCache against a real Redis, and against a port where none listens.

The production suite stops a real Redis under two running servers (tests/production); these
tests pin the backend's own rules: every operation goes to the fallback while Redis cannot be
reached, Redis is tried again after its retry_after (POTLUCK_REDIS_RETRY_SECONDS), and the
log says so once a minute.
"""

import logging
import socket

import pytest
import redis
from django.core.cache import caches

from core import cache as failover

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/14"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the socket is closed


def _caches(location: str) -> dict:
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "bodies": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "redis": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "failover-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "FALLBACK": "db"},
        },
        "db": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "potluck_cache",
        },
    }


@pytest.fixture
def redis_up(settings):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    settings.CACHES = _caches(REDIS_URL)
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield caches["redis"]
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = _caches(f"redis://127.0.0.1:{_closed_port()}/0")
    return caches["redis"]


def test_with_redis_up_values_live_in_redis_not_in_the_fallback(redis_up):
    redis_up.set("greeting", "hello")
    assert redis_up.get("greeting") == "hello"
    assert redis.Redis.from_url(REDIS_URL).keys("*greeting*") != []
    assert caches["db"].get("greeting") is None
    assert failover.degraded_caches() == []


def test_with_redis_down_every_operation_goes_to_the_database(redis_down):
    assert redis_down.add("counter", 0, timeout=60) is True
    assert redis_down.incr("counter", 3) == 3
    redis_down.set_many({"a": 1, "b": 2})
    assert redis_down.get_many(["a", "b", "counter"]) == {"a": 1, "b": 2, "counter": 3}
    assert redis_down.has_key("a") is True
    assert caches["db"].get("counter") == 3  # what every server reads while Redis is away
    redis_down.delete("a")
    assert redis_down.get("a", "gone") == "gone"
    assert redis_down.is_degraded() is True
    assert failover.degraded_caches() == ["redis"]


def test_redis_is_tried_again_after_the_pause(redis_down, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(failover.time, "monotonic", lambda: clock[0])
    redis_down.set("x", 1)
    assert redis_down.is_degraded() is True
    clock[0] += redis_down.retry_after - 0.1
    assert redis_down.is_degraded() is True
    clock[0] += 0.2
    assert redis_down.is_degraded() is False  # the next operation asks Redis again
    redis_down.get("x")
    assert redis_down.is_degraded() is True  # and it still does not answer


def test_the_log_says_so_once_a_minute(redis_down, monkeypatch, caplog):
    clock = [1000.0]
    monkeypatch.setattr(failover.time, "monotonic", lambda: clock[0])
    caplog.set_level(logging.WARNING, logger="core.cache")
    for _ in range(12):  # a busy minute: a failure every RETRY_AFTER seconds
        clock[0] += redis_down.retry_after
        redis_down.get("x")
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        "Redis cannot be reached"
    ]
    clock[0] += failover.LOG_EVERY
    redis_down.get("x")
    assert len(caplog.records) == 2
