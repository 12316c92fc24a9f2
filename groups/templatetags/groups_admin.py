from django import template

from groups.models import Group, Membership

register = template.Library()


@register.simple_tag
def join_requests_waiting() -> int:
    """How many requests to join wait for an organizer (the admin's index says so)."""
    group = Group.objects.current()
    return Membership.objects.pending().filter(group=group).count() if group else 0
