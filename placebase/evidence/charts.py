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
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


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


# --- report charts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalRow:
    label: str
    y: int
    text_y: int
    central_x: int
    low_x: int | None
    high_x: int | None
    bar_x: int
    bar_width: int
    central: str
    low: str
    high: str


@dataclass(frozen=True)
class IntervalChart:
    width: int
    height: int
    rows: list[IntervalRow]
    zero_x: int
    reference_x: int | None
    axis_min: str
    axis_max: str
    plot_left: int
    plot_right: int
    axis_y: int


def _num(value: object) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def interval_chart(
    rows: list[tuple[str, object, object, object]], *, reference: Decimal | None = None
) -> IntervalChart | None:
    """Bars from 0 to each central value with a whisker from low to high (the p5-p95 range),
    and a dashed reference line (e.g. a ratio of 1 : 1)."""
    parsed = [(label, _num(c), _num(lo), _num(hi)) for label, c, lo, hi in rows]
    parsed = [(label, c, lo, hi) for label, c, lo, hi in parsed if c is not None]
    if not parsed:
        return None
    values = [Decimal(0), *(v for _, c, lo, hi in parsed for v in (c, lo, hi) if v is not None)]
    if reference is not None:
        values.append(reference)
    lowest, highest = min(values), max(values)
    span = highest - lowest or Decimal(1)

    def x(value: Decimal) -> int:
        return LABEL_WIDTH + int((value - lowest) / span * PLOT_WIDTH)

    out = []
    for i, (label, central, low, high) in enumerate(parsed):
        assert central is not None
        y = TOP + i * ROW_HEIGHT
        a, b = sorted((x(Decimal(0)), x(central)))
        out.append(
            IntervalRow(
                label=_short(label, 36),
                y=y,
                text_y=y + BAR_HEIGHT - 4,
                central_x=x(central),
                low_x=None if low is None else x(low),
                high_x=None if high is None else x(high),
                bar_x=a,
                bar_width=max(b - a, 1),
                central=_fmt(central),
                low="" if low is None else _fmt(low),
                high="" if high is None else _fmt(high),
            )
        )
    return IntervalChart(
        width=WIDTH,
        height=TOP + len(parsed) * ROW_HEIGHT + 30,
        rows=out,
        zero_x=x(Decimal(0)),
        reference_x=None if reference is None else x(reference),
        axis_min=_fmt(lowest),
        axis_max=_fmt(highest),
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        axis_y=TOP + len(parsed) * ROW_HEIGHT + 16,
    )


@dataclass(frozen=True)
class MonthBar:
    month: int
    x: int
    y: int
    height: int
    label_x: int
    comparison_y: int | None


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    bars: list[MonthBar]
    bar_width: int
    base_y: int
    top_value: str
    introduction_x: int


def month_chart(monthly: list[dict]) -> MonthChart | None:
    """Crisis use per 100 people in each month around introduction: bars for the people
    supported, dots for the comparison group."""
    supported = {m["month"]: m["per_100_people"] for m in monthly if m["group"] == "supported"}
    comparison = {m["month"]: m["per_100_people"] for m in monthly if m["group"] == "comparison"}
    values = [v for v in (*supported.values(), *comparison.values()) if v is not None]
    if not values or max(values) <= 0:
        return None
    top = max(values)
    width, left, base_y, plot_height, step = WIDTH, 40, 230, 190, 28
    bars = []
    for i, month in enumerate(range(-12, 12)):
        value = supported.get(month) or 0
        height = int(value / top * plot_height)
        other = comparison.get(month)
        bars.append(
            MonthBar(
                month=month,
                x=left + i * step,
                y=base_y - height,
                height=height,
                label_x=left + i * step + 10,
                comparison_y=None if other is None else base_y - int(other / top * plot_height),
            )
        )
    return MonthChart(
        width=width,
        height=base_y + 40,
        bars=bars,
        bar_width=step - 6,
        base_y=base_y,
        top_value=f"{top:.1f}",
        introduction_x=left + 12 * step - 3,
    )


@dataclass(frozen=True)
class MapShape:
    code: str
    name: str
    path: str
    band: int  # 0 none, 1-4 quartile-ish bands, -1 hidden (small numbers)
    shown: str


@dataclass(frozen=True)
class AreaMap:
    width: int
    height: int
    shapes: list[MapShape]
    legend: list[tuple[int, str]]


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def area_map(areas: list[tuple[str, str, dict, object]], *, width: int = 560) -> AreaMap | None:
    """A choropleth drawn as SVG paths (no tiles, no script): areas as (code, name, GeoJSON
    geometry, shown count or "*"). Longitude is scaled by cos(latitude) so shapes keep their
    proportions at UK latitudes."""
    import math

    drawn = [(c, n, _rings(g), v) for c, n, g, v in areas if _rings(g)]
    if not drawn:
        return None
    points = [pt for _, _, rings, _ in drawn for ring in rings for pt in ring]
    min_lon, max_lon = min(p[0] for p in points), max(p[0] for p in points)
    min_lat, max_lat = min(p[1] for p in points), max(p[1] for p in points)
    squash = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = (max_lon - min_lon) * squash or 1e-9
    span_y = max_lat - min_lat or 1e-9
    scale = (width - 20) / span_x
    height = int(span_y * scale) + 20
    numbers = sorted(v for *_, v in drawn if isinstance(v, int) and v > 0)
    cuts = [numbers[int(len(numbers) * q)] for q in (0.25, 0.5, 0.75)] if numbers else []
    shapes = []
    for code, name, rings, value in drawn:
        path = " ".join(
            "M "
            + " L ".join(
                f"{10 + (lon - min_lon) * squash * scale:.1f} {10 + (max_lat - lat) * scale:.1f}"
                for lon, lat, *_ in ring
            )
            + " Z"
            for ring in rings
        )
        if not isinstance(value, int):
            band = -1
        elif value == 0:
            band = 0
        else:
            band = 1 + sum(1 for cut in cuts if value > cut)
        shapes.append(MapShape(code, name, path, band, str(value)))
    legend = [(0, "none")]
    if numbers:
        bounds = [numbers[0], *cuts, numbers[-1]]
        legend += [(i + 1, f"{bounds[i]} to {bounds[i + 1]}") for i in range(4)]
    return AreaMap(width=width, height=height, shapes=shapes, legend=legend)
