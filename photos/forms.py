from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

FILES_PER_REQUEST = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked later by photo_add, one by one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        """Counts the files before any is looked at, so a request with too many costs nothing."""
        single = super().clean
        if isinstance(data, (list, tuple)):
            if len(data) > FILES_PER_REQUEST:
                raise ValidationError(
                    ngettext(
                        "Please choose at most %(limit)d photo at a time (you chose %(count)d).",
                        "Please choose at most %(limit)d photos at a time (you chose %(count)d).",
                        FILES_PER_REQUEST,
                    )
                    % {"limit": FILES_PER_REQUEST, "count": len(data)},
                    code="too_many_files",
                )
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Photos"),
        help_text=_(
            "Up to 10 at a time: JPEG (up to 20 MB and 50 megapixels), PNG (16 megapixels) or "
            "WebP (5 MB, 16 megapixels). Location and camera details are removed."
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=500, required=False)


class DescribeForm(forms.Form):
    """The upload's second step: what each photo shows, one field per photo (photos_describe).
    A plain form: it works without JavaScript."""

    def __init__(self, *args, photos, **kwargs):
        super().__init__(*args, **kwargs)
        self.photos = photos
        for number, photo in enumerate(photos, start=1):
            # The file's name while the worker has it (processed photos show themselves).
            label = (
                _("What photo %(number)d shows (%(name)s)")
                % {"number": number, "name": photo.upload_name}
                if photo.upload_name
                else _("What photo %(number)d shows") % {"number": number}
            )
            self.fields[self.field_name(photo)] = forms.CharField(
                label=label,
                max_length=500,
                required=False,
                initial=photo.alt_text,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def field_name(photo) -> str:
        return f"alt_{photo.pk}"

    def rows(self):
        """Each photo with its field, for the template."""
        return [(photo, self[self.field_name(photo)]) for photo in self.photos]

    def texts(self) -> dict[int, str]:
        return {photo.pk: self.cleaned_data[self.field_name(photo)] for photo in self.photos}
