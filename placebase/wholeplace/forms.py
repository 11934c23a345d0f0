"""Forms for Whole Place: they parse and check input; the services decide."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from placebase.places.models import Area

from .models import Agency, Approach, EntryKind, SubjectKind, Theme

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class IsoDateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("help_text", "For example, 2025-06-30")
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Enter a real date in the format year-month-day, like 2025-06-30"},
        )
        super().__init__(**kwargs)


class LedgerEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of entry",
        choices=EntryKind.choices,
        error_messages={"required": "Select the type of entry"},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.select_related("organisation"),
        error_messages={"required": "Select the agency"},
    )
    theme = forms.ModelChoiceField(
        label="Theme (needed for commitments and spend)",
        queryset=Theme.objects.all(),
        required=False,
    )
    amount = forms.DecimalField(
        label="Amount in pounds",
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": "Enter the amount",
            "invalid": "Enter the amount as a number, like 1250.00",
            "min_value": "The amount must be more than zero; corrections are reversals",
            "max_decimal_places": "Enter the amount in pounds and pence, like 1250.00",
        },
    )
    occurred_on = IsoDateField(
        label="Date", error_messages={"required": "Enter the date of the entry"}
    )
    reference = forms.CharField(label="Reference (optional)", max_length=100, required=False)
    description = forms.CharField(label="Description (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update(
            {"inputmode": "decimal", "class": "govuk-input--width-10"}
        )
        self.fields["occurred_on"].widget.attrs.update({"class": "govuk-input--width-10"})


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why is this entry being reversed?",
        max_length=200,
        error_messages={"required": "Enter why the entry is being reversed"},
    )


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={"required": "Choose a CSV file to import"},
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        self.filename = str(upload.name or "")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 20 MB")
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The file must be a CSV file saved as UTF-8") from error


class SpendFilterForm(forms.Form):
    area = forms.ModelChoiceField(label="Area", queryset=Area.objects.none(), required=False)
    year = forms.TypedChoiceField(label="Financial year", coerce=int, required=False)

    def __init__(self, *args: Any, areas: list[Area], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["area"]
        field.queryset = Area.objects.filter(pk__in=[a.pk for a in areas]).defer(
            "geometry", "geometry_wkb"
        )
        self.fields["year"].choices = [("", "All years")] + [  # type: ignore[attr-defined]
            (y, f"{y}-{(y + 1) % 100:02d}") for y in years
        ]


def financial_year_start(today: date) -> date:
    return date(today.year if today.month >= 4 else today.year - 1, 4, 1)


class PeriodForm(forms.Form):
    area = forms.ModelChoiceField(label="Place", queryset=Area.objects.none(), required=False)
    period_start = IsoDateField(label="From", required=False)
    period_end = IsoDateField(label="To", required=False)

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["area"]
        field.queryset = Area.objects.filter(pk__in=[a.pk for a in areas]).defer(
            "geometry", "geometry_wkb"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end date must be on or after the start date")
        return data


class InvolvementFilterForm(PeriodForm):
    subject_kind = forms.ChoiceField(label="Count", choices=SubjectKind.choices, required=False)


class RegisterEntryForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Department or agency",
        queryset=Agency.objects.select_related("organisation"),
        error_messages={"required": "Select the department or agency"},
    )
    service_name = forms.CharField(
        label="Service", max_length=200, error_messages={"required": "Enter the service's name"}
    )
    approach = forms.ChoiceField(
        label="Approach",
        choices=Approach.choices,
        error_messages={"required": "Select the approach"},
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.ModelMultipleChoiceField(
        label="Areas covered",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    staff_total = forms.IntegerField(
        label="Staff in the service",
        min_value=0,
        error_messages={"required": "Enter the number of staff", "invalid": "Enter a whole number"},
    )
    staff_trained = forms.IntegerField(
        label="Staff trained in the approach",
        min_value=0,
        error_messages={"required": "Enter the number trained", "invalid": "Enter a whole number"},
    )

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["areas"]
        # "district" sorts before "ward": the council's area first, then its wards by name.
        field.queryset = (
            Area.objects.filter(pk__in=[a.pk for a in areas])
            .defer("geometry", "geometry_wkb")
            .order_by("boundary_set__level", "name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total, trained = data.get("staff_total"), data.get("staff_trained")
        if total is not None and trained is not None and trained > total:
            self.add_error(
                "staff_trained", "Staff trained cannot be more than staff in the service"
            )
        return data
