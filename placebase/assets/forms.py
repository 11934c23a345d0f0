"""Forms for the directory: they parse and check input; services do the rest."""

import datetime as dt
from typing import Any

from django import forms

from . import models as m
from .selectors import DirectoryQuery, taxonomy_term_tree

RADIUS_CHOICES = [
    ("805", "Half a mile"),
    ("1609", "1 mile"),
    ("3219", "2 miles"),
    ("8047", "5 miles"),
    ("16093", "10 miles"),
]
DAY_CHOICES = [
    ("", "Any day"),
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
TIME_CHOICES = [("", "Any time")] + [
    (f"{h:02d}:00", f"{h % 12 or 12}{'am' if h < 12 else 'pm'}") for h in range(7, 22)
]


def category_choices(blank: str = "All categories") -> list[tuple[str, str]]:
    # Narrower terms are indented under their parent, which a screen reader reads as a dash.
    return [("", blank)] + [
        (str(term.id), f"{'– ' * depth}{term.name}") for term, depth in taxonomy_term_tree()
    ]


class DirectorySearchForm(forms.Form):
    postcode = forms.CharField(
        required=False, max_length=10, label="Postcode", help_text="For example, SM1 1EA"
    )
    radius = forms.ChoiceField(
        required=False, choices=RADIUS_CHOICES, initial="1609", label="Distance"
    )
    q = forms.CharField(
        required=False,
        max_length=100,
        label="What are you looking for?",
        help_text="For example, knitting, lunch club or wheelchair football",
    )
    category = forms.ChoiceField(required=False, label="Category")
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "Any kind")] + list(m.AssetKind.choices)
    )
    day = forms.ChoiceField(required=False, choices=DAY_CHOICES, label="Open on")
    time = forms.ChoiceField(required=False, choices=TIME_CHOICES, label="At")
    free = forms.BooleanField(required=False, label="Free of charge only")
    access = forms.MultipleChoiceField(
        required=False,
        choices=m.AccessFeature.choices,
        label="Accessibility",
        widget=forms.CheckboxSelectMultiple,
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("time") and not data.get("day"):
            self.add_error("day", "Choose a day as well as a time")
        return data

    def to_query(self) -> DirectoryQuery:
        d = self.cleaned_data
        return DirectoryQuery(
            postcode=(d.get("postcode") or "").strip(),
            radius_m=float(d.get("radius") or 1609),
            text=(d.get("q") or "").strip(),
            term_ids=(d["category"],) if d.get("category") else (),
            kinds=(d["kind"],) if d.get("kind") else (),
            open_day=int(d["day"]) if d.get("day") else None,
            open_at=dt.time.fromisoformat(d["time"]) if d.get("time") else None,
            free_only=bool(d.get("free")),
            access_features=tuple(d.get("access") or ()),
            page=d.get("page") or 1,
        )


class ProblemReportForm(forms.Form):
    message = forms.CharField(
        label="What is wrong, or what should change?", max_length=3000, widget=forms.Textarea
    )
    reply_email = forms.EmailField(
        required=False,
        label="Email address (optional)",
        help_text="Only if you would like a reply. We use it for nothing else.",
    )


class ListingForm(forms.Form):
    """Every editable field of a listing (see services.LISTING_FIELDS)."""

    name = forms.CharField(max_length=300, label="Name")
    kind = forms.ChoiceField(choices=m.AssetKind.choices, label="Kind of asset")
    description = forms.CharField(required=False, widget=forms.Textarea, label="Description")
    status = forms.ChoiceField(choices=m.AssetStatus.choices, label="Status")
    url = forms.URLField(required=False, label="Website", assume_scheme="https")
    email = forms.EmailField(required=False, label="Email")
    phone = forms.CharField(required=False, max_length=40, label="Phone")
    location_name = forms.CharField(required=False, max_length=300, label="Place name")
    address_1 = forms.CharField(required=False, max_length=300, label="Address line 1")
    address_2 = forms.CharField(required=False, max_length=300, label="Address line 2")
    city = forms.CharField(required=False, max_length=100, label="Town or city")
    postcode = forms.CharField(required=False, max_length=10, label="Postcode")
    transportation = forms.CharField(
        required=False, widget=forms.Textarea, label="How to get there"
    )
    fees = forms.CharField(required=False, max_length=1000, label="Fees")
    is_free = forms.BooleanField(required=False, label="Free of charge")
    minimum_age = forms.IntegerField(
        required=False, min_value=0, max_value=150, label="Minimum age"
    )
    maximum_age = forms.IntegerField(
        required=False, min_value=0, max_value=150, label="Maximum age"
    )
    custodian = forms.CharField(required=False, max_length=300, label="Who looks after it")
    capacity = forms.IntegerField(required=False, min_value=0, label="Capacity (people)")
    availability = forms.CharField(required=False, widget=forms.Textarea, label="Availability")
    usage = forms.ChoiceField(choices=m.Usage.choices, label="How busy it is")
    formality = forms.ChoiceField(
        required=False,
        label="Formal or informal",
        choices=[("", "Not known")] + list(m.Formality.choices),
    )
    legal_form = forms.ChoiceField(
        required=False, label="Legal form", choices=[("", "Not known")] + list(m.LegalForm.choices)
    )
    acv_listed = forms.BooleanField(required=False, label="Listed as an Asset of Community Value")
    acv_listed_on = forms.DateField(
        required=False, label="ACV listed on", help_text="For example, 2026-03-31"
    )
    acv_expires_on = forms.DateField(
        required=False, label="ACV listing ends on", help_text="For example, 2031-03-31"
    )
    term_ids = forms.MultipleChoiceField(
        required=False, label="Categories", widget=forms.CheckboxSelectMultiple
    )
    access_features = forms.MultipleChoiceField(
        required=False,
        label="Accessibility",
        choices=m.AccessFeature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term_ids"].choices = category_choices()[1:]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for key in ("acv_listed_on", "acv_expires_on"):
            data[key] = data[key].isoformat() if data.get(key) else None
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV or XLSX file", help_text="Use the template so the columns are right."
    )
    valid_rows_only = forms.BooleanField(
        required=False, label="Import the valid rows and skip the others"
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    note = forms.CharField(required=False, widget=forms.Textarea, label="Note (optional)")


class ClaimForm(forms.Form):
    evidence = forms.CharField(
        widget=forms.Textarea, max_length=2000, label="How are you connected to this listing?"
    )


class UnmetNeedForm(forms.Form):
    area_code = forms.CharField(
        max_length=12,
        label="Area code",
        help_text="The GSS code of the ward or area, like E05000555",
    )
    area_name = forms.CharField(required=False, max_length=200, label="Area name")
    term = forms.ChoiceField(label="Theme")
    note = forms.CharField(
        required=False,
        widget=forms.Textarea,
        label="Note",
        help_text="Do not include anything that identifies a person.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = category_choices("Choose a theme")  # type: ignore[attr-defined]


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(choices=m.ProjectStage.choices, label="Move the project to")
