"""A fixed-window rate limit kept in the default cache (Redis in production)."""

import contextlib

from allauth.account.adapter import get_adapter
from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/h' -> (5, 3600)."""
    amount, _, period = rate.partition("/")
    return int(amount), PERIODS[period]


def client_ip(request) -> str:
    """The client's address, honouring POTLUCK_TRUSTED_PROXY_COUNT like allauth does."""
    return get_adapter(request).get_client_ip(request) or "unknown"


def hit(request, *, action: str, rate: str) -> bool:
    """Counts one attempt; False once the client has used up the rate for this window."""
    amount, seconds = parse_rate(rate)
    key = f"ratelimit:{action}:{client_ip(request)}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= amount


def take(key: str, *, rate: str, amount: int = 1) -> bool:
    """Counts `amount` uses against a per-key budget (a member's uploads, say); False, and
    nothing counted, when they would go over the rate for this window."""
    limit, seconds = parse_rate(rate)
    key = f"ratelimit:{key}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=seconds)
        count = amount
    if count > limit:
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
            cache.decr(key, amount)
        return False
    return True
