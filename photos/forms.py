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
    alt_text = forms.CharField(
        label=_("What the photos show"),
        max_length=500,
        required=False,
        help_text=_(
            "Read aloud to people who can't see the images, e.g. “Members talking in small groups”."
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=500, required=False)
