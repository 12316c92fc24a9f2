"""What the conversation pages share: page sizes, editing and reporting pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.forms import add_service_errors as _errors

from .. import services
from ..forms import ReportForm

COMMENTS_PER_PAGE = 20


THREADS_PER_PAGE = 25


REPLIES_PER_PAGE = 50


ANNOUNCEMENTS_PER_PAGE = 20


def _edit_page(request, context: dict):
    """The author's edit form (a comment, discussion or reply); 400 after a refused POST."""
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "conversation/edit.html", context, status=status)


def _members_only(request, rule: str):
    return TemplateResponse(request, "conversation/members_only.html", {"rule": rule}, status=403)


def _report(request, item, back: str, context: dict):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_file(
                item=item,
                by=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Thank you. The organizers will have a look."))
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    context = context | {"form": form, "item": item, "back": back}
    return TemplateResponse(request, "conversation/report.html", context, status=status)
