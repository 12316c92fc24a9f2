"""The group's emails: the contact form's message to the organizers, and the answer to a
request to join. GroupsConfig.ready registers them in core's registry."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails.kinds import EmailKind

from .hooks import AlertKind
from .models import Group, Membership


class GroupEmail(models.TextChoices):
    CONTACT = "contact", gettext_lazy("Message through the contact form")
    JOIN_APPROVED = "join_approved", gettext_lazy("Request to join approved")
    JOIN_DECLINED = "join_declined", gettext_lazy("Request to join declined")


def contact_messages(*, group: Group, name: str, email: str, message: str):
    """The contact form's message, one per organizer in their own language (and one to the
    group's address, in the main language): [(organizer or None, language, message)]."""
    recipients: dict[str, tuple] = {}
    for membership in group.memberships.organizers().select_related("user").order_by("user_id"):
        organizer = membership.user
        recipients.setdefault(organizer.email.lower(), (organizer, organizer.language))
    if group.contact_email:
        recipients.setdefault(group.contact_email.lower(), (None, ""))
    built = []
    for _address, (user, language) in sorted(recipients.items()):
        language = language or settings.LANGUAGE_CODE
        with translation.override(language):
            body = render_to_string(
                "groups/email/contact.txt",
                {"group": group, "name": name, "email": email, "message": message},
            )
            subject = _("[%(group)s] A message from %(name)s") % {
                "group": group.name,
                "name": name,
            }
        to = user.email if user is not None else group.contact_email
        built.append(
            (
                user,
                language,
                EmailMessage(
                    subject=subject,
                    body=body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[to],
                    reply_to=[email],
                ),
            )
        )
    return built


def join_decision_context(params: dict, user) -> dict | None:
    group = Group.objects.filter(pk=params["group"]).first()
    if group is None:
        return None
    return {
        "group": group,
        "message": params.get("message", ""),
        "events_url": settings.SITE_URL + reverse("events:upcoming"),
        "join_url": settings.SITE_URL + reverse("join"),
    }


KINDS = [
    # Rendered in the request, one per organizer in their language, and queued whole.
    EmailKind(name=GroupEmail.CONTACT.value, label=GroupEmail.CONTACT.label),
    EmailKind(
        name=GroupEmail.JOIN_APPROVED.value,
        label=GroupEmail.JOIN_APPROVED.label,
        context=join_decision_context,
        templates="groups/email/join_approved",
        html=False,
    ),
    EmailKind(
        name=GroupEmail.JOIN_DECLINED.value,
        label=GroupEmail.JOIN_DECLINED.label,
        context=join_decision_context,
        templates="groups/email/join_declined",
        html=False,
    ),
]


# --- Organizers hear of a request to join (groups/alerts.py) -----------------------------------

JOIN_REQUEST = "join_request"


def join_request_line(params: dict) -> tuple[str, str] | None:
    membership = (
        Membership.objects.select_related("user").filter(pk=params.get("membership")).first()
    )
    if membership is None:
        return None
    text = _("%(name)s asks to join the group.") % {"name": membership.user.display_name}
    return text, reverse("admin:groups_membership_change", args=[membership.pk])


JOIN_REQUEST_ALERT = AlertKind(
    name=JOIN_REQUEST,
    label=gettext_lazy("A request to join, for organizers"),
    line=join_request_line,
    templates="groups/email/join_request",
)
