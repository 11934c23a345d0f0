"""Stable error codes for volunteering (never change a published code: add a new one)."""

from placebase.core.errors import Conflict, PermissionDenied, ValidationFailed


class VolunteeringInvalid(ValidationFailed):
    code = "volunteering.invalid"


class SignUpRejected(ValidationFailed):
    code = "volunteering.sign_up_rejected"


class GuardianApprovalNeeded(ValidationFailed):
    code = "volunteering.guardian_approval_needed"


class GuardianTokenInvalid(ValidationFailed):
    code = "volunteering.guardian_token_invalid"


class OpportunityClosed(ValidationFailed):
    code = "volunteering.opportunity_closed"


class OpportunityFull(Conflict):
    code = "volunteering.opportunity_full"


class AlreadyPledged(Conflict):
    code = "volunteering.already_pledged"


class PledgeStateInvalid(Conflict):
    code = "volunteering.pledge_state_invalid"


class TooYoungForRole(ValidationFailed):
    code = "volunteering.too_young_for_role"


class SafeguardingCheckMissing(ValidationFailed):
    """The volunteer lacks an in-date check at the level the role needs."""

    code = "volunteering.safeguarding_check_missing"


class HoursInvalid(ValidationFailed):
    code = "volunteering.hours_invalid"


class HoursStateInvalid(Conflict):
    code = "volunteering.hours_state_invalid"


class NotHost(PermissionDenied):
    """Only the host organisation's volunteer coordinators manage its opportunities."""

    code = "volunteering.not_host"


class RatesUnavailable(ValidationFailed):
    code = "volunteering.rates_unavailable"


class EditedElsewhere(Conflict):
    """Someone saved the record after it was read (optimistic locking)."""

    code = "volunteering.edited_elsewhere"


class RateLimited(ValidationFailed):
    """Too many submissions of a public form from one client address."""

    code = "volunteering.rate_limited"
    http_status = 429
