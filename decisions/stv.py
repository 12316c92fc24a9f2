"""Counting an election for several seats by single transferable vote (STV).

Pure functions over plain values, in counting.py's style, so a member can recount by hand.
One seat is counted by counting.count_ranked (instant runoff) instead: see
decisions.services.elections.

The rule (RULE is its text for the site)
    Droop quota with the weighted inclusive Gregory method, as in the Scottish local government
    elections (The Scottish Local Government Elections Order 2007, schedule 1, rules 45-52),
    except that values are exact fractions rather than truncated to five decimals.

    1. The quota is the number of ballots that rank at least one candidate, divided by the
       number of seats plus one, rounded down, plus one (Droop).
    2. Every ballot starts worth 1 and counts for its highest-ranked candidate still in the count.
    3. A candidate whose votes reach the quota is elected (several in one stage: most votes
       first). Once elected, a candidate keeps the quota.
    4. If an elected candidate's surplus (votes above the quota) is untransferred, the largest
       surplus is transferred: every ballot counting for that candidate passes to its next
       candidate still hoping (neither elected nor excluded), its value multiplied by
       surplus / the candidate's votes. A ballot with no such candidate is exhausted.
    5. Otherwise the hopeful candidate with the fewest votes is excluded and their ballots pass
       on at their current value.
    6. When the hopefuls left are as few as the seats left, they are all elected; the count
       stops when every seat is filled.

Ties (among candidates with equal votes, to exclude one, to order the elected, or to pick the
surplus transferred first) are settled as counting.py settles them: by looking back at the
stages before, from the latest to the first, and then by the published candidate order (the
one listed last is excluded first / ranked last). Nothing is left to chance.
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from .counting import _checked_ballot, _checked_options

RULE = _(
    "Single transferable vote, counted as in Scotland's local elections: the Droop quota "
    "(ballots that rank someone, divided by the seats plus one, rounded down, plus one) and "
    "the weighted inclusive Gregory method, with exact fractions. Each ballot counts for its "
    "highest-ranked candidate still in the count. A candidate who reaches the quota is elected; "
    "their surplus passes on to the next choices of all their ballots, each at a value "
    "multiplied by the surplus divided by their votes. When there is no surplus to pass on, "
    "the candidate with the fewest votes is excluded and their ballots pass on. When the "
    "candidates left are as few as the seats left, they are all elected. Ties are settled by "
    "the votes in the stages before, back to the first, then by the order of the candidates "
    "on the ballot (the one listed last loses)."
)


@dataclass(frozen=True, slots=True)
class Stage[O: Hashable]:
    """One stage of the count: everyone's votes after the stage's transfer, what happened.

    `counts` lists every candidate in the published order (elected and excluded ones too);
    `transferred` is whose surplus or ballots were passed on at the start of the stage (None for
    the first stage); `excluded` says whether that was an exclusion; `elected` those elected at
    the end of the stage; `exhausted` the value of ballots with no candidate left so far.
    """

    counts: dict[O, Fraction]
    transferred: O | None
    excluded: bool
    elected: tuple[O, ...]
    exhausted: Fraction


@dataclass(frozen=True, slots=True)
class STVResult[O: Hashable]:
    seats: int
    quota: int
    stages: tuple[Stage[O], ...]
    elected: tuple[O, ...]  # in the order elected
    ballots: int


def droop_quota(valid: int, seats: int) -> int:
    return valid // (seats + 1) + 1


def count_stv[O: Hashable](
    options: Sequence[O], ballots: Iterable[Sequence[O]], seats: int
) -> STVResult[O]:
    """Counts ranked ballots for `seats` seats by the rule in this module's docstring."""
    options = _checked_options(options)
    if seats < 1:
        raise ValueError("an election has at least one seat")
    known = set(options)
    ranked = [_checked_ballot(n, b, known) for n, b in enumerate(ballots, start=1)]
    valid = sum(1 for b in ranked if b)
    quota = droop_quota(valid, seats)
    order = {option: i for i, option in enumerate(options)}

    hopeful = list(options)
    elected: list[O] = []
    excluded: set[O] = set()
    untransferred: list[O] = []  # elected, surplus not passed on yet
    # Each candidate's pile: [ballot, position of its current choice, value].
    piles: dict[O, list[list]] = {o: [] for o in options}
    exhausted = Fraction(0)
    votes = dict.fromkeys(options, Fraction(0))
    history: list[dict[O, Fraction]] = []
    stages: list[Stage[O]] = []

    def place(entries):
        nonlocal exhausted
        for ballot, at, value in entries:
            for i in range(at, len(ballot)):
                if ballot[i] in hopeful:
                    piles[ballot[i]].append([ballot, i, value])
                    votes[ballot[i]] += value
                    break
            else:
                exhausted += value

    def ranked_down(candidates):
        """Most votes first; ties by the latest earlier stage that tells them apart, then
        the published order."""

        def key(o):
            return [-votes[o]] + [-earlier[o] for earlier in reversed(history)] + [order[o]]

        return sorted(candidates, key=key)

    place([[b, 0, Fraction(1)] for b in ranked if b])
    exhausted += len(ranked) - valid  # empty ballots: abstentions, exhausted from the start
    transferred, was_exclusion = None, False
    while True:
        newly: list[O] = []
        if len(hopeful) <= seats - len(elected):
            newly = ranked_down(hopeful)
        else:
            newly = ranked_down([o for o in hopeful if votes[o] >= quota])
            newly = newly[: seats - len(elected)]
        for o in newly:
            hopeful.remove(o)
            elected.append(o)
            untransferred.append(o)
        stages.append(Stage(dict(votes), transferred, was_exclusion, tuple(newly), exhausted))
        history.append(dict(votes))
        if len(elected) == seats or not hopeful:
            break
        surplus_from = [o for o in ranked_down(untransferred) if votes[o] > quota]
        if surplus_from:
            source = surplus_from[0]
            untransferred.remove(source)
            total = votes[source]
            factor = (total - quota) / total
            moving = [[b, at + 1, value * factor] for b, at, value in piles[source]]
            piles[source] = []
            votes[source] = Fraction(quota)
            place(moving)
            transferred, was_exclusion = source, False
        else:
            untransferred.clear()  # surpluses of exactly nothing: nothing to pass on
            source = ranked_down(hopeful)[-1]
            hopeful.remove(source)
            excluded.add(source)
            moving = [[b, at + 1, value] for b, at, value in piles[source]]
            piles[source] = []
            votes[source] = Fraction(0)
            place(moving)
            transferred, was_exclusion = source, True
    return STVResult(seats, quota, tuple(stages), tuple(elected), len(ranked))
