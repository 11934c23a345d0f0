"""Forms for the evidence pages. They parse text; the calculator's own parser checks the map,
so the web page and `placebase sroi` accept and reject exactly the same rows."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.forms import formset_factory

from . import sroi
from .models import ConfidenceGrade, ServiceType

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


class MapUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload an impact map (CSV)",
        help_text="Columns: outcome, stakeholder, quantity, financial_proxy, deadweight, "
        "displacement, attribution, drop_off, duration_years, starts_year; optional "
        "agency and low_/high_ columns.",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 1 MB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The selected file must be a CSV saved as UTF-8") from None


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
