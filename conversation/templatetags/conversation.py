from django import template

register = template.Library()


@register.simple_tag
def open_reports() -> int:
    """How many reports wait for an organizer (the admin's index says so)."""
    from conversation.models import Report

    return Report.objects.open().count()
