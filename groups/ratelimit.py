"""A fixed-window rate limit kept in the default cache (Redis in production)."""

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
