"""What members do in decisions, in their data: the privacy page's sections and the export
(registered with members.hooks in DecisionsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from members.data import Item, Section
from members.data import iso_utc as _iso

from .models import Ballot, Option, Position, Proposal, Support

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
        _("Your ballots"),
        _(
            "To count your vote. Ballots are secret: organizers see the counts, never who chose "
            "what. If you delete your account your ballot stays in the count, without your name."
        ),
        ("ballots",),
        (
            Item("poll", _("Poll"), _("Its question.")),
            Item(
                "choices",
                _("Your choices"),
                _(
                    "The options you chose, in your order; for score, dots and dates polls, each "
                    "option with your points or your answer."
                ),
            ),
            Item("cast_at", _("Cast"), _("When you last cast or changed it (UTC).")),
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


def _choices(choices: list, labels: dict) -> list:
    """A ballot's options by label; [label, points or answer] pairs for score, dots, dates."""
    return [
        [labels[c[0]], c[1]] if isinstance(c, list) else labels[c]
        for c in choices
        if (c[0] if isinstance(c, list) else c) in labels
    ]


def export(member) -> dict:
    ballots = list(Ballot.objects.filter(member=member).select_related("poll").order_by("pk"))
    labels = dict(
        Option.objects.filter(poll__in={b.poll_id for b in ballots}).values_list("pk", "label")
    )
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
        "ballots": [
            {
                "poll": b.poll.question,
                "choices": _choices(b.choices, labels),
                "cast_at": _iso(b.cast_at),
            }
            for b in ballots
        ],
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
