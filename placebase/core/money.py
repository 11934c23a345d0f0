"""Money carries its price year: £100 in 2019 prices is not £100 in 2025 prices.

Models store an amount as `DecimalField(max_digits=14, decimal_places=2)` beside an integer
`<name>_price_year`; code passes `Money` values around so the year cannot be dropped.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")


class PriceYearMismatch(ValueError):
    code = "core.price_year_mismatch"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    price_year: int
    currency: str = "GBP"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(str(self.amount)))
        if not 1900 <= self.price_year <= 2200:
            raise ValueError(f"implausible price year {self.price_year}")

    def _check(self, other: "Money") -> None:
        if other.price_year != self.price_year or other.currency != self.currency:
            raise PriceYearMismatch(
                f"cannot combine {self.currency} {self.price_year} prices with "
                f"{other.currency} {other.price_year} prices; uprate one first"
            )

    def __add__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount + other.amount, self.price_year, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount - other.amount, self.price_year, self.currency)

    def __mul__(self, factor: Decimal | int) -> "Money":
        return Money(self.amount * Decimal(factor), self.price_year, self.currency)

    __rmul__ = __mul__

    def uprated(self, *, to_year: int, index: dict[int, Decimal]) -> "Money":
        """Convert to `to_year` prices with a price index (e.g. the GDP deflator) by year."""
        for year in (self.price_year, to_year):
            if year not in index:
                raise PriceYearMismatch(f"no price index value for {year}")
        factor = index[to_year] / index[self.price_year]
        return Money(self.amount * factor, to_year, self.currency)

    def rounded(self) -> "Money":
        return Money(self.amount.quantize(PENNY, ROUND_HALF_UP), self.price_year, self.currency)

    def __str__(self) -> str:
        return f"£{self.rounded().amount:,.2f} ({self.price_year} prices)"
