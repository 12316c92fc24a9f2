"""Categories, mutes and announcements."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from core.adminfilters import StrictFiltersMixin
from core.markdown import markdown_store
from groups.admingroup import CurrentGroupAdminMixin

from .. import services
from ..forms import MARKDOWN_HELP
from ..models import (
    Announcement,
    Category,
    Mute,
)
from .forms import ServiceAdminMixin, ServiceForm

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


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


class AnnouncementAddForm(ServiceForm):
    """The subject and message in English and, when written, in Spanish."""

    error_field = "subject_en"

    class Meta:
        model = Announcement
        fields = ["group", "subject_en", "subject_es", "body_en", "body_es", "send_at"]
        help_texts = {
            "body_en": MARKDOWN_HELP,
            "body_es": MARKDOWN_HELP,
            "send_at": _("Empty: now. In the group's time zone."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("subject_es", "body_es", "send_at"):
            self.fields[name].required = False

    def perform(self, data):
        return services.announcement_send(
            group=data["group"],
            by=self.request.user,
            subject=data["subject_en"],
            body=data["body_en"],
            subject_es=data["subject_es"],
            body_es=data["body_es"],
            send_at=data["send_at"],
        )


class AnnouncementChangeForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["subject_en", "subject_es", "body_en", "body_es", "send_at"]
        help_texts = {"body_en": MARKDOWN_HELP, "body_es": MARKDOWN_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("subject_es", "body_es"):
            self.fields[name].required = False

    def clean_subject_en(self):
        subject = _one_line(self.cleaned_data["subject_en"])
        if not subject:
            raise ValidationError(_("Give the announcement a subject."))
        return subject

    def clean_subject_es(self):
        return _one_line(self.cleaned_data["subject_es"]) or None

    def clean_body_es(self):
        return (self.cleaned_data["body_es"] or "").strip() or None


@admin.register(Announcement)
class AnnouncementAdmin(
    ServiceAdminMixin, CurrentGroupAdminMixin, StrictFiltersMixin, admin.ModelAdmin
):
    """Posts to the group, emailed once (services.announcement_send, or send_reminders when
    a scheduled one is due). After that its wording may be corrected, never re-sent; a
    scheduled one may be rescheduled or deleted to cancel it."""

    list_display = ["subject", "send_at", "emailed", "author", "group"]
    list_select_related = ["author"]
    search_fields = ["subject_en", "subject_es", "body_en", "body_es"]
    date_hierarchy = "send_at"
    actions = None  # no bulk delete: an emailed announcement stays

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AnnouncementChangeForm if obj is not None else AnnouncementAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        """English and Spanish side by side, as on the other translated pages."""
        texts = [("subject_en", "subject_es"), ("body_en", "body_es")]
        if obj is None:
            return ["group", *texts, "send_at"]
        return [*texts, "send_at", "emailed", "author", "created_at"]

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
        fields = ["subject_en", "subject_es", "body_en", "body_es", *markdown_store(obj)]
        if "send_at" in form.fields:
            fields.append("send_at")
        obj.save(update_fields=fields)
