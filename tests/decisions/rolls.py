"""For tests: putting members who joined after a poll opened on its roll of eligible voters
(the roll is fixed when the poll opens, decisions.services.rolls.eligible_freeze)."""

from decisions import secrecy
from decisions.models import Eligible, Poll


def enrol(poll: Poll, *members) -> None:
    """These accounts may vote in the poll, as if they had been members when it opened."""
    Eligible.objects.bulk_create(
        [Eligible(poll=poll, member=m, voter_key=secrecy.voter_key(m.email)) for m in members],
        ignore_conflicts=True,
    )
    Poll.objects.filter(pk=poll.pk).update(eligible_count=poll.eligible.count())
