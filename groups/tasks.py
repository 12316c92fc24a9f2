from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
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
