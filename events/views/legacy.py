"""TEMPORARY bridge: the private request attributes the lead's page-cache files still use.

events/views/versions.py leaves the EventPageVersion it read on `request._potluck_event_version`,
and home/pagecache.py keeps the key it will store the page under on `request._potluck_page_key`
(both rewritten on another branch). Until they use public names, the event page reaches them
through this module alone. Delete it, and its exception in tests/core/test_house.py, then.
"""


def event_version(request):
    """The EventPageVersion events.views.versions read for this request, or None."""
    return getattr(request, "_potluck_event_version", None)


def page_cache_skip(request) -> None:
    """Tells home.pagecache to keep nothing of this response (and fill in a real CSRF token)."""
    request._potluck_page_key = None
