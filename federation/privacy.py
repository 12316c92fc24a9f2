"""What the privacy page says federation sends (members.hooks.privacy_notes), from the same
list of fields documents.event_document writes (tests/federation/test_privacy.py holds
them together)."""

from django.utils.translation import gettext as _

from .models import Actor


def note(request) -> str | None:
    group = request.group
    actor = None if group is None else Actor.objects.filter(group=group, enabled=True).first()
    if actor is None:
        return None
    text = _(
        "This group can be followed from the fediverse (Mastodon, Mobilizon and other "
        "servers). Its name, description and cover image, and each published event (its "
        "title, summary, description, start and end, place, with the street address only "
        "when it is not kept for attendees, cover image and link) are sent to the servers "
        "of its followers, which keep their own copies; a change, a cancellation or a "
        "deletion is sent too. Nothing about members is sent: not who is going, not what "
        "they wrote. Organizers can turn this off and block servers."
    )
    if actor.replies:
        text += " " + _(
            "Replies to an event written on other servers are kept here with their author's "
            "name and profile link; organizers read them first, and only those they approve "
            "are shown with the event's comments. A reply deleted by its author is deleted here."
        )
    return text
