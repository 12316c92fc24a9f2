from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX, TITLE_MAX, Category, ReportReason

MARKDOWN_HELP = _("Markdown works: **bold**, *italics*, [a link](https://example.org), lists.")


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["body"].label = label


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args, group, with_category=True, **kwargs):
        super().__init__(*args, **kwargs)
        categories = Category.objects.filter(group=group)
        if with_category and categories.exists():
            self.fields["category"].queryset = categories
            self.fields["category"].empty_label = _("General")
        else:
            del self.fields["category"]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Anything the organizers should know (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the organizers read your report; the author is not told who sent it."),
    )


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Move to"), queryset=Category.objects.none(), required=False
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(group=group)
        self.fields["category"].empty_label = _("General")


class CategoryFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(group=group)
        self.fields["category"].empty_label = _("All categories")
