from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.emails.outbox import email_queue_message
from core.languages import languages
from groups.models import Group
from groups.services import banned_message, is_banned

from . import services
from .emails import MemberEmail

JOIN_QUESTIONS_NEXT = "potluck_join_questions_next"


class AccountAdapter(DefaultAccountAdapter):
    """Potluck's side of allauth: the display name, joining on verification, emails."""

    def save_user(self, request, user, form, commit=True):
        """Sets the required display name before allauth first saves a new account."""
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        # Whoever signs up in Spanish gets their emails in Spanish (a choice /me/ changes).
        current = translation.get_language()
        user.language = current if current in languages() else ""
        if commit:
            user.save()
        return user

    def confirm_email(self, request, email_address):
        """The person's first verified address completes joining the group (README "Joining").

        Later verifications (a changed address) join nobody: someone who left stays out.
        """
        first = not (
            EmailAddress.objects.filter(user_id=email_address.user_id, verified=True)
            .exclude(pk=email_address.pk)
            .exists()
        )
        confirmed = super().confirm_email(request, email_address)
        if confirmed and first:
            try:
                membership = services.member_join_on_verification(user=email_address.user)
            except ValidationError as refused:  # banned: the address is verified, no more
                messages.error(request, " ".join(refused.messages))
            else:
                if membership is None and Group.objects.current() is not None:
                    # The group asks join questions: post_login sends them to the join page.
                    request.session[JOIN_QUESTIONS_NEXT] = True
        return confirmed

    def clean_email(self, email):
        """A banned address is refused at sign-up and when added to an account."""
        email = super().clean_email(email)
        group = Group.objects.current()
        if group is not None and is_banned(group=group, emails=[email]):
            raise forms.ValidationError(banned_message(), code="banned")
        return email

    def post_login(self, request, user, **kwargs):
        """After verifying their first address, someone the group asks questions of lands
        on the join page, then goes where they were going (README "Joining")."""
        response = super().post_login(request, user, **kwargs)
        if request.session.pop(JOIN_QUESTIONS_NEXT, False) and response.has_header("Location"):
            then = response["Location"]
            response["Location"] = reverse("join") + "?" + urlencode({"next": then})
        return response

    def send_mail(self, template_prefix, email, context):
        """allauth's emails name the group and end like Potluck's own (templates/emails/),
        in the language of the member they go to (a password reset, "account already
        exists"), or of the person at the keyboard when the address is nobody's yet.

        Rendered here as allauth renders them, then queued in the outbox like every email
        (logged, sent by the worker once the request's transaction commits)."""
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "group": Group.objects.current(),
            "site_url": settings.SITE_URL,
            "code_minutes": account_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT // 60,
            **context,
        }
        user = context.get("user")
        if user is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = (getattr(user, "language", "") if user is not None else "") or (
            translation.get_language()
        )
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        email_queue_message(
            kind=MemberEmail.ACCOUNT,
            message=message,
            recipient=user if getattr(user, "pk", None) else None,
            language=language,
            params={"template": template_prefix},
        )
