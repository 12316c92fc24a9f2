"""The event form's compact rows: speakers, program and breakouts, one line each.

Tabular inlines leave their inputs without a label (the column heading is not one), so every
input carries its column's name as aria-label (axe-core, tests/events/test_event_form_browser.py).
Rows are kept in the order they are shown, moved with "Move up" and "Move down" (no order
numbers to type): a new row goes after the others.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from ..models import AgendaItem, Breakout, Event, EventSpeaker, Speaker

# One-line inputs for one-line texts, a browser's own time input (no clock pop-up).
ONE_LINE = {
    models.TextField: {"widget": forms.TextInput(attrs={"class": "vTextField"})},
    models.TimeField: {
        "form_class": forms.TimeField,
        "widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    },
}


class RowAutocompleteSelect(AutocompleteSelect):
    """Django's search box, showing the row's own choice as read with the row (the inline's
    select_related) rather than by one query per row."""

    known = ()

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        selected = {str(v) for v in value if str(v) not in empty}
        known = [obj for obj in self.known if str(obj.pk) in selected]
        if len(known) != len(selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for obj in known:
            label = self.choices.field.label_from_instance(obj)
            options.append(self.create_option(name, obj.pk, label, selected, len(options)))
        return [(None, options, 0)]


class CompactRowsMixin:
    """Search fields without the related object's add, change, delete and view icons: a row
    stays one line (a new speaker is named in its own column). The order is a hidden input
    that "Move up" and "Move down" set (static/js/admin-rows.js), never a number to type."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RowAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "order":
            kwargs.update(widget=forms.HiddenInput, required=False)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            widget = field.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field


TABULAR = "admin/events/event/tabular.html"


class LabelledRowsFormSet(BaseInlineFormSet):
    """Each input named by its column (aria-label); new rows ordered after the existing ones."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # The widget itself, not a wrapper with the add/change icons (its attrs are the
            # attrs of the widget it was copied from).
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(field.label))
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, RowAutocompleteSelect) and form.instance.pk is not None:
                relation = form.instance._meta.get_field(name)
                if relation.is_cached(form.instance):
                    widget.known = (
                        [getattr(form.instance, name)]
                        if getattr(form.instance, relation.attname)
                        else []
                    )

    def save_new(self, form, commit=True):
        moved = "order" in form.changed_data and form.cleaned_data.get("order") is not None
        if not moved:  # a position given by "Move up" / "Move down" (static/js/admin-rows.js)
            stored = [f.instance.order for f in self.initial_forms if f.instance.pk]
            form.instance.order = max(stored, default=-1) + 1 + self.forms.index(form)
        return super().save_new(form, commit=commit)


def _speaker_slug(name: str) -> str:
    base = slugify(name)[:190] or "speaker"
    slug, n = base, 2
    while Speaker.objects.filter(slug__iexact=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class EventSpeakerForm(forms.ModelForm):
    """A speaker found by search, or a new one named here (no pop-up): the new speaker's page
    takes the name; the bio and photo can follow on the speaker's own admin page."""

    new_speaker = forms.CharField(
        label=_("or a new speaker’s name"), max_length=200, required=False
    )

    class Meta:
        model = EventSpeaker
        fields = ["speaker", "new_speaker", "role", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].required = False

    def clean(self):
        data = super().clean()
        name = (data.get("new_speaker") or "").strip()
        if data.get("speaker") and name:
            self.add_error("new_speaker", _("Choose a speaker or name a new one, not both."))
        elif not data.get("speaker") and not name:
            self.add_error("speaker", _("Choose a speaker or name a new one."))
        return data

    def save(self, commit=True):
        name = self.cleaned_data.get("new_speaker", "").strip()
        if name and not self.instance.speaker_id:
            speaker = Speaker(name=name, slug=_speaker_slug(name))
            speaker.full_clean()
            speaker.save()
            self.instance.speaker = speaker
        return super().save(commit=commit)


class EventSpeakerInline(CompactRowsMixin, admin.TabularInline):
    model = EventSpeaker
    template = TABULAR
    form = EventSpeakerForm
    formset = LabelledRowsFormSet
    fields = ["speaker", "new_speaker", "role", "order"]
    autocomplete_fields = ["speaker"]
    verbose_name = _("speaker")
    verbose_name_plural = _("speakers")
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0  # a new evening has its guest: one row ready

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


class AgendaItemInline(CompactRowsMixin, TranslationTabularInline):
    model = AgendaItem
    template = TABULAR
    formset = LabelledRowsFormSet
    fields = ["time", "kind", "title", "description", "order"]
    formfield_overrides = ONE_LINE
    verbose_name = _("program item")
    verbose_name_plural = _("program")
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0  # the talk: one row ready; a row left blank is ignored


class BreakoutInline(CompactRowsMixin, TranslationTabularInline):
    model = Breakout
    template = TABULAR
    formset = LabelledRowsFormSet
    autocomplete_fields = ["facilitator"]
    verbose_name = _("breakout")
    verbose_name_plural = _("breakouts")
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 0  # two discussions, the usual evening; blank: ignored

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("facilitator")

    NOTES_FIELDS = ("notes", "notes_published")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name.startswith("prompt"):  # one line; the notes stay a text box
            kwargs["widget"] = forms.TextInput(attrs={"class": "vTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_exclude(self, request, obj=None):
        """The notes (what the discussion came to) only once the event (obj) has ended."""
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if has_ended(obj) else [*exclude, *self.NOTES_FIELDS]


def has_ended(event) -> bool:
    """Whether the stored event has ended (a form being posted changes the instance's dates
    between building the inline formsets and showing them): read with the event itself
    (EventAdmin.get_object), by the same rule as Event.objects.past()."""
    if event is None or event.pk is None:
        return False
    ended = getattr(event, "ended_as_stored", None)
    if ended is None:  # an event that did not come from EventAdmin.get_object
        ended = event.ended_as_stored = Event.objects.filter(pk=event.pk).past().exists()
    return ended
