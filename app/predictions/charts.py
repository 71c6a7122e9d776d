"""Server-rendered SVG geometry for reliability diagrams: forecast probability against how often it happened."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.model.scoring import Bin

MIN_TOP = 0.5  # the axes run from 0 to at least this, so a draw's diagram is not a blown-up corner
# A band holding fewer than this share of the matches is drawn as a dot but left out of the line: one match at
# 45% that happened would otherwise pull the line to 100%.
MIN_LINE_SHARE = 0.005


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    r: float
    count: int
    low: float  # the band of forecasts the point stands for
    high: float
    forecast: float  # their mean
    observed: float  # how often the outcome happened


@dataclass(frozen=True, slots=True)
class Series:
    label: str  # "model" or "market": also the CSS class
    points: tuple[Point, ...]
    path_d: str


@dataclass(frozen=True, slots=True)
class ReliabilityChart:
    size: int
    pad: int
    top: float  # both axes run from 0 to top
    series: tuple[Series, ...]
    ticks: tuple[tuple[float, str], ...]  # position along either axis, label
    diagonal: str  # the path of perfect calibration

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)


def reliability_chart(series: Mapping[str, Sequence[Bin]], size: int = 240, pad: int = 36) -> ReliabilityChart:
    """One outcome's diagram: each series' bins as points sized by their share of matches, joined in order."""
    if size <= 2 * pad or pad < 0:
        raise ValueError(f"size must exceed 2*pad, got size={size} pad={pad}")
    extent = max(
        [b.mean_forecast for bins in series.values() for b in bins]
        + [b.observed for bins in series.values() for b in bins]
        + [MIN_TOP]
    )
    top = min(1.0, math.ceil(extent * 10 - 1e-9) / 10)
    inner = size - 2 * pad
    biggest = max([b.count for bins in series.values() for b in bins] + [1])

    def x(p: float) -> float:
        return round(pad + p / top * inner, 1)

    def y(p: float) -> float:
        return round(size - pad - p / top * inner, 1)

    drawn = []
    for label, bins in series.items():
        points = tuple(
            Point(
                x(b.mean_forecast),
                y(b.observed),
                round(2 + 5 * math.sqrt(b.count / biggest), 1),
                b.count,
                b.low,
                b.high,
                b.mean_forecast,
                b.observed,
            )
            for b in sorted(bins, key=lambda b: b.low)
        )
        enough = max(1.0, MIN_LINE_SHARE * sum(p.count for p in points))
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(p for p in points if p.count >= enough)
        )
        drawn.append(Series(label, points, path))
    steps = round(top * 10)
    ticks = tuple((x(i / 10), f"{i * 10}%") for i in range(0, steps + 1, 1 if steps <= 5 else 2))
    return ReliabilityChart(size, pad, top, tuple(drawn), ticks, f"M{x(0)},{y(0)} L{x(top)},{y(top)}")
