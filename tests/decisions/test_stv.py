"""Single transferable vote (decisions/stv.py), counted by hand."""

from fractions import Fraction

import pytest

from decisions import counting
from decisions.stv import count_stv, droop_quota


def _stages(result):
    return [
        ({k: v for k, v in s.counts.items()}, s.transferred, s.excluded, s.elected, s.exhausted)
        for s in result.stages
    ]


def test_stv_food_election_from_wikipedia():
    """The worked example of Wikipedia's "Single transferable vote" article (section
    "Example": 20 guests, 3 of 5 foods; Droop quota 6): Chocolate's surplus of 6 passes at
    half value, Pears is excluded, Oranges reaches the quota, Sweets is excluded."""
    ballots = (
        [["O"]] * 4 + [["P", "O"]] * 2 + [["C", "St"]] * 8 + [["C", "Sw"]] * 4 + [["St"]] + [["Sw"]]
    )
    result = count_stv(["O", "P", "C", "St", "Sw"], ballots, 3)
    assert result.quota == 6
    assert result.elected == ("C", "O", "St")
    assert _stages(result) == [
        ({"O": 4, "P": 2, "C": 12, "St": 1, "Sw": 1}, None, False, ("C",), 0),
        # 8 ballots × 6/12 = 4 to Strawberries, 4 × 6/12 = 2 to Sweets.
        ({"O": 4, "P": 2, "C": 6, "St": 5, "Sw": 3}, "C", False, (), 0),
        ({"O": 6, "P": 0, "C": 6, "St": 5, "Sw": 3}, "P", True, ("O",), 0),
        # Sweets' 3 have no next choice; Strawberries is the one hopeful for the one seat.
        ({"O": 6, "P": 0, "C": 6, "St": 5, "Sw": 0}, "Sw", True, ("St",), 3),
    ]


def test_stv_surplus_of_transferred_ballots_keeps_their_value():
    """Hand count, 2 seats, 9 ballots: quota 9 // 3 + 1 = 4.
    Stage 1: A 6, B 1, C 2, D 0 → A elected, surplus 2 → each A ballot now worth 2/6 = 1/3.
    A's 6 ballots: 3 A>B, 3 A>D → B 1 + 1 = 2, D 0 + 1 = 1. Stage 2: B 2, C 2, D 1.
    D excluded: its 3 ballots (1/3 each) have no next choice → exhausted 1. Stage 3: B 2, C 2,
    two hopefuls for one seat: tied now and at stage 2, but at stage 1 B had 1 and C 2 →
    B excluded (exhausted 1 + 1 + 1 = 3), C elected."""
    ballots = [["A", "B"]] * 3 + [["A", "D"]] * 3 + [["B"]] + [["C"]] * 2
    result = count_stv(["A", "B", "C", "D"], ballots, 2)
    assert result.quota == 4
    assert result.elected == ("A", "C")
    assert [s.counts for s in result.stages] == [
        {"A": 6, "B": 1, "C": 2, "D": 0},
        {"A": 4, "B": 2, "C": 2, "D": 1},
        {"A": 4, "B": 2, "C": 2, "D": 0},
        {"A": 4, "B": 0, "C": 2, "D": 0},
    ]
    assert [s.exhausted for s in result.stages] == [0, 0, 1, 3]
    assert result.stages[1].counts["B"] == Fraction(2)


def test_stv_tie_with_equal_history_excludes_the_last_listed():
    """3 seats, quota 5 // 4 + 1 = 2. A 2 elected (no surplus); B, C, D 1 each in every
    stage → D (listed last) is excluded, its ballot exhausts; B and C fill the two seats."""
    ballots = [["A"], ["A"], ["B"], ["C"], ["D"]]
    result = count_stv(["A", "B", "C", "D"], ballots, 3)
    assert result.elected == ("A", "B", "C")
    assert result.stages[1].transferred == "D"


def test_stv_empty_ballots_do_not_count_in_the_quota():
    assert droop_quota(10, 2) == 4
    result = count_stv(["A", "B", "C"], [["A"]] * 7 + [[]] * 5 + [["B"]] * 3, 2)
    assert result.quota == 4  # 10 valid ballots, not 15
    assert result.elected == ("A", "B")


def test_stv_as_many_candidates_as_seats_elects_them_all():
    result = count_stv(["A", "B"], [["B"]], 2)
    assert result.elected == ("B", "A")


def test_stv_refuses_an_unknown_candidate_and_no_seats():
    with pytest.raises(ValueError, match="unknown option"):
        count_stv(["A", "B"], [["Z"]], 1)
    with pytest.raises(ValueError, match="one seat"):
        count_stv(["A", "B"], [["A"]], 0)


def test_stv_one_seat_agrees_with_instant_runoff_here():
    ballots = [["A", "B"]] * 4 + [["B"]] * 3 + [["C", "B"]] * 2
    assert count_stv(["A", "B", "C"], ballots, 1).elected == ("B",)
    assert counting.count_ranked(["A", "B", "C"], ballots).winner == "B"
