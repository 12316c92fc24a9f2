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
    recipients = sorted(
        set(group.memberships.organizers().values_list("user__email", flat=True))
        | ({group.contact_email} if group.contact_email else set())
    )
    if not recipients:
        return 0
    body = render_to_string(
        "groups/email/contact.txt",
        {"group": group, "name": name, "email": email, "message": message},
    )
    EmailMessage(
        subject=_("[%(group)s] A message from %(name)s") % {"group": group.name, "name": name},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=[email],
    ).send()
    return len(recipients)


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
    with translation.override(settings.LANGUAGE_CODE):
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
