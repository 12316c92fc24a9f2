"""What the group middleware puts on a request: request.group, request.page_generation and a
request.viewer read only when asked (groups.middleware), following request.user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.access import Viewer, viewer
from groups.middleware import GroupTimezoneMiddleware
from groups.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _through_middleware(rf, user, view):
    """Runs `view(request)` inside the middleware; returns the request and its queries."""
    request = rf.get("/")
    request.user = user
    seen = {}

    def get_response(request):
        seen["response"] = view(request)
        return seen["response"]

    with CaptureQueriesContext(connection) as queries:
        GroupTimezoneMiddleware(get_response)(request)
    return request, seen["response"], len(queries)


def test_middleware_sets_the_group_and_the_generation_in_one_query(rf, group, member):
    request, _response, count = _through_middleware(rf, member, lambda request: None)
    assert request.group == group
    assert isinstance(request.page_generation, str) and request.page_generation
    assert count == 1  # the viewer was never asked for: no membership query


def test_viewer_is_read_when_first_asked_and_once(rf, group, member):
    def view(request):
        return [viewer(request).role, request.viewer.role, viewer(request).is_member]

    _request, answers, count = _through_middleware(rf, member, view)
    assert answers == [Role.MEMBER, Role.MEMBER, True]
    assert count == 2  # the group with the generation, then the membership role once


def test_viewer_follows_the_user_who_logs_in(rf, group, member):
    organizer = MembershipFactory(group=group, role=Role.CO_ORGANIZER).user

    def view(request):
        before = viewer(request)
        request.user = organizer  # what django.contrib.auth.login does to the request
        after = viewer(request)
        return before, after, request.viewer

    _request, (before, after, stored), _count = _through_middleware(rf, member, view)
    assert (before.user, before.role, before.is_organizer) == (member, Role.MEMBER, False)
    assert (after.user, after.role, after.is_organizer) == (organizer, Role.CO_ORGANIZER, True)
    assert stored is after


def test_viewer_without_the_middleware_is_stored_publicly(rf, group):
    request = rf.get("/")
    request.user = AnonymousUser()
    looking = viewer(request)
    assert looking == Viewer(request.user, None)
    assert request.viewer is looking
    assert [name for name in vars(request) if name.startswith("_potluck")] == []


def test_superuser_is_an_organizer_without_a_membership(rf, group):
    request = rf.get("/")
    request.user = UserFactory(is_superuser=True)
    request.group = group
    assert (viewer(request).role, viewer(request).is_organizer) == (None, True)
