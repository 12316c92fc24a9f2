"""What conversations bring to the admin home (core/adminhome.py): reports waiting."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import ngettext

from core.adminhome import Waiting

from .models import Report


def open_reports(request) -> Iterable[Waiting]:
    if request.group is None or not request.user.has_perm("conversation.change_report"):
        return
    count = Report.objects.open().filter(group=request.group).count()
    yield Waiting(
        count=count,
        text=ngettext("%(counter)s report waiting", "%(counter)s reports waiting", count)
        % {"counter": count},
        url=reverse("admin:conversation_report_changelist") + "?status__exact=open",
    )
