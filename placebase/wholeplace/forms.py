"""Forms for Whole Place: they parse and check input; the services decide."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import slugify

from placebase.accounts.models import Organisation
from placebase.places.models import Area, BoundarySet

from .models import Agency, AgencySector, Approach, CostBearer, EntryKind, SubjectKind, Theme

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class IsoDateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("help_text", "For example, 2025-06-30")
        kwargs["error_messages"] = {
            "invalid": "Enter a real date in the format year-month-day, like 2025-06-30",
            **kwargs.get("error_messages", {}),
        }
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
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
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


# ------------------------------------------------------------------- agencies and themes


def code_from(name: str) -> str:
    """A code for CSV files made from a name: "NHS South West London" -> "nhs-south-west-london"."""
    return slugify(name)[:64].strip("-")


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.code})"


class LevelledAreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:  # type: ignore[override]
        level = obj.boundary_set.get_level_display()
        return f"{obj.name} ({obj.code}, {level} {obj.boundary_set.vintage})"


class AgencyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="A new organisation (enter its name below)",
        help_text="Organisations already known to Placebase that are not yet agencies",
    )
    organisation_name = forms.CharField(
        label="New organisation's name", max_length=200, required=False
    )
    parent = forms.ModelChoiceField(
        label="Part of (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None",
        help_text="For a new council department, the council it belongs to",
    )
    sector = forms.ChoiceField(
        label="Type of agency",
        choices=[("", "Choose the type")] + AgencySector.choices,
        error_messages={"required": "Select the type of agency"},
    )
    cost_bearer = forms.ChoiceField(
        label="Whose budget bears its costs",
        choices=[("", "Choose the budget")] + CostBearer.choices,
        help_text="When prevention avoids a cost the agency bears, evidence credits this budget",
        error_messages={"required": "Select whose budget bears the agency's costs"},
    )
    code = forms.CharField(
        label="Short code (optional)",
        max_length=64,
        required=False,
        help_text=(
            "Used in CSV files: lower-case letters, digits and hyphens, like swl-icb. "
            "Leave blank to make one from the name"
        ),
    )
    is_lead_council = forms.BooleanField(
        label="This is the lead council: compare every other footprint with its area",
        required=False,
    )

    def __init__(self, *args: Any, organisations: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, name = data.get("organisation"), data.get("organisation_name", "").strip()
        if organisation is None and not name:
            self.add_error(
                "organisation_name", "Choose an organisation or enter a new organisation's name"
            )
        elif organisation is not None and name:
            self.add_error(
                "organisation_name",
                "Choose an organisation or enter a new one's name, not both",
            )
        elif organisation is not None and data.get("parent") is not None:
            self.add_error("parent", "Only a new organisation can be given the body it is part of")
        code = data.get("code", "").strip()
        if code and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", code):
            self.add_error("code", "Use lower-case letters, digits and hyphens, like swl-icb")
        elif not code:
            code = code_from(name or (str(organisation) if organisation else ""))
        data["code"] = code
        return data


class FootprintForm(forms.Form):
    """The areas an agency covers: keep (or untick) the ones it has, add more from one
    boundary set by code or by ticking them."""

    keep = LevelledAreaChoiceField(
        label="Areas it covers now",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick an area to take it out of the footprint",
    )
    boundary_set = forms.ModelChoiceField(
        label="Add areas from",
        queryset=BoundarySet.objects.none(),
        required=False,
        empty_label="Choose a set of boundaries",
    )
    codes = forms.CharField(
        label="Codes of the areas to add (optional)",
        required=False,
        max_length=20000,
        widget=forms.Textarea,
        help_text="GSS codes such as E05013741 or E54000031, one per line or separated by commas",
    )
    areas = AreaChoiceField(
        label="Areas to add",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        current: list[Area],
        boundary_sets: Any,
        set_areas: list[Area] | None,
        resolve: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resolve = resolve  # (boundary set, codes) -> (areas, unknown codes)
        keep: Any = self.fields["keep"]
        keep.queryset = (
            Area.objects.filter(pk__in=[a.pk for a in current])
            .select_related("boundary_set")
            .defer("geometry", "geometry_wkb")
            .order_by("boundary_set__level", "name")
        )
        self.fields["boundary_set"].queryset = boundary_sets  # type: ignore[attr-defined]
        areas: Any = self.fields["areas"]
        areas.queryset = (
            Area.objects.filter(pk__in=[a.pk for a in set_areas or []])
            .defer("geometry", "geometry_wkb")
            .order_by("name", "code")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        codes = [c for c in re.split(r"[\s,;]+", data.get("codes", "")) if c]
        chosen = data.get("boundary_set")
        added: list[Area] = list(data.get("areas") or [])
        if codes and chosen is None:
            self.add_error("boundary_set", "Choose the set of boundaries the codes belong to")
        elif codes and chosen is not None:
            found, unknown = self.resolve(chosen, codes)
            if unknown:
                shown = ", ".join(unknown[:10]) + (" and others" if len(unknown) > 10 else "")
                self.add_error("codes", f"These are not areas of {chosen.name}: {shown}")
            added += found
        footprint = {a.pk: a for a in [*(data.get("keep") or []), *added]}
        data["footprint"] = list(footprint.values())
        return data


class ThemeForm(forms.Form):
    name = forms.CharField(
        label="Theme", max_length=200, error_messages={"required": "Enter the theme's name"}
    )
    code = forms.CharField(
        label="Short code (optional)",
        max_length=64,
        required=False,
        help_text="Used in CSV files, like housing. Leave blank to make one from the name",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code", "").strip()
        if code and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", code):
            self.add_error("code", "Use lower-case letters, digits and hyphens, like ageing-well")
        data["code"] = code or code_from(data.get("name", ""))
        return data


class FundForm(forms.Form):
    name = forms.CharField(
        label="Name of the fund",
        max_length=200,
        error_messages={"required": "Enter the fund's name"},
    )
    description = forms.CharField(
        label="What the fund is for (optional)", required=False, widget=forms.Textarea
    )
    price_year = forms.IntegerField(
        label="Price year",
        min_value=1900,
        max_value=2200,
        help_text="Every amount in the fund's ledger is in this year's prices, for example 2025",
        error_messages={
            "required": "Enter the price year",
            "invalid": "Enter the price year as a year, like 2025",
            "min_value": "Enter the price year as a year, like 2025",
            "max_value": "Enter the price year as a year, like 2025",
        },
    )
    starts_on = IsoDateField(
        label="Starts on", error_messages={"required": "Enter the date the fund starts"}
    )
    ends_on = IsoDateField(label="Ends on (optional)", required=False)
    places = AreaChoiceField(
        label="Places the fund serves",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price_year"].widget.attrs.update(
            {"inputmode": "numeric", "class": "govuk-input--width-4"}
        )
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget.attrs.update({"class": "govuk-input--width-10"})
        field: Any = self.fields["places"]
        field.queryset = (
            Area.objects.filter(pk__in=[a.pk for a in areas])
            .defer("geometry", "geometry_wkb")
            .order_by("boundary_set__level", "name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return data


class InvolvementUploadForm(CsvUploadForm):
    agency = forms.ModelChoiceField(
        label="Agency whose records these are",
        queryset=Agency.objects.select_related("organisation"),
        empty_label="Choose the agency",
        error_messages={"required": "Select the agency whose records these are"},
    )
    field_order = ["agency", "file"]
