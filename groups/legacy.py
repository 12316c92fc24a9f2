"""TEMPORARY bridge: the private request attributes that the lead's files still use.

events/views/versions.py and core/generations.py (rewritten on another branch) still read
`request._potluck_group` and `request._potluck_generation`, and versions.py still leaves the
Viewer it read in its one query on `request._potluck_viewer`. Until they read and write the
public attributes (request.group, request.page_generation, request.viewer; groups.middleware),
this module alone copies between the two. Delete it, its two callers (groups.middleware,
groups.access) and its exception in tests/core/test_house.py when they do.
"""


def publish(request) -> None:
    """The middleware's public attributes under the names the lead's files read."""
    request._potluck_group = request.group
    request._potluck_generation = request.page_generation


def version_viewer(request):
    """The Viewer events.views.versions left on the request, or None."""
    return request.__dict__.get("_potluck_viewer")
