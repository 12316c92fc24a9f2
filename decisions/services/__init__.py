"""The decisions app's writes, by sub-domain; each function is one transaction."""

from .choices import ballot_mapping, normalize_choices
from .common import (
    MAX_OPTIONS,
    METHOD_NAMES,
    PROPOSALS_CATEGORY,
    REMIND_BEFORE,
    RESULTS_CACHED,
)
from .consent import decision_close, decision_open, poll_to_event, position_state, stated_member_ids
from .data import (
    member_data_delete,
)
from .polls import (
    ballot_cast,
    ballot_of,
    may_open_polls,
    may_vote,
    periodic,
    poll_close,
    poll_open,
    poll_outcome_set,
    poll_reminders_send,
    polls_announce_due,
    polls_close_due,
    voted_member_ids,
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
from .results import TIE_RULES, PollResults, RoundView, poll_results

__all__ = [
    "MAX_OPTIONS",
    "METHOD_NAMES",
    "PROPOSALS_CATEGORY",
    "REMIND_BEFORE",
    "RESULTS_CACHED",
    "TIE_RULES",
    "PollResults",
    "RoundView",
    "ballot_cast",
    "ballot_mapping",
    "ballot_of",
    "decision_close",
    "decision_open",
    "may_open_polls",
    "may_vote",
    "member_data_delete",
    "normalize_choices",
    "periodic",
    "poll_close",
    "poll_open",
    "poll_outcome_set",
    "poll_reminders_send",
    "poll_results",
    "poll_to_event",
    "polls_announce_due",
    "polls_close_due",
    "position_state",
    "proposal_add",
    "proposal_decline",
    "proposal_plan",
    "proposal_reopen",
    "proposal_support",
    "proposal_to_event",
    "proposal_withdraw_support",
    "stated_member_ids",
    "voted_member_ids",
    "voter_ids",
]
