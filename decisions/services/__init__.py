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
from .elections import (
    TERM_REMINDER_BEFORE,
    ElectionResults,
    election_open,
    election_results,
    elections_remind_due,
    terms_periodic,
)
from .governance import on_closed, poll_governance
from .polls import (
    ballot_cast,
    may_open_polls,
    periodic,
    poll_cancel,
    poll_close,
    poll_open,
    poll_outcome_set,
    poll_reminders_send,
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
from .results import TIE_RULES, PollResults, RoundView, poll_results
from .rolls import (
    MAX_EVENINGS,
    Cast,
    ballot_boxes_mix_due,
    ballot_receipt_email,
    has_voted,
    may_vote,
    voted_member_ids,
    voter_ids,
)
from .settings_polls import (
    setting_name,
    setting_poll_open,
)

__all__ = [
    "MAX_EVENINGS",
    "MAX_OPTIONS",
    "METHOD_NAMES",
    "PROPOSALS_CATEGORY",
    "REMIND_BEFORE",
    "RESULTS_CACHED",
    "TERM_REMINDER_BEFORE",
    "TIE_RULES",
    "Cast",
    "ElectionResults",
    "PollResults",
    "RoundView",
    "ballot_boxes_mix_due",
    "ballot_cast",
    "ballot_mapping",
    "ballot_receipt_email",
    "decision_close",
    "decision_open",
    "election_open",
    "election_results",
    "elections_remind_due",
    "has_voted",
    "may_open_polls",
    "may_vote",
    "member_data_delete",
    "normalize_choices",
    "on_closed",
    "periodic",
    "poll_cancel",
    "poll_close",
    "poll_governance",
    "poll_open",
    "poll_outcome_set",
    "poll_reminders_send",
    "poll_results",
    "poll_results_shown",
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
    "setting_name",
    "setting_poll_open",
    "stated_member_ids",
    "terms_periodic",
    "voted_member_ids",
    "voter_ids",
]
