from django.utils import timezone

from .models import Group


class GroupTimezoneMiddleware:
    """Shows and reads times in the group's zone (admin forms included); UTC stays in the DB."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        group = Group.objects.current()
        request._potluck_group = group
        if group is not None:
            timezone.activate(group.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
