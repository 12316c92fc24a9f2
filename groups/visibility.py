"""Who may see each kind of member data: the table the privacy page prints and views obey.

members/data.py names a rule for every section of what Potluck stores, the privacy page
says who sees it from that rule, and the pages, files and feeds that show the data ask
`allowed()` with the same key. tests/members/test_visibility.py walks this table and checks
every rule against real responses for every role.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .access import Viewer


class Audience(models.TextChoices):
    ANYONE = "anyone", _("Anyone, including search engines.")
    MEMBERS = "members", _("Members of the group.")
    HOSTS = "hosts", _("The organizers, and the hosts of the events concerned.")
    ORGANIZERS = "organizers", _("The organizers.")
    SELF = "self", _("Only you.")


class ShownTo(models.TextChoices):
    """Who sees one part of a member's profile: the member's own choice, field by field."""

    EVERYONE = "everyone", _("Whoever sees my profile")
    MEMBERS = "members", _("Members of the group")
    NOBODY = "nobody", _("Only me")


# The audience each choice stands for; "everyone" stays inside the profile's own rule.
SHOWN_TO_AUDIENCE = {
    ShownTo.EVERYONE: Audience.ANYONE,
    ShownTo.MEMBERS: Audience.MEMBERS,
    ShownTo.NOBODY: Audience.SELF,
}


@dataclass(frozen=True)
class Rule:
    key: str
    audience: Audience
    # How the member can change it, said on the privacy page after the audience.
    choice: str = ""
    # The member always sees their own data; organizers see what members see.
    owner_sees: bool = True
    # (field, value) on the member: when it holds, anyone sees it ("everyone" profiles).
    owner_widens: tuple[str, str] | None = None
    # A field on the member: when it is off, only organizers and hosts see it.
    owner_hides: str = ""
    # A field on the member holding a ShownTo: the audience is the member's choice.
    owner_chooses: str = ""
    # The key of the rule of the page this data is part of: who may not see that page does
    # not see this either (a profile field is seen only by whoever sees the profile).
    within: str = ""
    # A field on the group holding an Audience value: the members' setting decides the
    # audience (MEMBER_DECIDED_SETTINGS); `audience` is its default.
    group_chooses: str = ""
    # A field on the event: when it is on, anyone sees it — if the group's field named by
    # group_permits is on too (a setting the members decide).
    event_widens: str = ""
    group_permits: str = ""

    @property
    def who_sees(self) -> str:
        return f"{self.audience.label} {self.choice}".strip()

    def who_sees_in(self, group) -> str:
        """What the privacy page says for this group, from the same settings allowed() reads."""
        if group is None:
            return self.who_sees
        audience = self.audience
        if self.group_chooses:
            audience = Audience(getattr(group, self.group_chooses))
        choice = self.choice
        if self.group_permits and not getattr(group, self.group_permits):
            choice = ""  # the event's switch no longer widens anything
        return f"{audience.label} {choice}".strip()


# The parts of a profile a member shows or keeps to themself one by one (rules "profile_<part>",
# fields "<part>_shown_to" on the member).
PROFILE_PARTS = ("pronouns", "city", "bio", "links", "since", "evenings", "breakouts")

RULES = {
    rule.key: rule
    for rule in (
        Rule(
            "account",
            Audience.ORGANIZERS,
            _("And you. Your email address is never shown to other members."),
        ),
        Rule(
            "profile",
            Audience.MEMBERS,
            _("Or everyone, if you choose so on /me/."),
            owner_widens=("profile_visibility", "everyone"),
        ),
        *(
            Rule(
                f"profile_{part}",
                Audience.MEMBERS,
                _("Or whoever sees your profile, or only you: you choose for each on /me/."),
                owner_chooses=f"{part}_shown_to",
                within="profile",
            )
            for part in PROFILE_PARTS
        ),
        Rule("directory", Audience.MEMBERS),
        Rule("notifications", Audience.SELF),
        Rule(
            "two_factor",
            Audience.SELF,
            _("Their secrets (the app's key, the recovery codes) are never shown to anyone."),
        ),
        Rule(
            "calendar",
            Audience.SELF,
            _("And whoever you give the secret address; you can change it at any time."),
        ),
        Rule("memberships", Audience.MEMBERS),
        Rule(
            "join_answers",
            Audience.ORGANIZERS,
            _("They read your answers to the join questions; you get them in your data."),
            owner_sees=False,
        ),
        Rule(
            "attendance",
            Audience.MEMBERS,
            _(
                "Your name among the people going, unless you turn that off on /me/; "
                "organizers and the event's hosts always see who is coming."
            ),
            owner_hides="show_in_attendee_lists",
            group_chooses="attendee_lists",
        ),
        Rule(
            "rsvp_answers",
            Audience.HOSTS,
            _("They see your answers, guests and check-in; nobody else does."),
        ),
        Rule(
            "photos",
            Audience.ANYONE,
            _("For public albums; members-only albums are seen by members alone."),
        ),
        Rule("members_only_photos", Audience.MEMBERS),
        Rule(
            "comments",
            Audience.MEMBERS,
            _("Or everyone, on an event whose organizers made its comments public."),
            event_widens="comments_public",
            group_permits="comments_may_be_public",
        ),
        Rule("discussions", Audience.MEMBERS),
        Rule("announcements", Audience.MEMBERS),
        Rule("follows", Audience.SELF),
        Rule(
            "reports",
            Audience.ORGANIZERS,
            _(
                "The author of what you reported is never told who reported it; you get "
                "your reports in your data."
            ),
            owner_sees=False,
        ),
        Rule(
            "edit_history",
            Audience.ORGANIZERS,
            _("They can read what you changed; you get it in your data."),
            owner_sees=False,
        ),
        Rule(
            "mutes",
            Audience.ORGANIZERS,
            _("And you: the page tells you when you cannot post."),
        ),
        Rule(
            "proposals",
            Audience.MEMBERS,
            _("With your name as the proposer, unless you delete your account and keep them."),
        ),
        Rule("guest_contact", Audience.ORGANIZERS),
        Rule("supports", Audience.SELF, _("Members see how many support a proposal, not who.")),
        Rule(
            "ballots",
            Audience.SELF,
            _(
                "You see that you voted; organizers and members see only the counts. Nobody, "
                "you included, can see on the site what a ballot of yours chose."
            ),
        ),
    )
}


def allowed(viewer: Viewer, key: str, *, owner=None, event=None) -> bool:
    """Whether this viewer may see data of kind `key` (owned by `owner`, about `event`), under
    the settings of the viewer's group (the rule's defaults when the viewer has none)."""
    rule = RULES[key]
    if rule.within and not allowed(viewer, rule.within, owner=owner, event=event):
        return False
    if rule.owner_sees and viewer.is_self(owner):
        return True
    group = viewer.group
    audience = rule.audience
    if rule.group_chooses and group is not None:
        audience = Audience(getattr(group, rule.group_chooses))
    if (
        event is not None
        and rule.event_widens
        and getattr(event, rule.event_widens)
        and (group is None or getattr(group, rule.group_permits, True))
    ):
        audience = Audience.ANYONE
    if owner is not None and rule.owner_widens:
        field, value = rule.owner_widens
        if getattr(owner, field) == value:
            audience = Audience.ANYONE
    if owner is not None and rule.owner_chooses:
        audience = SHOWN_TO_AUDIENCE[getattr(owner, rule.owner_chooses)]
    if owner is not None and rule.owner_hides and not getattr(owner, rule.owner_hides):
        audience = Audience.HOSTS
    match audience:
        case Audience.ANYONE:
            return True
        case Audience.MEMBERS:
            return viewer.is_member
        case Audience.HOSTS:
            return viewer.is_organizer or (
                event is not None and viewer.is_authenticated and _hosts(event, viewer.user)
            )
        case Audience.ORGANIZERS:
            return viewer.is_organizer
        case Audience.SELF:
            return False
    raise ValueError(key)


def _hosts(event, user) -> bool:
    return any(host.pk == user.pk for host in event.hosts.all())
