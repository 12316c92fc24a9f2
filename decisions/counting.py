"""Counting a poll's ballots: single choice, approval, ranked (instant-runoff), score, dots and
dates.

Pure functions over plain values, so a result can be recounted by hand, in a test or in a shell,
without a database. Options are any hashable keys (the decisions app will pass primary keys),
given in the poll's published order; every count lists options in that order.

What every count returns
    A `Result` with one `Round` per counting round: the votes of each option still counted, the
    option eliminated after the round (ranked only) and the ballots that counted for no option in
    that round (`exhausted`). `ballots` is the number of ballots counted, abstentions included.
    Single choice and approval have exactly one round. Every count has at least one round, so a
    page can always show the first one.

Single choice and approval: ties
    The option with the most votes wins. There is no runoff to settle a tie, so a tie is reported,
    not broken: when two or more options share the top count, `winner` is None and `tied` lists
    them in option order; the organizers decide what happens next (a new poll between them, say).
    When no ballot counts for any option (zero ballots, or approval ballots that all abstain),
    nobody won and nobody is tied: `winner` is None and `tied` is empty.

Ranked (instant-runoff voting)
    Each round counts every ballot for its highest-ranked option still in the count. An option
    with more than half of the ballots counted in the round (the exhausted ones left out) wins.
    Otherwise one option with the fewest votes is eliminated and its ballots pass to their next
    preference still in the count; a ballot with no such preference is exhausted. When only one
    option is left, it wins. Ballots may rank only some options; an empty ballot is an abstention
    (exhausted from the first round). When no ballot ranks any option (including zero ballots),
    there is no winner: the result has one round with every option at zero. A ranked count never
    reports a tie: `tied` is always empty, because the tie-break rule below decides.

Ranked: the tie-break rule (TIE_BREAK_RULE is the text for the site)
    Ties for elimination are settled by backwards tie-breaking, as several IRV laws do, and then
    by the published option order, so the rule needs no randomness. Among the options tied for the
    fewest votes, keep those that had the fewest votes in the previous round, then in the round
    before, back to the first round, until one is left; if they are still tied (equal votes in
    every round), eliminate the one listed last in the option order. The last two tied with equal
    votes are settled by the same rule: it eliminates one, and the other wins in a final round.
    `TieBreak.OPTION_ORDER` skips the look back and uses the option order alone.

Score (0 to 5 points per option) and dots (a number of dots spread over the options)
    Each ballot maps options to points; an option not on a ballot gets 0 from it. The highest
    total wins. A tie on the total is settled by SCORE_TIE_RULE / DOTS_TIE_RULE (below); options
    still tied after it are reported as a tie, as for single choice. A ballot that gives no
    points at all abstains (counted in `ballots` and `exhausted`). `breakdown` holds, for score,
    how many ballots gave each option 5, 4, 3, 2, 1 points; for dots, how many ballots gave it
    any dots.

Dates (yes / if need be / no per date)
    The date with the most "yes" wins; a tie on "yes" is settled by the most "if need be", then
    by the earliest date (DATES_TIE_RULE). A date not answered on a ballot counts as "no". The
    round's counts are the "yes" answers; `breakdown` holds (yes, if need be, no) per date.
"""

from collections.abc import Container, Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

TIE_BREAK_RULE = _(
    "When two or more options are tied for the fewest votes in a round, we look at the round "
    "before and keep, among them, only those that had the fewest votes there, and go on back "
    "round by round towards the first round until only one is left; that option is eliminated. "
    "If they are still tied (they had equal votes in every round), the one listed last in the "
    "poll's option order is eliminated. The same rule settles a tie between the last two options: "
    "the one it would eliminate loses and the other wins. Nothing is left to chance, so anyone "
    "can recount the result by hand from the ballots."
)


SCORE_TIE_RULE = _(
    "When two or more options have the same total, the one that more ballots gave 5 points wins; "
    "if still equal, the one with more 4s, then 3s, 2s and 1s. Options equal on all of these are "
    "reported as a tie, and the organizers decide what happens next."
)
DOTS_TIE_RULE = _(
    "When two or more options have the same number of dots, the one that more ballots gave at "
    "least one dot wins. Options still equal are reported as a tie, and the organizers decide "
    "what happens next."
)
DATES_TIE_RULE = _(
    'The date with the most "yes" wins. When dates have as many "yes", the one with more '
    '"if need be" wins; when they are still equal, the earliest date wins.'
)

MAX_SCORE = 5


class Method(StrEnum):
    """How the ballots of a poll are read; stored with the poll so it is recounted the same way."""

    SINGLE = "single"
    APPROVAL = "approval"
    RANKED = "ranked"
    SCORE = "score"
    DOTS = "dots"
    DATES = "dates"


class Answer(StrEnum):
    """A member's answer to one date of a dates poll."""

    YES = "yes"
    IF_NEED_BE = "if_need_be"
    NO = "no"


ANSWERS = frozenset(answer.value for answer in Answer)


class TieBreak(StrEnum):
    """How a ranked count picks one option to eliminate among those tied for the fewest votes."""

    BACKWARDS = "backwards"  # earlier rounds first, then the option order (the default)
    OPTION_ORDER = "option_order"  # the option order alone: last listed goes first


@dataclass(frozen=True, slots=True)
class Round[O: Hashable]:
    """One round of a count, as the results page shows it.

    `counts` holds the votes of each option still counted, in option order; `eliminated` the
    option(s) eliminated after this round (empty in the last round, and always for single choice
    and approval); `exhausted` the ballots that counted for no option in this round.
    """

    counts: dict[O, int]
    eliminated: tuple[O, ...]
    exhausted: int


@dataclass(frozen=True, slots=True)
class Result[O: Hashable]:
    """The outcome of a count and every round that led to it, so the page can show its working."""

    method: Method
    rounds: tuple[Round[O], ...]
    winner: O | None
    tied: tuple[O, ...]
    ballots: int
    # Score: per option, how many ballots gave it 5, 4, 3, 2, 1 points; dots: (ballots giving it
    # any dots,); dates: (yes, if need be, no). Empty for the other methods.
    breakdown: dict[O, tuple[int, ...]] = field(default_factory=dict)


def count_single[O: Hashable](options: Sequence[O], ballots: Iterable[Sequence[O]]) -> Result[O]:
    """Counts one choice per ballot: most votes wins; a tie at the top is reported, not broken."""
    options = _checked_options(options)
    counts = dict.fromkeys(options, 0)
    total = 0
    for number, ballot in enumerate(ballots, start=1):
        choices = _checked_ballot(number, ballot, counts)
        if len(choices) != 1:
            raise ValueError(f"ballot {number}: a single-choice ballot has exactly one choice")
        counts[choices[0]] += 1
        total += 1
    return _one_round(Method.SINGLE, counts, exhausted=0, ballots=total)


def count_approval[O: Hashable](options: Sequence[O], ballots: Iterable[Iterable[O]]) -> Result[O]:
    """Counts approvals: each ballot gives one vote to every option it approves; an empty ballot
    abstains (counted in `ballots` and `exhausted`). A tie at the top is reported, not broken."""
    options = _checked_options(options)
    counts = dict.fromkeys(options, 0)
    total = abstentions = 0
    for number, ballot in enumerate(ballots, start=1):
        choices = _checked_ballot(number, ballot, counts)
        for choice in choices:
            counts[choice] += 1
        abstentions += not choices
        total += 1
    return _one_round(Method.APPROVAL, counts, exhausted=abstentions, ballots=total)


def count_ranked[O: Hashable](
    options: Sequence[O],
    ballots: Iterable[Sequence[O]],
    tie_break: TieBreak = TieBreak.BACKWARDS,
) -> Result[O]:
    """Counts ranked ballots by instant-runoff voting, one elimination per round.

    Eliminating one option at a time (not every hopeless one at once) keeps each round a step
    a person can check by hand, and lets the tie-break rule look at every earlier round.
    """
    options = _checked_options(options)
    known = set(options)
    ranked: list[tuple[O, ...]] = []
    for number, ballot in enumerate(ballots, start=1):
        if isinstance(ballot, Set):
            raise TypeError(f"ballot {number}: a ranked ballot is a sequence in order, not a set")
        ranked.append(_checked_ballot(number, ballot, known))

    continuing = list(options)
    history: list[dict[O, int]] = []
    rounds: list[Round[O]] = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot in ranked:
            for choice in ballot:
                if choice in counts:  # its highest-ranked option still in the count
                    counts[choice] += 1
                    break
            else:
                exhausted += 1
        counted = len(ranked) - exhausted
        if counted == 0:
            # Only possible in the first round: no ballot ranks anything, so nobody can win.
            rounds.append(Round(counts, (), exhausted))
            return Result(Method.RANKED, tuple(rounds), None, (), len(ranked))
        leader = max(counts, key=counts.__getitem__)
        if 2 * counts[leader] > counted:  # also the case when only one option is left
            rounds.append(Round(counts, (), exhausted))
            return Result(Method.RANKED, tuple(rounds), leader, (), len(ranked))
        loser = _to_eliminate(counts, history, tie_break)
        rounds.append(Round(counts, (loser,), exhausted))
        history.append(counts)
        continuing.remove(loser)


def count_score[O: Hashable](
    options: Sequence[O], ballots: Iterable[Mapping[O, int]], max_score: int = MAX_SCORE
) -> Result[O]:
    """Counts score ballots (0 to max_score points per option): highest total wins, ties by
    SCORE_TIE_RULE (more top marks first)."""
    options = _checked_options(options)
    counts = dict.fromkeys(options, 0)
    marks = {option: [0] * max_score for option in options}  # index 0: the top mark
    total = abstentions = 0
    for number, ballot in enumerate(ballots, start=1):
        points = _checked_points(number, ballot, counts)
        for option, value in points.items():
            if not 0 <= value <= max_score:
                raise ValueError(f"ballot {number}: {value} is not between 0 and {max_score}")
            counts[option] += value
            if value:
                marks[option][max_score - value] += 1
        abstentions += not any(points.values())
        total += 1
    breakdown = {option: tuple(marks[option]) for option in options}
    return _ranked_by(Method.SCORE, counts, breakdown, abstentions, total)


def count_dots[O: Hashable](
    options: Sequence[O], ballots: Iterable[Mapping[O, int]], dots: int
) -> Result[O]:
    """Counts dot ballots (each spreads at most `dots` dots): most dots wins, ties by
    DOTS_TIE_RULE (more ballots giving it a dot)."""
    options = _checked_options(options)
    if dots < 1:
        raise ValueError("a dots poll gives each ballot at least one dot")
    counts = dict.fromkeys(options, 0)
    backers = dict.fromkeys(options, 0)
    total = abstentions = 0
    for number, ballot in enumerate(ballots, start=1):
        points = _checked_points(number, ballot, counts)
        if any(value < 0 for value in points.values()):
            raise ValueError(f"ballot {number}: dots cannot be negative")
        if sum(points.values()) > dots:
            raise ValueError(f"ballot {number}: more than {dots} dots")
        for option, value in points.items():
            counts[option] += value
            backers[option] += value > 0
        abstentions += not any(points.values())
        total += 1
    breakdown = {option: (backers[option],) for option in options}
    return _ranked_by(Method.DOTS, counts, breakdown, abstentions, total)


def count_dates[O: Hashable](options: Sequence[O], ballots: Iterable[Mapping[O, str]]) -> Result[O]:
    """Counts date ballots (yes / if need be / no per date; unanswered is no): most yes wins,
    then most if need be, then the earliest date: `options` must be in date order."""
    options = _checked_options(options)
    yes = dict.fromkeys(options, 0)
    maybe = dict.fromkeys(options, 0)
    total = abstentions = 0
    for number, ballot in enumerate(ballots, start=1):
        answers = _checked_points(number, ballot, yes)
        for option, answer in answers.items():
            if answer not in ANSWERS:
                raise ValueError(f"ballot {number}: {answer!r} is not yes, if_need_be or no")
            yes[option] += answer == Answer.YES
            maybe[option] += answer == Answer.IF_NEED_BE
        abstentions += all(answer == Answer.NO for answer in answers.values())
        total += 1
    breakdown = {o: (yes[o], maybe[o], total - yes[o] - maybe[o]) for o in options}
    winner = None
    if any(yes[o] or maybe[o] for o in options):
        # max() keeps the first of equals: the earliest date.
        winner = max(options, key=lambda o: (yes[o], maybe[o]))
    return Result(Method.DATES, (Round(yes, (), abstentions),), winner, (), total, breakdown)


def _ranked_by[O: Hashable](
    method: Method,
    counts: dict[O, int],
    breakdown: dict[O, tuple[int, ...]],
    abstentions: int,
    total: int,
) -> Result[O]:
    """The one-round result of score and dots: highest total, then the breakdown, compared in
    order; options equal on both are a reported tie."""
    top = max(counts.values())
    rounds = (Round(counts, (), abstentions),)
    if top == 0:
        return Result(method, rounds, None, (), total, breakdown)
    leaders = [option for option in counts if counts[option] == top]
    best = max(breakdown[option] for option in leaders)
    leaders = [option for option in leaders if breakdown[option] == best]
    if len(leaders) == 1:
        return Result(method, rounds, leaders[0], (), total, breakdown)
    return Result(method, rounds, None, tuple(leaders), total, breakdown)


def _checked_points[O: Hashable, V](
    number: int, ballot: Mapping[O, V], known: Container[O]
) -> Mapping[O, V]:
    """Refuses a ballot that is not a mapping or names an unknown option."""
    if not isinstance(ballot, Mapping):
        raise TypeError(f"ballot {number}: a mapping of options is expected")
    for option, value in ballot.items():
        if option not in known:
            raise ValueError(f"ballot {number}: unknown option {option!r}")
        if isinstance(value, bool):
            raise TypeError(f"ballot {number}: {value!r} is not a number or an answer")
    return ballot


def _to_eliminate[O: Hashable](
    counts: dict[O, int],
    history: list[dict[O, int]],
    tie_break: TieBreak,
) -> O:
    """Picks the one option to eliminate: fewest votes now, then the published tie-break rule."""
    fewest = min(counts.values())
    tied = [option for option in counts if counts[option] == fewest]
    if tie_break is TieBreak.BACKWARDS:
        for earlier in reversed(history):
            if len(tied) == 1:
                break
            fewest = min(earlier[option] for option in tied)
            tied = [option for option in tied if earlier[option] == fewest]
    # counts, and so tied, follow the option order: the last listed goes first.
    return tied[-1]


def _one_round[O: Hashable](
    method: Method, counts: dict[O, int], *, exhausted: int, ballots: int
) -> Result[O]:
    """Builds the one-round result of single choice and approval, reporting a tie at the top."""
    top = max(counts.values())
    leaders = tuple(option for option in counts if counts[option] == top)
    if top == 0:
        winner, tied = None, ()
    elif len(leaders) == 1:
        winner, tied = leaders[0], ()
    else:
        winner, tied = None, leaders
    return Result(method, (Round(counts, (), exhausted),), winner, tied, ballots)


def _checked_options[O: Hashable](options: Sequence[O]) -> tuple[O, ...]:
    """Refuses a poll with no options or the same option twice: the order must be unambiguous."""
    options = tuple(options)
    if not options:
        raise ValueError("a poll has at least one option")
    if len(set(options)) != len(options):
        raise ValueError("a poll lists each option once")
    return options


def _checked_ballot[O: Hashable](
    number: int, ballot: Iterable[O], known: Container[O]
) -> tuple[O, ...]:
    """Refuses an unknown option or the same option twice, naming the ballot (counted from 1)."""
    choices = tuple(ballot)
    for choice in choices:
        if choice not in known:
            raise ValueError(f"ballot {number}: unknown option {choice!r}")
    if len(set(choices)) != len(choices):
        raise ValueError(f"ballot {number}: an option appears twice")
    return choices
