"""Query helpers the apps share."""

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def subquery_count(queryset: QuerySet, group_by: str) -> Coalesce:
    """COUNT(*) of a queryset as a scalar subquery (0 when empty), so that several counts, or
    one count per row of a page, cost no extra query. group_by is the field the queryset is
    filtered on (by an OuterRef or a value)."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
