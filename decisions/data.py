"""What members do in decisions, in their data: the privacy page's sections and the export
(registered with members.hooks in DecisionsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from members.data import Item, Section
from members.data import iso_utc as _iso

from . import secrecy
from .models import Position, Proposal, Support, VoterRoll

SECTIONS = (
    Section(
        "proposals",
        _("Your proposals"),
        _("So members can support what you suggest and the organizers can plan it."),
        ("proposals", "guest_contact"),
        (
            Item("kind", _("Kind"), _("topic, guest or breakout.")),
            Item("title", _("Title"), _("What you proposed.")),
            Item("body", _("Why"), _("What you wrote (Markdown).")),
            Item(
                "contact", _("How to reach them"), _("For a guest: what you gave the organizers.")
            ),
            Item("status", _("Status"), _("open, planned, scheduled or declined.")),
            Item(
                "decline_reason", _("Reason for declining"), _("When the organizers declined it.")
            ),
            Item("proposed_at", _("Proposed"), _("When you proposed it (UTC).")),
        ),
    ),
    Section(
        "supports",
        _("Proposals you support"),
        _("To count your support; others see how many support a proposal, not who."),
        ("supports",),
        (
            Item("proposal", _("Proposal"), _("Its title.")),
            Item("since", _("Since"), _("When you supported it (UTC).")),
        ),
    ),
    Section(
        "ballots",
        _("Your votes"),
        _(
            "To count your vote once. The roll of who voted and the ballot box are kept apart, "
            "with nothing linking them: your data says in which polls you voted, not what you "
            "chose. If you delete your account your ballot stays in the count, and the roll "
            "keeps a keyed fingerprint of your address so it cannot vote twice."
        ),
        ("ballots",),
        (
            Item("poll", _("Poll"), _("Its question.")),
            Item("voted_on", _("Voted on"), _("The day you first voted (UTC).")),
        ),
        (
            (_("What the server can know"), secrecy.SERVER_KNOWS),
            (_("What the server cannot know"), secrecy.SERVER_CANNOT_KNOW),
            (
                _("What the voter roll keeps"),
                secrecy.stored_lines("voterroll"),
            ),
            (
                _("What the ballot box keeps"),
                secrecy.stored_lines("ballotbox"),
            ),
        ),
    ),
    Section(
        "positions",
        _("Your positions on consent proposals"),
        _(
            "To decide by consent. A position is a public argument: members see it with your "
            "name. It is deleted with your account."
        ),
        ("proposals",),
        (
            Item("proposal", _("Proposal"), _("Its title.")),
            Item("position", _("Position"), _("agree, abstain, disagree or block.")),
            Item("reason", _("Reason"), _("What you wrote.")),
            Item("stated_at", _("Stated"), _("When you last stated or changed it (UTC).")),
        ),
    ),
)


def export(member) -> dict:
    votes = VoterRoll.objects.filter(member=member).select_related("poll").order_by("pk")
    return {
        "proposals": [
            {
                "kind": p.kind,
                "title": p.title,
                "body": p.body,
                "contact": p.contact,
                "status": p.status,
                "decline_reason": p.decline_reason,
                "proposed_at": _iso(p.created_at),
            }
            for p in Proposal.objects.filter(author=member).order_by("created_at", "pk")
        ],
        "supports": [
            {"proposal": s.proposal.title, "since": _iso(s.created_at)}
            for s in Support.objects.filter(member=member)
            .select_related("proposal")
            .order_by("created_at", "pk")
        ],
        "ballots": [{"poll": v.poll.question, "voted_on": v.voted_on.isoformat()} for v in votes],
        "positions": [
            {
                "proposal": p.decision.title,
                "position": p.position,
                "reason": p.reason,
                "stated_at": _iso(p.stated_at),
            }
            for p in Position.objects.filter(member=member)
            .select_related("decision")
            .order_by("stated_at", "pk")
        ],
    }
