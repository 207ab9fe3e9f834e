"""The timeline's layout (sitegen/timeline.py), on in-memory milestones: rows follow the
dates, cards span to the next card in their lanes, lines run from a track's first
milestone to its last, eras are bands on the tracks they name, gaps are kept."""

from __future__ import annotations

from sitegen.model import Era, Framework, Milestone, PartialDate
from sitegen.timeline import Band, Card, Rail, plan_timeline

TRACKS = tuple(Framework(id, id.upper(), i, "#000000") for i, id in enumerate("abc", 1))


def m(id: str, framework: str, year: int, month: int = 0, also: tuple[str, ...] = ()) -> Milestone:
    return Milestone(id, PartialDate(year, month), framework, id, "s", (), also=also)


def test_every_card_has_a_row_of_its_own_in_date_order_and_spans_to_its_lanes_next() -> None:
    ms = (
        m("a1", "a", 2020, 1),
        m("b1", "b", 2020, 3),
        m("b2", "b", 2020, 9),
        m("a2", "a", 2020, 10),
    )
    (year,), after = plan_timeline(ms, TRACKS, ())
    assert after == ()
    assert year.cards == (
        Card(ms[0], 2, 5, (1, 1)),  # down to a2, the next card in lane a
        Card(ms[1], 3, 4, (2, 2)),
        Card(ms[2], 4, 6, (2, 2)),  # the last in its lane: to the end of the year
        Card(ms[3], 5, 6, (1, 1)),
    )
    assert (year.rows, year.end) == (5, 7)  # head row + 4 cards; one row kept for a gap


def test_a_cross_track_card_takes_every_lane_between_its_tracks() -> None:
    ms = (m("b1", "b", 2020, 1), m("x", "c", 2020, 5, also=("a",)), m("b2", "b", 2020, 9))
    (year,), _ = plan_timeline(ms, TRACKS, ())
    assert year.cards[0] == Card(ms[0], 2, 3, (2, 2))  # b1 ends where x takes lane b
    assert year.cards[1] == Card(ms[1], 3, 4, (1, 3))


def test_track_lines_run_from_first_to_last_milestone_across_years() -> None:
    ms = (m("a1", "a", 2018), m("b1", "b", 2018, 6), m("b2", "b", 2019), m("a2", "a", 2020, 2))
    years, _ = plan_timeline(ms, TRACKS, ())
    y2018, y2019, y2020 = years
    assert y2018.rails == (Rail("a", 1, 2, 5, True, False), Rail("b", 2, 3, 5, True, False))
    assert y2019.rails == (Rail("a", 1, 1, 4, False, False), Rail("b", 2, 1, 2, False, True))
    assert y2020.rails == (Rail("a", 1, 1, 2, False, True),)  # b ended in 2019; c never began


def test_years_without_milestones_are_a_gap_after_the_year_before() -> None:
    ms = (m("a1", "a", 2019), m("a2", "a", 2022), m("a3", "a", 2023))
    years, _ = plan_timeline(ms, TRACKS, ())
    assert [(y.year, y.gap) for y in years] == [(2019, (2020, 2021)), (2022, None), (2023, None)]
    assert [y.following for y in years] == [2022, 2023, None]


def test_eras_are_labelled_where_they_begin_and_banded_until_they_end() -> None:
    ms = (m("a1", "a", 2019, 3), m("b1", "b", 2019, 9), m("a2", "a", 2020, 5))
    early = Era("Early", PartialDate(2019), PartialDate(2019, 9))
    late = Era("Late", PartialDate(2019, 9), frameworks=("b",))
    later = Era("After all", PartialDate(2030))
    years, after = plan_timeline(ms, TRACKS, (late, later, early))
    y2019, y2020 = years
    assert [(label.era.title, label.row) for label in y2019.labels] == [("Early", 2), ("Late", 4)]
    assert [c.row for c in y2019.cards] == [3, 5]
    assert y2019.bands == (
        Band(early, (), 2, 4),  # ends where the next dated item (the Late label) begins
        Band(late, (2,), 4, 7),  # on lane b only, through the year and the gap row
    )
    assert y2020.bands == (Band(late, (2,), 1, 4),)
    assert after == (later,)
