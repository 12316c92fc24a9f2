"""A poll's results: its ballots counted by decisions.counting, as the pages show them."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache

from .. import counting
from ..counting import Method
from ..models import BallotBox, Option, Poll
from .choices import ballot_mapping
from .common import RESULTS_CACHED

TIE_RULES = {
    Method.RANKED: counting.TIE_BREAK_RULE,
    Method.SCORE: counting.SCORE_TIE_RULE,
    Method.DOTS: counting.DOTS_TIE_RULE,
    Method.DATES: counting.DATES_TIE_RULE,
}


@dataclass(frozen=True)
class RoundView:
    counts: dict  # {Option: votes}, in the poll's option order
    eliminated: list
    exhausted: int


@dataclass(frozen=True)
class PollResults:
    method: str
    rounds: list[RoundView]
    winner: Option | None
    tied: list[Option]
    ballots: int
    # Score: {Option: (5s, 4s, 3s, 2s, 1s)}; dots: {Option: (ballots giving it dots,)};
    # dates: {Option: (yes, if need be, no)}; empty for the other methods.
    breakdown: dict = field(default_factory=dict)

    @property
    def first(self) -> RoundView:
        return self.rounds[0]

    @property
    def final(self) -> RoundView:
        return self.rounds[-1]

    def rows(self) -> list[tuple]:
        """(option, total, breakdown) in option order, for the score, dots and dates tables."""
        return [
            (option, votes, self.breakdown.get(option, ()))
            for option, votes in self.first.counts.items()
        ]


def poll_results(*, poll: Poll, now: datetime | None = None) -> PollResults:
    """Every round's counts and the winner. A closed poll's ballots and options can no longer
    change, so its count is kept in the cache once made; an open poll is counted each time
    (two queries, however many ballots)."""
    if not poll.is_closed(now):
        return _count(poll)
    key = f"poll-results:{poll.pk}:{poll.created_at.timestamp()}:{poll.closes_at.timestamp()}"
    results = cache.get(key)
    if results is None:
        results = _count(poll)
        cache.set(key, results, timeout=RESULTS_CACHED)
    return results


def _count(poll: Poll) -> PollResults:
    options = list(poll.options.all())
    by_pk = {o.pk: o for o in options}
    keys = [o.pk for o in options]
    stored = BallotBox.objects.filter(poll=poll).values_list("choices", flat=True)
    if poll.method in (Method.SCORE, Method.DOTS, Method.DATES):
        ballots = [
            {pk: value for pk, value in ballot_mapping(poll, choices).items() if pk in by_pk}
            for choices in stored
        ]
        match poll.method:
            case Method.SCORE:
                result = counting.count_score(keys, ballots)
            case Method.DOTS:
                result = counting.count_dots(keys, ballots, poll.dots or 1)
            case _:
                result = counting.count_dates(keys, ballots)
    else:
        ballots = [[pk for pk in choices if pk in by_pk] for choices in stored]
        match poll.method:
            case Method.SINGLE:
                result = counting.count_single(keys, [b[:1] for b in ballots if b])
            case Method.APPROVAL:
                result = counting.count_approval(keys, ballots)
            case _:
                result = counting.count_ranked(keys, ballots)
    rounds = [
        RoundView(
            counts={by_pk[pk]: votes for pk, votes in r.counts.items()},
            eliminated=[by_pk[pk] for pk in r.eliminated],
            exhausted=r.exhausted,
        )
        for r in result.rounds
    ]
    return PollResults(
        method=poll.method,
        rounds=rounds,
        winner=by_pk.get(result.winner),
        tied=[by_pk[pk] for pk in result.tied],
        ballots=len(ballots),
        breakdown={by_pk[pk]: values for pk, values in result.breakdown.items()},
    )
