"""Forms for engagement: they parse input only; services decide what is allowed."""

import datetime

from django import forms

from .metrics import AGE_BANDS
from .models import ActivityKind, ContributionKind

DATE_HELP = "For example, 2026-03-27"


def _choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    # Choices that come from the database are set per form, so a new ward appears at once.
    if isinstance(field, forms.ChoiceField):
        field.choices = choices


class DateInput(forms.DateInput):
    input_type = "date"


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of activity",
        choices=ActivityKind.choices,
        error_messages={"required": "Choose what kind of activity it was"},
    )
    title = forms.CharField(
        label="Title",
        max_length=300,
        error_messages={"required": "Enter a title for the activity"},
    )
    theme = forms.CharField(label="Theme (optional)", max_length=200, required=False)
    held_on = forms.DateField(
        label="Date held",
        help_text=DATE_HELP,
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the activity was held",
            "invalid": "Enter a real date, like 2026-03-27",
        },
    )
    area = forms.ChoiceField(
        label="Ward",
        help_text="The ward the activity was for.",
        error_messages={"required": "Choose the ward the activity was for"},
    )
    venue_postcode = forms.CharField(
        label="Venue postcode (optional)",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-10"}),
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args: object, area_choices: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self.fields["area"], [("", "Choose a ward"), *area_choices])

    def clean_held_on(self) -> datetime.date:
        held_on = self.cleaned_data["held_on"]
        if held_on > datetime.date.today() + datetime.timedelta(days=366):
            raise forms.ValidationError("The date must be within the next year")
        return held_on


class ParticipationForm(forms.Form):
    """Someone already registered (by reference), or a new pseudonymous participant."""

    reference = forms.CharField(
        label="Participant reference (if they have taken part before)",
        help_text="For example, P-1A2B3C4D. Leave blank for someone new.",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-10"}),
    )
    age_band = forms.ChoiceField(
        label="Age band (someone new)",
        choices=[("", "Choose an age band"), *AGE_BANDS],
        required=False,
    )
    home_postcode = forms.CharField(
        label="Home postcode (someone new)",
        help_text="Used only to place them in a neighbourhood; never shown in full.",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-10"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("reference") and not data.get("age_band"):
            self.add_error("age_band", "Choose an age band, or enter a participant reference")
        return data


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of contribution",
        choices=ContributionKind.choices,
        error_messages={"required": "Choose an idea, a comment or a vote"},
    )
    text = forms.CharField(
        label="What they said",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
    )


class ProjectLinkForm(forms.Form):
    project = forms.ChoiceField(
        label="Community project",
        error_messages={"required": "Choose the community project the idea became"},
    )

    def __init__(self, *args: object, project_choices: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self.fields["project"], [("", "Choose a project"), *project_choices])


class PeriodForm(forms.Form):
    """The period (and, where offered, the area) a page's figures cover. GET, so links share."""

    start = forms.DateField(
        label="From",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter a real start date"},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter a real end date"},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:  # type: ignore[operator]
            self.add_error("end", "The end of the period must be after its start")
        return data


class BreadthForm(PeriodForm):
    area = forms.ChoiceField(label="Ward", required=False)
    level = forms.ChoiceField(
        label="Map by",
        required=False,
        choices=[("ward", "Ward"), ("lsoa", "Neighbourhood (LSOA)")],
    )

    def __init__(self, *args: object, area_choices: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self.fields["area"], [("", "All wards"), *area_choices])


class CouncillorWardForm(forms.Form):
    user = forms.ChoiceField(label="Councillor", error_messages={"required": "Choose a councillor"})
    area = forms.ChoiceField(label="Ward", error_messages={"required": "Choose a ward"})

    def __init__(
        self,
        *args: object,
        user_choices: list[tuple[str, str]],
        area_choices: list[tuple[str, str]],
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self.fields["user"], [("", "Choose a councillor"), *user_choices])
        _choices(self.fields["area"], [("", "Choose a ward"), *area_choices])
