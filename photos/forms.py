from django import forms
from django.utils.translation import gettext_lazy as _


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
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Photos"),
        help_text=_(
            "JPEG, PNG or WebP, up to 20 MB and 50 megapixels each. "
            "Location and camera details are removed."
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
