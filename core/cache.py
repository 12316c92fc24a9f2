"""Redis, and another cache while Redis cannot be reached: the site keeps serving.

Django's RedisCache raises when Redis is away, and every page, feed and login that touches
the cache (sessions, allauth's rate limits, cached bodies) would answer 500. This backend
sends each operation to Redis, and when Redis cannot be reached (refused, timed out, reset)
to its fallback instead: the "default" cache falls back to Django's database cache (the
`potluck_cache` table every server shares, so rate limits still count across servers), the
"bodies" cache to per-process memory (its entries are rebuilt on a miss anyway).

After a failure Redis is left alone for OPTIONS["RETRY_AFTER"] seconds (5 unless
POTLUCK_REDIS_RETRY_SECONDS says otherwise), so a page pays for one refused
connection at most, not one per cache call. The log says so at most once a minute per
process; /healthz names the degraded part (core/health.py).
"""

import logging
import time

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis after it failed, unless OPTIONS say
LOG_EVERY = 60.0  # seconds between two log lines about the same cache
# Redis refused, reset, timed out or unknown host (redis-py's TimeoutError is no OSError).
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class FailoverRedisCache(RedisCache):
    """RedisCache with OPTIONS["FALLBACK"]: the alias of the cache used while Redis is away,
    and OPTIONS["RETRY_AFTER"]: the seconds before Redis is tried again after it failed."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": dict(params.get("OPTIONS") or {})}
        self.fallback_alias = params["OPTIONS"].pop("FALLBACK")
        self.retry_after = float(params["OPTIONS"].pop("RETRY_AFTER", RETRY_AFTER))
        super().__init__(server, params)
        self._down_until = 0.0
        self._logged_at = -LOG_EVERY

    @property
    def fallback(self):
        return caches[self.fallback_alias]

    def is_degraded(self) -> bool:
        """Whether Redis failed within the last retry_after seconds (nothing is tried)."""
        return time.monotonic() < self._down_until

    def ping(self) -> bool:
        """Asks Redis itself (for /healthz); a failure marks it down like any other."""
        try:
            self._cache.get_client().ping()
        except UNREACHABLE as error:
            self._failed(error)
            return False
        self._down_until = 0.0
        return True

    def _failed(self, error: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_after
        if now - self._logged_at >= LOG_EVERY:
            self._logged_at = now
            logger.warning(
                "Redis cannot be reached (%s); the %r cache serves instead until it answers",
                error,
                self.fallback_alias,
            )

    def _either(self, name: str, *args, **kwargs):
        if not self.is_degraded():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                self._failed(error)
        return getattr(self.fallback, name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._either("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._either("delete", key, version)

    def get_many(self, keys, version=None):
        return self._either("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._either("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._either("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._either("delete_many", keys, version)

    def clear(self):
        return self._either("clear")


def degraded_caches() -> list[str]:
    """The aliases of the caches whose Redis does not answer a ping right now."""
    return [
        alias
        for alias in settings.CACHES
        if isinstance(caches[alias], FailoverRedisCache) and not caches[alias].ping()
    ]
