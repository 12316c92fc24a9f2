from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Group


@task()
def send_contact_message(*, group_id: int, name: str, email: str, message: str) -> int:
    """Delivers a contact-form message to the group's organizers; returns recipients count."""
    group = Group.objects.get(pk=group_id)
    # One message per language, each organizer's own (the group's address: the main one).
    by_language: dict[str, set[str]] = {}
    for address, language in group.memberships.organizers().values_list(
        "user__email", "user__language"
    ):
        by_language.setdefault(language or settings.LANGUAGE_CODE, set()).add(address)
    if group.contact_email:
        by_language.setdefault(settings.LANGUAGE_CODE, set()).add(group.contact_email)
    sent = set()
    for language, addresses in sorted(by_language.items()):
        recipients = sorted(addresses - sent)
        if not recipients:
            continue
        with translation.override(language):
            body = render_to_string(
                "groups/email/contact.txt",
                {"group": group, "name": name, "email": email, "message": message},
            )
            subject = _("[%(group)s] A message from %(name)s") % {
                "group": group.name,
                "name": name,
            }
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
            reply_to=[email],
        ).send()
        sent.update(recipients)
    return len(sent)


@task()
def send_join_decision(*, user_id: int, group_id: int, approved: bool, message: str) -> bool:
    """Tells a person that organizers approved or declined their request to join."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    group = Group.objects.filter(pk=group_id).first()
    if user is None or group is None:
        return False
    site_url = settings.SITE_URL
    context = {
        "user": user,
        "group": group,
        "message": message,
        "site_url": site_url,
        "events_url": site_url + reverse("events:upcoming"),
        "join_url": site_url + reverse("join"),
    }
    kind = "join_approved" if approved else "join_declined"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = (
            _("[%(group)s] You're a member now")
            if approved
            else _("[%(group)s] About your request to join")
        ) % {"group": group.name}
        body = render_to_string(f"groups/email/{kind}.txt", context)
    EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    ).send()
    return True
