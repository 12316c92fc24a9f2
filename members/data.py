"""Everything Potluck stores about a member, described once.

The data export (members.services.member_export), its README and the /privacy/ page are all
generated from DATA, so what we say we keep and what we hand over cannot drift apart.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.visibility import RULES, Rule


def iso_utc(value: datetime | None) -> str | None:
    """A moment as the export writes it: ISO 8601 in UTC (None stays None)."""
    return value.astimezone(timezone.UTC).isoformat() if value else None


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    meaning: str
    # A key of groups.visibility.RULES when this item has its own rule (a part of the profile
    # the member shows or keeps to themself), said beside it on the privacy page.
    rule_key: str = ""

    @property
    def rule(self) -> Rule | None:
        return RULES[self.rule_key] if self.rule_key else None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    why: str
    # Keys of groups.visibility.RULES: what the privacy page says and what the pages obey.
    rule_keys: tuple[str, ...]
    items: tuple[Item, ...]
    # More for the privacy page: (heading, (line, …)) pairs, e.g. what the server can and
    # cannot know of a ballot (decisions.secrecy).
    notes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(RULES[key] for key in self.rule_keys)

    @property
    def who_sees(self) -> str:
        return " ".join(str(rule.who_sees) for rule in self.rules)

    def who_sees_in(self, group) -> str:
        """As who_sees, under this group's settings (who sees attendee lists, public comments)."""
        return " ".join(str(rule.who_sees_in(group)) for rule in self.rules)


DATA = (
    Section(
        "account",
        _("Your account"),
        _("To let you log in and to write to you about the events you join."),
        ("account",),
        (
            Item("email", _("Email address"), _("Your login, and where we send emails.")),
            Item("display_name", _("Name"), _("How other members see you.")),
            Item("date_joined", _("Account created"), _("When you signed up (UTC).")),
            Item("last_login", _("Last login"), _("When you last logged in (UTC).")),
        ),
    ),
    Section(
        "profile",
        _("Your profile"),
        _("So members can get to know each other; every field but your name is optional."),
        ("profile",),
        (
            Item("pronouns", _("Pronouns"), _("Optional."), "profile_pronouns"),
            Item("city", _("City"), _("Optional."), "profile_city"),
            Item("bio", _("Short bio"), _("Optional."), "profile_bio"),
            Item(
                "links",
                _("Links"),
                _("Web addresses you chose to share, each with its label."),
                "profile_links",
            ),
            Item(
                "member_since",
                _("Member since"),
                _("When you joined the group: your profile shows the month."),
                "profile_since",
            ),
            Item(
                "evenings_attended",
                _("Evenings attended"),
                _("How many of the group's past events you went to, as your profile counts them."),
                "profile_evenings",
            ),
            Item(
                "breakouts_facilitated",
                _("Breakouts facilitated"),
                _("How many breakout discussions of past events you facilitated."),
                "profile_breakouts",
            ),
            Item(
                "shown_to",
                _("Who sees each part"),
                _(
                    "For each part above: “everyone” (whoever sees your profile), “members” "
                    "or “nobody” (only you)."
                ),
            ),
            Item("avatar", _("Avatar"), _("The file name of your picture inside this archive.")),
            Item(
                "profile_visibility",
                _("Who sees your profile"),
                _("“members” or “everyone”."),
            ),
            Item(
                "show_in_attendee_lists",
                _("Shown in attendee lists"),
                _("Whether your name appears among the people going to an event."),
            ),
        ),
    ),
    Section(
        "notifications",
        _("Your email preferences"),
        _("To send only the emails you want."),
        ("notifications",),
        (
            Item("notify_new_events", _("New events"), _("Announcements of new events.")),
            Item(
                "notify_series",
                _("Series you follow"),
                _("An email when a new date of a series you follow is published."),
            ),
            Item(
                "series_followed",
                _("Series followed"),
                _("The series you follow (the button on a series page), and since when."),
            ),
            Item("notify_reminders", _("Reminders"), _("A reminder before events you go to.")),
            Item(
                "notify_organizer_messages",
                _("Messages from organizers"),
                _("Messages to the people going to an event."),
            ),
            Item(
                "notify_announcements",
                _("Announcements"),
                _("Posts from the organizers to the whole group."),
            ),
            Item(
                "notify_discussions",
                _("Discussions"),
                _("New replies in the discussions you follow."),
            ),
            Item(
                "discussion_digest",
                _("Daily digest"),
                _("Those replies as one email a day instead of one each."),
            ),
            Item(
                "notify_decisions",
                _("Proposals and polls"),
                _("New proposals and polls, if you asked for them (off unless you do)."),
            ),
            Item(
                "notify_poll_reminders",
                _("Poll reminders"),
                _("A reminder a day before a poll you have not voted in closes."),
            ),
            Item(
                "notify_weekly",
                _("Weekly email"),
                _("What happened in the group each week, if you asked for it (off unless you do)."),
            ),
            Item(
                "organizer_alerts",
                _("News for organizers"),
                _(
                    "Organizers only: how you hear of requests to join, reports and takedown "
                    "requests (at once, a daily digest, or not by email)."
                ),
            ),
            Item(
                "language",
                _("Language"),
                _("Of the site and of your emails; empty for your browser's."),
            ),
            Item(
                "time_zone",
                _("Time zone"),
                _(
                    "Where times are shown for you too, beside the group's; empty for the "
                    "group's alone."
                ),
            ),
        ),
    ),
    Section(
        "two_factor",
        _("Your two-factor sign-in"),
        _("So that a password alone does not get into your account, if you turned it on."),
        ("two_factor",),
        (
            Item(
                "type",
                _("Kind"),
                _("totp (an authenticator app), webauthn (a passkey) or recovery_codes."),
            ),
            Item("name", _("Name"), _("The app, the codes, or the name you gave a passkey.")),
            Item("created_at", _("Added"), _("When you set it up (UTC).")),
            Item("last_used_at", _("Last used"), _("When it last signed you in (UTC).")),
        ),
    ),
    Section(
        "calendar",
        _("Your calendar feed"),
        _("So your calendar app can show the events you go to."),
        ("calendar",),
        (Item("calendar_feed_token", _("Feed token"), _("The secret part of the address.")),),
    ),
    Section(
        "memberships",
        _("Your membership"),
        _("To know who belongs to the group and who organizes it."),
        ("memberships", "join_answers"),
        (
            Item("group", _("Group"), _("The group's name.")),
            Item(
                "role",
                _("Role"),
                _("organizer, co_organizer or member. Hosts are named per event."),
            ),
            Item(
                "status",
                _("Status"),
                _("active, or pending while your request to join waits for an organizer."),
            ),
            Item("joined_at", _("Joined"), _("When you joined, or asked to join (UTC).")),
            Item(
                "answers",
                _("Answers to the join questions"),
                _("Each question as it was asked, with your answer; the organizers see them."),
            ),
        ),
    ),
    Section(
        "rsvps",
        _("Your RSVPs"),
        _("To count seats, run the waitlist fairly and check people in at the door."),
        ("attendance", "rsvp_answers"),
        (
            Item("event", _("Event"), _("The event's title.")),
            Item("event_starts_at", _("Event start"), _("When the event started (UTC).")),
            Item("status", _("Status"), _("going, waitlisted or not_going.")),
            Item("guests", _("Guests"), _("How many guests you brought.")),
            Item("answer", _("Answer"), _("Your answer to the event's question.")),
            Item("breakout", _("Breakout discussion"), _("The discussion you chose.")),
            Item("checked_in_at", _("Checked in"), _("When you were checked in at the door.")),
            Item("no_show", _("No-show"), _("Whether a host marked that you did not come.")),
            Item("cancelled_at", _("Cancelled"), _("When you cancelled (UTC), if you did.")),
            Item("waitlisted_at", _("Joined the waitlist"), _("When you joined the waitlist.")),
            Item("created_at", _("Answered"), _("When you first answered (UTC).")),
        ),
    ),
    Section(
        "attendance",
        _("Your attendance"),
        _(
            "So organizers see how often members come, miss or cancel late, and can make room "
            "for others."
        ),
        ("rsvp_answers",),
        (
            Item("rsvped", _("RSVPed"), _("Events you said you were going to.")),
            Item("attended", _("Attended"), _("Events you were checked in at.")),
            Item("no_shows", _("No-shows"), _("Events a host marked you as not coming to.")),
            Item(
                "late_cancellations",
                _("Late cancellations"),
                _("Cancellations within 24 hours of the start, or after it."),
            ),
        ),
    ),
    Section(
        "photos",
        _("Your photos"),
        _("To share the group's memories; we store them without any camera or location data."),
        ("photos",),
        (
            Item(
                "file",
                _("File"),
                _("The photo's file name inside this archive (none for an upload not stored)."),
            ),
            Item("album", _("Album"), _("The album it is in.")),
            Item("caption", _("Caption"), _("Your caption.")),
            Item("alt_text", _("Description"), _("The text read to people who can't see it.")),
            Item(
                "status",
                _("Status"),
                _(
                    "published, pending, hidden, processing (not "
                    "stored yet) or refused (not stored)."
                ),
            ),
            Item("taken_at", _("Taken"), _("When the camera says it was taken.")),
            Item("uploaded_at", _("Uploaded"), _("When you uploaded it (UTC).")),
        ),
    ),
)


def sections() -> tuple[Section, ...]:
    """DATA and the sections the apps above members add (members.hooks)."""
    from .hooks import data_parts  # hooks imports nothing from here; data is imported early

    return DATA + tuple(section for part in data_parts for section in part.sections)


class WritingOnDelete(models.TextChoices):
    """What happens to what a member wrote (comments, discussions, replies) when they delete
    their account: their choice on the deletion page, said on the privacy page."""

    DELETE = "delete", _("Delete everything I wrote: comments, discussions, replies and proposals.")
    KEEP = (
        "keep",
        _("Keep what I wrote for the group to read, signed “a former member” instead of my name."),
    )
