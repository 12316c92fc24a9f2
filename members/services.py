"""Writes about a member's own account: membership, profile, export and deletion."""

import io
import json
import zipfile

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import generations, images, uploads
from core.emails.outbox import emails_queue
from core.models import Email, EmailState
from events import services as event_services
from events.models import RSVP, Event, SeriesFollow
from groups.models import Group, Membership, MembershipStatus
from groups.services import ensure_not_last_organizer, membership_request
from groups.visibility import PROFILE_PARTS
from photos.models import Photo

from . import tasks
from .data import iso_utc as _iso
from .data import sections
from .emails import MemberEmail
from .hooks import data_parts
from .models import User, new_calendar_token
from .profiles import profile_facts_for

EXPORT_FORMAT = "potluck-member-export/1"
# How the export names an authenticator app and recovery codes (a passkey has its own name).
FACTOR_NAMES = {
    Authenticator.Type.TOTP: "Authenticator app",
    Authenticator.Type.RECOVERY_CODES: "Recovery codes",
}


def member_set_language(*, member: User, language: str) -> None:
    """The member's language: the site's for them, and every email's (empty: the browser's)."""
    if member.language != language:
        member.language = language
        member.save(update_fields=["language"])


def member_rotate_calendar_token(*, member: User) -> str:
    """Gives the member a new secret feed address; the old one stops working at once."""
    with transaction.atomic():
        member.calendar_token = new_calendar_token()
        member.save(update_fields=["calendar_token"])
    return member.calendar_token


# --- Profile -----------------------------------------------------------------------------------


def member_set_avatar(*, member: User, upload) -> None:
    """Checks the avatar's header (size, format, megapixels claimed; no pixel decoded), keeps
    its bytes in quarantine under a random name and has the task worker decode and store it
    (members.tasks.avatar_process), as album photos are. Raises ValidationError saying why
    not, or core.uploads.StorageFull (nothing kept) when the disk is full."""
    name = getattr(upload, "name", "") or _("the file")
    images.inspect(upload, name)
    incoming = default_storage.save(tasks.incoming_name(), upload)  # as it came; never served
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: tasks.avatar_process.enqueue(
            member_id=member.pk, incoming=incoming, upload_name=name[:255], language=language
        )
    )


def avatar_incoming_sweep(*, now=None) -> str:
    """The periodic job (core.hooks.periodic): quarantined avatars older than
    POTLUCK_INCOMING_MAX_AGE_HOURS, which no task is coming for any more."""
    removed = uploads.sweep(folder=tasks.INCOMING, now=now)
    return f"{removed} abandoned avatar uploads removed"


# --- Joining -----------------------------------------------------------------------------------


def member_join_on_verification(*, user: User) -> Membership | None:
    """Signing up is joining: the first verified address makes the person a member, or asks
    to join where organizers approve members.

    Called when allauth verifies an address; the welcome email is queued with the membership
    (for a member; a request waits for the organizers' answer, which is emailed). None where the
    group asks join questions: the join page asks them next (members.adapter.post_login).
    Refused (ValidationError, code "banned") for a banned account or address.
    """
    group = Group.objects.current()
    if group is None or group.join_questions.exists():
        return None
    with transaction.atomic():
        membership = membership_request(group=group, user=user, answers={})
        if membership.status == MembershipStatus.ACTIVE:
            emails_queue(kind=MemberEmail.WELCOME, user_ids=[user.pk], params={"group": group.pk})
    return membership


# --- Export ------------------------------------------------------------------------------------


def _sections(member: User) -> dict:
    memberships = Membership.objects.filter(user=member).select_related("group")
    rsvps = RSVP.objects.filter(member=member).select_related("event", "breakout")
    photos = Photo.objects.filter(uploaded_by=member).select_related("album")
    return {
        "account": {
            "email": member.email,
            "display_name": member.display_name,
            "date_joined": _iso(member.date_joined),
            "last_login": _iso(member.last_login),
        },
        "profile": {
            "pronouns": member.pronouns,
            "city": member.city,
            "bio": member.bio,
            "links": [link._asdict() for link in member.link_list],
            **{
                key: _iso(value) if key == "member_since" else value
                for key, value in profile_facts_for(member).items()
            },
            "shown_to": {part: getattr(member, f"{part}_shown_to") for part in PROFILE_PARTS},
            "avatar": "avatar.jpg" if member.avatar else None,
            "profile_visibility": member.profile_visibility,
            "show_in_attendee_lists": member.show_in_attendee_lists,
        },
        "notifications": {
            "notify_new_events": member.notify_new_events,
            "notify_series": member.notify_series,
            "series_followed": [
                {"series": f.series.name, "since": _iso(f.created_at)}
                for f in SeriesFollow.objects.filter(member=member)
                .select_related("series")
                .order_by("created_at", "pk")
            ],
            "notify_reminders": member.notify_reminders,
            "notify_organizer_messages": member.notify_organizer_messages,
            "notify_announcements": member.notify_announcements,
            "notify_discussions": member.notify_discussions,
            "discussion_digest": member.discussion_digest,
            "notify_decisions": member.notify_decisions,
            "notify_poll_reminders": member.notify_poll_reminders,
            "notify_weekly": member.notify_weekly,
            "organizer_alerts": member.organizer_alerts,
            "language": member.language,
            "time_zone": member.time_zone,
        },
        "two_factor": [
            {
                "type": a.type,
                "name": str(a) if a.type == Authenticator.Type.WEBAUTHN else FACTOR_NAMES[a.type],
                "created_at": _iso(a.created_at),
                "last_used_at": _iso(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=member).order_by("created_at", "pk")
        ],
        "calendar": {"calendar_feed_token": member.calendar_token},
        "memberships": [
            {
                "group": m.group.name,
                "role": m.role,
                "status": m.status,
                "joined_at": _iso(m.joined_at),
                "answers": m.answers,
            }
            for m in memberships
        ],
        "rsvps": [
            {
                "event": r.event.title,
                "event_starts_at": _iso(r.event.starts_at),
                "status": r.status,
                "guests": r.guests,
                "answer": r.answer,
                "breakout": r.breakout.topic if r.breakout else None,
                "checked_in_at": _iso(r.checked_in_at),
                "no_show": r.no_show,
                "cancelled_at": _iso(r.cancelled_at),
                "waitlisted_at": _iso(r.waitlisted_at),
                "created_at": _iso(r.created_at),
            }
            for r in rsvps.order_by("event__starts_at", "pk")
        ],
        "attendance": RSVP.objects.attendance_for(member),
        "photos": [
            {
                "file": f"photos/{p.pk}.jpg" if p.image else None,  # none: not stored
                "album": p.album.title,
                "caption": p.caption,
                "alt_text": p.alt_text,
                "status": p.status,
                "taken_at": _iso(p.taken_at),
                "uploaded_at": _iso(p.uploaded_at),
            }
            for p in photos.order_by("uploaded_at", "pk")
        ],
    } | {key: value for part in data_parts for key, value in part.export(member).items()}


def export_readme(group: Group | None = None) -> str:
    """What the export's files hold, and who sees each section under the group's settings."""
    lines = [
        _("Your data from Potluck"),
        "",
        _(
            "data.json holds everything the site stores about you, in the sections below. "
            "Times are in UTC (ISO 8601). photos/ holds the photos you uploaded, as stored "
            "(without camera or location data); avatar.jpg is your picture, if you set one."
        ),
        "",
    ]
    for section in sections():
        lines += [f"== {section.key}: {section.title} ==", f"{_('Why')}: {section.why}"]
        lines += [f"{_('Who sees it')}: {section.who_sees_in(group)}", ""]
        lines += [f"  {item.key}: {item.label}. {item.meaning}" for item in section.items]
        lines.append("")
    return "\n".join(str(line) for line in lines)


def member_export(*, member: User) -> bytes:
    """A ZIP with data.json, README.txt and the member's photo files and avatar."""
    sections = _sections(member)
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        **sections,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", export_readme(Group.objects.current()))
        if member.avatar:
            with member.avatar.open("rb") as avatar:
                archive.writestr("avatar.jpg", avatar.read())
        for photo in Photo.objects.filter(uploaded_by=member).stored().order_by("pk"):
            with photo.image.open("rb") as image:
                archive.writestr(f"photos/{photo.pk}.jpg", image.read())
    return buffer.getvalue()


# --- Deletion ----------------------------------------------------------------------------------


def member_delete(*, member: User, leave_photos: bool = False, keep_writing: bool = False) -> None:
    """Removes the member and everything personal; past attendance stays, anonymously.

    keep_writing: what they wrote in conversations stays, signed "a former member"
    (members.data.WritingOnDelete); otherwise it goes with the account."""
    from photos import services as photo_services

    with transaction.atomic():
        for membership in Membership.objects.select_for_update().filter(user=member):
            ensure_not_last_organizer(membership)
        now = timezone.now()
        upcoming = Event.objects.upcoming(now).values("pk")
        # Seats in upcoming events are freed through the RSVP rules, so the waitlist moves.
        for rsvp in RSVP.objects.filter(member=member, event__in=upcoming).select_related("event"):
            event_services.rsvp_cancel(event=rsvp.event, member=member)
        RSVP.objects.filter(member=member, event__in=upcoming).delete()
        generations.update(
            RSVP.objects.filter(member=member), member=None, answer="", breakout=None
        )

        photos = Photo.objects.filter(uploaded_by=member)
        if leave_photos:  # stored ones only: uploads not stored (yet) go, with their bytes
            generations.update(photos.stored(), uploaded_by=None)
        for photo in photos:  # evaluated now: what was not left to the group
            photo_services.photo_delete(photo=photo, member=member)

        for part in data_parts:
            part.delete(member, keep_writing)

        # The avatar file goes after commit (members/apps.py: with the row, however it goes).
        # Emails not sent yet are not sent; the log of those sent keeps no address or body.
        emails = Email.objects.filter(recipient=member)
        emails.filter(state__in=[EmailState.QUEUED, EmailState.SENDING]).delete()
        emails.update(recipient=None, address="", text="", html="", headers={})
        # Admin history that names the member (its object_repr) goes too.
        user_type = ContentType.objects.get_for_model(User)
        LogEntry.objects.filter(content_type=user_type, object_id=str(member.pk)).delete()
        member.delete()
