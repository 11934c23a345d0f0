"""Maps and charts drawn on the server as SVG, so they work without JavaScript or a tile
server and obey the strict CSP (attributes, not inline styles). Every one is shown beside
a table holding the same figures, which is the accessible version."""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import shapely
from shapely.geometry import shape


@dataclass(frozen=True)
class MapShape:
    d: str  # SVG path data
    css_class: str
    label: str


@dataclass(frozen=True)
class SvgMap:
    view_box: str
    shapes: list[MapShape]


def _ring(coords: Sequence[Sequence[float]], project: Any) -> str:
    points = [project(x, y) for x, y in coords]
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"


def svg_map(items: Sequence[tuple[Any, str, str]], *, width: float = 600) -> SvgMap | None:
    """Paths for (area, css class, label) triples, fitted to a box `width` units across.

    Longitude is scaled by the cosine of the middle latitude, which is close enough at the
    size of a district or an ICB."""
    geoms = []
    for area, css_class, label in items:
        try:
            geom = shape(json.loads(area.geometry))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        geoms.append((geom, css_class, label))
    if not geoms:
        return None
    min_x, min_y, max_x, max_y = shapely.total_bounds([g for g, _, _ in geoms])
    scale_x = math.cos(math.radians((min_y + max_y) / 2))
    span = max((max_x - min_x) * scale_x, max_y - min_y, 1e-9)
    factor = width / span
    height = (max_y - min_y) * factor
    tolerance = span / 2000  # below half a unit on screen: invisible, and far fewer points

    def project(x: float, y: float) -> tuple[float, float]:
        return (x - min_x) * scale_x * factor, (max_y - y) * factor

    shapes = []
    for geom, css_class, label in geoms:
        simple = geom.simplify(tolerance, preserve_topology=True)
        polygons = getattr(simple, "geoms", [simple])
        parts = []
        for polygon in polygons:
            if polygon.is_empty or not hasattr(polygon, "exterior"):
                continue
            parts.append(_ring(polygon.exterior.coords, project))
            parts += [_ring(ring.coords, project) for ring in polygon.interiors]
        if parts:
            shapes.append(MapShape("".join(parts), css_class, label))
    return SvgMap(view_box=f"0 0 {width:.0f} {max(height, 1):.0f}", shapes=shapes)


@dataclass(frozen=True)
class Bar:
    label: str
    series: str
    css_class: str
    value: Decimal
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    view_box: str
    bars: list[Bar]
    labels: list[tuple[str, float]]  # category label and its y
    label_width: float


def bar_chart(
    categories: Sequence[tuple[str, Sequence[Decimal]]],
    *,
    series: Sequence[tuple[str, str]],
    width: float = 640,
) -> BarChart:
    """Grouped horizontal bars: one group per category, one bar per series."""
    label_width, bar_height, gap = 200.0, 18.0, 14.0
    top = max((v for _, values in categories for v in values), default=Decimal(0))
    room = width - label_width - 10
    bars, labels = [], []
    y = 0.0
    for label, values in categories:
        labels.append((label, y + bar_height * len(series) / 2 + 4))
        for (name, css_class), value in zip(series, values, strict=True):
            length = float(value / top) * room if top > 0 and value > 0 else 0.0
            bars.append(Bar(label, name, css_class, value, label_width, y, length, bar_height))
            y += bar_height
        y += gap
    return BarChart(
        view_box=f"0 0 {width:.0f} {max(y, 1):.0f}",
        bars=bars,
        labels=labels,
        label_width=label_width,
    )
