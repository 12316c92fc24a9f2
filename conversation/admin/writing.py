"""Comments, discussions and replies: read-only with their edit history, moderated by actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.adminfilters import StrictFiltersMixin
from groups import confirmations
from groups.access import viewer
from groups.admin import ReadOnlyAdminMixin

from .. import services
from ..models import (
    Category,
    Comment,
    Reply,
    Revision,
    Thread,
)
from .forms import BOTH_PLACES, _excerpt

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
        return obj.html["body"]  # sanitized by nh3 when stored (core.markdown)

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

    def delete_model(self, request, obj):
        """Deleting a discussion waits for a second organizer where the group has two."""
        try:
            waiting = confirmations.action_request(
                group=obj.group,
                kind="discussion_delete",
                target=obj.pk,
                title=_("Delete the discussion “%(title)s”") % {"title": obj.title},
                by=request.user,
            )
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
        except PermissionDenied as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            if waiting is not None:
                self.message_user(
                    request,
                    _("Waiting for a second organizer, who confirms it from the admin home."),
                    messages.WARNING,
                )

    def response_delete(self, request, obj_display, obj_id):
        """No "deleted successfully" for a discussion that still waits (or was refused)."""
        if Thread.objects.filter(pk=obj_id, deleted_at__isnull=True).exists():
            return HttpResponseRedirect(reverse("admin:conversation_thread_changelist"))
        return super().response_delete(request, obj_display, obj_id)

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
            kwargs["queryset"] = Category.objects.filter(group=request.group)
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
