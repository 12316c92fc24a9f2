"""Reports, shown with the item in context, resolved by one form that acts."""

from django import forms
from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.adminfilters import StrictFiltersMixin
from groups.models import Membership

from .. import services
from ..models import (
    Comment,
    Mute,
    Reply,
    Report,
    ReportAction,
    ReportStatus,
    Thread,
)
from .forms import ServiceAdminMixin, ServiceForm, _excerpt

# --- Reports -----------------------------------------------------------------------------------

ITEM_FIELDS = ("comment", "thread", "reply")


ITEM_QUERYSETS = {
    "comment": lambda: Comment.objects.select_related(
        "event", "author", "hidden_by", "parent__author"
    ),
    "thread": lambda: Thread.objects.select_related("author", "category", "hidden_by"),
    "reply": lambda: Reply.objects.select_related("thread", "author", "hidden_by"),
}


KIND_NAMES = {"comment": _("event comment"), "thread": _("discussion"), "reply": _("reply")}


def _item_kind(report: Report) -> str | None:
    for field in ITEM_FIELDS:
        if getattr(report, f"{field}_id") is not None:
            return field
    return None


def report_item_context(report: Report) -> dict:
    """The reported item as it is now, where it is and what else is known about its author,
    for the report's page (a few queries, whatever the item)."""
    kind = _item_kind(report)
    item = ITEM_QUERYSETS[kind]().filter(pk=getattr(report, f"{kind}_id")).first() if kind else None
    context = {
        "item": item,
        "kind": KIND_NAMES[kind] if item is not None else "",
        "title": "",
        "body": "",
        "deleted": False,
        "where_title": "",
        "where_url": "",
        "parent": None,
        "parent_body": "",
        "admin_url": "",
        "author": None,
        "membership_url": "",
        "muted": False,
        "mute_url": "",
        "mute_until": None,
        "other_reports": 0,
    }
    if item is None:
        return context
    context["admin_url"] = reverse(f"admin:conversation_{kind}_change", args=[item.pk])
    context["deleted"] = getattr(item, "deleted_at", None) is not None
    context["body"] = item.html["body"]  # sanitized by nh3 when stored (core.markdown)
    if kind == "comment":
        context["where_title"] = item.event.title
        context["where_url"] = item.event.get_absolute_url()
        if item.parent is not None:
            context["parent"] = item.parent
            context["parent_body"] = item.parent.html["body"]
    elif kind == "thread":
        context["title"] = item.title
        context["where_title"] = item.title or _("(deleted by its author)")
        context["where_url"] = item.get_absolute_url()
    else:
        context["where_title"] = item.thread.title or _("(deleted by its author)")
        context["where_url"] = item.thread.get_absolute_url()
    context["other_reports"] = (
        Report.objects.open().filter(**{kind: item}).exclude(pk=report.pk).count()
    )
    author = item.author
    if author is not None:
        context["author"] = author
        membership = (
            Membership.objects.filter(group=report.group_id, user=author)
            .values_list("pk", flat=True)
            .first()
        )
        if membership is not None:
            context["membership_url"] = reverse("admin:groups_membership_change", args=[membership])
        if services.is_muted(group=report.group, member=author):
            mute = Mute.objects.get(group=report.group_id, member=author)
            context |= {
                "muted": True,
                "mute_url": reverse("admin:conversation_mute_change", args=[mute.pk]),
                "mute_until": mute.until,
            }
    return context


class ReportResolveForm(ServiceForm):
    """Dealing with an open report: services.report_resolve closes every open report about
    the same item with the action taken."""

    resolution = forms.ChoiceField(
        label=_("What to do"), choices=ReportAction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "“Warn”: the message emailed to the author. Mute, remove, ban: the reason, kept "
            "for the organizers. Optional."
        ),
    )
    error_field = "resolution"

    class Meta:
        model = Report
        fields = []

    def perform(self, data):
        # The service refuses a report another organizer closed meanwhile, and a
        # co-organizer removing or banning an organizer.
        self.closed = services.report_resolve(
            report=self.instance,
            by=self.request.user,
            action=data["resolution"],
            note=data["note"],
        )
        return self.instance


@admin.register(Report)
class ReportAdmin(ServiceAdminMixin, StrictFiltersMixin, admin.ModelAdmin):
    """Members file reports on the site; organizers look at the item in context and deal
    with it here. Once dealt with, a report is a record: read-only."""

    form = ReportResolveForm
    list_display = ["created_at", "reason", "kind", "summary", "status", "action"]
    list_filter = ["status", "reason"]
    search_fields = ["excerpt", "details"]
    date_hierarchy = "created_at"
    # Open reports first ("open" sorts before "resolved"), then newest: conv_report_status_idx.
    ordering = ["status", "-created_at", "-pk"]
    REPORT_FIELDS = ["reason", "details", "by", "created_at", "excerpt"]
    RESOLVED_FIELDS = ["status", "action", "note", "resolved_by", "resolved_at"]
    readonly_fields = [*REPORT_FIELDS, "item_in_context", *RESOLVED_FIELDS]

    def has_add_permission(self, request):
        return False  # members report on the site

    def has_change_permission(self, request, obj=None):
        is_open = obj is None or obj.status == ReportStatus.OPEN
        return is_open and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (_("The report"), {"fields": self.REPORT_FIELDS}),
            (_("What was reported, as it is now"), {"fields": ["item_in_context"]}),
        ]
        if obj is not None and obj.status == ReportStatus.OPEN:
            description = _("Every open report about the same item is closed with what you choose.")
            fields = {"fields": ["resolution", "note"], "description": description}
            return [*fieldsets, (_("Deal with it"), fields)]
        return [*fieldsets, (_("How it was dealt with"), {"fields": self.RESOLVED_FIELDS})]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == ReportStatus.OPEN:
            return [*self.REPORT_FIELDS, "item_in_context"]
        return self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None or obj.status != ReportStatus.OPEN:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description=_("item"))
    def kind(self, obj):
        name = _item_kind(obj)
        return KIND_NAMES[name] if name else _("removed")

    @admin.display(description=_("what it said"))
    def summary(self, obj):
        return _excerpt(obj.excerpt)

    @admin.display(description=_("as it is now"))
    def item_in_context(self, obj):
        return render_to_string("admin/conversation/report/item.html", report_item_context(obj))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        closed = getattr(form, "closed", 0)
        self.message_user(
            request,
            ngettext(
                "%(action)s: %(count)d open report about it closed.",
                "%(action)s: %(count)d open reports about it closed.",
                closed,
            )
            % {"action": obj.get_action_display(), "count": closed},
            messages.SUCCESS,
        )
