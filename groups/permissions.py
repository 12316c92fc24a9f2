"""The "Organizers" permission group: what organizers (staff, not superusers) may do in the admin.

Migration groups/0003 creates it on every installation; organizers_group() recreates it where
a database was emptied (tests that flush, a restored backup).
"""

from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission

ORGANIZERS = "Organizers"

# app label -> models whose add/change/delete/view permissions organizers hold
MANAGED = {
    "groups": ["group", "resourcelink", "sociallink", "membership", "joinquestion", "ban"],
    "events": [
        "event",
        "venue",
        "speaker",
        "speakerlink",
        "series",
        "eventspeaker",
        "agendaitem",
        "breakout",
        "rsvp",
    ],
    "photos": ["album", "photo", "takedownrequest"],
    # conversation/migrations/0002 grants these on installations that existed before.
    "conversation": ["comment", "thread", "reply", "report", "mute", "category", "announcement"],
    # federation/migrations/0002 grants these: turning federation on, blocking instances,
    # removing a follower, retrying a failed delivery; 0004 following another actor; 0005
    # approving or rejecting replies from the fediverse (README, "Federation (ActivityPub)").
    "federation": ["actor", "blockeddomain", "follower", "delivery", "following", "remotereply"],
    # api/migrations/0002 grants these on installations that existed before.
    "api": ["webhook"],
}
# Organizers look members up (autocomplete for hosts and facilitators) but do not edit accounts.
# They read the log of emails sent, and send a failed one again (README, "The email worker
# and reminders").
# They read the membership log (who approved, declined, removed or banned whom, and why),
# and the transparency log.
# They read the earlier versions of what members edited in conversations.
VIEW_ONLY = {
    "members": ["user"],
    "core": ["email"],
    "groups": ["membershipaction", "logentry"],
    "conversation": ["revision"],
    # They read proposals, polls and the transparency log (decisions/migrations/0002); they
    # decide on the site, and nobody edits the log. Ballots have no admin at all.
    # Consent proposals and their positions, elections and their candidates, settings polls:
    # looked up the same way (decisions/migrations/0009).
    "decisions": [
        "proposal",
        "poll",
        "decision",
        "position",
        "election",
        "candidate",
        "settingpoll",
    ],
    # The webhooks' deliveries (api/migrations/0002).
    "api": ["webhookdelivery"],
}


def organizer_permission_codenames() -> list[tuple[str, str]]:
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, models in MANAGED.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    ]
    wanted += [
        (app_label, f"view_{model}") for app_label, models in VIEW_ONLY.items() for model in models
    ]
    return wanted


def organizers_group() -> AuthGroup:
    group, created = AuthGroup.objects.get_or_create(name=ORGANIZERS)
    if created:
        wanted = set(organizer_permission_codenames())
        found = {
            (permission.content_type.app_label, permission.codename): permission
            for permission in Permission.objects.filter(
                content_type__app_label__in={app_label for app_label, _ in wanted}
            ).select_related("content_type")
        }
        missing = sorted(wanted - found.keys())
        if missing:
            raise Permission.DoesNotExist(f"Permissions not found: {missing}")
        group.permissions.set([found[key] for key in sorted(wanted)])
    return group
