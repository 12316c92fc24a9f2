"""Vote counting, checked against counts done by hand: each test writes out its rounds."""

import random
import re

import pytest

from decisions.counting import (
    Method,
    Result,
    Round,
    TieBreak,
    count_approval,
    count_dates,
    count_dots,
    count_ranked,
    count_score,
    count_single,
)

# Wikipedia, "Instant-runoff voting", the Tennessee capital election: 100 voters, four cities,
# and each city's voters rank the cities by distance from home.
TENNESSEE = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
TENNESSEE_BALLOTS = (
    42 * [["Memphis", "Nashville", "Chattanooga", "Knoxville"]]
    + 26 * [["Nashville", "Chattanooga", "Knoxville", "Memphis"]]
    + 15 * [["Chattanooga", "Knoxville", "Nashville", "Memphis"]]
    + 17 * [["Knoxville", "Chattanooga", "Nashville", "Memphis"]]
)


def test_ranked_majority_in_first_round():
    # Round 1: A 3, B 1, C 1 (5 counted): A has 3 > 2.5 and wins; nobody is eliminated.
    ballots = 3 * [["A", "B"]] + [["B", "C"], ["C"]]

    assert count_ranked(["A", "B", "C"], ballots) == Result(
        method=Method.RANKED,
        rounds=(Round({"A": 3, "B": 1, "C": 1}, (), 0),),
        winner="A",
        tied=(),
        ballots=5,
    )


def test_ranked_three_options_winner_after_transfer():
    # 9 ballots, a majority is 5.
    # Round 1: A 4, B 3, C 2 -> C eliminated, its 2 ballots pass to B.
    # Round 2: A 4, B 5 -> B wins although A led the first round.
    ballots = 4 * [["A"]] + 3 * [["B", "C"]] + 2 * [["C", "B"]]

    result = count_ranked(["A", "B", "C"], ballots)

    assert result.rounds == (
        Round({"A": 4, "B": 3, "C": 2}, ("C",), 0),
        Round({"A": 4, "B": 5}, (), 0),
    )
    assert result.winner == "B"


def test_ranked_four_options_winner_after_several_transfers():
    # 14 ballots, a majority is 8.
    # Round 1: A 5, B 4, C 3, D 2 -> D eliminated; D,B,A ballots pass to B.
    # Round 2: A 5, B 6, C 3 -> C eliminated; C,A ballots pass to A.
    # Round 3: A 8, B 6 -> A wins (8 > 7).
    ballots = 5 * [["A", "D"]] + 4 * [["B", "C"]] + 3 * [["C", "A"]] + 2 * [["D", "B", "A"]]

    result = count_ranked(["A", "B", "C", "D"], ballots)

    assert result.rounds == (
        Round({"A": 5, "B": 4, "C": 3, "D": 2}, ("D",), 0),
        Round({"A": 5, "B": 6, "C": 3}, ("C",), 0),
        Round({"A": 8, "B": 6}, (), 0),
    )
    assert result.winner == "A"
    assert result.ballots == 14


def test_ranked_exhausted_ballots_lower_the_majority_threshold():
    # 16 ballots; most rank one option only.
    # Round 1: A 7, B 4, C 3, D 2, exhausted 0 (16 counted, majority 9) -> D eliminated:
    #          the D,B ballot passes to B, the D-only ballot is exhausted.
    # Round 2: A 7, B 5, C 3, exhausted 1 (15 counted, majority 8) -> C eliminated:
    #          its 3 C-only ballots are exhausted.
    # Round 3: A 7, B 5, exhausted 4 (12 counted, majority 7) -> A wins with 7 of 16 ballots.
    ballots = 7 * [["A"]] + 4 * [["B"]] + 3 * [["C"]] + [["D"], ["D", "B"]]

    result = count_ranked(["A", "B", "C", "D"], ballots)

    assert result.rounds == (
        Round({"A": 7, "B": 4, "C": 3, "D": 2}, ("D",), 0),
        Round({"A": 7, "B": 5, "C": 3}, ("C",), 1),
        Round({"A": 7, "B": 5}, (), 4),
    )
    assert result.winner == "A"
    assert result.ballots == 16


def test_ranked_elimination_tie_decided_by_previous_round():
    # 13 ballots, a majority is 7.
    # Round 1: A 5, B 3, C 4, D 1 -> D eliminated; D,B passes to B.
    # Round 2: A 5, B 4, C 4 -> B and C tied for fewest; in round 1 B had 3 < C's 4, so B goes.
    #          B,C ballots pass to C; the D,B ballot is exhausted.
    # Round 3: A 5, C 7, exhausted 1 (12 counted) -> C wins.
    ballots = 5 * [["A"]] + 3 * [["B", "C"]] + 4 * [["C", "B"]] + [["D", "B"]]

    result = count_ranked(["A", "B", "C", "D"], ballots)

    assert result.rounds == (
        Round({"A": 5, "B": 3, "C": 4, "D": 1}, ("D",), 0),
        Round({"A": 5, "B": 4, "C": 4}, ("B",), 0),
        Round({"A": 5, "C": 7}, (), 1),
    )
    assert result.winner == "C"


def test_ranked_elimination_tie_decided_two_rounds_back():
    # 14 ballots, a majority is 8.
    # Round 1: A 6, B 2, C 3, D 1, E 2 -> D eliminated; D,B,C passes to B.
    # Round 2: A 6, B 3, C 3, E 2 -> E eliminated; E,B,C passes to B, E,C,B to C.
    # Round 3: A 6, B 4, C 4 -> B and C tied; tied in round 2 as well (3 and 3); in round 1
    #          B had 2 < C's 3, so B goes. All 4 of B's ballots pass to C.
    # Round 4: A 6, C 8 -> C wins.
    ballots = (
        6 * [["A"]]
        + 2 * [["B", "C"]]
        + 3 * [["C", "B"]]
        + [["D", "B", "C"], ["E", "B", "C"], ["E", "C", "B"]]
    )

    result = count_ranked(["A", "B", "C", "D", "E"], ballots)

    assert result.rounds == (
        Round({"A": 6, "B": 2, "C": 3, "D": 1, "E": 2}, ("D",), 0),
        Round({"A": 6, "B": 3, "C": 3, "E": 2}, ("E",), 0),
        Round({"A": 6, "B": 4, "C": 4}, ("B",), 0),
        Round({"A": 6, "C": 8}, (), 0),
    )
    assert result.winner == "C"


def test_ranked_option_order_tie_break_ignores_earlier_rounds():
    # The same ballots with TieBreak.OPTION_ORDER:
    # Round 2: B and C tied at 4 -> C is listed last, so C goes; C,B ballots pass to B.
    # Round 3: A 5, B 8 -> B wins: the rule decides the poll, which is why it is published.
    ballots = 5 * [["A"]] + 3 * [["B", "C"]] + 4 * [["C", "B"]] + [["D", "B"]]

    result = count_ranked(["A", "B", "C", "D"], ballots, tie_break=TieBreak.OPTION_ORDER)

    assert result.rounds == (
        Round({"A": 5, "B": 3, "C": 4, "D": 1}, ("D",), 0),
        Round({"A": 5, "B": 4, "C": 4}, ("C",), 0),
        Round({"A": 5, "B": 8}, (), 0),
    )
    assert result.winner == "B"


def test_ranked_elimination_tie_in_every_round_decided_by_option_order():
    # 14 ballots, a majority is 8.
    # Round 1: A 5, B 4, C 2, D 2, E 1 -> E eliminated; E,A passes to A.
    # Round 2: A 6, B 4, C 2, D 2 -> C and D tied now and in round 1: D is listed last, D goes;
    #          D,B ballots pass to B.
    # Round 3: A 6, B 6, C 2 -> C eliminated; C,A ballots pass to A.
    # Round 4: A 8, B 6 -> A wins.
    ballots = 5 * [["A"]] + 4 * [["B"]] + 2 * [["C", "A"]] + 2 * [["D", "B"]] + [["E", "A"]]

    result = count_ranked(["A", "B", "C", "D", "E"], ballots)

    assert result.rounds == (
        Round({"A": 5, "B": 4, "C": 2, "D": 2, "E": 1}, ("E",), 0),
        Round({"A": 6, "B": 4, "C": 2, "D": 2}, ("D",), 0),
        Round({"A": 6, "B": 6, "C": 2}, ("C",), 0),
        Round({"A": 8, "B": 6}, (), 0),
    )
    assert result.winner == "A"


def test_ranked_elimination_tie_follows_published_order_not_labels():
    # The same ballots with C listed after D:
    # Round 2: A 6, B 4, D 2, C 2 -> C is listed last now, C goes; C,A ballots pass to A.
    # Round 3: A 8, B 4, D 2 -> A wins (8 > 7).
    ballots = 5 * [["A"]] + 4 * [["B"]] + 2 * [["C", "A"]] + 2 * [["D", "B"]] + [["E", "A"]]

    result = count_ranked(["A", "B", "D", "C", "E"], ballots)

    assert result.rounds == (
        Round({"A": 5, "B": 4, "D": 2, "C": 2, "E": 1}, ("E",), 0),
        Round({"A": 6, "B": 4, "D": 2, "C": 2}, ("C",), 0),
        Round({"A": 8, "B": 4, "D": 2}, (), 0),
    )
    assert list(result.rounds[1].counts) == ["A", "B", "D", "C"]
    assert result.winner == "A"


def test_ranked_final_two_tied_decided_by_previous_round():
    # 6 ballots.
    # Round 1: A 2, B 3, C 1 -> C eliminated; C,A passes to A.
    # Round 2: A 3, B 3 -> tied, no majority; in round 1 A had 2 < B's 3, so A is eliminated
    #          (the option order alone would have eliminated B) and its 3 ballots are exhausted.
    # Round 3: B 3, exhausted 3 -> B, the only option left, wins.
    ballots = 2 * [["A"]] + 3 * [["B"]] + [["C", "A"]]

    result = count_ranked(["A", "B", "C"], ballots)

    assert result == Result(
        method=Method.RANKED,
        rounds=(
            Round({"A": 2, "B": 3, "C": 1}, ("C",), 0),
            Round({"A": 3, "B": 3}, ("A",), 0),
            Round({"B": 3}, (), 3),
        ),
        winner="B",
        tied=(),
        ballots=6,
    )


def test_ranked_final_two_tied_in_first_round_decided_by_option_order():
    # Round 1: A 1, B 1 -> tied with no earlier round: B is listed last and is eliminated.
    # Round 2: A 1, exhausted 1 -> A wins.
    result = count_ranked(["A", "B"], [["A"], ["B"]])

    assert result.rounds == (Round({"A": 1, "B": 1}, ("B",), 0), Round({"A": 1}, (), 1))
    assert result.winner == "A"


def test_ranked_tennessee_capital_elects_knoxville():
    # 100 ballots, a majority is 51.
    # Round 1: Memphis 42, Nashville 26, Chattanooga 15, Knoxville 17 -> Chattanooga eliminated;
    #          its 15 ballots pass to Knoxville.
    # Round 2: Memphis 42, Nashville 26, Knoxville 32 -> Nashville eliminated; its 26 ballots
    #          skip Chattanooga and pass to Knoxville.
    # Round 3: Memphis 42, Knoxville 58 -> Knoxville wins.
    assert count_ranked(TENNESSEE, TENNESSEE_BALLOTS) == Result(
        method=Method.RANKED,
        rounds=(
            Round(
                {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17},
                ("Chattanooga",),
                0,
            ),
            Round({"Memphis": 42, "Nashville": 26, "Knoxville": 32}, ("Nashville",), 0),
            Round({"Memphis": 42, "Knoxville": 58}, (), 0),
        ),
        winner="Knoxville",
        tied=(),
        ballots=100,
    )


def test_single_tennessee_first_preferences_elect_memphis():
    # First preferences: Memphis 42, Nashville 26, Chattanooga 15, Knoxville 17 -> Memphis,
    # with 42 of 100: the plurality winner that a majority ranks last.
    firsts = [ballot[:1] for ballot in TENNESSEE_BALLOTS]

    assert count_single(TENNESSEE, firsts) == Result(
        method=Method.SINGLE,
        rounds=(
            Round({"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17}, (), 0),
        ),
        winner="Memphis",
        tied=(),
        ballots=100,
    )


def test_approval_tennessee_top_two_elect_nashville():
    # Approving the top two: Memphis voters approve Memphis and Nashville (42 each), Nashville
    # voters Nashville and Chattanooga (26), Chattanooga voters Chattanooga and Knoxville (15),
    # Knoxville voters Knoxville and Chattanooga (17):
    # Memphis 42; Nashville 42 + 26 = 68; Chattanooga 26 + 15 + 17 = 58; Knoxville 15 + 17 = 32.
    top_two = [set(ballot[:2]) for ballot in TENNESSEE_BALLOTS]

    assert count_approval(TENNESSEE, top_two) == Result(
        method=Method.APPROVAL,
        rounds=(
            Round({"Memphis": 42, "Nashville": 68, "Chattanooga": 58, "Knoxville": 32}, (), 0),
        ),
        winner="Nashville",
        tied=(),
        ballots=100,
    )


def test_single_tie_at_top_reported_without_winner():
    # A 2, B 1, C 2 -> A and C tied: no winner, the tie is listed in option order.
    result = count_single(["A", "B", "C"], [["C"], ["A"], ["B"], ["C"], ["A"]])

    assert result == Result(
        method=Method.SINGLE,
        rounds=(Round({"A": 2, "B": 1, "C": 2}, (), 0),),
        winner=None,
        tied=("A", "C"),
        ballots=5,
    )


def test_approval_tie_at_top_and_abstention():
    # Ballots {1, 2}, {2, 3}, {1}, {} -> 1: 2, 2: 2, 3: 1; the empty ballot abstains.
    result = count_approval([1, 2, 3], [[1, 2], [2, 3], [1], []])

    assert result == Result(
        method=Method.APPROVAL,
        rounds=(Round({1: 2, 2: 2, 3: 1}, (), 1),),
        winner=None,
        tied=(1, 2),
        ballots=4,
    )


def test_approval_only_abstentions_no_winner_no_tie():
    result = count_approval([1, 2], [[], []])

    assert result == Result(Method.APPROVAL, (Round({1: 0, 2: 0}, (), 2),), None, (), 2)


@pytest.mark.parametrize(
    ("count", "method"),
    [
        (count_single, Method.SINGLE),
        (count_approval, Method.APPROVAL),
        (count_ranked, Method.RANKED),
    ],
)
def test_count_zero_ballots_one_empty_round_no_winner(count, method):
    assert count([1, 2, 3], []) == Result(
        method=method,
        rounds=(Round({1: 0, 2: 0, 3: 0}, (), 0),),
        winner=None,
        tied=(),
        ballots=0,
    )


def test_ranked_only_empty_ballots_no_winner():
    # Both ballots abstain: exhausted from the first round, so nobody can win.
    assert count_ranked([1, 2], [[], []]) == Result(
        Method.RANKED, (Round({1: 0, 2: 0}, (), 2),), None, (), 2
    )


def test_ranked_single_option_wins_with_any_ballot():
    assert count_ranked(["A"], [["A"], []]) == Result(
        Method.RANKED, (Round({"A": 1}, (), 1),), "A", (), 2
    )


@pytest.mark.parametrize(
    ("count", "ballots", "message"),
    [
        (count_single, [[1], [4]], "ballot 2: unknown option 4"),
        (count_single, [[1], []], "ballot 2: a single-choice ballot has exactly one choice"),
        (count_single, [[1, 2]], "ballot 1: a single-choice ballot has exactly one choice"),
        (count_single, [[1, 1]], "ballot 1: an option appears twice"),
        (count_approval, [[1], ["1"]], "ballot 2: unknown option '1'"),
        (count_approval, [[2, 3, 2]], "ballot 1: an option appears twice"),
        (count_ranked, [[1, 2], [3, 9]], "ballot 2: unknown option 9"),
        (count_ranked, [[3, 1, 3]], "ballot 1: an option appears twice"),
    ],
)
def test_count_invalid_ballot_refused(count, ballots, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        count([1, 2, 3], ballots)


def test_ranked_set_ballot_refused():
    message = "ballot 1: a ranked ballot is a sequence in order, not a set"
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        count_ranked([1, 2], [{1, 2}])


@pytest.mark.parametrize(
    ("options", "message"),
    [([], "a poll has at least one option"), ([1, 2, 1], "a poll lists each option once")],
)
def test_count_invalid_options_refused(options, message):
    for count in (count_single, count_approval, count_ranked):
        with pytest.raises(ValueError, match=f"^{message}$"):
            count(options, [])


def test_ranked_random_polls_keep_invariants():
    rng = random.Random(20260611)
    winners = 0
    for _ in range(200):
        options = list(range(rng.randint(3, 6)))
        ballots = [
            rng.sample(options, rng.randint(0, len(options))) for _ in range(rng.randint(0, 40))
        ]

        result = count_ranked(options, ballots)

        assert result == count_ranked(options, ballots)
        assert result.ballots == len(ballots)
        assert result.tied == ()
        continuing = options
        for number, round_ in enumerate(result.rounds):
            assert list(round_.counts) == continuing
            assert sum(round_.counts.values()) + round_.exhausted == len(ballots)
            if number:
                assert round_.exhausted >= result.rounds[number - 1].exhausted
            if round_ is not result.rounds[-1]:
                (eliminated,) = round_.eliminated
                assert round_.counts[eliminated] == min(round_.counts.values())
                continuing = [option for option in continuing if option != eliminated]
        last = result.rounds[-1]
        assert last.eliminated == ()
        if any(ballots):
            winners += 1
            counted = sum(last.counts.values())
            assert 2 * last.counts[result.winner] > counted or list(last.counts) == [result.winner]
        else:
            assert (result.winner, len(result.rounds)) == (None, 1)
    assert winners > 150


# --- Score, dots and dates ------------------------------------------------------------------------


def test_score_highest_total_wins():
    # Totals by hand: A 5+3+0 = 8, B 4+4+4 = 12, C 0+5+2 = 7 -> B wins.
    # Marks (5s, 4s, 3s, 2s, 1s): A (1,0,1,0,0), B (0,3,0,0,0), C (1,0,0,1,0).
    ballots = [{"A": 5, "B": 4}, {"A": 3, "B": 4, "C": 5}, {"A": 0, "B": 4, "C": 2}]

    assert count_score(["A", "B", "C"], ballots) == Result(
        method=Method.SCORE,
        rounds=(Round({"A": 8, "B": 12, "C": 7}, (), 0),),
        winner="B",
        tied=(),
        ballots=3,
        breakdown={"A": (1, 0, 1, 0, 0), "B": (0, 3, 0, 0, 0), "C": (1, 0, 0, 1, 0)},
    )


def test_score_tie_on_total_goes_to_more_top_marks():
    # A 5+1 = 6, B 3+3 = 6: equal totals; A has one 5, B none -> A wins. An all-zero ballot
    # abstains.
    ballots = [{"A": 5, "B": 3}, {"A": 1, "B": 3}, {"A": 0}]

    result = count_score(["A", "B"], ballots)

    assert (result.winner, result.tied) == ("A", ())
    assert result.rounds == (Round({"A": 6, "B": 6}, (), 1),)


def test_score_tie_on_every_mark_is_reported():
    # A 4+2 = 6, B 2+4 = 6, C 1: A and B have one 4 and one 2 each -> a tie, in option order.
    ballots = [{"A": 4, "B": 2, "C": 1}, {"A": 2, "B": 4}]

    result = count_score(["A", "B", "C"], ballots)

    assert (result.winner, result.tied) == (None, ("A", "B"))


def test_score_no_points_no_winner():
    assert count_score(["A", "B"], []).winner is None
    result = count_score(["A", "B"], [{"A": 0, "B": 0}])
    assert (result.winner, result.tied, result.ballots, result.rounds[0].exhausted) == (
        None,
        (),
        1,
        1,
    )


@pytest.mark.parametrize(
    ("ballot", "error"),
    [
        ({"A": 6}, "6 is not between 0 and 5"),
        ({"A": -1}, "-1 is not between 0 and 5"),
        ({"Z": 1}, "unknown option 'Z'"),
        (["A"], "a mapping of options is expected"),
        ({"A": True}, "is not a number"),
    ],
)
def test_score_refuses_bad_ballots(ballot, error):
    with pytest.raises((ValueError, TypeError), match=re.escape(error)):
        count_score(["A", "B"], [{"B": 1}, ballot])


def test_dots_most_dots_wins_then_more_backers():
    # 5 dots each: ballot 1 {A: 5}, ballot 2 {B: 2, C: 3}, ballot 3 {B: 3}.
    # Totals A 5, B 2+3 = 5, C 3: A and B tie on dots; B has 2 backers, A 1 -> B wins.
    ballots = [{"A": 5}, {"B": 2, "C": 3}, {"B": 3}]

    assert count_dots(["A", "B", "C"], ballots, dots=5) == Result(
        method=Method.DOTS,
        rounds=(Round({"A": 5, "B": 5, "C": 3}, (), 0),),
        winner="B",
        tied=(),
        ballots=3,
        breakdown={"A": (1,), "B": (2,), "C": (1,)},
    )


def test_dots_tie_on_dots_and_backers_is_reported():
    # A 2+1 = 3 from 2 ballots, B 1+2 = 3 from 2 ballots -> tied.
    result = count_dots(["A", "B"], [{"A": 2, "B": 1}, {"A": 1, "B": 2}], dots=3)
    assert (result.winner, result.tied) == (None, ("A", "B"))


def test_dots_refuses_more_than_the_dots():
    with pytest.raises(ValueError, match="ballot 2: more than 3 dots"):
        count_dots(["A", "B"], [{"A": 3}, {"A": 2, "B": 2}], dots=3)
    with pytest.raises(ValueError, match="ballot 1: dots cannot be negative"):
        count_dots(["A", "B"], [{"A": -1, "B": 2}], dots=3)


def test_dates_most_yes_wins():
    # Mon: yes, yes, no -> 2 yes. Tue: yes, if need be, yes -> 2 yes 1 inb. Wed: no, yes, (none).
    # Mon and Tue have 2 yes; Tue has 1 if need be, Mon 0 -> Tue wins.
    ballots = [
        {"Mon": "yes", "Tue": "yes", "Wed": "no"},
        {"Mon": "yes", "Tue": "if_need_be", "Wed": "yes"},
        {"Mon": "no", "Tue": "yes"},
    ]

    assert count_dates(["Mon", "Tue", "Wed"], ballots) == Result(
        method=Method.DATES,
        rounds=(Round({"Mon": 2, "Tue": 2, "Wed": 1}, (), 0),),
        winner="Tue",
        tied=(),
        ballots=3,
        breakdown={"Mon": (2, 0, 1), "Tue": (2, 1, 0), "Wed": (1, 0, 2)},
    )


def test_dates_equal_yes_and_if_need_be_goes_to_the_earliest():
    # Mon 1 yes 1 inb, Tue 1 yes 1 inb -> the earliest (listed first), Mon. All-no abstains.
    ballots = [{"Mon": "yes", "Tue": "if_need_be"}, {"Mon": "if_need_be", "Tue": "yes"}]
    result = count_dates(["Mon", "Tue"], [*ballots, {"Mon": "no"}])
    assert (result.winner, result.tied, result.rounds[0].exhausted) == ("Mon", (), 1)


def test_dates_if_need_be_alone_can_win_and_nothing_is_no_winner():
    assert count_dates(["Mon", "Tue"], [{"Tue": "if_need_be"}]).winner == "Tue"
    assert count_dates(["Mon", "Tue"], [{"Mon": "no", "Tue": "no"}]).winner is None
    with pytest.raises(ValueError, match="'maybe' is not yes, if_need_be or no"):
        count_dates(["Mon"], [{"Mon": "maybe"}])
