"""Tests for app.odds.chart: hand-computed geometry, edge cases and Hypothesis properties."""

from __future__ import annotations

import itertools
import math
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.odds.chart import Chart, movement_chart

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=10)
# Default canvas 320x120 with pad 6: the plot spans x 6..314 (308 wide) and y 6..114 (108 high).
COMMAND = re.compile(r"([MHV])(-?\d+(?:\.\d)?)(?: (-?\d+(?:\.\d)?))?")


def _hours(h: float) -> datetime:
    """An instant h hours after the window start."""
    return T0 + timedelta(hours=h)


def _trace(path_d: str) -> list[tuple[float, float]]:
    """Pen positions visited by an M/H/V path, checking nothing else is in it."""
    commands = COMMAND.findall(path_d)
    assert "".join(c + a + (" " + b if b else "") for c, a, b in commands) == path_d
    assert commands[0][0] == "M"
    x, y = float(commands[0][1]), float(commands[0][2])
    pen = [(x, y)]
    for command, value, _ in commands[1:]:
        x, y = (float(value), y) if command == "H" else (x, float(value))
        pen.append((x, y))
    return pen


def test_hand_computed_step_line() -> None:
    chart = movement_chart({"home": [(_hours(-1), 2.0), (_hours(5), 3.0)]}, start=T0, end=T1)
    # Prices 2.0..3.0 plus 8 % headroom each side: axis 1.92..3.08 (1.16 high).
    assert chart.y_min == pytest.approx(1.92)
    assert chart.y_max == pytest.approx(3.08)
    # y(2.0) = 6 + (3.08-2.0)/1.16*108 = 106.55 -> 106.6; y(3.0) = 6 + 0.08/1.16*108 = 13.4;
    # the change at 5h of 10h is at x = 6 + 0.5*308 = 160; the line is held to x = 314.
    (line,) = chart.lines
    assert line.label == "home"
    assert line.path_d == "M6 106.6H160V13.4H314"
    assert (line.last_price, line.last_x, line.last_y) == (3.0, 314.0, 13.4)
    assert line.change == pytest.approx(1.0)
    # Span 1.16 / 4 = 0.29 rounds up to a nice step of 0.5; y(2.5) = 6 + 0.58/1.16*108 = 60.
    assert chart.gridlines == ((106.6, "2.0"), (60.0, "2.5"), (13.4, "3.0"))
    assert (chart.width, chart.height, chart.empty) == (320, 120, False)


def test_series_keep_their_order_and_share_one_axis() -> None:
    chart = movement_chart(
        {
            "home": [(_hours(0), 2.0)],
            "draw": [(_hours(0), 3.5)],
            "away": [(_hours(0), 4.0)],
        },
        start=T0,
        end=T1,
    )
    assert [line.label for line in chart.lines] == ["home", "draw", "away"]
    # Higher prices sit higher on the chart, i.e. at smaller y.
    ys = [line.last_y for line in chart.lines]
    assert ys == sorted(ys, reverse=True)
    assert chart.y_min < 2.0 and chart.y_max > 4.0


@pytest.mark.parametrize("series", [{}, {"home": []}, {"home": [(_hours(11), 2.0)]}])
def test_no_data_in_the_window_is_an_empty_chart(series: dict) -> None:
    chart = movement_chart(series, start=T0, end=T1)
    assert chart == Chart(320, 120, 0.0, 0.0, (), (), empty=True)


def test_series_without_data_is_left_out() -> None:
    chart = movement_chart(
        {"home": [(_hours(1), 2.0)], "draw": [], "away": [(_hours(12), 4.0)]},
        start=T0,
        end=T1,
    )
    assert [line.label for line in chart.lines] == ["home"]


def test_single_point_inside_the_window() -> None:
    chart = movement_chart({"draw": [(_hours(2.5), 4.0)]}, start=T0, end=T1)
    # Flat prices get 5 % headroom: axis 3.8..4.2, so 4.0 sits mid-height at y = 60;
    # the line starts at x = 6 + 0.25*308 = 83.
    (line,) = chart.lines
    assert line.path_d == "M83 60H314"
    assert (line.change, line.last_y) == (0.0, 60.0)
    assert (chart.y_min, chart.y_max) == (pytest.approx(3.8), pytest.approx(4.2))


def test_all_prices_equal_make_one_flat_segment() -> None:
    points = [(_hours(-2), 2.0), (_hours(3), 2.0), (_hours(6), 2.0)]
    (line,) = movement_chart({"home": points}, start=T0, end=T1).lines
    assert line.path_d == "M6 60H314"
    assert line.change == 0.0


def test_point_at_the_end_is_a_bare_move() -> None:
    (line,) = movement_chart({"home": [(T1, 2.0)]}, start=T0, end=T1).lines
    assert line.path_d == "M314 60"
    assert line.last_x == 314.0


def test_only_the_latest_point_before_start_sets_the_opening_level() -> None:
    points = [
        (_hours(-5), 9.0),
        (_hours(-1), 2.0),
        (_hours(5), 3.0),
        (_hours(11), 50.0),
    ]
    (line,) = movement_chart({"home": points}, start=T0, end=T1).lines
    # Same as the hand-computed chart: 9.0 is superseded, 50.0 is after the window.
    assert line.path_d == "M6 106.6H160V13.4H314"
    assert line.change == pytest.approx(1.0)


def test_unsorted_points_and_same_instant_updates() -> None:
    # Given out of order, with two prices at 5h: the later one given (3.0) wins outright,
    # so the superseded 9.0 neither shows nor stretches the axis.
    points = [(_hours(5), 9.0), (_hours(-1), 2.0), (_hours(5), 3.0)]
    chart = movement_chart({"home": points}, start=T0, end=T1)
    assert chart.y_max == pytest.approx(3.08)
    (line,) = chart.lines
    assert line.path_d == "M6 106.6H160V13.4H314"
    assert line.last_price == 3.0


def test_other_time_zones_are_the_same_instants() -> None:
    plus_two = timezone(timedelta(hours=2))
    points = [
        (_hours(-1).astimezone(plus_two), 2.0),
        (_hours(5).astimezone(plus_two), 3.0),
    ]
    (line,) = movement_chart({"home": points}, start=T0.astimezone(plus_two), end=T1).lines
    assert line.path_d == "M6 106.6H160V13.4H314"


def test_change_is_last_minus_first_in_the_window() -> None:
    points = [(_hours(1), 3.4), (_hours(4), 2.8), (_hours(8), 3.1)]
    (line,) = movement_chart({"away": points}, start=T0, end=T1).lines
    assert line.change == pytest.approx(3.1 - 3.4)
    assert line.last_price == 3.1


def test_canvas_size_is_honoured() -> None:
    chart = movement_chart(
        {"home": [(_hours(0), 2.0), (_hours(5), 3.0)]},
        start=T0,
        end=T1,
        width=100,
        height=50,
        pad=0,
    )
    # y(2.0) = (3.08-2.0)/1.16*50 = 46.55 -> 46.6; y(3.0) = 0.08/1.16*50 = 3.45 -> 3.4.
    assert chart.lines[0].path_d == "M0 46.6H50V3.4H100"
    assert (chart.width, chart.height) == (100, 50)


def test_gridline_labels_for_long_prices() -> None:
    chart = movement_chart({"away": [(_hours(0), 10.0), (_hours(5), 30.0)]}, start=T0, end=T1)
    # Axis 8.4..31.6: 23.2 / 4 = 5.8 rounds up to a step of 10.
    assert [label for _, label in chart.gridlines] == ["10", "20", "30"]


def test_axis_never_drops_below_evens_floor_of_one() -> None:
    chart = movement_chart({"home": [(_hours(0), 1.01), (_hours(5), 1.5)]}, start=T0, end=T1)
    assert chart.y_min == 1.0


# --- invalid input -------------------------------------------------------------------------


def test_start_equal_to_end_raises() -> None:
    with pytest.raises(ValueError, match="end must be after start"):
        movement_chart({}, start=T0, end=T0)


def test_end_before_start_raises() -> None:
    with pytest.raises(ValueError, match="end must be after start"):
        movement_chart({}, start=T1, end=T0)


@pytest.mark.parametrize(("start", "end"), [(T0.replace(tzinfo=None), T1), (T0, T1.replace(tzinfo=None))])
def test_naive_window_raises(start: datetime, end: datetime) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        movement_chart({}, start=start, end=end)


def test_naive_point_raises() -> None:
    points = [(_hours(1), 2.0), (datetime(2025, 3, 1, 14, 0), 2.5)]
    with pytest.raises(ValueError, match="timezone-aware"):
        movement_chart({"home": points}, start=T0, end=T1)


@pytest.mark.parametrize("price", [math.nan, math.inf, 0.0, -1.5])
def test_bad_price_raises(price: float) -> None:
    with pytest.raises(ValueError, match="finite and positive"):
        movement_chart({"home": [(_hours(1), price)]}, start=T0, end=T1)


@pytest.mark.parametrize(("width", "height", "pad"), [(12, 120, 6), (320, 10, 6), (320, 120, -1)])
def test_canvas_too_small_raises(width: int, height: int, pad: int) -> None:
    with pytest.raises(ValueError, match="exceed 2\\*pad"):
        movement_chart({}, start=T0, end=T1, width=width, height=height, pad=pad)


# --- properties ----------------------------------------------------------------------------

points_st = st.lists(
    st.tuples(
        st.floats(min_value=-5.0, max_value=15.0).map(_hours),
        st.floats(min_value=1.01, max_value=100.0),
    ),
    max_size=40,
)
series_st = st.dictionaries(st.sampled_from(["home", "draw", "away"]), points_st, max_size=3)


@given(series=series_st)
def test_paths_stay_inside_the_plot_and_run_left_to_right(series: dict) -> None:
    chart = movement_chart(series, start=T0, end=T1)
    in_window = {k: [p for t, p in v if t <= T1] for k, v in series.items()}
    assert chart.empty == (not any(in_window.values()))
    for line in chart.lines:
        pen = _trace(line.path_d)
        xs = [x for x, _ in pen]
        assert xs == sorted(xs)
        assert all(6 <= x <= 314 and 6 <= y <= 114 for x, y in pen)
        assert pen[-1] == (line.last_x, line.last_y) == (314.0, pen[-1][1])
        assert line.last_price in in_window[line.label]
        assert chart.y_min <= line.last_price <= chart.y_max


@given(series=series_st)
def test_gridlines_are_a_few_ascending_nice_prices(series: dict) -> None:
    chart = movement_chart(series, start=T0, end=T1)
    if chart.empty:
        assert chart.gridlines == ()
        return
    assert 2 <= len(chart.gridlines) <= 5
    values = [float(label) for _, label in chart.gridlines]
    assert values == sorted(values)
    assert all(chart.y_min - 1e-9 <= v <= chart.y_max + 1e-9 for v in values)
    ys = [y for y, _ in chart.gridlines]
    assert ys == sorted(ys, reverse=True)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    assert len(steps) <= 1


@given(series=series_st)
def test_step_levels_match_the_prices(series: dict) -> None:
    chart = movement_chart(series, start=T0, end=T1)
    span = chart.y_max - chart.y_min
    for line in chart.lines:
        levels = {y for _, y in _trace(line.path_d)}
        prices = [p for t, p in series[line.label] if t <= T1]
        # Every level drawn is within rounding (0.05 px) of the y of some price given.
        for y in levels:
            nearest = min(abs(6 + (chart.y_max - p) / span * 108 - y) for p in prices)
            assert nearest <= 0.05 + 1e-9


def test_a_few_hundred_points_per_series_stay_a_small_path() -> None:
    series = {
        name: [(_hours(i * 12 / 500 - 1), 2.0 + ((i * 7 + offset) % 13) / 10) for i in range(500)]
        for offset, name in enumerate(["home", "draw", "away", "over", "under"])
    }
    chart = movement_chart(series, start=T0, end=T1)
    assert len(chart.lines) == 5
    # Sub-pixel moves merge: a 320 px wide chart never needs more than a command pair per column.
    assert all(line.path_d.count("H") <= 2 * 320 for line in chart.lines)


def test_a_spread_of_float_noise_is_drawn_flat_with_sane_labels():
    """Found by hypothesis: 99.99999999999999 and 100.0 gave one tick labelled with 15 decimals."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    chart = movement_chart(
        {"home": [(start, 99.99999999999999), (start + timedelta(hours=1), 100.0)]},
        start=start,
        end=start + timedelta(hours=2),
    )
    assert len(chart.gridlines) >= 2
    assert all(len(label.partition(".")[2]) <= 2 for _, label in chart.gridlines)
