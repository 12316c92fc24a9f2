from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings

from groups.models import Group

from . import services


class AccountAdapter(DefaultAccountAdapter):
    """Potluck's side of allauth: the display name, joining on verification, emails."""

    def save_user(self, request, user, form, commit=True):
        """Sets the required display name before allauth first saves a new account."""
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "").strip()
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
            services.member_join_on_verification(user=email_address.user)
        return confirmed

    def send_mail(self, template_prefix, email, context):
        """allauth's emails name the group and end like Potluck's own (templates/emails/)."""
        context = {
            "group": Group.objects.current(),
            "site_url": settings.SITE_URL,
            "code_minutes": account_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT // 60,
            **context,
        }
        super().send_mail(template_prefix, email, context)
