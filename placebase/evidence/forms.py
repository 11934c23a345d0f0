"""Forms for the evidence pages. They parse text; the calculator's own parser checks the map,
so the web page and `placebase sroi` accept and reject exactly the same rows."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms import formset_factory

from . import sroi
from .models import ConfidenceGrade, CostKind, ServiceType

MAX_WEB_ROWS = 200
MAX_UPLOAD_BYTES = 1_000_000

ROW_COLUMNS = (
    "outcome",
    "stakeholder",
    "agency",
    *sroi.ESTIMATES,
    "duration_years",
    "starts_year",
    *sroi.RANGE_COLUMNS,
)


MAIN_COLUMNS = ROW_COLUMNS[: -len(sroi.RANGE_COLUMNS)]
TEXT_COLUMNS = frozenset({"outcome", "stakeholder", "agency"})


class ImpactRowForm(forms.Form):
    """One editable row of the impact map; every cell is text until the calculator reads it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for column in ROW_COLUMNS:
            side, _, name = column.partition("_")
            label = (
                f"{side} {sroi.LABELS[name]}"
                if column in sroi.RANGE_COLUMNS
                else sroi.LABELS[column]
            )
            self.fields[column] = forms.CharField(required=False, max_length=200, label=label)

    def main_cells(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[c], "text" if c in TEXT_COLUMNS else "number") for c in MAIN_COLUMNS]

    def range_cells(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"low_{name}"], self[f"high_{name}"]) for name in sroi.ESTIMATES]


ImpactRowFormSet = formset_factory(
    ImpactRowForm, extra=0, max_num=MAX_WEB_ROWS, absolute_max=MAX_WEB_ROWS, validate_max=True
)


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "").replace("£", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class CalculatorOptionsForm(forms.Form):
    inputs = forms.CharField(
        label="Value of inputs (£)",
        max_length=30,
        help_text="Everything invested, including in-kind contributions such as volunteer time.",
        error_messages={"required": "Enter the value of inputs"},
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}
        ),
    )
    discount = forms.ChoiceField(
        label="Discounting",
        initial="schedule",
        widget=forms.RadioSelect,
        choices=[
            (
                "schedule",
                "The current parameter set's schedule (Green Book declining "
                "schedule: 3.5% a year to year 30)",
            ),
            ("flat", "A flat rate"),
        ],
    )
    discount_rate = forms.CharField(
        label="Flat discount rate (% a year)",
        required=False,
        max_length=10,
        help_text="For example 3.5. Zero is allowed.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
    )
    first_year = forms.ChoiceField(
        label="First year",
        initial="default",
        widget=forms.RadioSelect,
        choices=[
            ("default", "As in the current parameter set"),
            ("discounted", "Discounted once (SROI value-map convention)"),
            ("undiscounted", "Not discounted (Green Book year 0)"),
        ],
    )
    draws = forms.IntegerField(
        label="Monte Carlo draws",
        initial=10_000,
        min_value=100,
        max_value=sroi.MAX_DRAWS,
        help_text="Used only when some estimates have a low and high value.",
        error_messages={
            "min_value": "Monte Carlo draws must be 100 or more",
            "max_value": f"Monte Carlo draws must be {sroi.MAX_DRAWS:,} or fewer",
            "invalid": "Monte Carlo draws must be a whole number",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    seed = forms.IntegerField(
        label="Random seed",
        initial=1,
        min_value=0,
        max_value=2**32 - 1,
        help_text="The same seed always gives the same range.",
        error_messages={
            "invalid": "The random seed must be a whole number",
            "min_value": "The random seed must be 0 or more",
            "max_value": "The random seed is too large",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )

    def clean_inputs(self) -> Decimal:
        value = _amount(self.cleaned_data["inputs"])
        if value is None:
            raise forms.ValidationError("The value of inputs must be a number, like 250000")
        if value <= 0:
            raise forms.ValidationError("The value of inputs must be more than £0")
        return value

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("discount") == "flat":
            rate = _amount(data.get("discount_rate") or "")
            if rate is None:
                self.add_error(
                    "discount_rate", "Enter the flat discount rate as a percentage, like 3.5"
                )
            elif not 0 <= rate < 100:
                self.add_error(
                    "discount_rate", "The flat discount rate must be from 0% to below 100%"
                )
            else:
                data["rate_fraction"] = rate / 100
        return data


class _CsvUploadForm(forms.Form):
    """A CSV file, read as UTF-8 text (a spreadsheet's byte-order mark allowed)."""

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 1 MB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The selected file must be a CSV saved as UTF-8") from None


class MapUploadForm(_CsvUploadForm):
    file = forms.FileField(
        label="Upload an impact map (CSV)",
        help_text="Columns: outcome, stakeholder, quantity, financial_proxy, deadweight, "
        "displacement, attribution, drop_off, duration_years, starts_year; optional "
        "agency and low_/high_ columns.",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )


class CostsUploadForm(_CsvUploadForm):
    file = forms.FileField(
        label="Upload the programme's costs (CSV)",
        help_text="Columns: kind, description, amount, price_year, starts_on, ends_on.",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )


class UnitCostForm(forms.Form):
    """An edit to a unit cost; saving it creates a new version."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    item = forms.CharField(
        label="Item", max_length=300, error_messages={"required": "Enter the item"}
    )
    unit = forms.CharField(
        label="Unit",
        max_length=100,
        help_text="What one unit is, like 'attendance' or 'week'.",
        error_messages={"required": "Enter the unit"},
    )
    value = forms.CharField(
        label="Value (£)",
        max_length=20,
        error_messages={"required": "Enter the value"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
    )
    price_year = forms.CharField(
        label="Price year",
        max_length=4,
        help_text="The financial year the value is priced in: 2022 means 2022-23.",
        error_messages={"required": "Enter the price year"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    agencies = forms.CharField(
        label="Agencies and shares",
        max_length=300,
        help_text="Who bears the cost, with shares adding up to 1, like nhs:0.6;council:0.4",
        error_messages={"required": "Enter the agencies and shares"},
    )
    confidence_grade = forms.ChoiceField(label="Confidence grade", choices=ConfidenceGrade.choices)
    service_type = forms.ChoiceField(label="Service type", required=False)
    source = forms.CharField(
        label="Source",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the source"},
    )
    source_url = forms.CharField(label="Source web address", max_length=500, required=False)
    licence = forms.CharField(
        label="Licence", max_length=300, error_messages={"required": "Enter the licence"}
    )
    notes = forms.CharField(label="Notes", max_length=4000, required=False, widget=forms.Textarea)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["service_type"].choices = [("", "None")] + [  # type: ignore[attr-defined]
            (st.code, st.label) for st in ServiceType.objects.order_by("label")
        ]


# --- programmes, forecasts and reports --------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]
DATE_HINT = "For example, 2025-04-01 or 01/04/2025."


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"The {label.lower()} must be a real date, like 2025-04-01",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )


def _fraction(label: str, initial: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        initial=Decimal(initial),
        min_value=Decimal(0),
        max_value=Decimal(1),
        decimal_places=4,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"The {label.lower()} must be a number from 0 to 1, like 0.25",
            "min_value": f"The {label.lower()} must be from 0 to 1",
            "max_value": f"The {label.lower()} must be from 0 to 1",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
    )


class ProgrammeForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the programme's name"}
    )
    description = forms.CharField(label="Description", max_length=4000, required=False)
    organisation = forms.ChoiceField(
        label="Whose case work counts",
        required=False,
        help_text="Introductions recorded by this organisation are the programme's records.",
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "Every organisation")] + organisations  # type: ignore[attr-defined]


class ProgrammeCostForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of cost", choices=CostKind.choices)
    description = forms.CharField(
        label="What it is",
        max_length=300,
        help_text="For example, 2 coordinator posts, or a church hall given free.",
        error_messages={"required": "Say what the cost is"},
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=14,
        error_messages={
            "required": "Enter the amount",
            "invalid": "The amount must be a number of pounds, like 38000",
            "min_value": "The amount must be more than £0",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
    )
    price_year = forms.IntegerField(
        label="Price year",
        min_value=1990,
        max_value=2100,
        help_text="The financial year the amount is priced in: 2025 means 2025-26.",
        error_messages={
            "required": "Enter the price year",
            "invalid": "The price year must be a year, like 2025",
            "min_value": "The price year must be a year, like 2025",
            "max_value": "The price year must be a year, like 2025",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    starts_on = _date_field("Start date")
    ends_on = _date_field("End date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return data


class ReportForm(forms.Form):
    programme = forms.ChoiceField(
        label="Programme", error_messages={"required": "Choose the programme"}
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        help_text="Any area at any level, your own patches and areas included.",
    )
    period_start = _date_field("Start of the period")
    period_end = _date_field("End of the period")
    price_year = forms.TypedChoiceField(label="Price year", coerce=int)
    attribution = _fraction("Attribution", "0.25")
    attribution_low = _fraction("Attribution, low", "0.10")
    attribution_high = _fraction("Attribution, high", "0.40")
    deadweight = _fraction("Deadweight if there is no comparison", "0.25")
    deadweight_low = _fraction("Deadweight, low", "0.10")
    deadweight_high = _fraction("Deadweight, high", "0.40")
    duration_years = forms.IntegerField(
        label="Years the change lasts",
        initial=1,
        min_value=1,
        max_value=10,
        error_messages={
            "required": "Enter how many years the change lasts",
            "invalid": "Years must be a whole number from 1 to 10",
            "min_value": "Years must be from 1 to 10",
            "max_value": "Years must be from 1 to 10",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
    )

    def __init__(
        self,
        *args: Any,
        programmes: list[tuple[str, str]],
        areas: list[tuple[str, list[tuple[str, str]]]],
        price_years: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", "Choose a programme")] + programmes  # type: ignore[attr-defined]
        self.fields["area"].choices = [("", "Everywhere the programme works")] + areas  # type: ignore[attr-defined]
        self.fields["price_year"].choices = [(y, f"{y}-{str(y + 1)[-2:]}") for y in price_years]  # type: ignore[attr-defined]
        self.area_groups = areas

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
        for name in ("attribution", "deadweight"):
            low, central, high = (data.get(f"{name}{s}") for s in ("_low", "", "_high"))
            if None not in (low, central, high) and not low <= central <= high:  # type: ignore[operator]
                self.add_error(name, f"The {name} must lie between its low and high values")
        return data


class ForecastForm(forms.Form):
    area = forms.ChoiceField(label="Area", required=False)
    period_start = _date_field("Start of the period")
    period_end = _date_field("End of the period")
    people = forms.IntegerField(
        label="People you plan to support",
        min_value=1,
        error_messages={
            "required": "Enter how many people you plan to support",
            "invalid": "People must be a whole number",
            "min_value": "Plan to support at least one person",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    life_satisfaction_change = forms.DecimalField(
        label="Expected change in life satisfaction per person (points, 0 to 10 scale)",
        initial=Decimal(0),
        min_value=Decimal(-10),
        max_value=Decimal(10),
        decimal_places=2,
        error_messages={
            "required": "Enter the expected change, or 0",
            "invalid": "The change must be a number, like 0.8",
            "min_value": "The change must be within ±10 points",
            "max_value": "The change must be within ±10 points",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
    )
    assumptions_note = forms.CharField(
        label="Where the expectations come from", max_length=4000, required=False
    )

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[str, list[tuple[str, str]]]],
        service_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Everywhere the programme works")] + areas  # type: ignore[attr-defined]
        self.area_groups = areas
        self.service_rows = []
        for pk, label in service_types:
            names = []
            for part in ("expected", "low", "high"):
                name = f"st_{pk}_{part}"
                self.fields[name] = forms.DecimalField(
                    label=f"{label}: {part}",
                    required=False,
                    min_value=Decimal(-1000),
                    max_value=Decimal(1000),
                    decimal_places=3,
                    error_messages={"invalid": f"{label} ({part}) must be a number, like 0.5"},
                    widget=forms.TextInput(
                        attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}
                    ),
                )
                names.append(name)
            self.service_rows.append((pk, label, names))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
        self.lines: list[tuple[str, Decimal, Decimal, Decimal]] = []
        for pk, label, (expected, low, high) in self.service_rows:
            values = [data.get(expected), data.get(low), data.get(high)]
            if all(v is None for v in values):
                continue
            if values[0] is None:
                self.add_error(expected, f"Enter the expected change for {label}, or clear it")
                continue
            e = values[0]
            lo = values[1] if values[1] is not None else e
            hi = values[2] if values[2] is not None else e
            if not lo <= e <= hi:
                self.add_error(expected, f"{label}: the expected must lie between low and high")
                continue
            self.lines.append((pk, e, lo, hi))
        if not self.errors and not self.lines and not data.get("life_satisfaction_change"):
            self.add_error(
                "people", "Say what change you expect: events avoided, or life satisfaction"
            )
        return data
