"""What goes, and what stays nobody's, when a member deletes their account."""

from django.db.models import F

from core import generations

from ..models import (
    Eligible,
    Proposal,
    Support,
    VoterRoll,
)

# --- Account deletion --------------------------------------------------------------------------


def member_data_delete(member, keep_writing: bool) -> None:
    """On account deletion, inside its transaction: their supports go (the counts follow);
    their ballots stay in the box (which never named them), so no count changes, and the
    roll keeps the keyed hash of their address, so a new account with it cannot vote again;
    their proposals go or stay signed "a former member" as they chose."""
    supported = list(Support.objects.filter(member=member).values_list("proposal_id", flat=True))
    Support.objects.filter(member=member).delete()
    if supported:
        generations.update(
            Proposal.objects.filter(pk__in=supported), support_count=F("support_count") - 1
        )
    # The roll's and the eligible rows' member becomes empty (SET_NULL); their voter_key stays.
    generations.update(Eligible.objects.filter(member=member), member=None)
    generations.update(VoterRoll.objects.filter(member=member), member=None)
    if not keep_writing:
        Proposal.objects.filter(author=member).delete()
