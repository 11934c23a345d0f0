"""A tiny harness: each benchmark measures a figure *and its peer in the same run*.

A benchmark module `benchmarks/bench_<name>.py` defines `run(report: Report) -> None` and
calls `report.add(...)` once per figure. `python -m benchmarks.run [name ...]` runs them and
writes `benchmarks/results/latest.md` and `latest.json`.
"""

import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    benchmark: str
    figure: str
    ours: float
    peer: float | None
    unit: str
    peer_name: str = ""
    target: str = ""
    database: str = ""
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        if self.peer in (None, 0) or self.ours == 0:
            return None
        # Ratio > 1 means ours is better: faster time, or higher throughput.
        higher_is_better = self.unit.endswith("/s")
        return (self.ours / self.peer) if higher_is_better else (self.peer / self.ours)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    current: str = ""

    def add(
        self,
        figure: str,
        ours: float,
        unit: str,
        *,
        peer: float | None = None,
        peer_name: str = "",
        target: str = "",
        database: str = "",
        notes: str = "",
    ) -> None:
        row = Row(self.current, figure, ours, peer, unit, peer_name, target, database, notes)
        self.rows.append(row)
        ratio = f" ({row.ratio:.1f}x peer)" if row.ratio else ""
        print(f"  {figure}: {ours:,.3f} {unit}{ratio}", flush=True)

    def markdown(self) -> str:
        lines = [
            f"Benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, "
            f"{platform.machine()}",
            "",
            "| benchmark | figure | database | ours | peer | peer is | ours vs peer | target |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            peer = f"{r.peer:,.3f} {r.unit}" if r.peer is not None else "–"
            ratio = f"{r.ratio:.1f}×" if r.ratio else "–"
            lines.append(
                f"| {r.benchmark} | {r.figure} | {r.database or '–'} | "
                f"{r.ours:,.3f} {r.unit} | {peer} | {r.peer_name or '–'} | {ratio} | "
                f"{r.target or '–'} |"
            )
        return "\n".join(lines) + "\n"

    def write(self, stem: str = "latest") -> None:
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / f"{stem}.md").write_text(self.markdown())
        payload: list[dict[str, Any]] = [asdict(r) | {"ratio": r.ratio} for r in self.rows]
        (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(payload, indent=2))


def timings_ms(fn: Callable[[], Any], *, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
