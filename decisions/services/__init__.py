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
    ballot_of,
    may_open_polls,
    may_vote,
    periodic,
    poll_cancel,
    poll_close,
    poll_open,
    poll_reminders_send,
    poll_results,
    polls_announce_due,
    polls_close_due,
    voter_ids,
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

__all__ = [
    "MAX_OPTIONS",
    "METHOD_NAMES",
    "PROPOSALS_CATEGORY",
    "REMIND_BEFORE",
    "RESULTS_CACHED",
    "PollResults",
    "RoundView",
    "ballot_cast",
    "ballot_of",
    "may_open_polls",
    "may_vote",
    "member_data_delete",
    "periodic",
    "poll_cancel",
    "poll_close",
    "poll_open",
    "poll_reminders_send",
    "poll_results",
    "polls_announce_due",
    "polls_close_due",
    "proposal_add",
    "proposal_decline",
    "proposal_plan",
    "proposal_reopen",
    "proposal_support",
    "proposal_to_event",
    "proposal_withdraw_support",
    "voter_ids",
]
