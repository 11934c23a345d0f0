"""Forms for the directory: they parse and check input; services do the rest."""

import datetime as dt
from typing import Any

from django import forms

from . import models as m
from .selectors import DirectoryQuery, taxonomy_term_tree


class RadioSelect(forms.RadioSelect):
    """Radios whose label target (and so the error summary's link) is the first radio, as
    GOV.UK asks, rather than nothing."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if id_ and index is None:
            return f"{id_}_0"
        return super().id_for_label(id_, index)


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
        widget=RadioSelect,
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


# --- people's gifts ------------------------------------------------------------------------

DATE_HINT = "For example, 2026-03-31"


class GiftForm(forms.Form):
    """A connector records what a resident offers, with the resident's consent."""

    person_name = forms.CharField(max_length=200, label="Their name")
    contact = forms.CharField(
        required=False,
        max_length=200,
        label="How to reach them (optional)",
        help_text="An email address or phone number. Never published.",
    )
    postcode = forms.CharField(
        required=False,
        max_length=10,
        label="Their postcode (optional)",
        help_text="Used only to find their ward. Never published.",
    )
    kind = forms.ChoiceField(
        choices=m.GiftKind.choices, label="What kind of gift is it?", widget=RadioSelect
    )
    description = forms.CharField(
        max_length=500,
        widget=forms.Textarea,
        label="What they offer",
        help_text="For example, fixing bikes, teaching Urdu, growing vegetables",
    )
    term = forms.ChoiceField(required=False, label="Theme (optional)")
    consent_statement = forms.CharField(
        max_length=2000,
        widget=forms.Textarea,
        label="What they agreed to",
        help_text="What you told them and what they agreed to, in their words if you can.",
    )
    show_publicly = forms.BooleanField(
        required=False, label="They agreed to it being shown publicly as 'someone in their ward'"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = category_choices("No theme")  # type: ignore[attr-defined]


class GiftOfferForm(forms.Form):
    """The public 'offer a skill' form (no sign-in). `website` is a trap for robots: it is
    hidden from people and from assistive technology, so only a robot fills it in."""

    person_name = forms.CharField(
        max_length=200,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name"},
    )
    contact = forms.CharField(
        max_length=200,
        label="Email address or phone number",
        help_text="So a community connector can get in touch. We never publish it.",
        error_messages={
            "required": "Enter your email address or phone number, so a connector can reach you"
        },
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    postcode = forms.CharField(
        max_length=10,
        label="Your postcode",
        help_text="So we know which area you are in. We never publish it.",
        error_messages={"required": "Enter your postcode, so we know which area you are in"},
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}
        ),
    )
    kind = forms.ChoiceField(
        choices=m.GiftKind.choices,
        initial=m.GiftKind.SKILL,
        label="What are you offering?",
        widget=RadioSelect,
        error_messages={"invalid_choice": "Select what you are offering"},
    )
    description = forms.CharField(
        max_length=500,
        widget=forms.Textarea,
        label="Tell us what you could share",
        help_text="For example, 'I can fix bikes' or 'I love growing vegetables and could help "
        "start a community garden'. Do not include anything about your health.",
        error_messages={"required": "Tell us what you could share"},
    )
    show_publicly = forms.BooleanField(
        required=False,
        label="Show what I offer on the public page as 'someone in my ward' (never my name)",
    )
    consent = forms.BooleanField(
        required=False, label="I agree to the council keeping my offer as described above"
    )
    website = forms.CharField(required=False, max_length=200, label="Leave this empty")


class GiftReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=RadioSelect,
        label="Your decision",
    )


# --- connectors, visioning and projects ---------------------------------------------------


def connector_choices(blank: str) -> list[tuple[str, str]]:
    from .selectors import connector_list

    return [("", blank)] + [(str(c.id), c.display_name) for c in connector_list()[:500]]


def visioning_choices(blank: str) -> list[tuple[str, str]]:
    from .selectors import visioning_exercise_list

    return [("", blank)] + [
        (str(v.id), f"{v.title} ({v.held_on:%d %b %Y})") for v in visioning_exercise_list()[:500]
    ]


class AreaFields(forms.Form):
    area_code = forms.CharField(
        required=False,
        max_length=12,
        label="Area code (optional)",
        help_text="The GSS code of the ward or area, like E05000555",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    area_name = forms.CharField(required=False, max_length=200, label="Area name (optional)")


class ConnectorForm(AreaFields):
    display_name = forms.CharField(
        max_length=200,
        label="Name",
        help_text="As the connector likes to be known, for example 'Amina (Roundshaw)'",
    )
    since = forms.DateField(required=False, label="Connector since (optional)", help_text=DATE_HINT)

    field_order = ["display_name", "area_code", "area_name", "since"]


class VisioningForm(AreaFields):
    title = forms.CharField(max_length=300, label="Title")
    held_on = forms.DateField(label="Held on", help_text=DATE_HINT)
    facilitator = forms.ChoiceField(required=False, label="Facilitated by (optional)")
    participants = forms.IntegerField(
        min_value=0,
        max_value=100_000,
        initial=0,
        label="How many people took part",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )
    notes = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="What people imagined (optional)",
        help_text="Do not include anything that identifies a person.",
    )

    field_order = [
        "title",
        "held_on",
        "area_code",
        "area_name",
        "facilitator",
        "participants",
        "notes",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].choices = connector_choices("Not recorded")  # type: ignore[attr-defined]


class ProjectForm(AreaFields):
    name = forms.CharField(max_length=300, label="Project name")
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea, label="What it is (optional)"
    )
    connector = forms.ChoiceField(required=False, label="Connector supporting it (optional)")
    visioning_exercise = forms.ChoiceField(
        required=False, label="Visioning exercise it came from (optional)"
    )
    people_involved = forms.IntegerField(
        min_value=0,
        max_value=100_000,
        initial=0,
        label="People involved so far",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )

    field_order = [
        "name",
        "description",
        "area_code",
        "area_name",
        "connector",
        "visioning_exercise",
        "people_involved",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["connector"].choices = connector_choices("None")  # type: ignore[attr-defined]
        self.fields["visioning_exercise"].choices = visioning_choices("None")  # type: ignore[attr-defined]


class GrantForm(forms.Form):
    funder = forms.CharField(max_length=300, label="Who gave the grant")
    amount = forms.CharField(
        max_length=20,
        label="Amount in pounds",
        help_text="For example, 250.00",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    price_year = forms.IntegerField(
        label="Price year",
        help_text="The year whose prices the amount is in, usually the year it was awarded",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    awarded_on = forms.DateField(label="Awarded on", help_text=DATE_HINT)
    purpose = forms.CharField(required=False, max_length=300, label="What it is for (optional)")


# --- a listing's locations --------------------------------------------------------------


class LocationForm(forms.Form):
    location_name = forms.CharField(required=False, max_length=300, label="Place name")
    address_1 = forms.CharField(required=False, max_length=300, label="Address line 1")
    address_2 = forms.CharField(required=False, max_length=300, label="Address line 2 (optional)")
    city = forms.CharField(required=False, max_length=100, label="Town or city")
    postcode = forms.CharField(
        required=False,
        max_length=10,
        label="Postcode",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    transportation = forms.CharField(
        required=False, widget=forms.Textarea, label="How to get there (optional)"
    )
    latitude = forms.FloatField(
        required=False,
        min_value=-90,
        max_value=90,
        label="Latitude (optional)",
        help_text="Only for a place without a postcode, like a park. For example, 51.3618",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    longitude = forms.FloatField(
        required=False,
        min_value=-180,
        max_value=180,
        label="Longitude (optional)",
        help_text="For example, -0.1945",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    access_features = forms.MultipleChoiceField(
        required=False,
        label="Accessibility",
        choices=m.AccessFeature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


def govuk_layout(form: forms.Form) -> list[tuple[Any, str]]:
    """Each visible field with the GOV.UK component that renders it (for generic pages)."""
    out = []
    for bound in form.visible_fields():
        widget = bound.field.widget
        if isinstance(widget, forms.Textarea):
            kind = "textarea"
        elif isinstance(widget, forms.RadioSelect):
            kind = "radios"
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            kind = "checkboxes"
        elif isinstance(widget, forms.CheckboxInput):
            kind = "checkbox"
        elif isinstance(widget, forms.Select):
            kind = "select"
        else:
            kind = "input"
        out.append((bound, kind))
    return out
