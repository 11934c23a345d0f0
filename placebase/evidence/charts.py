"""Geometry for the server-drawn SVG charts. Each chart is shown beside its data table, so the
SVG is a picture of the table, never the only place a figure appears."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .sroi import LABELS, TornadoBar

WIDTH = 760
LABEL_WIDTH = 300
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 30
PLOT_WIDTH = WIDTH - LABEL_WIDTH - 20


@dataclass(frozen=True)
class TornadoRow:
    label: str
    y: int
    text_y: int
    low_x: int
    low_width: int
    high_x: int
    high_width: int
    ratio_at_low: str
    ratio_at_high: str


@dataclass(frozen=True)
class TornadoChart:
    width: int
    height: int
    rows: list[TornadoRow]
    central_x: int
    break_even_x: int | None
    axis_min: str
    axis_max: str
    plot_left: int
    plot_right: int
    axis_y: int


def _fmt(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _short(text: str, limit: int = 24) -> str:
    # The full name is in the data table beside the chart; the label only has to point to it.
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tornado_chart(bars: list[TornadoBar], *, central: Decimal) -> TornadoChart | None:
    """Bars from the central ratio to the ratio at each estimate's low (one colour) and high
    (another colour), biggest swing at the top."""
    if not bars:
        return None
    values = [central, *(b.ratio_at_low for b in bars), *(b.ratio_at_high for b in bars)]
    lowest, highest = min(values), max(values)
    span = highest - lowest or Decimal(1)

    def x(value: Decimal) -> int:
        return LABEL_WIDTH + int((value - lowest) / span * PLOT_WIDTH)

    rows = []
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_HEIGHT
        low_edge, high_edge = sorted((x(bar.ratio_at_low), x(central)))
        low_x, low_width = low_edge, max(high_edge - low_edge, 1)
        a, b = sorted((x(bar.ratio_at_high), x(central)))
        rows.append(
            TornadoRow(
                label=f"{_short(bar.outcome)} – {LABELS.get(bar.estimate, bar.estimate)}",
                y=y,
                text_y=y + BAR_HEIGHT - 4,
                low_x=low_x,
                low_width=low_width,
                high_x=a,
                high_width=max(b - a, 1),
                ratio_at_low=_fmt(bar.ratio_at_low),
                ratio_at_high=_fmt(bar.ratio_at_high),
            )
        )
    height = TOP + len(bars) * ROW_HEIGHT + 30
    one = Decimal(1)
    return TornadoChart(
        width=WIDTH,
        height=height,
        rows=rows,
        central_x=x(central),
        break_even_x=x(one) if lowest <= one <= highest else None,
        axis_min=_fmt(lowest),
        axis_max=_fmt(highest),
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        axis_y=TOP + len(bars) * ROW_HEIGHT + 16,
    )
