"""One of each thing the admin home's "What needs you" lists, for its tests."""

from datetime import timedelta

from django.utils import timezone

from api.models import DeliveryState, Webhook, WebhookDelivery
from conversation.services import report_file
from core.models import Email, EmailState
from events import services as event_services
from groups.models import Role
from photos.models import Album, Photo, PhotoStatus, TakedownRequest
from tests.factories import CommentFactory, EventFactory, MembershipFactory, UserFactory


def fill(group, organizer, *, n: int = 1) -> dict:
    """n of each: join requests, reports, photos to review, takedown requests, failed emails,
    failing webhook deliveries, and n upcoming events with RSVPs."""
    events = []
    hook = Webhook.objects.create(url="https://93.184.215.14/hook", changes=["event.published"])
    for i in range(n):
        MembershipFactory(group=group, status="pending")
        author = MembershipFactory(group=group, role=Role.MEMBER).user
        reporter = MembershipFactory(group=group, role=Role.MEMBER).user
        event = EventFactory(
            group=group, capacity=30, starts_at=timezone.now() + timedelta(days=3 + i)
        )
        events.append(event)
        event_services.rsvp_set(event=event, member=author, going=True)
        event_services.rsvp_set(event=event, member=reporter, going=True)
        comment = CommentFactory(event=event, author=author)
        report_file(item=comment, by=reporter, reason="spam")
        album = Album.objects.create(group=group, title=f"Album {i}", created_by=organizer)
        Photo.objects.create(album=album, image="photos/a.jpg", status=PhotoStatus.PENDING)
        shown = Photo.objects.create(album=album, image="photos/b.jpg")
        TakedownRequest.objects.create(photo=shown, requested_by=UserFactory())
        Email.objects.create(
            kind="welcome",
            recipient=author,
            address=author.email,
            state=EmailState.FAILED,
            params={"group": group.pk},
            last_error="550 mailbox unavailable",
        )
        WebhookDelivery.objects.create(
            webhook=hook,
            change="event.published",
            event=event,
            occurred_at=timezone.now(),
            state=DeliveryState.FAILED,
            attempts=8,
        )
    return {"events": events}
