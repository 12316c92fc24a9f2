"""What members do in decisions, in their data: the privacy page's sections and the export
(registered with members.hooks in DecisionsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from members.data import Item, Section
from members.data import iso_utc as _iso

from .models import Ballot, Option, Proposal, Support

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
            Item("choices", _("Your choices"), _("The options you chose, in your order.")),
            Item("cast_at", _("Cast"), _("When you last cast or changed it (UTC).")),
        ),
    ),
)


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
                "choices": [labels[pk] for pk in b.choices if pk in labels],
                "cast_at": _iso(b.cast_at),
            }
            for b in ballots
        ],
    }
