"""Server-rendered SVG geometry for the running-profit chart: one line over the settled bets, in order, and zero."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TICKS = 4  # about this many gridlines


@dataclass(frozen=True, slots=True)
class ProfitChart:
    width: int
    height: int
    path_d: str  # the running profit, from 0 before the first bet
    zero_y: float
    gridlines: tuple[tuple[float, str], ...]  # pixel y, label
    last: float
    empty: bool


def _step(span: float) -> float:
    """A 1/2/5 x 10^n gridline step giving about TICKS gaps over the span."""
    raw = span / TICKS
    power = 10.0 ** math.floor(math.log10(raw))
    return next(n * power for n in (1, 2, 5, 10) if raw <= n * power)


def profit_chart(running: Sequence[float], width: int = 320, height: int = 120, pad: int = 8) -> ProfitChart:
    """The line through (0, 0) and each bet's cumulative profit, scaled into the box with zero always in view."""
    if width <= 2 * pad or height <= 2 * pad:
        raise ValueError(f"width and height must exceed 2*pad, got {width}x{height} pad={pad}")
    if not running:
        return ProfitChart(width, height, "", 0.0, (), 0.0, empty=True)
    values = [0.0, *running]
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = _step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step

    def y(value: float) -> float:
        return round(pad + (high - value) / (high - low) * (height - 2 * pad), 1)

    x_scale = (width - 2 * pad) / (len(values) - 1)
    points = " L".join(f"{round(pad + i * x_scale, 1):g} {y(v):g}" for i, v in enumerate(values))
    ticks = []
    level = low
    while level <= high + step / 2:
        ticks.append((y(level), f"{level:g}"))
        level = round(level + step, 10)
    return ProfitChart(width, height, f"M{points}", y(0.0), tuple(ticks), running[-1], empty=False)
