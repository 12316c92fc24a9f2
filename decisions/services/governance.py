"""What closing an election or a settings poll does (decisions.hooks.poll_closed), and what
the poll page shows of them."""

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist

from ..models import Poll
from ..stv import RULE
from .elections import election_apply, election_results
from .settings_polls import setting_name, setting_poll_apply


def on_closed(poll: Poll, *, now: datetime) -> str:
    """Hands over the elected roles, or applies a passed setting; "" for any other poll."""
    return election_apply(poll, now=now) or setting_poll_apply(poll, now=now)


def _related(poll: Poll, name: str):
    """The poll's election or settings poll, if any (select_related by the page: no query)."""
    try:
        return getattr(poll, name)
    except ObjectDoesNotExist:
        return None


def poll_governance(poll: Poll, *, results_shown: bool) -> dict:
    """What the poll page shows of an election (role, seats, term, candidates, and the
    transferable-vote count once results are shown) or of a settings poll."""
    election = _related(poll, "election")
    setting = _related(poll, "setting_poll")
    results = None
    if election is not None and results_shown and election.seats > 1:
        results = election_results(election=election)
    return {
        "election": election,
        "election_results": results,
        "setting_poll": setting,
        "setting_name": setting_name(setting.setting) if setting else "",
        "stv_rule": RULE,
    }
