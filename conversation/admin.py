"""Organizers moderate conversations in the admin: reports, comments, discussions, replies,
mutes, categories and announcements.

What members wrote stays read-only here (organizers hide, they do not rewrite); every change
that has rules goes through conversation.services, so the site and the admin keep the same ones.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from groups.access import viewer
from groups.admin import ReadOnlyAdminMixin
from groups.adminfilters import StrictFiltersMixin
from groups.admingroup import CurrentGroupAdminMixin
from groups.markdown import markdown_store
from groups.models import Membership

from . import services
from .forms import MARKDOWN_HELP
from .models import (
    Announcement,
    Category,
    Comment,
    Mute,
    Reply,
    Report,
    ReportAction,
    ReportStatus,
    Revision,
    Thread,
)

EXCERPT_CHARS = 80
BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def _excerpt(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(EXCERPT_CHARS)


# --- Forms whose saving is a service call ------------------------------------------------------


class ServiceForm(forms.ModelForm):
    """An admin form whose saving is a service call.

    The call runs once the form is otherwise valid (at the end of full_clean), inside the
    admin's transaction (ModelAdmin.changeform_view is atomic): the service's ValidationError
    shows next to its field with what was typed kept, and nothing is half-stored (the call's
    own savepoint rolls back). ServiceAdminMixin.save_model then only takes the stored row.
    Only for admins without inlines: an invalid inline formset would come too late.
    """

    request = None  # the admin's request, set by ServiceAdminMixin.get_form
    error_field = None  # where a refusal that names no field goes (None: above the form)

    def perform(self, data: dict):
        """Calls the service with the cleaned data; returns the stored row."""
        raise NotImplementedError

    def full_clean(self):
        super().full_clean()
        self.stored = None
        if not self.is_bound or self.errors:
            return
        try:
            with transaction.atomic():
                self.stored = self.perform(self.cleaned_data)
        except ValidationError as refused:
            if hasattr(refused, "error_dict") and set(refused.error_dict) <= set(self.fields):
                self.add_error(None, refused)
            else:
                self.add_error(self.error_field, refused.messages)


class ServiceAdminMixin:
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if issubclass(form, ServiceForm):
            form = type(form.__name__, (form,), {"request": request})
        return form

    def save_model(self, request, obj, form, change):
        stored = getattr(form, "stored", None)
        if stored is None:
            super().save_model(request, obj, form, change)
            return
        # The service stored it; the admin logs and links the row as it is now.
        obj.pk = stored.pk
        obj.refresh_from_db()


# --- Comments, discussions and replies ---------------------------------------------------------


class HiddenFilter(admin.SimpleListFilter):
    """Hidden by an organizer (or a host) or shown."""

    title = _("hidden")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden")), ("no", _("Shown"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        if self.value():
            raise IncorrectLookupParameters(f"unknown hidden value: {self.value()!r}")
        return queryset


class RevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The edit history: what it said before each edit. Nobody adds, changes or deletes it."""

    model = Revision
    extra = 0
    can_delete = False
    fields = ["replaced_at", "body"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


class CommentRevisionInline(RevisionInline):
    fk_name = "comment"


class ThreadRevisionInline(RevisionInline):
    fk_name = "thread"
    fields = ["replaced_at", "title", "body"]
    readonly_fields = fields


class ReplyRevisionInline(RevisionInline):
    fk_name = "reply"


class WritingAdmin(StrictFiltersMixin, admin.ModelAdmin):
    """What members wrote: read-only, hidden and shown again through the services' rules,
    deleted through services.item_delete (reply counts, "deleted" markers above replies)."""

    date_hierarchy = "created_at"
    actions = ["hide", "show_again"]
    moderate_related: list[str] = []  # what the services read about each item (its group)

    def has_add_permission(self, request):
        return False  # members write on the site

    def render_change_form(self, request, context, *args, **kwargs):
        # Django's actions.html reads action_index, which only the changelist's tag sets
        # (the change page's actions would be an undefined variable under
        # --fail-on-template-vars; Django's "|default:0" gives the same 0).
        context.setdefault("action_index", 0)
        return super().render_change_form(request, context, *args, **kwargs)

    def has_moderate_permission(self, request) -> bool:
        return (
            admin.ModelAdmin.has_change_permission(self, request) and viewer(request).is_organizer
        )

    @admin.display(description=_("text"))
    def summary(self, obj):
        if getattr(obj, "deleted_at", None):
            return _("(deleted by its author)")
        return _excerpt(obj.body)

    @admin.display(description=_("hidden"), boolean=True, ordering="hidden_at")
    def hidden(self, obj):
        return obj.is_hidden

    @admin.display(description=_("as members read it"))
    def shown_body(self, obj):
        if getattr(obj, "deleted_at", None):
            return _("(deleted by its author)")
        return obj.html["body"]  # sanitized by nh3 when stored (groups.markdown)

    def _set_hidden(self, item, by, hidden: bool):
        raise NotImplementedError

    def _moderate(self, request, queryset, hidden: bool):
        done = 0
        for item in queryset.select_related(*self.moderate_related):
            try:
                self._set_hidden(item, request.user, hidden)
            except ValidationError as refused:
                self.message_user(request, f"{item}: {' '.join(refused.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            message = (
                _("%(items)s hidden: %(count)d.")
                if hidden
                else _("%(items)s shown again: %(count)d.")
            )
            items = capfirst(self.opts.verbose_name_plural)
            self.message_user(request, message % {"items": items, "count": done}, messages.SUCCESS)

    @admin.action(description=_("Hide"), permissions=["moderate"], location=BOTH_PLACES)
    def hide(self, request, queryset):
        self._moderate(request, queryset.filter(hidden_at__isnull=True), hidden=True)

    @admin.action(description=_("Show again"), permissions=["moderate"], location=BOTH_PLACES)
    def show_again(self, request, queryset):
        self._moderate(request, queryset.filter(hidden_at__isnull=False), hidden=False)

    def delete_model(self, request, obj):
        services.item_delete(item=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for pk in list(queryset.values_list("pk", flat=True)):
            # Deleting a comment or discussion takes its replies along: read each afresh.
            item = self.get_queryset(request).filter(pk=pk).first()
            if item is not None:
                self.delete_model(request, item)


@admin.register(Comment)
class CommentAdmin(WritingAdmin):
    list_display = ["summary", "author", "event", "reply_to", "created_at", "hidden", "pinned"]
    list_filter = [HiddenFilter, "pinned"]
    list_select_related = ["author", "event"]
    search_fields = ["body"]
    moderate_related = ["event__group"]
    fields = [
        "where",
        "parent",
        "author",
        "shown_body",
        "by_host",
        "pinned",
        "created_at",
        "edited_at",
        "hidden_at",
        "hidden_by",
        "deleted_at",
    ]
    readonly_fields = fields
    inlines = [CommentRevisionInline]

    def has_change_permission(self, request, obj=None):
        return False  # read-only: hidden and shown again with the actions

    @admin.display(description=_("reply"), boolean=True, ordering="parent")
    def reply_to(self, obj):
        return obj.parent_id is not None

    @admin.display(description=_("where"))
    def where(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.event.get_absolute_url(),
            obj.event.title,
            obj.get_absolute_url(),
            _("this comment on the site"),
        )

    def _set_hidden(self, item, by, hidden):
        if hidden:
            services.comment_hide(comment=item, by=by)
        else:
            services.comment_unhide(comment=item, by=by)


class ThreadModerationForm(forms.ModelForm):
    class Meta:
        model = Thread
        fields = ["category", "pinned", "locked"]


@admin.register(Thread)
class ThreadAdmin(WritingAdmin):
    """Organizers pin, lock and move a discussion (services.thread_moderate); its title and
    text stay the author's."""

    form = ThreadModerationForm
    list_display = [
        "title_or_deleted",
        "author",
        "category",
        "created_at",
        "last_activity_at",
        "reply_count",
        "hidden",
        "pinned",
        "locked",
    ]
    list_filter = [HiddenFilter, "pinned", "locked", "category"]
    list_select_related = ["author", "category"]
    search_fields = ["title", "body"]
    moderate_related = ["group"]
    fields = [
        "title",
        "where",
        "author",
        "shown_body",
        "category",
        "pinned",
        "locked",
        "created_at",
        "edited_at",
        "last_activity_at",
        "reply_count",
        "hidden_at",
        "hidden_by",
        "deleted_at",
    ]
    readonly_fields = [f for f in fields if f not in ThreadModerationForm.Meta.fields]
    inlines = [ThreadRevisionInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(group=request._potluck_group)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("title"), ordering="title")
    def title_or_deleted(self, obj):
        return obj.title or _("(deleted by its author)")

    @admin.display(description=_("where"))
    def where(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("on the site"))

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data)
        if not changed:
            return
        services.thread_moderate(
            thread=obj,
            by=request.user,
            pinned=obj.pinned if "pinned" in changed else None,
            locked=obj.locked if "locked" in changed else None,
            category=obj.category if "category" in changed else False,
        )

    def _set_hidden(self, item, by, hidden):
        services.thread_moderate(thread=item, by=by, hidden=hidden)


@admin.register(Reply)
class ReplyAdmin(WritingAdmin):
    list_display = ["summary", "author", "thread", "created_at", "hidden"]
    list_filter = [HiddenFilter]
    list_select_related = ["author", "thread"]
    search_fields = ["body"]
    moderate_related = ["thread__group"]
    fields = [
        "where",
        "author",
        "shown_body",
        "created_at",
        "edited_at",
        "hidden_at",
        "hidden_by",
    ]
    readonly_fields = fields
    inlines = [ReplyRevisionInline]

    def has_change_permission(self, request, obj=None):
        return False  # read-only: hidden and shown again with the actions

    @admin.display(description=_("where"))
    def where(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.thread.get_absolute_url(),
            obj.thread.title or _("(deleted by its author)"),
            obj.get_absolute_url(),
            _("this reply on the site"),
        )

    def _set_hidden(self, item, by, hidden):
        services.reply_hide(reply=item, by=by, hidden=hidden)


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
    context["body"] = item.html["body"]  # sanitized by nh3 when stored (groups.markdown)
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


# --- Categories, mutes and announcements -------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(CurrentGroupAdminMixin, TranslationAdmin):
    """The sections of the discussion board, in the order of `position`."""

    list_display = ["name", "position", "group"]
    list_editable = ["position"]
    search_fields = ["name"]
    fields = ["group", "name", "position"]


class MuteForm(ServiceForm):
    error_field = "member"

    class Meta:
        model = Mute
        fields = ["group", "member", "reason", "until"]

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until <= timezone.now():
            raise ValidationError(_("Choose a time in the future, or leave it empty."))
        return until

    def perform(self, data):
        return services.member_mute(
            group=data["group"],
            member=data.get("member") or self.instance.member,
            by=self.request.user,
            reason=data["reason"],
            until=data["until"],
        )


@admin.register(Mute)
class MuteAdmin(ServiceAdminMixin, CurrentGroupAdminMixin, StrictFiltersMixin, admin.ModelAdmin):
    """Muted members read but do not post in conversations; deleting a mute lifts it."""

    form = MuteForm
    list_display = ["member", "in_effect", "until", "by", "created_at", "group"]
    list_select_related = ["member", "by"]
    search_fields = ["member__display_name", "member__email", "reason"]
    autocomplete_fields = ["member"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["group", "member", "reason", "until", "by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["member", "by", "created_at"] if obj is not None else ["by", "created_at"]

    @admin.display(description=_("in effect"), boolean=True)
    def in_effect(self, obj):
        return obj.until is None or obj.until > timezone.now()

    def delete_model(self, request, obj):
        services.member_unmute(group=obj.group, member=obj.member, by=request.user)

    def delete_queryset(self, request, queryset):
        for mute in queryset.select_related("group", "member"):
            self.delete_model(request, mute)


class AnnouncementAddForm(ServiceForm):
    error_field = "subject"

    class Meta:
        model = Announcement
        fields = ["group", "subject", "body", "send_at"]
        help_texts = {
            "body": MARKDOWN_HELP,
            "send_at": _("Empty: now. In the group's time zone."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["send_at"].required = False

    def perform(self, data):
        return services.announcement_send(
            group=data["group"],
            by=self.request.user,
            subject=data["subject"],
            body=data["body"],
            send_at=data["send_at"],
        )


class AnnouncementChangeForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["subject", "body", "send_at"]
        help_texts = {"body": MARKDOWN_HELP}

    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise ValidationError(_("Give the announcement a subject."))
        return subject


@admin.register(Announcement)
class AnnouncementAdmin(
    ServiceAdminMixin, CurrentGroupAdminMixin, StrictFiltersMixin, admin.ModelAdmin
):
    """Posts to the group, emailed once (services.announcement_send, or send_reminders when
    a scheduled one is due). After that its wording may be corrected, never re-sent; a
    scheduled one may be rescheduled or deleted to cancel it."""

    list_display = ["subject", "send_at", "emailed", "author", "group"]
    list_select_related = ["author"]
    search_fields = ["subject", "body"]
    date_hierarchy = "send_at"
    actions = None  # no bulk delete: an emailed announcement stays

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AnnouncementChangeForm if obj is not None else AnnouncementAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["group", "subject", "body", "send_at"]
        return ["subject", "body", "send_at", "emailed", "author", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        emailed = ["send_at"] if obj.emailed_at is not None else []
        return [*emailed, "emailed", "author", "created_at"]

    def has_delete_permission(self, request, obj=None):
        scheduled = obj is None or obj.emailed_at is None
        return scheduled and super().has_delete_permission(request, obj)

    @admin.display(description=_("emailed"), ordering="emailed_at")
    def emailed(self, obj):
        return obj.emailed_at or _("scheduled")

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)  # announcement_send stored it
            return
        fields = ["subject", "body", *markdown_store(obj)]
        if "send_at" in form.fields:
            fields.append("send_at")
        obj.save(update_fields=fields)
