"""What goes, and what stays nobody's, when a member deletes their account."""

from django.db.models import F

from core.generations import data_changed

from ..models import (
    Ballot,
    Proposal,
    Support,
)

# --- Account deletion --------------------------------------------------------------------------


def member_data_delete(member, keep_writing: bool) -> None:
    """On account deletion, inside its transaction: their supports go (the counts follow);
    their ballots stay, nobody's, so no count changes; their proposals go or stay signed "a
    former member" as they chose."""
    supported = list(Support.objects.filter(member=member).values_list("proposal_id", flat=True))
    Support.objects.filter(member=member).delete()
    if supported:
        Proposal.objects.filter(pk__in=supported).update(support_count=F("support_count") - 1)
    Ballot.objects.filter(member=member).update(member=None)
    if not keep_writing:
        Proposal.objects.filter(author=member).delete()
    data_changed()
