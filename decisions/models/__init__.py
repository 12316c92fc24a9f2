"""Decisions: what members propose (topics, guests, breakout themes) and support, the polls
where they decide, and their ballots, which are secret; consent proposals; elections and the
settings the members decide.

The transparency log is groups.models.LogEntry: the services of every app write it, so it lives
in the lowest one."""

from .ballots import BallotBox, Eligible, VoterRoll
from .consent import Decision, Position, PositionKind
from .governance import Candidate, ElectedRole, Election, SettingPoll
from .polls import Option, Poll, PollQuerySet, Voters
from .proposals import (
    BODY_MAX,
    MARKDOWN_HELP,
    Proposal,
    ProposalKind,
    ProposalQuerySet,
    ProposalStatus,
    Support,
)

__all__ = [
    "BODY_MAX",
    "MARKDOWN_HELP",
    "BallotBox",
    "Candidate",
    "Decision",
    "ElectedRole",
    "Election",
    "Eligible",
    "Option",
    "Poll",
    "PollQuerySet",
    "Position",
    "PositionKind",
    "Proposal",
    "ProposalKind",
    "ProposalQuerySet",
    "ProposalStatus",
    "SettingPoll",
    "Support",
    "VoterRoll",
    "Voters",
]
