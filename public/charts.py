"""Pictures drawn on the server as SVG: a forest plot of each finding's study results and
a timeline of when effects were seen. Each is computed here as coordinates; the templates
draw them beside a table that says the same in words."""

import math
from dataclasses import dataclass, field

from reviews.models import EvidenceLink

EffectKind = EvidenceLink.EffectKind
# Ratios are drawn on a log scale around 1; differences on a linear scale around 0.
RATIO_KINDS = {EffectKind.ODDS_RATIO, EffectKind.RISK_RATIO}
DIFFERENCE_KINDS = {EffectKind.MEAN_DIFFERENCE, EffectKind.STANDARDIZED_MEAN_DIFFERENCE}
# The axis takes this share of the drawing's width (per cent); the row labels the rest.
PLOT_LEFT, PLOT_RIGHT = 44.0, 96.0
LABEL_LENGTH = 26
ROW_HEIGHT = 28
HOUR, DAY, WEEK = 1, 24, 24 * 7
TIME_TICKS = [
    (0.25, "15 min"), (1, "1 h"), (4, "4 h"), (DAY, "1 day"), (3 * DAY, "3 days"),
    (WEEK, "1 week"), (4 * WEEK, "4 weeks"), (13 * WEEK, "3 months"), (52 * WEEK, "1 year"),
]  # fmt: skip


@dataclass
class Tick:
    x: float  # per cent of the drawing's width
    label: str


@dataclass
class PlotRow:
    label: str
    text: str  # the figure in words, as the table beside it gives it
    x: float
    x_low: float | None = None
    x_high: float | None = None
    y: float = 0

    @property
    def text_y(self) -> float:
        return self.y + 4


@dataclass
class Chart:
    title: str
    description: str
    rows: list[PlotRow]
    ticks: list[Tick]
    null_x: float | None = None
    axis_label: str = ""
    kind: str = ""
    id: str = "chart"  # unique on its page: names its title and description
    height: float = field(init=False)

    def __post_init__(self):
        for index, row in enumerate(self.rows):
            row.y = ROW_HEIGHT * index + ROW_HEIGHT / 2
        self.height = ROW_HEIGHT * len(self.rows)

    @property
    def tick_y(self) -> float:
        return self.height + 16

    @property
    def axis_label_y(self) -> float:
        return self.height + 34

    @property
    def axis_label_x(self) -> float:
        return (PLOT_LEFT + PLOT_RIGHT) / 2

    @property
    def total_height(self) -> float:
        return self.height + 40


class Scale:
    """Values to per cent of the plot's width, linear or logarithmic."""

    def __init__(self, low: float, high: float, *, log: bool = False):
        self.log = log
        self.low, self.high = (math.log10(low), math.log10(high)) if log else (low, high)
        if self.high == self.low:
            self.low, self.high = self.low - 1, self.high + 1

    def __call__(self, value: float) -> float:
        value = math.log10(value) if self.log else value
        share = (value - self.low) / (self.high - self.low)
        return round(PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT), 2)


def forest_plots(finding) -> list[Chart]:
    """One plot per kind of effect among a finding's results (an odds ratio and a mean
    difference share no axis), each row a study's effect with its 95% interval."""
    by_kind: dict[str, list] = {}
    for result in finding.results.all():
        if result.effect_value is not None:
            by_kind.setdefault(result.effect_kind, []).append(result)
    plots = [_forest_plot(finding, EffectKind(k), results) for k, results in by_kind.items()]
    for index, plot in enumerate(plots):
        plot.id = f"forest-{finding.pk}-{index}"
    return plots


def _forest_plot(finding, kind: EffectKind, results: list) -> Chart:
    values = [v for r in results for v in (r.effect_value, r.ci_low, r.ci_high) if v is not None]
    null = 1.0 if kind in RATIO_KINDS else 0.0 if kind in DIFFERENCE_KINDS else None
    log = kind in RATIO_KINDS and all(v > 0 for v in values)
    if null is not None:
        values.append(null)
    low, high = min(values), max(values)
    if kind == EffectKind.PERCENT:
        low, high = min(low, 0), max(high, 100)
    elif not log and null is None:
        low = min(low, 0)
    if log:
        low, high = 10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high))
    scale = Scale(low, high, log=log)
    rows = [
        PlotRow(
            label=_result_label(r),
            text=r.figure,
            x=scale(r.effect_value),
            x_low=scale(r.ci_low) if r.has_interval else None,
            x_high=scale(r.ci_high) if r.has_interval else None,
        )
        for r in results
    ]
    ticks = _ticks(low, high, log=log, scale=scale)
    axis = kind.label + (" (log scale)" if log else "")
    described = "; ".join(f"{row.label}: {row.text}" for row in rows)
    return Chart(
        title=f"{finding.outcome}: {kind.label.lower()} by study",
        description=f"Forest plot. {described}.",
        rows=rows,
        ticks=ticks,
        null_x=scale(null) if null is not None and (not log or null > 0) else None,
        axis_label=axis,
        kind=kind.value,
    )


def _ticks(low: float, high: float, *, log: bool, scale: Scale) -> list[Tick]:
    if log:
        exponents = range(round(math.log10(low)), round(math.log10(high)) + 1)
        return [Tick(scale(10**e), f"{10**e:g}") for e in exponents]
    step = _nice_step((high - low) / 4)
    first = math.ceil(low / step) * step
    count = int((high - first) // step) + 1
    return [Tick(scale(first + i * step), f"{first + i * step:g}".replace("-", "−"))
            for i in range(count)]  # fmt: skip


def _nice_step(rough: float) -> float:
    magnitude = 10 ** math.floor(math.log10(rough)) if rough > 0 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if rough <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def timeline(findings) -> Chart | None:
    """When each study saw its effect, from first to last, on one logarithmic time axis
    from a quarter of an hour to a year; None when no result says when."""
    timed = [r for f in findings for r in f.results.all() if r.is_timed]
    if not timed:
        return None
    scale = Scale(TIME_TICKS[0][0], TIME_TICKS[-1][0], log=True)
    rows = []
    for result in timed:
        first = max(result.first_seen_hours, TIME_TICKS[0][0])
        last = result.last_seen_hours
        text = f"first seen at {_hours(result.first_seen_hours)}"
        if last is not None and last > result.first_seen_hours:
            text += f", last seen at {_hours(last)}"
        rows.append(
            PlotRow(
                label=_result_label(result),
                text=text,
                x=scale(first),
                x_low=scale(first),
                x_high=scale(min(max(last, TIME_TICKS[0][0]), TIME_TICKS[-1][0]))
                if last is not None
                else None,
            )
        )
    described = "; ".join(f"{row.label}: {row.text}" for row in rows)
    return Chart(
        title="When the effect was seen, study by study",
        description=f"Timeline, hours after a dose on a log scale. {described}.",
        rows=rows,
        ticks=[Tick(scale(hours), label) for hours, label in TIME_TICKS],
        axis_label="Time after a dose (log scale)",
        kind="timeline",
        id="timeline",
    )


def _result_label(result) -> str:
    name = result.study.short_citation
    return f"{name}, {result.label}" if result.label else name


def _hours(hours: float) -> str:
    if hours < 1:
        return f"{round(hours * 60)} minutes"
    if hours < 48:
        return f"{hours:g} hour{'s' if hours != 1 else ''}"
    if hours < 24 * 14:
        return f"{hours / 24:g} days"
    if hours < 24 * 90:
        return f"{hours / (24 * 7):.3g} weeks"
    return f"{hours / (24 * 30.4):.2g} months"
