"""The group field of admin forms: Potluck serves one group, so it is filled in, not asked."""

from django import forms

from .models import Group


class CurrentGroupAdminMixin:
    """Admin forms of models with a `group` foreign key (events, series, albums, memberships).

    With one group (every installation today) the field is a hidden input holding that group,
    and the list leaves out its column and filter; were there ever several, the field shows
    with Group.objects.current() preselected. A hidden field rather than none at all, so that
    the form still validates the constraints that name the group.
    """

    def _single_group(self, request) -> bool:
        """Asked several times per admin page, counted once: kept as the request's public
        request.single_group (groups.request.PotluckRequest)."""
        if not hasattr(request, "single_group"):
            request.single_group = Group.objects.count() <= 1
        return request.single_group

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "group" and self._single_group(request):
            return forms.ModelChoiceField(
                queryset=Group.objects.all(),
                initial=Group.objects.current(),
                widget=forms.HiddenInput,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":
            kwargs.setdefault("initial", Group.objects.current())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_display(self, request):
        names = super().get_list_display(request)
        return [n for n in names if n != "group"] if self._single_group(request) else names

    def get_list_filter(self, request):
        names = super().get_list_filter(request)
        return [n for n in names if n != "group"] if self._single_group(request) else names
