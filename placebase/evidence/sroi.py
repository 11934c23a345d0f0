"""The SROI calculator: an impact map in, present value, ratios, ranges and switching values out.

Plain Python (no Django) so that the CLI, the web page, the reports and the tests share one
implementation. Method (A Guide to Social Return on Investment, 2012; HM Treasury Green Book):

- impact of an outcome in its first year = quantity x financial proxy x (1 - deadweight)
  x (1 - displacement) x (1 - attribution); in year k of its duration x (1 - drop_off)^(k-1);
- an outcome with starts_year s has its first year in SROI year s (1 = the activity's period);
- present value = sum over SROI years y of value_y x discount factor of Green Book year t(y),
  where t(y) = y ("discounted" first year) or y - 1 ("undiscounted");
- SROI ratio = PV / inputs; net SROI = (PV - inputs) / inputs;
- payback in months = inputs / (first-year impact / 12), where first-year impact is the sum of
  every outcome's first-year impact (the value map's "impact" column), undiscounted;
- switching value of an estimate: the value at which the ratio falls (or rises) to exactly 1,
  others held at their central values; None when no value in the estimate's valid range does.

All money is Decimal; numpy is used only inside the Monte Carlo simulation.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np

from .valuation import GREEN_BOOK_SCHEDULE, DiscountSchedule, FirstYear, green_book_year

ZERO = Decimal(0)
ONE = Decimal(1)
TWELVE = Decimal(12)

ESTIMATES = ("quantity", "financial_proxy", "deadweight", "displacement", "attribution", "drop_off")
FRACTIONS = frozenset({"deadweight", "displacement", "attribution", "drop_off"})
REQUIRED_COLUMNS = ("outcome", "stakeholder", *ESTIMATES, "duration_years", "starts_year")
RANGE_COLUMNS = tuple(f"{side}_{name}" for name in ESTIMATES for side in ("low", "high"))
OPTIONAL_COLUMNS = ("agency", *RANGE_COLUMNS)
MAX_ROWS = 2000
MAX_DURATION_YEARS = 200
MAX_STARTS_YEAR = 50
MAX_DRAWS = 100_000
UNASSIGNED_AGENCY = "unassigned"

LABELS = {
    "outcome": "outcome",
    "stakeholder": "stakeholder",
    "agency": "agency",
    "quantity": "quantity",
    "financial_proxy": "financial proxy",
    "deadweight": "deadweight",
    "displacement": "displacement",
    "attribution": "attribution",
    "drop_off": "drop-off",
    "duration_years": "duration (years)",
    "starts_year": "starts in year",
}


# --- the impact map ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One row of an impact map. Fractions are 0-1; `ranges` holds (low, high) by estimate."""

    outcome: str
    stakeholder: str
    quantity: Decimal
    financial_proxy: Decimal
    deadweight: Decimal = ZERO
    displacement: Decimal = ZERO
    attribution: Decimal = ZERO
    drop_off: Decimal = ZERO
    duration_years: int = 1
    starts_year: int = 1
    agency: str = ""
    line: int = 0
    ranges: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def first_year_impact(self) -> Decimal:
        return (
            self.quantity
            * self.financial_proxy
            * (ONE - self.deadweight)
            * (ONE - self.displacement)
            * (ONE - self.attribution)
        )

    def values_by_year(self) -> list[tuple[int, Decimal]]:
        """(SROI year, undiscounted value) for each year of the outcome's duration."""
        values = []
        value = self.first_year_impact
        for k in range(self.duration_years):
            values.append((self.starts_year + k, value))
            value *= ONE - self.drop_off  # repeated, not a power: Decimal refuses 0 ** 0
        return values


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class MapInvalid(ValueError):
    """The impact map has problems; nothing was calculated. `problems` lists each one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class _CellError(ValueError):
    pass


def _number(raw: str, column: str) -> Decimal:
    text = raw.strip().replace(",", "").replace("£", "")
    percent = text.endswith("%")
    text = text.rstrip("%").strip()
    if not text:
        raise _CellError(f"{LABELS.get(column, column)} is blank")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _CellError(f"{LABELS.get(column, column)} '{raw.strip()}' is not a number") from None
    if not value.is_finite():
        raise _CellError(f"{LABELS.get(column, column)} '{raw.strip()}' is not a finite number")
    return value / 100 if percent else value


def _check_estimate(name: str, value: Decimal, column: str) -> Decimal:
    label = LABELS.get(column, column.replace("_", " "))
    if name in FRACTIONS and not ZERO <= value <= ONE:
        raise _CellError(f"{label} {value} is outside 0 to 1 (write 20% as 0.2)")
    if name not in FRACTIONS and value < 0:
        raise _CellError(f"{label} {value} is negative")
    return value


def _whole(raw: str, column: str, low: int, high: int) -> int:
    value = _number(raw, column)
    if value != value.to_integral_value() or not low <= value <= high:
        raise _CellError(f"{LABELS[column]} must be a whole number from {low} to {high}")
    return int(value)


def _cell(
    cells: Mapping[str, str], column: str, parse: Any, line: int, problems: list[Problem]
) -> Any:
    """Parse one cell, recording its problem (and returning None) if it is bad."""
    try:
        return parse(cells.get(column, ""))
    except _CellError as error:
        problems.append(Problem(line, column, str(error)))
        return None


def _parse_row(line: int, cells: Mapping[str, str]) -> tuple[Outcome | None, list[Problem]]:
    problems: list[Problem] = []

    def cell(column: str, parse: Any) -> Any:
        return _cell(cells, column, parse, line, problems)

    values: dict[str, Any] = {}
    for column in ("outcome", "stakeholder"):
        text = cells.get(column, "")
        if not text:
            problems.append(Problem(line, column, f"{column} is blank"))
        elif len(text) > 200:
            problems.append(Problem(line, column, f"{column} is longer than 200 characters"))
        values[column] = text
    values["agency"] = " ".join(cells.get("agency", "").split())[:100]
    for name in ESTIMATES:
        values[name] = cell(name, lambda raw, n=name: _check_estimate(n, _number(raw, n), n))
    values["duration_years"] = cell(
        "duration_years", lambda raw: _whole(raw, "duration_years", 1, MAX_DURATION_YEARS)
    )
    values["starts_year"] = cell(
        "starts_year", lambda raw: _whole(raw, "starts_year", 1, MAX_STARTS_YEAR)
    )
    ranges: dict[str, tuple[Decimal, Decimal]] = {}
    for name in ESTIMATES:
        low_raw, high_raw = cells.get(f"low_{name}", ""), cells.get(f"high_{name}", "")
        if not low_raw and not high_raw:
            continue
        if not low_raw or not high_raw:
            missing = f"low_{name}" if not low_raw else f"high_{name}"
            problems.append(
                Problem(line, missing, f"give both low_{name} and high_{name}, or neither")
            )
            continue
        low = cell(
            f"low_{name}",
            lambda raw, n=name: _check_estimate(n, _number(raw, f"low_{n}"), f"low_{n}"),
        )
        high = cell(
            f"high_{name}",
            lambda raw, n=name: _check_estimate(n, _number(raw, f"high_{n}"), f"high_{n}"),
        )
        central = values[name]
        if low is None or high is None or central is None:
            continue
        if not low <= central <= high:
            problems.append(
                Problem(
                    line,
                    f"low_{name}",
                    f"the range for {LABELS[name]} must "
                    f"run low <= central <= high ({low}, {central}, {high})",
                )
            )
            continue
        ranges[name] = (low, high)
    if problems:
        return None, problems
    return Outcome(line=line, ranges=ranges, **values), []


def parse_records(records: Iterable[tuple[int, Mapping[str, str]]]) -> list[Outcome]:
    """Check and read impact-map rows given as (line number, {column: text}).

    Wholly blank rows are skipped. Every problem is collected before raising MapInvalid."""
    outcomes: list[Outcome] = []
    problems: list[Problem] = []
    seen = 0
    for line, record in records:
        cells = {key: (value or "").strip() for key, value in record.items() if key}
        if not any(cells.values()):
            continue
        seen += 1
        if seen > MAX_ROWS:
            problems.append(Problem(line, "", f"an impact map may have at most {MAX_ROWS} rows"))
            break
        outcome, row_problems = _parse_row(line, cells)
        problems.extend(row_problems)
        if outcome is not None:
            outcomes.append(outcome)
    if problems:
        raise MapInvalid(problems)
    return outcomes


def read_map_csv(text: str) -> list[Outcome]:
    """Check and read an impact map in CSV (the first line names the columns)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise MapInvalid([Problem(1, "", "the file is empty")])
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader)]
        problems: list[Problem] = []
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            problems.append(
                Problem(
                    1, "", f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
                )
            )
        unknown = [
            name
            for name in header
            if name.startswith(("low_", "high_")) and name not in RANGE_COLUMNS
        ]
        if unknown:
            problems.append(
                Problem(
                    1,
                    "",
                    f"unknown range column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
                )
            )
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            problems.append(Problem(1, "", f"repeated column: {', '.join(repeated)}"))
        if problems:
            raise MapInvalid(problems)
        records: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise MapInvalid(
                    [
                        Problem(
                            reader.line_num,
                            "",
                            "the row has more cells than the header has columns",
                        )
                    ]
                )
            records.append((reader.line_num, dict(zip(header, cells, strict=False))))
    except csv.Error as error:
        raise MapInvalid(
            [Problem(reader.line_num, "", f"the file is not valid CSV: {error}")]
        ) from None
    outcomes = parse_records(records)
    if not outcomes:
        raise MapInvalid([Problem(2, "", "the file has a header but no rows")])
    return outcomes


# --- calculation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    discount: DiscountSchedule = GREEN_BOOK_SCHEDULE
    first_year: FirstYear = FirstYear.DISCOUNTED


@dataclass(frozen=True)
class YearLine:
    year: int
    value: Decimal
    discount_factor: Decimal
    present_value: Decimal


@dataclass(frozen=True)
class OutcomeLine:
    line: int
    outcome: str
    stakeholder: str
    agency: str
    first_year_impact: Decimal
    total_value: Decimal
    present_value: Decimal


@dataclass(frozen=True)
class AgencyLine:
    agency: str
    present_value: Decimal
    share: Decimal


@dataclass(frozen=True)
class SwitchingValue:
    line: int
    outcome: str
    estimate: str
    central: Decimal
    value: Decimal | None  # None: no value in the estimate's valid range gives a ratio of 1


@dataclass(frozen=True)
class Result:
    inputs: Decimal
    present_value: Decimal
    net_present_value: Decimal
    ratio: Decimal
    net_ratio: Decimal
    first_year_impact: Decimal
    payback_months: Decimal | None
    by_year: list[YearLine]
    by_outcome: list[OutcomeLine]
    by_agency: list[AgencyLine]
    options: Options


def discount_factor_for(sroi_year: int, options: Options) -> Decimal:
    return options.discount.factor(green_book_year(sroi_year, options.first_year))


def _multiplier(outcome: Outcome, options: Options, drop_off: Decimal | None = None) -> Decimal:
    """PV of the outcome per pound of first-year impact: sum of (1-d)^(k-1) x factor."""
    retained = ONE - (outcome.drop_off if drop_off is None else drop_off)
    total, carried = ZERO, ONE
    for k in range(outcome.duration_years):
        total += carried * discount_factor_for(outcome.starts_year + k, options)
        carried *= retained
    return total


def present_value(outcomes: Sequence[Outcome], options: Options) -> Decimal:
    return sum((o.first_year_impact * _multiplier(o, options) for o in outcomes), ZERO)


def _check_inputs(inputs: Decimal) -> Decimal:
    inputs = Decimal(inputs)
    if not inputs.is_finite() or inputs <= 0:
        raise ValueError("the value of inputs must be more than zero")
    return inputs


def calculate(
    outcomes: Sequence[Outcome], *, inputs: Decimal, options: Options = Options()
) -> Result:
    inputs = _check_inputs(inputs)
    if not outcomes:
        raise ValueError("an impact map needs at least one outcome")
    by_year: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_outcome = []
    by_agency: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for o in outcomes:
        pv = ZERO
        total = ZERO
        for year, value in o.values_by_year():
            by_year[year] += value
            total += value
            pv += value * discount_factor_for(year, options)
        by_outcome.append(
            OutcomeLine(o.line, o.outcome, o.stakeholder, o.agency, o.first_year_impact, total, pv)
        )
        by_agency[o.agency or UNASSIGNED_AGENCY] += pv
    pv_total = sum((line.present_value for line in by_outcome), ZERO)
    years = [
        YearLine(
            year,
            value,
            discount_factor_for(year, options),
            value * discount_factor_for(year, options),
        )
        for year, value in sorted(by_year.items())
    ]
    first_year = sum((o.first_year_impact for o in outcomes), ZERO)
    agencies = [
        AgencyLine(name, value, value / pv_total if pv_total else ZERO)
        for name, value in sorted(by_agency.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return Result(
        inputs=inputs,
        present_value=pv_total,
        net_present_value=pv_total - inputs,
        ratio=pv_total / inputs,
        net_ratio=(pv_total - inputs) / inputs,
        first_year_impact=first_year,
        payback_months=inputs / (first_year / TWELVE) if first_year > 0 else None,
        by_year=years,
        by_outcome=by_outcome,
        by_agency=agencies,
        options=options,
    )


def _solve_drop_off(target: Decimal, outcome: Outcome, options: Options) -> Decimal | None:
    """The drop-off d in [0, 1] with multiplier(d) = target; the multiplier falls as d rises."""
    at_zero = _multiplier(outcome, options, ZERO)
    at_one = _multiplier(outcome, options, ONE)
    if at_zero == at_one or not at_one <= target <= at_zero:
        return None
    low, high = ZERO, ONE
    for _ in range(80):  # halves the interval each time: about 1e-24 in the end
        middle = (low + high) / 2
        if _multiplier(outcome, options, middle) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def switching_values(
    outcomes: Sequence[Outcome], *, inputs: Decimal, options: Options = Options()
) -> list[SwitchingValue]:
    """For each estimate of each outcome, the value at which the SROI ratio is exactly 1."""
    inputs = _check_inputs(inputs)
    pvs = [o.first_year_impact * _multiplier(o, options) for o in outcomes]
    total = sum(pvs, ZERO)
    found: list[SwitchingValue] = []
    for o, pv in zip(outcomes, pvs, strict=True):
        needed = inputs - (total - pv)  # what this outcome's PV must be for PV = inputs
        multiplier = _multiplier(o, options)
        kept = {
            "deadweight": ONE - o.deadweight,
            "displacement": ONE - o.displacement,
            "attribution": ONE - o.attribution,
        }
        for name in ESTIMATES:
            value: Decimal | None
            if name == "drop_off":
                value = (
                    None
                    if o.first_year_impact == 0
                    else _solve_drop_off(needed / o.first_year_impact, o, options)
                )
            else:
                # PV of this outcome is linear in the estimate (or in 1 - the estimate).
                others = (
                    multiplier
                    * {
                        "quantity": o.financial_proxy
                        * kept["deadweight"]
                        * kept["displacement"]
                        * kept["attribution"],
                        "financial_proxy": o.quantity
                        * kept["deadweight"]
                        * kept["displacement"]
                        * kept["attribution"],
                        "deadweight": o.quantity
                        * o.financial_proxy
                        * kept["displacement"]
                        * kept["attribution"],
                        "displacement": o.quantity
                        * o.financial_proxy
                        * kept["deadweight"]
                        * kept["attribution"],
                        "attribution": o.quantity
                        * o.financial_proxy
                        * kept["deadweight"]
                        * kept["displacement"],
                    }[name]
                )
                if others == 0:
                    value = None
                else:
                    solved = needed / others
                    value = ONE - solved if name in FRACTIONS else solved
                    valid = ZERO <= value <= ONE if name in FRACTIONS else value >= 0
                    value = value if valid else None
            found.append(SwitchingValue(o.line, o.outcome, name, getattr(o, name), value))
    return found


# --- uncertainty ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Percentiles:
    p5: Decimal
    p50: Decimal
    p95: Decimal


@dataclass(frozen=True)
class SimulatedRange:
    draws: int
    seed: int
    distribution: str
    ratio: Percentiles
    present_value: Percentiles
    net_present_value: Percentiles


@dataclass(frozen=True)
class TornadoBar:
    line: int
    outcome: str
    estimate: str
    low: Decimal
    high: Decimal
    ratio_at_low: Decimal
    ratio_at_high: Decimal

    @property
    def swing(self) -> Decimal:
        return abs(self.ratio_at_high - self.ratio_at_low)


def has_ranges(outcomes: Sequence[Outcome]) -> bool:
    return any(o.ranges for o in outcomes)


def simulate_present_values(
    outcomes: Sequence[Outcome], *, options: Options, draws: int, seed: int
) -> np.ndarray:
    """PV of the whole map in each of `draws` draws (a float array).

    Each estimate with a range is drawn from a triangular distribution (low, central, high);
    the others stay central. Draws happen in map order, estimate by estimate, from one seeded
    generator, so a seed always gives the same figures."""
    if not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be from 1 to {MAX_DRAWS:,}")
    rng = np.random.default_rng(seed)
    totals = np.zeros(draws)
    for o in outcomes:
        sample: dict[str, Any] = {}
        for name in ESTIMATES:
            central = float(getattr(o, name))
            if name in o.ranges:
                low, high = (float(v) for v in o.ranges[name])
                sample[name] = (
                    rng.triangular(low, central, high, draws)
                    if low < high
                    else np.full(draws, central)
                )
            else:
                sample[name] = central
        impact = (
            sample["quantity"]
            * sample["financial_proxy"]
            * (1 - sample["deadweight"])
            * (1 - sample["displacement"])
            * (1 - sample["attribution"])
        )
        retained = 1 - np.asarray(sample["drop_off"], dtype=float)
        multiplier = np.zeros_like(retained)
        carried = np.ones_like(retained)
        for k in range(o.duration_years):
            multiplier = (
                multiplier + float(discount_factor_for(o.starts_year + k, options)) * carried
            )
            carried = carried * retained
        totals += impact * multiplier
    return totals


def _decimal(value: float, places: str) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(places), ROUND_HALF_UP)


def simulate(
    outcomes: Sequence[Outcome],
    *,
    inputs: Decimal,
    options: Options = Options(),
    draws: int = 10_000,
    seed: int = 1,
) -> SimulatedRange | None:
    """p5/p50/p95 of the ratio and PV by Monte Carlo; None when no estimate has a range."""
    inputs = _check_inputs(inputs)
    if not has_ranges(outcomes):
        return None
    pvs = simulate_present_values(outcomes, options=options, draws=draws, seed=seed)
    pv_pct = np.percentile(pvs, [5, 50, 95])
    money = [_decimal(v, "0.01") for v in pv_pct]
    return SimulatedRange(
        draws=draws,
        seed=seed,
        distribution="triangular(low, central, high)",
        ratio=Percentiles(*(_decimal(v / float(inputs), "0.000001") for v in pv_pct)),
        present_value=Percentiles(*money),
        net_present_value=Percentiles(*(m - inputs for m in money)),
    )


def tornado(
    outcomes: Sequence[Outcome], *, inputs: Decimal, options: Options = Options()
) -> list[TornadoBar]:
    """The ratio with each ranged estimate at its low and at its high, others central,
    biggest swing first."""
    inputs = _check_inputs(inputs)
    pvs = [o.first_year_impact * _multiplier(o, options) for o in outcomes]
    total = sum(pvs, ZERO)
    bars = []
    for o, pv in zip(outcomes, pvs, strict=True):
        for name in ESTIMATES:
            if name not in o.ranges:
                continue
            low, high = o.ranges[name]
            ratios = []
            for value in (low, high):
                changed = replace(o, **{name: value})  # type: ignore[arg-type]
                ratios.append(
                    (total - pv + changed.first_year_impact * _multiplier(changed, options))
                    / inputs
                )
            bars.append(TornadoBar(o.line, o.outcome, name, low, high, ratios[0], ratios[1]))
    return sorted(bars, key=lambda bar: (-bar.swing, bar.line, ESTIMATES.index(bar.estimate)))


# --- everything at once, and its JSON and text forms -----------------------------------------


@dataclass(frozen=True)
class Report:
    result: Result
    switching: list[SwitchingValue]
    range: SimulatedRange | None
    tornado: list[TornadoBar]
    outcomes: Sequence[Outcome]


def run(
    outcomes: Sequence[Outcome],
    *,
    inputs: Decimal,
    options: Options = Options(),
    draws: int = 10_000,
    seed: int = 1,
) -> Report:
    return Report(
        result=calculate(outcomes, inputs=inputs, options=options),
        switching=switching_values(outcomes, inputs=inputs, options=options),
        range=simulate(outcomes, inputs=inputs, options=options, draws=draws, seed=seed),
        tornado=tornado(outcomes, inputs=inputs, options=options),
        outcomes=outcomes,
    )


PENNY = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")


def _money(value: Decimal) -> float:
    # Quantised first, so the JSON number's text is exactly the rounded Decimal.
    return float(value.quantize(PENNY, ROUND_HALF_UP))


def _num(value: Decimal | None, places: Decimal = RATIO_PLACES) -> float | None:
    return None if value is None else float(value.quantize(places, ROUND_HALF_UP))


def _estimate_num(name: str, value: Decimal | None) -> float | None:
    return _num(value, Decimal("0.000001") if name in FRACTIONS else Decimal("0.0001"))


def describe_discounting(options: Options) -> str:
    first = (
        "first year discounted once (SROI value-map convention)"
        if options.first_year == FirstYear.DISCOUNTED
        else "first year undiscounted (Green Book year 0)"
    )
    return f"{options.discount.label or 'custom schedule'}; {first}"


def report_to_dict(report: Report) -> dict[str, Any]:
    r = report.result
    data: dict[str, Any] = {
        "inputs": _money(r.inputs),
        "present_value": _money(r.present_value),
        "net_present_value": _money(r.net_present_value),
        "ratio": _num(r.ratio),
        "net_ratio": _num(r.net_ratio),
        "first_year_impact": _money(r.first_year_impact),
        "payback_months": _num(r.payback_months, Decimal("0.1")),
        "discounting": {
            "description": describe_discounting(r.options),
            "first_year": r.options.first_year.value,
            "bands": [
                {"first_year": b.first_year, "last_year": b.last_year, "rate": float(b.rate)}
                for b in r.options.discount.bands
            ],
        },
        "by_year": [
            {
                "year": y.year,
                "value": _money(y.value),
                "discount_factor": _num(y.discount_factor, Decimal("0.00000001")),
                "present_value": _money(y.present_value),
            }
            for y in r.by_year
        ],
        "by_outcome": [
            {
                "line": o.line,
                "outcome": o.outcome,
                "stakeholder": o.stakeholder,
                "agency": o.agency,
                "first_year_impact": _money(o.first_year_impact),
                "total_value": _money(o.total_value),
                "present_value": _money(o.present_value),
            }
            for o in r.by_outcome
        ],
        "by_agency": [
            {"agency": a.agency, "present_value": _money(a.present_value), "share": _num(a.share)}
            for a in r.by_agency
        ],
        "switching_values": [
            {
                "line": s.line,
                "outcome": s.outcome,
                "estimate": s.estimate,
                "central": _estimate_num(s.estimate, s.central),
                "switching_value": _estimate_num(s.estimate, s.value),
            }
            for s in report.switching
        ],
    }
    if report.range is not None:
        rng = report.range
        data["range"] = {
            "draws": rng.draws,
            "seed": rng.seed,
            "distribution": rng.distribution,
            "ratio": {
                "p5": _num(rng.ratio.p5),
                "p50": _num(rng.ratio.p50),
                "p95": _num(rng.ratio.p95),
            },
            "present_value": {
                k: _money(getattr(rng.present_value, k)) for k in ("p5", "p50", "p95")
            },
            "net_present_value": {
                k: _money(getattr(rng.net_present_value, k)) for k in ("p5", "p50", "p95")
            },
        }
        data["tornado"] = [
            {
                "line": b.line,
                "outcome": b.outcome,
                "estimate": b.estimate,
                "low": _estimate_num(b.estimate, b.low),
                "high": _estimate_num(b.estimate, b.high),
                "ratio_at_low": _num(b.ratio_at_low),
                "ratio_at_high": _num(b.ratio_at_high),
            }
            for b in report.tornado
        ]
    return data


def _pounds(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value.quantize(PENNY, ROUND_HALF_UP)):,.2f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """A plain-text table; the first `left` columns are text (left-aligned), the rest figures."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=False)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i < left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        ).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(row) for row in rows)]


def report_to_text(report: Report) -> str:
    r = report.result
    payback = (
        "n/a"
        if r.payback_months is None
        else f"{r.payback_months.quantize(Decimal('0.1'), ROUND_HALF_UP)} months"
    )
    lines = [
        "Social return on investment",
        f"  Inputs              {_pounds(r.inputs)}",
        f"  Present value       {_pounds(r.present_value)}",
        f"  Net present value   {_pounds(r.net_present_value)}",
        f"  SROI ratio          {r.ratio.quantize(PENNY, ROUND_HALF_UP)} : 1",
        f"  Net SROI ratio      {r.net_ratio.quantize(PENNY, ROUND_HALF_UP)} : 1",
        f"  Payback period      {payback}",
        f"  Discounting         {describe_discounting(r.options)}",
        "",
        "By year",
        *_table(
            ["year", "value", "discount factor", "present value"],
            [
                [
                    str(y.year),
                    _pounds(y.value),
                    f"{y.discount_factor:.6f}",
                    _pounds(y.present_value),
                ]
                for y in r.by_year
            ],
        ),
        "",
        "By outcome",
        *_table(
            ["line", "outcome", "stakeholder", "agency", "present value"],
            [
                [str(o.line), o.outcome, o.stakeholder, o.agency or "-", _pounds(o.present_value)]
                for o in r.by_outcome
            ],
            left=4,
        ),
        "",
        "By agency",
        *_table(
            ["agency", "present value", "share"],
            [
                [
                    a.agency,
                    _pounds(a.present_value),
                    f"{(a.share * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%",
                ]
                for a in r.by_agency
            ],
        ),
        "",
        "Switching values (the value at which the ratio is 1 : 1)",
        *_table(
            ["line", "outcome", "estimate", "central", "switching value"],
            [
                [
                    str(s.line),
                    s.outcome,
                    s.estimate,
                    str(_estimate_num(s.estimate, s.central)),
                    "none in range" if s.value is None else str(_estimate_num(s.estimate, s.value)),
                ]
                for s in report.switching
            ],
            left=3,
        ),
    ]
    if report.range is not None:
        rng = report.range
        lines += [
            "",
            f"Range (Monte Carlo, {rng.draws:,} draws, seed {rng.seed}, {rng.distribution})",
            f"  SROI ratio      p5 {rng.ratio.p5.quantize(PENNY)}  p50 "
            f"{rng.ratio.p50.quantize(PENNY)}  p95 {rng.ratio.p95.quantize(PENNY)}",
            f"  Present value   p5 {_pounds(rng.present_value.p5)}  p50 "
            f"{_pounds(rng.present_value.p50)}  p95 {_pounds(rng.present_value.p95)}",
            "",
            "Tornado (ratio with one estimate at its low and high, others central)",
            *_table(
                ["line", "outcome", "estimate", "low", "high", "ratio at low", "ratio at high"],
                [
                    [
                        str(b.line),
                        b.outcome,
                        b.estimate,
                        str(_estimate_num(b.estimate, b.low)),
                        str(_estimate_num(b.estimate, b.high)),
                        str(b.ratio_at_low.quantize(PENNY, ROUND_HALF_UP)),
                        str(b.ratio_at_high.quantize(PENNY, ROUND_HALF_UP)),
                    ]
                    for b in report.tornado
                ],
                left=3,
            ),
        ]
    return "\n".join(lines) + "\n"
