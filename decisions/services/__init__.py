"""The decisions app's writes, by sub-domain; each function is one transaction."""

from .common import (
    MAX_OPTIONS,
    METHOD_NAMES,
    PROPOSALS_CATEGORY,
    REMIND_BEFORE,
    RESULTS_CACHED,
)
from .data import (
    member_data_delete,
)
from .polls import (
    PollResults,
    RoundView,
    ballot_cast,
    may_open_polls,
    periodic,
    poll_close,
    poll_open,
    poll_reminders_send,
    poll_results,
    poll_results_shown,
    polls_announce_due,
    polls_close_due,
)
from .proposals import (
    proposal_add,
    proposal_decline,
    proposal_plan,
    proposal_reopen,
    proposal_support,
    proposal_to_event,
    proposal_withdraw_support,
)
from .rolls import (
    MAX_EVENINGS,
    Cast,
    ballot_receipt_email,
    has_voted,
    may_vote,
    voted_member_ids,
    voter_ids,
)

__all__ = [
    "MAX_EVENINGS",
    "MAX_OPTIONS",
    "METHOD_NAMES",
    "PROPOSALS_CATEGORY",
    "REMIND_BEFORE",
    "RESULTS_CACHED",
    "Cast",
    "PollResults",
    "RoundView",
    "ballot_cast",
    "ballot_receipt_email",
    "has_voted",
    "may_open_polls",
    "may_vote",
    "member_data_delete",
    "periodic",
    "poll_close",
    "poll_open",
    "poll_reminders_send",
    "poll_results",
    "poll_results_shown",
    "polls_announce_due",
    "polls_close_due",
    "proposal_add",
    "proposal_decline",
    "proposal_plan",
    "proposal_reopen",
    "proposal_support",
    "proposal_to_event",
    "proposal_withdraw_support",
    "voted_member_ids",
    "voter_ids",
]
