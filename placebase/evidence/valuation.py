"""Valuation parameters and the arithmetic that uses them. Plain Python: no Django here.

- Discounting (HM Treasury Green Book 2022): the discount factor for year t is the product,
  over years 1..t, of 1 / (1 + r_year). The declining long-horizon schedule changes the rate
  at its breakpoints; it never re-discounts earlier years at the new rate.
- Price years: a price year Y means the financial year Y to Y+1 (2022 = 2022-23), because the
  GDP deflator series and most unit costs (PSSRU, National Cost Collection) are financial-year.
- Wellbeing: one WELLBY is one point of life satisfaction (0-10) for one person for one year.
- Optimism bias: a benefit whose evidence has confidence grade g is reduced by table[g].
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from enum import StrEnum
from functools import lru_cache
from typing import Any

from placebase.core.money import Money

ONE = Decimal(1)
ZERO = Decimal(0)


class FirstYear(StrEnum):
    """How the first year of value is treated (an explicit, reported option).

    DISCOUNTED: the SROI value-map convention; year 1 is divided by (1 + r) once.
    UNDISCOUNTED: the Green Book convention; year 1 is year 0 and its factor is 1.
    """

    DISCOUNTED = "discounted"
    UNDISCOUNTED = "undiscounted"


@dataclass(frozen=True)
class DiscountBand:
    first_year: int
    last_year: int | None  # None: every later year
    rate: Decimal


@dataclass(frozen=True)
class DiscountSchedule:
    bands: tuple[DiscountBand, ...]
    label: str = ""

    @classmethod
    def flat(cls, rate: Decimal) -> "DiscountSchedule":
        rate = Decimal(rate)
        if rate < 0 or rate >= 1:
            raise ValueError("a discount rate must be at least 0 and below 1")
        return cls((DiscountBand(1, None, rate),), label=f"flat {rate * 100:g}% a year")

    def rate_for(self, year: int) -> Decimal:
        """The rate that discounts year `year` back to year `year - 1`."""
        for band in self.bands:
            if band.first_year <= year and (band.last_year is None or year <= band.last_year):
                return band.rate
        raise ValueError(f"the discount schedule does not cover year {year}")

    def factor(self, year: int) -> Decimal:
        """Discount factor for Green Book year `year` (year 0 = today, factor 1)."""
        if year < 0:
            raise ValueError("a year cannot be negative")
        return _cumulative_factors(self.bands, year)[year]

    @property
    def is_flat(self) -> bool:
        return len({band.rate for band in self.bands}) == 1


@lru_cache(maxsize=256)
def _cumulative_factors(bands: tuple[DiscountBand, ...], up_to: int) -> tuple[Decimal, ...]:
    schedule = DiscountSchedule(bands)
    factors = [ONE]
    with localcontext() as ctx:
        ctx.prec = 34
        for year in range(1, up_to + 1):
            factors.append(factors[-1] / (ONE + schedule.rate_for(year)))
    return tuple(factors)


GREEN_BOOK_SCHEDULE = DiscountSchedule(
    (
        DiscountBand(1, 30, Decimal("0.035")),
        DiscountBand(31, 75, Decimal("0.030")),
        DiscountBand(76, 125, Decimal("0.025")),
        DiscountBand(126, 200, Decimal("0.020")),
        DiscountBand(201, 300, Decimal("0.015")),
        DiscountBand(301, None, Decimal("0.010")),
    ),
    label="HM Treasury Green Book (2022) declining schedule",
)


def green_book_year(sroi_year: int, first_year: FirstYear) -> int:
    """The Green Book year (0 = undiscounted) that SROI year `sroi_year` (1 = now) maps to."""
    return sroi_year if first_year == FirstYear.DISCOUNTED else sroi_year - 1


@dataclass(frozen=True)
class PriceIndex:
    """A price index by price year, e.g. HM Treasury's GDP deflator at market prices."""

    values: Mapping[int, Decimal]
    base_year: int
    source: str = ""
    release: str = ""

    def uprate(self, money: Money, *, to_year: int) -> Money:
        return money.uprated(to_year=to_year, index=dict(self.values))


@dataclass(frozen=True)
class WellbyValues:
    low: Decimal
    central: Decimal
    high: Decimal
    price_year: int
    source: str = ""

    def money(self, which: str = "central") -> Money:
        return Money(getattr(self, which), self.price_year)


@dataclass(frozen=True)
class HourlyRate:
    amount: Decimal
    year: int
    basis: str
    source: str = ""


@dataclass(frozen=True)
class VolunteerRates:
    low: HourlyRate
    central: HourlyRate


@dataclass(frozen=True)
class Parameters:
    """One version of everything a valuation depends on, each value with its source."""

    discount: DiscountSchedule
    first_year: FirstYear
    deflator: PriceIndex
    wellby: WellbyValues
    volunteer_rates: VolunteerRates
    optimism_bias: Mapping[int, Decimal]
    notes: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


# --- arithmetic -------------------------------------------------------------------------------


def wellby_value(
    *,
    points: Decimal,
    people: Decimal | int,
    value_per_wellby: Money,
    years: Decimal | int = 1,
    to_year: int | None = None,
    deflator: PriceIndex | None = None,
) -> Money:
    """Value of a life-satisfaction change: points x people x years x value of one WELLBY,
    uprated to `to_year` prices with the deflator when one is given."""
    value = value_per_wellby * (Decimal(points) * Decimal(people) * Decimal(years))
    if to_year is not None and to_year != value.price_year:
        if deflator is None:
            raise ValueError("uprating to another price year needs a deflator")
        value = deflator.uprate(value, to_year=to_year)
    return value


def optimism_bias_adjust(amount: Money, *, grade: int, table: Mapping[int, Decimal]) -> Money:
    """A benefit reduced by the optimism-bias correction for its evidence's confidence grade."""
    if grade not in table:
        raise ValueError(f"no optimism-bias correction for confidence grade {grade}")
    return amount * (ONE - table[grade])


def volunteer_time_value(*, hours: Decimal | int, rates: VolunteerRates) -> tuple[Money, Money]:
    """Volunteer time as (low, central): hours x each hourly rate, in each rate's year."""
    hours = Decimal(hours)
    return (
        Money(hours * rates.low.amount, rates.low.year),
        Money(hours * rates.central.amount, rates.central.year),
    )


# --- reading and writing a parameter document (JSON-safe: decimals are strings) ---------------


class ParametersInvalid(ValueError):
    pass


def _dec(value: Any, where: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ParametersInvalid(f"{where}: {value!r} is not a number") from error
    if not result.is_finite():
        raise ParametersInvalid(f"{where}: {value!r} is not a finite number")
    return result


def parameters_from_dict(doc: Mapping[str, Any]) -> Parameters:
    """Check and read a parameter document (the shape of data/parameters.json)."""
    try:
        bands = []
        for i, band in enumerate(doc["discount"]["bands"]):
            rate = _dec(band["rate"], f"discount band {i + 1} rate")
            if not ZERO <= rate < ONE:
                raise ParametersInvalid(f"discount band {i + 1}: rate must be from 0 to below 1")
            bands.append(
                DiscountBand(
                    int(band["first_year"]),
                    None if band.get("last_year") is None else int(band["last_year"]),
                    rate,
                )
            )
        _check_bands(bands)
        schedule = DiscountSchedule(tuple(bands), label=doc["discount"].get("label", ""))
        deflator_doc = doc["deflator"]
        index = {
            int(year): _dec(value, f"deflator {year}")
            for year, value in deflator_doc["values"].items()
        }
        if any(value <= 0 for value in index.values()):
            raise ParametersInvalid("deflator values must be positive")
        deflator = PriceIndex(
            index,
            int(deflator_doc["base_year"]),
            deflator_doc.get("source", ""),
            deflator_doc.get("release", ""),
        )
        w = doc["wellby"]
        wellby = WellbyValues(
            _dec(w["low"], "WELLBY low"),
            _dec(w["central"], "WELLBY central"),
            _dec(w["high"], "WELLBY high"),
            int(w["price_year"]),
            w.get("source", ""),
        )
        if not wellby.low <= wellby.central <= wellby.high:
            raise ParametersInvalid("WELLBY values must be low <= central <= high")
        rates = {
            key: HourlyRate(
                _dec(r["amount"], f"volunteer {key} rate"),
                int(r["year"]),
                r["basis"],
                r.get("source", ""),
            )
            for key, r in doc["volunteer_rates"].items()
        }
        bias = {
            int(grade): _dec(value, f"optimism bias grade {grade}")
            for grade, value in doc["optimism_bias"]["by_grade"].items()
        }
        if set(bias) != set(range(1, 7)) or any(not ZERO <= v < ONE for v in bias.values()):
            raise ParametersInvalid("optimism bias needs grades 1-6, each from 0 to below 1")
        return Parameters(
            discount=schedule,
            first_year=FirstYear(doc["first_year"]),
            deflator=deflator,
            wellby=wellby,
            volunteer_rates=VolunteerRates(low=rates["low"], central=rates["central"]),
            optimism_bias=bias,
            notes=doc.get("notes", ""),
            extra={k: v for k, v in doc.items() if k in {"sources", "optimism_bias"}},
        )
    except ParametersInvalid:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise ParametersInvalid(
            f"the parameter document is incomplete or malformed: {error}"
        ) from error


def _check_bands(bands: list[DiscountBand]) -> None:
    if not bands or bands[0].first_year != 1 or bands[-1].last_year is not None:
        raise ParametersInvalid("discount bands must start at year 1 and end open-ended")
    for before, after in zip(bands, bands[1:], strict=False):
        if before.last_year is None or after.first_year != before.last_year + 1:
            raise ParametersInvalid("discount bands must follow each other without gaps")
