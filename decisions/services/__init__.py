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
    "Cast",
    "ElectionResults",
    "PollResults",
    "RoundView",
    "ballot_boxes_mix_due",
    "ballot_cast",
    "ballot_receipt_email",
    "election_open",
    "election_results",
    "elections_remind_due",
    "has_voted",
    "may_open_polls",
    "may_vote",
    "member_data_delete",
    "on_closed",
    "periodic",
    "poll_close",
    "poll_governance",
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
    "setting_name",
    "setting_poll_open",
    "terms_periodic",
    "voted_member_ids",
    "voter_ids",
]
