"""Stable error codes for engagement (never change a published code: add a new one)."""

from placebase.core.errors import Conflict, NotFound, ValidationFailed


class ActivityInvalid(ValidationFailed):
    code = "engagement.activity_invalid"


class ParticipantInvalid(ValidationFailed):
    code = "engagement.participant_invalid"


class AlreadyTookPart(Conflict):
    code = "engagement.already_took_part"


class ContributionInvalid(ValidationFailed):
    code = "engagement.contribution_invalid"


class ProjectLinkInvalid(ValidationFailed):
    code = "engagement.project_link_invalid"


class WardInvalid(ValidationFailed):
    code = "engagement.ward_invalid"


class PeriodInvalid(ValidationFailed):
    code = "engagement.period_invalid"


class AreaUnknown(NotFound):
    code = "engagement.area_unknown"
