"""Two-factor sign-in (README "Two-factor sign-in"): allauth's MFA, and the admin's gate.

Any member may add an authenticator app (TOTP, with recovery codes) or passkeys on /me/.
Whoever the admin would open for (organizers and co-organizers are staff, groups.services keeps
it so; superusers are staff too) must have one first: until then every admin page leads to
members:admin_two_factor, which says why and how, and goes on to the admin once it is done.
"""

from urllib.parse import urlencode

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import is_mfa_enabled
from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm
from django.contrib import admin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from groups.models import Group

# What counts as a second factor: recovery codes only stand in for one of these.
FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Where the gate was going, kept while the organizer sets a factor up.
ADMIN_NEXT = "potluck_admin_next"


def has_second_factor(user) -> bool:
    """An authenticator app or a passkey (one query)."""
    return is_mfa_enabled(user, FACTORS)


def authenticator_app_set(*, user, secret: str) -> list[str]:
    """Gives `user` an authenticator app holding `secret`, with recovery codes, as setting it up
    on /me/ does, unless they have one; returns their unused recovery codes. For the demo
    organizer (seed_demo), whose key is public like its password."""
    with transaction.atomic():
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)
        return RecoveryCodes.activate(user).get_unused_codes()


def admin_next(request, candidate: str | None) -> str:
    """An admin address to go back to: the one asked for if it is one, else the admin's index."""
    index = reverse("admin:index")
    if (
        candidate
        and candidate.startswith(index)
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()})
    ):
        return candidate
    return index


class AdminSecondFactorMiddleware:
    """Every admin page (the index, lists, forms, autocomplete, the admin's own views) opens
    only for people with a second factor; the others land on the page that sets one up.

    It asks the admin's own question, admin.site.has_permission() (active staff), so nobody
    the admin lets in passes without a factor, and anyone else meets the admin's own login or
    refusal. Logging out stays open.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespaces[:1] != [admin.site.name]:
            return None
        if match.url_name == "logout" or not admin.site.has_permission(request):
            return None
        if has_second_factor(request.user):
            return None
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('members:admin_two_factor')}?{query}")


class MFAAdapter(DefaultMFAAdapter):
    """Authenticator apps and passkeys name the group, not the server's host name."""

    def _group_name(self) -> str:
        group = Group.objects.current()
        return group.name if group is not None else "Potluck"

    def get_totp_issuer(self) -> str:
        return self._group_name()

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        return {**super().get_public_key_credential_rp_entity(), "name": self._group_name()}


class AddPasskeyForm(AddWebAuthnForm):
    """allauth's "add a passkey" form (MFA_FORMS), in Potluck's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the passkey")
        self.fields["name"].help_text = _("To tell your passkeys apart, such as “My phone”.")
        if "passwordless" in self.fields:
            self.fields["passwordless"].label = _("Also log in with it alone, without a password")
            self.fields["passwordless"].help_text = _(
                "Your device then asks for your fingerprint, face or PIN each time."
            )


class RenamePasskeyForm(EditWebAuthnForm):
    """allauth's "edit a passkey" form (MFA_FORMS), in Potluck's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the passkey")
