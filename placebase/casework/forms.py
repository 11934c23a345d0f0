"""Forms for case work. They parse what was posted; the services validate it (one set of rules
for the web pages and the API) and their field errors are put back on the form."""

from typing import Any

from django import forms

from placebase.accounts.models import SharingPurpose

from .models import (
    AssessmentOccasion,
    ClosureReason,
    ConnectionStatus,
    ConnectionTargetKind,
    ConsentMethod,
    ContactKind,
    GoalStatus,
    IntroductionSource,
    LawfulBasis,
    NetworkKind,
    PreferredContact,
    ServiceUseSource,
    StrengthKind,
)


def _set_choices(form: forms.Form, name: str, choices: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "Choose…"), *choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    # Parsed by the service, so "in the future" and "not a date" read the same on every page.
    return forms.CharField(label=label, required=required, widget=DateInput(), help_text=help_text)


def text(label: str, *, max_length: int = 200, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


def area(label: str, *, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=help_text
    )


class CaseworkForm(forms.Form):
    """A form whose errors come from a service's `errors` as well as from parsing."""

    # Every field is optional to Django: the service says what is missing, in its words.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = "Select an option from the list"

    def add_service_errors(self, errors: dict[str, str], message: str) -> None:
        placed = False
        for name, error in errors.items():
            if name in self.fields:
                self.add_error(name, error)
                placed = True
        if not placed:
            self.add_error(None, message)


class PersonDetailsForm(CaseworkForm):
    first_name = text("First name", max_length=100)
    last_name = text("Last name", max_length=100)
    preferred_name = text("Preferred name (optional)", max_length=100)
    date_of_birth = date_field("Date of birth (optional)")
    postcode = text("Postcode", max_length=10, help_text="Used to find their patch and areas.")
    address_line_1 = text("Address line 1 (optional)")
    address_line_2 = text("Address line 2 (optional)")
    town = text("Town (optional)", max_length=100)
    phone = text("Phone (optional)", max_length=30)
    email = text("Email (optional)", max_length=254)
    preferred_contact = forms.ChoiceField(
        label="How they prefer to be contacted",
        choices=_blank(PreferredContact.choices),
        required=False,
    )
    preferred_language = text("Preferred language (optional)", max_length=60)
    needs_interpreter = forms.BooleanField(label="Needs an interpreter", required=False)
    household = text("Household (optional)", max_length=300, help_text="Who they live with.")
    accessibility_needs = area("Accessibility needs (optional)")
    health_conditions = area(
        "Health conditions (optional)",
        help_text="Special category data: record only what the person wants recorded.",
    )
    disability = area("Disability (optional)", help_text="Special category data.")
    ethnicity = text("Ethnicity (optional)", max_length=100, help_text="Special category data.")


class PersonEditForm(PersonDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class IntroduceForm(PersonDetailsForm):
    source = forms.ChoiceField(
        label="Who introduced them", choices=_blank(IntroductionSource.choices), required=False
    )
    source_detail = text("Which organisation or person (optional)")
    introduced_on = date_field("Date of introduction")
    reason = area("Why they were introduced")
    coordinator = forms.ChoiceField(
        label="Coordinator",
        required=False,
        help_text="Leave as it is to assign the coordinator whose patch includes the address.",
    )
    confirmed_not_duplicate = forms.BooleanField(
        label="None of these is the same person: create a new record", required=False
    )

    def __init__(self, *args: Any, coordinators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "coordinator", [("", "By patch (automatic)"), *coordinators])


class ReintroduceForm(CaseworkForm):
    source = forms.ChoiceField(
        label="Who introduced them", choices=_blank(IntroductionSource.choices), required=False
    )
    source_detail = text("Which organisation or person (optional)")
    introduced_on = date_field("Date of introduction")
    reason = area("Why they were introduced again")


class ReassignForm(CaseworkForm):
    coordinator = forms.ChoiceField(label="Coordinator", required=False)

    def __init__(self, *args: Any, coordinators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "coordinator", _blank(coordinators))


class ContactForm(CaseworkForm):
    happened_on = date_field("Date")
    kind = forms.ChoiceField(
        label="Type of contact", choices=_blank(ContactKind.choices), required=False
    )
    duration_minutes = forms.CharField(
        label="Duration in minutes",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    notes = area("Notes", help_text="What matters to the person. Avoid naming other people.")


class PlanForm(CaseworkForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    vision = area("Their vision of a good life")
    can_do_myself = area("What can I do for myself?")
    family_community_can_do = area("What can family, friends and community do?")
    services_role = area("What role, if any, for services?")


class GoalForm(CaseworkForm):
    description = text("Goal", max_length=300)
    target_on = date_field("Target date (optional)")


class GoalUpdateForm(CaseworkForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices, required=False)
    progress = forms.CharField(
        label="Progress (0 to 10)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
    )


class StrengthForm(CaseworkForm):
    kind = forms.ChoiceField(label="Kind", choices=_blank(StrengthKind.choices), required=False)
    description = text("Strength or gift", max_length=300)
    offer_to_community = forms.BooleanField(
        label="They agree to offer this to the community (listed as a gift, without their name "
        "on public pages)",
        required=False,
    )


class NetworkForm(CaseworkForm):
    name = text("Name of the person or group")
    kind = forms.ChoiceField(
        label="Who they are", choices=_blank(NetworkKind.choices), required=False
    )
    relationship = text("Relationship (optional)")
    strength = forms.ChoiceField(
        label="How strong or supportive",
        choices=[
            ("5", "5 – very strong"),
            ("4", "4"),
            ("3", "3"),
            ("2", "2"),
            ("1", "1 – weak or stressful"),
        ],
        initial="3",
        required=False,
    )


class ConnectionForm(CaseworkForm):
    target_kind = forms.ChoiceField(
        label="Connect them to", choices=_blank(ConnectionTargetKind.choices), required=False
    )
    asset_id = forms.ChoiceField(label="Directory listing (for an asset)", required=False)
    target_name = text(
        "Name",
        max_length=300,
        help_text="For volunteering, a person or something else. "
        "Use a first name or role for a person.",
    )
    suggested_on = date_field("Date suggested")
    follow_up_on = date_field("Follow up on (optional)", help_text="You will be reminded.")

    def __init__(self, *args: Any, assets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "asset_id", [("", "Not an asset"), *assets])


class ConnectionUpdateForm(CaseworkForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Status", choices=ConnectionStatus.choices, required=False)
    on = date_field("Date")
    reason = text("If it did not stick, why", max_length=300)
    follow_up_on = date_field("Next follow-up (optional)")


class ReviewForm(CaseworkForm):
    reviewed_on = date_field("Date of the review")
    summary = area("Summary")
    next_review_on = date_field("Next review (optional)")


class ServiceUseForm(CaseworkForm):
    service_type = forms.ChoiceField(label="Service", required=False)
    occurred_on = date_field("Date")
    quantity = forms.CharField(
        label="How many",
        required=False,
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    source = forms.ChoiceField(
        label="Where this came from", required=False, choices=_blank(ServiceUseSource.choices)
    )
    note = text("Note (optional)", max_length=300)

    def __init__(self, *args: Any, service_types: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "service_type", _blank(list(service_types.items())))
        self.fields["service_type"].error_messages["invalid_choice"] = (
            "Select a service type from the list"
        )


class AvoidedDemandForm(CaseworkForm):
    service_type = forms.ChoiceField(label="Service avoided or delayed", required=False)
    recorded_on = date_field("Date")
    what = text("What was avoided or delayed", max_length=300)
    why = area("Why it was avoided or delayed")
    evidence = area("Evidence")
    confidence = forms.ChoiceField(
        label="Confidence grade",
        required=False,
        choices=_blank(
            [
                ("1", "1 – the person's own view only"),
                ("2", "2 – the coordinator's judgement"),
                ("3", "3 – agreed by family or a professional"),
                ("4", "4 – the service says it was likely"),
                ("5", "5 – documented by the service"),
                ("6", "6 – confirmed by the service's records"),
            ]
        ),
    )

    def __init__(self, *args: Any, service_types: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "service_type", _blank(list(service_types.items())))
        self.fields["service_type"].error_messages["invalid_choice"] = (
            "Select a service type from the list"
        )


class UnmetNeedForm(CaseworkForm):
    description = text(
        "The need no local group, service or asset meets",
        max_length=300,
        help_text="Describe the need, not the person.",
    )
    theme_id = forms.ChoiceField(
        label="Theme",
        required=False,
        help_text="The directory category the need belongs to. The gap analysis counts it in "
        "the person's ward under this theme, without their details.",
    )

    def __init__(self, *args: Any, themes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "theme_id", _blank(themes))


class CloseForm(CaseworkForm):
    reason = forms.ChoiceField(
        label="Why the journey is closing", choices=_blank(ClosureReason.choices), required=False
    )
    closed_on = date_field("Date of closure")
    note = area("Note (optional)")


class ConsentForm(CaseworkForm):
    lawful_basis = forms.ChoiceField(
        label="Lawful basis", required=False, choices=_blank(LawfulBasis.choices)
    )
    special_category_condition = text("Condition for special category data (optional)")
    given_on = date_field("Date")
    method = forms.ChoiceField(
        label="How it was recorded", required=False, choices=_blank(ConsentMethod.choices)
    )
    information_given = area("What the person was told")
    organisations = forms.MultipleChoiceField(
        label="Organisations that may rely on it",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purposes = forms.MultipleChoiceField(
        label="For what purposes",
        required=False,
        choices=SharingPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "organisations", organisations)


class WithdrawConsentForm(CaseworkForm):
    withdrawn_on = date_field("Date withdrawn")
    note = text("Note (optional)", max_length=300)


class EraseForm(CaseworkForm):
    reason = text("Reason for erasure", max_length=300)


class LegalHoldForm(CaseworkForm):
    hold = forms.BooleanField(label="Keep this record under a legal hold", required=False)
    legal_hold_reason = text("Reason for the hold", max_length=300)


class AssessmentForm(CaseworkForm):
    """Built from an instrument version's questions, so other questionnaires need no code."""

    recorded_on = date_field("Date")
    occasion = forms.ChoiceField(label="When", choices=AssessmentOccasion.choices, required=False)

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question["code"]] = forms.CharField(
                label=question["text"],
                required=False,
                help_text=f"A whole number from {question['min']} to {question['max']}.",
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}
                ),
            )
        self.question_codes = [q["code"] for q in questions]


class ReviewWithWellbeingForm(ReviewForm):
    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question["code"]] = forms.CharField(
                label=question["text"],
                required=False,
                help_text=f"Optional. A whole number from {question['min']} to {question['max']}.",
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}
                ),
            )
        self.question_codes = [q["code"] for q in questions]


class PatchAssignForm(CaseworkForm):
    coordinator = forms.ChoiceField(label="Coordinator", required=False)
    area = forms.ChoiceField(label="Patch", required=False)

    def __init__(
        self,
        *args: Any,
        coordinators: list[tuple[str, str]],
        patches: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "coordinator", _blank(coordinators))
        _set_choices(self, "area", _blank(patches))


class DashboardForm(forms.Form):
    level = forms.ChoiceField(label="Area level", required=False)
    area_code = forms.CharField(label="Area code (optional)", required=False, max_length=64)

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "level", levels)
