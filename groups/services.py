from django.db import transaction

from .models import Group
from .tasks import send_contact_message


def contact_send(*, group: Group, name: str, email: str, message: str) -> None:
    """Queues the contact message to the organizers once the request's transaction commits."""
    transaction.on_commit(
        lambda: send_contact_message.enqueue(
            group_id=group.pk, name=name, email=email, message=message
        )
    )
