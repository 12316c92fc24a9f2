from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from core.adminfilters import StrictFiltersMixin
from core.imagefiles import COVER, StoredImagesAdminMixin
from core.markdown import StoredMarkdownAdminMixin

from . import confirmations, hooks, services
from .access import viewer
from .admingroup import CurrentGroupAdminMixin
from .forms import GroupAdminForm, ModerationForm
from .models import (
    MAX_JOIN_QUESTIONS,
    ORGANIZER_ROLES,
    Ban,
    Group,
    JoinQuestion,
    LogEntry,
    Membership,
    MembershipAction,
    MembershipStatus,
    ResourceLink,
    SocialLink,
)


class LeadOrganizerOnlyMixin:
    """Organizers (the organizer role) change this; co-organizers may only look.

    Roles and the group's settings are the lead organizer's to change (groups/access.py).
    """

    def _is_lead(self, request) -> bool:
        return viewer(request).is_lead_organizer

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._is_lead(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._is_lead(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._is_lead(request)


class LeadOrganizerInline(LeadOrganizerOnlyMixin, admin.StackedInline):
    """Stacked: each field labelled (Django's tabular inline has column headings only)."""

    extra = 0


class ResourceLinkInline(LeadOrganizerOnlyMixin, TranslationStackedInline):
    """Its title and note in English and Spanish."""

    model = ResourceLink
    extra = 0
    fields = [("title_en", "title_es"), "url", ("note_en", "note_es"), "order"]


class SocialLinkInline(LeadOrganizerOnlyMixin, TranslationStackedInline):
    """Its label in English and Spanish."""

    model = SocialLink
    extra = 0
    fields = [("label_en", "label_es"), "url", "order"]


class JoinQuestionInline(LeadOrganizerInline):
    """Asked on the join form, at most five."""

    model = JoinQuestion
    max_num = MAX_JOIN_QUESTIONS


@admin.register(Group)
class GroupAdmin(
    LeadOrganizerOnlyMixin,
    StoredImagesAdminMixin,
    StoredMarkdownAdminMixin,
    TranslationAdmin,  # the group's texts in English and Spanish
):
    """One group per installation: nobody adds a second one or deletes it here.

    Deleting the group (and everything in it) is `manage.py delete_group`, for superusers.
    """

    form = GroupAdminForm
    image_shapes = {"cover_image": COVER}
    image_urls = {"cover_image": "cover_jpeg_url"}
    list_display = ["name", "city", "time_zone"]
    search_fields = ["name", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [JoinQuestionInline, ResourceLinkInline, SocialLinkInline]

    def has_add_permission(self, request):
        return request.user.is_superuser and not Group.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["group", "user", "role"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            group, user = cleaned.get("group"), cleaned.get("user")
            if (
                group is not None
                and user is not None
                and services.is_banned(group=group, user=user)
            ):
                self.add_error("user", services.banned_message())
            return cleaned
        before = Membership.objects.get(pk=self.instance.pk)
        moved = cleaned.get("user") is not None and cleaned["user"].pk != before.user_id
        demoted = cleaned.get("role") not in ORGANIZER_ROLES
        if before.is_pending and cleaned.get("role") in ORGANIZER_ROLES:
            self.add_error(
                "role", _("Approve the request to join first; then the role can change.")
            )
        if (
            before.role in ORGANIZER_ROLES
            and (moved or demoted)
            and services.is_last_organizer(before)
        ):
            self.add_error(
                "user" if moved else "role",
                _(
                    "This is the group's last organizer. Make another member an organizer "
                    "first, so the group is never left without one."
                ),
            )
        return cleaned


# What each moderation action says on its page and does: (title, button, service call).
MODERATION = {
    "approve": (
        _("Approve these requests to join"),
        _("Approve"),
        _("Each person is emailed, with your message if you write one."),
    ),
    "decline": (
        _("Decline these requests to join"),
        _("Decline"),
        _("Each person is emailed, with your message if you write one. They may ask again."),
    ),
    "remove": (
        _("Remove these members"),
        _("Remove"),
        _(
            "Their places at upcoming events are freed. They may join again. The reason is "
            "kept in the membership log, not sent."
        ),
    ),
    "ban": (
        _("Ban these people"),
        _("Ban"),
        _(
            "They are removed, their places at upcoming events are freed, and they can never "
            "join, RSVP or see members-only pages again, with this or any account using the "
            "same email address. The reason is kept in the membership log, not sent."
        ),
    ),
}


def _ask(membership, *, kind: str, by, reason: str) -> bool:
    """Removing or banning through groups.confirmations: True when it waits for a second
    organizer, False when it was done at once (the group has one organizer)."""
    act = confirmations.MEMBER_REMOVE if kind == "remove" else confirmations.MEMBER_BAN
    return (
        confirmations.action_request(
            group=membership.group,
            kind=act.name,
            target=membership.user_id,
            title=_("%(act)s %(person)s") % {"act": act.label, "person": membership.user},
            by=by,
            reason=reason,
        )
        is not None
    )


def _waiting_message(count: int) -> str:
    return ngettext(
        "Waiting for a second organizer: %(count)d request. Another organizer confirms it "
        "from the admin home.",
        "Waiting for a second organizer: %(count)d requests. Another organizer confirms "
        "them from the admin home.",
        count,
    ) % {"count": count}


@admin.register(Membership)
class MembershipAdmin(
    StrictFiltersMixin, CurrentGroupAdminMixin, LeadOrganizerOnlyMixin, admin.ModelAdmin
):
    """Roles change here; the "Organizers" permission group and staff status follow them.

    Requests to join are approved or declined here, and members removed or banned (actions
    for both organizer roles, with a message or reason on a page of their own).
    """

    form = MembershipForm

    list_display = [
        "user",
        "group",
        "role",
        "status",
        "joined_at",
        "rsvped",
        "attended",
        "no_shows",
        "late_cancellations",
    ]
    list_filter = ["status", "role", "group"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["user__display_name", "user__email"]
    autocomplete_fields = ["user"]
    date_hierarchy = "joined_at"
    readonly_fields = ["status", "join_answers"]
    actions = ["approve_requests", "decline_requests", "remove_members", "ban_members"]

    def get_queryset(self, request):
        # Attendance history (registered by events: groups.hooks), counted for the page's
        # rows only.
        return (
            super()
            .get_queryset(request)
            .annotate(
                **{k: v for build in hooks.membership_annotations for k, v in build().items()}
            )
        )

    @admin.display(description=_("RSVPed"), ordering="attendance_rsvped")
    def rsvped(self, obj):
        return getattr(obj, "attendance_rsvped", 0)

    @admin.display(description=_("attended"), ordering="attendance_attended")
    def attended(self, obj):
        return getattr(obj, "attendance_attended", 0)

    @admin.display(description=_("no-shows"), ordering="attendance_no_shows")
    def no_shows(self, obj):
        return getattr(obj, "attendance_no_shows", 0)

    @admin.display(
        description=_("cancelled within 24 hours"), ordering="attendance_late_cancellations"
    )
    def late_cancellations(self, obj):
        return getattr(obj, "attendance_late_cancellations", 0)

    @admin.display(description=_("answers to the join questions"))
    def join_answers(self, obj):
        if not obj.answers:
            return "—"
        return format_html_join(
            "",
            "<p><strong>{}</strong><br>{}</p>",
            ((a["question"], a["answer"] or "—") for a in obj.answers),
        )

    def has_moderate_permission(self, request) -> bool:
        """Both organizer roles answer requests and remove or ban members."""
        return self.has_view_permission(request) and viewer(request).is_organizer

    def _moderate(self, request, queryset, kind: str):
        """The action's own page (a message or reason), then the service for each row."""
        title, button, explanation = MODERATION[kind]
        form = ModerationForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": title,
                "button": button,
                "explanation": explanation,
                "form": form,
                "memberships": queryset.select_related("user"),
                "action": request.POST.get("action", ""),
                "opts": self.model._meta,
                "select_across": request.POST.get("select_across", "0"),
            }
            return TemplateResponse(request, "admin/groups/membership/moderate.html", context)
        text = form.cleaned_data["text"]
        lead = viewer(request).is_lead_organizer
        done = waiting = 0
        for membership in queryset.select_related("group", "user"):
            try:
                if kind in ("remove", "ban") and membership.role in ORGANIZER_ROLES and not lead:
                    raise ValidationError(
                        _("Only an organizer removes or bans %(person)s, a co-organizer.")
                        % {"person": membership.user}
                    )
                if kind == "approve":
                    services.membership_approve(
                        membership=membership, by=request.user, message=text
                    )
                elif kind == "decline":
                    services.membership_decline(
                        membership=membership, by=request.user, message=text
                    )
                else:
                    waits = _ask(membership, kind=kind, by=request.user, reason=text)
            except ValidationError as refused:
                self.message_user(
                    request, f"{membership.user}: {' '.join(refused.messages)}", messages.ERROR
                )
            else:
                if kind in ("remove", "ban") and waits:
                    waiting += 1
                else:
                    done += 1
        if waiting:
            self.message_user(request, _waiting_message(waiting), messages.WARNING)
        if done:
            self.message_user(request, _("Done: %(count)d.") % {"count": done}, messages.SUCCESS)
        return None

    @admin.action(description=_("Approve selected requests to join"), permissions=["moderate"])
    def approve_requests(self, request, queryset):
        return self._moderate(request, queryset, "approve")

    @admin.action(description=_("Decline selected requests to join"), permissions=["moderate"])
    def decline_requests(self, request, queryset):
        return self._moderate(request, queryset, "decline")

    @admin.action(description=_("Remove selected members"), permissions=["moderate"])
    def remove_members(self, request, queryset):
        return self._moderate(request, queryset, "remove")

    @admin.action(description=_("Ban selected people"), permissions=["moderate"])
    def ban_members(self, request, queryset):
        return self._moderate(request, queryset, "ban")

    def save_model(self, request, obj, form, change):
        try:
            services.membership_save(membership=obj, by=request.user)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.is_last_organizer(obj):
            return False  # the group is never left without an organizer
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        try:
            removal = obj.status == MembershipStatus.ACTIVE and obj.user_id != request.user.pk
            if removal and viewer(request).is_organizer:
                # Deleting an active member's membership removes them: a destructive act.
                # (A superuser who is not an organizer runs the server: no one to ask.)
                if _ask(obj, kind="remove", by=request.user, reason=""):
                    self.message_user(request, _waiting_message(1), messages.WARNING)
            else:
                services.membership_delete(membership=obj, by=request.user)
        except ValidationError as refused:
            self.message_user(request, refused.messages[0], messages.ERROR)

    def response_delete(self, request, obj_display, obj_id):
        """No "deleted successfully" for a membership that still waits (or was refused)."""
        if Membership.objects.filter(pk=obj_id).exists():
            return HttpResponseRedirect(reverse("admin:groups_membership_changelist"))
        return super().response_delete(request, obj_display, obj_id)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("group", "user"):
            self.delete_model(request, membership)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ViewOnlyAdminMixin(ReadOnlyAdminMixin):
    """Looked at, never added, changed or deleted (superusers included); without the delete
    permission Django offers no bulk action either."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MembershipAction)
class MembershipActionAdmin(StrictFiltersMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """The membership log: who approved, declined, removed or banned whom, and why."""

    list_display = ["at", "action", "member", "by", "reason"]
    list_filter = ["action"]
    search_fields = ["member__display_name", "by__display_name", "reason"]
    date_hierarchy = "at"
    list_select_related = ["member", "by"]


@admin.register(LogEntry)
class LogEntryAdmin(StrictFiltersMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """The transparency log, as members read it at /log/: nobody adds, changes or deletes an
    entry here (superusers included); the services that act write it."""

    list_display = ["at", "kind", "actor", "member", "title", "detail"]
    list_filter = ["kind"]
    search_fields = ["title", "detail", "actor__display_name"]
    date_hierarchy = "at"
    list_select_related = ["actor", "member"]


@admin.register(Ban)
class BanAdmin(StrictFiltersMixin, ReadOnlyAdminMixin, LeadOrganizerOnlyMixin, admin.ModelAdmin):
    """Bans are made from the memberships list; deleting one (the organizer role) lifts it."""

    list_display = ["__str__", "reason", "by", "created_at"]
    search_fields = ["user__display_name", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "by"]
    fields = ["user", "by", "reason", "created_at"]
    readonly_fields = fields
