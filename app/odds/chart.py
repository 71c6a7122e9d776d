"""Server-rendered SVG geometry for odds-movement charts (step lines), with no chart library."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# Headroom above and below the price range, as a share of the range (or of the price if flat).
_HEADROOM = 0.08
_FLAT_HEADROOM = 0.05
# Aim for about this many gaps between y gridlines; nice steps give 2 to 4 of them.
_TARGET_INTERVALS = 4


@dataclass(frozen=True, slots=True)
class ChartLine:
    """One series drawn as a step line, with where (and at what price) it ends."""

    label: str
    path_d: str
    last_price: float
    last_x: float
    last_y: float
    change: float


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything a template needs to draw the chart; y_min/y_max are 0.0 when empty."""

    width: int
    height: int
    y_min: float
    y_max: float
    lines: tuple[ChartLine, ...]
    gridlines: tuple[tuple[float, str], ...]
    empty: bool


def _require_aware(moment: datetime, what: str) -> None:
    """Raise ValueError for a naive datetime: instants must be timezone-aware."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment!r}")


def _check_geometry(start: datetime, end: datetime, width: int, height: int, pad: int) -> None:
    """Reject a window or canvas that cannot be drawn (empty window, no room inside the pad)."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        raise ValueError(f"end must be after start, got start={start!r} end={end!r}")
    if pad < 0 or width <= 2 * pad or height <= 2 * pad:
        raise ValueError(f"width and height must exceed 2*pad, got {width}x{height} pad={pad}")


def _window_steps(
    points: Iterable[tuple[datetime, float]], start: datetime, end: datetime
) -> list[tuple[float, float]]:
    """The series as (seconds after start, price) steps clipped to [start, end]."""
    checked: list[tuple[datetime, float]] = []
    for moment, price in points:
        _require_aware(moment, "series instants")
        if not math.isfinite(price) or price <= 0:
            raise ValueError(f"prices must be finite and positive, got {price!r}")
        checked.append((moment, float(price)))
    # Stable sort: of two points at the same instant, the later one given wins.
    checked.sort(key=lambda point: point[0])
    opening: float | None = None
    steps: list[tuple[float, float]] = []
    for moment, price in checked:
        if moment <= start:
            opening = price  # the latest price at or before start is the starting level
        elif moment <= end:
            offset = (moment - start).total_seconds()
            if steps and steps[-1][0] == offset:
                # A later update at the same instant replaces the earlier one.
                steps[-1] = (offset, price)
            else:
                steps.append((offset, price))
        else:
            break
    if opening is not None:
        steps.insert(0, (0.0, opening))
    return steps


def _price_range(prices: Sequence[float]) -> tuple[float, float]:
    """The y-axis extent: the prices' range plus headroom, never zero-height."""
    low, high = min(prices), max(prices)
    # Prices are kept to 3 decimals: a smaller spread is float noise (99.99999999999999 v 100.0), i.e. flat.
    room = (high - low) * _HEADROOM if high - low > 1e-6 else high * _FLAT_HEADROOM
    bottom = low - room
    if low >= 1.0:
        bottom = max(bottom, 1.0)  # a decimal price cannot go below 1.0, so neither does the axis
    return bottom, high + room


def _nice_step(span: float) -> tuple[float, int]:
    """A 1/2/2.5/5 x 10^n tick step for the span, and the decimals its labels need."""
    raw = span / _TARGET_INTERVALS
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10.0**exponent
    nice = next((n for n in (1.0, 2.0, 2.5, 5.0) if fraction <= n), 10.0)
    if nice == 10.0:
        nice, exponent = 1.0, exponent + 1
    decimals = max(0, -exponent + (1 if nice == 2.5 else 0))
    return nice * 10.0**exponent, decimals


def _coord(value: float) -> str:
    """A coordinate to one decimal place, dropping a trailing ".0" to keep paths small."""
    return f"{value:.1f}".removesuffix(".0")


def _gridlines(low: float, high: float, height: int, pad: int) -> tuple[tuple[float, str], ...]:
    """A few y ticks at nice prices within [low, high], as (pixel y, label)."""
    step, decimals = _nice_step(high - low)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    ticks = []
    for k in range(first, last + 1):
        value = round(k * step, decimals)  # round away float noise such as 0.30000000000000004
        y = pad + (high - value) / (high - low) * (height - 2 * pad)
        ticks.append((round(y, 1), f"{value:.{decimals}f}"))
    return tuple(ticks)


def _step_path(points: Sequence[tuple[float, float]], x_end: float) -> str:
    """An SVG path "d" for a step line through pixel points, held flat to x_end."""
    # One level per rounded x column (the latest wins), so sub-pixel moves add no commands.
    columns: list[tuple[float, float]] = []
    for x, y in points:
        if columns and columns[-1][0] == x:
            columns[-1] = (x, y)
        else:
            columns.append((x, y))
    x, y = columns[0]
    parts = [f"M{_coord(x)} {_coord(y)}"]
    for next_x, next_y in columns[1:]:
        if next_y != y:  # runs of one level become a single H
            parts.append(f"H{_coord(next_x)}V{_coord(next_y)}")
            x, y = next_x, next_y
    if x_end != x:
        parts.append(f"H{_coord(x_end)}")
    return "".join(parts)


def movement_chart(
    series: Mapping[str, Sequence[tuple[datetime, float]]],
    *,
    start: datetime,
    end: datetime,
    width: int = 320,
    height: int = 120,
    pad: int = 6,
) -> Chart:
    """Step-line geometry for each labelled price series over [start, end], for inline SVG."""
    _check_geometry(start, end, width, height, pad)
    window = {label: _window_steps(points, start, end) for label, points in series.items()}
    window = {label: steps for label, steps in window.items() if steps}
    if not window:
        return Chart(width, height, 0.0, 0.0, (), (), empty=True)
    low, high = _price_range([price for steps in window.values() for _, price in steps])
    x_scale = (width - 2 * pad) / (end - start).total_seconds()
    y_scale = (height - 2 * pad) / (high - low)
    x_end = round(float(width - pad), 1)
    lines = []
    for label, steps in window.items():
        pixels = [
            (round(pad + offset * x_scale, 1), round(pad + (high - price) * y_scale, 1)) for offset, price in steps
        ]
        last_price = steps[-1][1]
        lines.append(
            ChartLine(
                label=label,
                path_d=_step_path(pixels, x_end),
                last_price=last_price,
                last_x=x_end,
                last_y=pixels[-1][1],
                change=last_price - steps[0][1],
            )
        )
    gridlines = _gridlines(low, high, height, pad)
    return Chart(width, height, low, high, tuple(lines), gridlines, empty=False)
