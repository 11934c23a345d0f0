"""Forms parse input only; services decide. Error messages follow the GOV.UK style."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from placebase.core.errors import PlacebaseError

from . import availability as slots
from .models import CheckLevel, OpportunityKind, Skill
from .services import ONS4_QUESTIONS, TRAVEL_KM_CHOICES


def apply_error(form: forms.Form, error: PlacebaseError) -> None:
    """Show a service's error on the form: on its field when the form has it."""
    problems = error.details.get("problems")
    if isinstance(problems, dict):
        for name, message in problems.items():
            form.add_error(name if name in form.fields else None, message)
        return
    name = error.details.get("field")
    form.add_error(name if isinstance(name, str) and name in form.fields else None, error.message)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _skill_choices() -> list[tuple[str, str]]:
    return list(Skill.objects.order_by("name").values_list("slug", "name"))


class DateParts(forms.Form):
    """A GOV.UK date input: day, month and year boxes, read as one date."""

    date_prefix = "date"
    date_label = "Date"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = [data.get(f"{self.date_prefix}_{p}") for p in ("day", "month", "year")]
        if any(part is None for part in parts):
            self.add_error(
                f"{self.date_prefix}_day", f"{self.date_label} must be a real date, like 27 3 2007"
            )
            return data
        try:
            data[self.date_prefix] = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))  # type: ignore[arg-type]
        except ValueError:
            self.add_error(
                f"{self.date_prefix}_day", f"{self.date_label} must be a real date, like 27 3 2007"
            )
        return data


def _day() -> forms.IntegerField:
    return forms.IntegerField(label="Day", min_value=1, max_value=31, required=False)


def _month() -> forms.IntegerField:
    return forms.IntegerField(label="Month", min_value=1, max_value=12, required=False)


def _year() -> forms.IntegerField:
    return forms.IntegerField(label="Year", min_value=1900, max_value=2100, required=False)


class SearchForm(forms.Form):
    postcode = forms.CharField(
        label="Postcode", max_length=10, required=False, help_text="For example, SM1 1EA"
    )
    kind = forms.ChoiceField(
        label="Kind of volunteering",
        required=False,
        choices=[("", "Any kind"), *OpportunityKind.choices],
    )


class PledgeDetailsForm(forms.Form):
    """Step 1 of pledging. Guests give a name and email; volunteers signed in do not."""

    guest_name = forms.CharField(label="Your name", max_length=200, required=False)
    guest_email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="We will send your pledge reference here.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    choice = forms.ChoiceField(label="When and where", required=False, choices=[])
    # The honeypot: hidden from people (see includes/honeypot.html), filled in by bots.
    website = forms.CharField(required=False)

    def __init__(
        self, *args: Any, guest: bool, choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.guest = guest
        if not guest:
            del self.fields["guest_name"], self.fields["guest_email"]
        if choices:
            _set_choices(self, "choice", choices)
            self.fields["choice"].required = True
            self.fields["choice"].error_messages["required"] = "Choose when and where"
        else:
            del self.fields["choice"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.guest:
            if not (data.get("guest_name") or "").strip():
                self.add_error("guest_name", "Enter your name")
            if not data.get("guest_email") and "guest_email" not in self.errors:
                self.add_error("guest_email", "Enter your email address")
        return data


class SignUpForm(DateParts):
    date_prefix = "date_of_birth"
    date_label = "Date of birth"

    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    email = forms.CharField(label="Email address", max_length=254, required=False)
    date_of_birth_day = _day()
    date_of_birth_month = _month()
    date_of_birth_year = _year()
    postcode = forms.CharField(
        label="Home postcode",
        max_length=10,
        required=False,
        help_text="We use it to suggest volunteering near you.",
    )
    travel_km = forms.TypedChoiceField(
        label="How far can you travel?",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[(str(km), f"Up to {km} km") for km in TRAVEL_KM_CHOICES],
        initial="5",
    )
    skills = forms.MultipleChoiceField(
        label="What could you help with?",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label="When are you usually free?",
        required=False,
        choices=slots.SLOT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if any time suits you.",
    )
    interests = forms.CharField(
        label="Anything else you would like to do (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=1000,
    )
    guardian_name = forms.CharField(
        label="Parent or guardian's name (if you are under 18)", max_length=200, required=False
    )
    guardian_email = forms.CharField(
        label="Parent or guardian's email address (if you are under 18)",
        max_length=254,
        required=False,
        help_text="We will ask them to approve before you are placed.",
    )
    password = forms.CharField(
        label="Create a password",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few words together work well.",
    )
    consent = forms.BooleanField(
        label="I agree that the organisations I volunteer with may keep my details to arrange "
        "my volunteering, check safeguarding, record my hours and thank me.",
        required=False,
    )
    website = forms.CharField(required=False)  # the honeypot

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "skills", _skill_choices())

    def availability_mask(self) -> int:
        return slots.mask_from_codes(self.cleaned_data.get("availability") or [])


class GuardianForm(forms.Form):
    guardian_name = forms.CharField(label="Your full name", max_length=200, required=False)
    confirm = forms.BooleanField(
        label="I am their parent or guardian and I approve their volunteering", required=False
    )


class HoursLogForm(DateParts):
    date_prefix = "worked_on"
    date_label = "The date"

    opportunity = forms.ChoiceField(label="What did you do?", choices=[])
    worked_on_day = _day()
    worked_on_month = _month()
    worked_on_year = _year()
    minutes = forms.IntegerField(
        label="How many minutes?",
        min_value=1,
        max_value=1440,
        help_text="For example, 90 for an hour and a half.",
        error_messages={"required": "Enter how many minutes"},
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, opportunities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "opportunity", [(str(o.pk), o.title) for o in opportunities])


class InvitationReplyForm(forms.Form):
    reply = forms.ChoiceField(
        label="Are you coming?",
        choices=[("accepted", "Yes, I am coming"), ("declined", "No, I cannot come")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you are coming"},
    )
    guests = forms.IntegerField(
        label="Guests you are bringing", min_value=0, max_value=4, required=False, initial=0
    )


# --- staff ------------------------------------------------------------------------------------


class OpportunityForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(
        label="Summary", max_length=300, help_text="One sentence the public sees in the list."
    )
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(
        label="Kind", choices=OpportunityKind.choices, widget=forms.RadioSelect
    )
    duration_minutes = forms.IntegerField(
        label="Minutes it takes (micro pledges)", required=False, min_value=1
    )
    host_name = forms.CharField(label="Host shown to the public", max_length=200, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10)
    skills = forms.MultipleChoiceField(
        label="Skills it needs", required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    regulated_activity = forms.BooleanField(label="This is regulated activity", required=False)
    check_level = forms.TypedChoiceField(
        label="DBS check needed", coerce=int, choices=CheckLevel.choices, initial=CheckLevel.NONE
    )
    minimum_age = forms.IntegerField(label="Minimum age", min_value=0, max_value=25, initial=0)
    capacity = forms.IntegerField(label="Volunteers wanted", required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "skills", _skill_choices())


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=300, error_messages={"required": "Give a reason"}
    )


class CheckForm(DateParts):
    date_prefix = "certificate_date"
    date_label = "Certificate date"

    level = forms.TypedChoiceField(
        label="Level", coerce=int, choices=[c for c in CheckLevel.choices if c[0] > 0]
    )
    certificate_date_day = _day()
    certificate_date_month = _month()
    certificate_date_year = _year()
    on_update_service = forms.BooleanField(label="On the DBS Update Service", required=False)


class ThankForm(forms.Form):
    message = forms.CharField(label="Message", widget=forms.Textarea, max_length=2000)


class BadgeForm(forms.Form):
    badge = forms.ChoiceField(label="Badge", choices=[])
    reason = forms.CharField(label="Why (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, badges: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "badge", [(b.slug, b.name) for b in badges])


class StaffHoursForm(DateParts):
    date_prefix = "worked_on"
    date_label = "The date"

    opportunity = forms.ChoiceField(label="Opportunity", choices=[])
    worked_on_day = _day()
    worked_on_month = _month()
    worked_on_year = _year()
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=1440)

    def __init__(self, *args: Any, opportunities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "opportunity", [(str(o.pk), o.title) for o in opportunities])


class ValueForm(forms.Form):
    by = forms.ChoiceField(
        label="Break down by",
        initial="opportunity",
        choices=[("opportunity", "Opportunity"), ("area", "Ward"), ("month", "Month")],
    )
    start = forms.DateField(label="From (YYYY-MM-DD)", required=False)
    end = forms.DateField(label="To (YYYY-MM-DD)", required=False)


class EventForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    venue = forms.CharField(label="Venue", max_length=200)
    starts_at = forms.DateTimeField(label="Date and time (YYYY-MM-DD HH:MM)")
    area_code = forms.CharField(
        label="Ward code (blank for everyone)", max_length=12, required=False
    )
    area_name = forms.CharField(label="Ward name", max_length=200, required=False)


class OpportunityEditForm(OpportunityForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SiteForm(forms.Form):
    name = forms.CharField(
        label="Site name", max_length=200, error_messages={"required": "Enter the site's name"}
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10, error_messages={"required": "Enter the site's postcode"}
    )
    capacity = forms.IntegerField(
        label="Volunteers wanted at this site (optional)",
        required=False,
        min_value=1,
        error_messages={
            "invalid": "Capacity must be a whole number, like 5",
            "min_value": "Capacity must be 1 or more, or left blank",
        },
    )


def _time(value: str, label: str) -> dt.time:
    value = (value or "").strip().replace(".", ":")
    try:
        hours, minutes = (int(part) for part in value.split(":"))
        return dt.time(hours, minutes)
    except (ValueError, TypeError):
        raise forms.ValidationError(f"{label} must be a time like 09:30 or 14:00") from None


class ShiftForm(DateParts):
    date_prefix = "day"
    date_label = "The date"

    day_day = _day()
    day_month = _month()
    day_year = _year()
    starts = forms.CharField(
        label="Start time",
        max_length=5,
        help_text="Use the 24-hour clock, like 09:30",
        error_messages={"required": "Enter the start time"},
    )
    ends = forms.CharField(
        label="End time",
        max_length=5,
        help_text="Use the 24-hour clock, like 14:00",
        error_messages={"required": "Enter the end time"},
    )
    site = forms.ChoiceField(label="Site", required=False, choices=[])
    capacity = forms.IntegerField(
        label="Volunteers wanted on this shift (optional)",
        required=False,
        min_value=1,
        error_messages={
            "invalid": "Capacity must be a whole number, like 5",
            "min_value": "Capacity must be 1 or more, or left blank",
        },
    )

    def __init__(self, *args: Any, sites: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sites:
            _set_choices(
                self, "site", [("", "No particular site"), *[(str(s.pk), s.name) for s in sites]]
            )
        else:
            del self.fields["site"]

    def clean_starts(self) -> dt.time:
        return _time(self.cleaned_data.get("starts", ""), "Start time")

    def clean_ends(self) -> dt.time:
        return _time(self.cleaned_data.get("ends", ""), "End time")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts and ends:
            tz = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(day, starts, tzinfo=tz)
            data["ends_at"] = dt.datetime.combine(day, ends, tzinfo=tz)
        return data


class ProfileForm(forms.Form):
    postcode = forms.CharField(
        label="Home postcode",
        max_length=10,
        help_text="We use it to suggest volunteering near you.",
        error_messages={"required": "Enter your postcode"},
    )
    travel_km = forms.TypedChoiceField(
        label="How far can you travel?",
        coerce=int,
        choices=[(str(km), f"Up to {km} km") for km in TRAVEL_KM_CHOICES],
        error_messages={"required": "Choose how far you can travel"},
    )
    skills = forms.MultipleChoiceField(
        label="What could you help with?",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label="When are you usually free?",
        required=False,
        choices=slots.SLOT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if any time suits you.",
    )
    interests = forms.CharField(
        label="Anything else you would like to do (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=1000,
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=40, required=False)
    may_be_suggested = forms.BooleanField(
        label="Coordinators may suggest volunteering to me", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "skills", _skill_choices())

    def availability_mask(self) -> int:
        return slots.mask_from_codes(self.cleaned_data.get("availability") or [])


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the record being erased?",
        help_text="For example, the volunteer asked us to erase their details. Do not include "
        "their name or contact details.",
        widget=forms.Textarea,
        max_length=300,
        error_messages={
            "required": "Give the reason for erasure",
            "max_length": "Keep the reason to 300 characters",
        },
    )
    confirm = forms.BooleanField(
        label="I understand this cannot be undone",
        error_messages={"required": "Confirm that you understand this cannot be undone"},
    )


class WellbeingForm(forms.Form):
    """ONS4 personal wellbeing: four questions answered from 0 (not at all) to 10 (completely)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question in ONS4_QUESTIONS:
            self.fields[name] = forms.IntegerField(
                label=question,
                min_value=0,
                max_value=10,
                help_text="0 is not at all, 10 is completely",
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}
                ),
                error_messages={
                    "required": "Answer with a number from 0 to 10",
                    "invalid": "Answer with a whole number from 0 to 10",
                    "min_value": "Answer with a number from 0 to 10",
                    "max_value": "Answer with a number from 0 to 10",
                },
            )
