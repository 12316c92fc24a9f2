"""Following a series: a member asks for an email when a new date of it is published."""

from django.db import transaction

from groups.models import Membership

from ..models import Series, SeriesFollow


def series_follow_set(*, series: Series, member, following: bool) -> bool:
    """Follows or unfollows; returns whether the member follows afterwards. Asking twice is
    harmless (the unique constraint keeps one row)."""
    with transaction.atomic():
        if following:
            SeriesFollow.objects.get_or_create(series=series, member=member)
        else:
            SeriesFollow.objects.filter(series=series, member=member).delete()
    return following


def series_followers(*, series_id: int, group_id: int, exclude=None):
    """The active members of the group who follow the series and want its emails (the
    `notify_series` preference on /me/): they hear of a new date by the series' email,
    instead of the general announcement (one email each)."""
    members = Membership.objects.active().filter(group_id=group_id).values("user_id")
    follows = SeriesFollow.objects.filter(
        series_id=series_id, member__in=members, member__notify_series=True
    )
    if exclude is not None and getattr(exclude, "pk", None):
        follows = follows.exclude(member=exclude)
    return follows.values_list("member_id", flat=True)
