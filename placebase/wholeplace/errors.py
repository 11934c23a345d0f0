"""Stable error codes for the wholeplace app (never change a published code: add a new one)."""

from placebase.core.errors import Conflict, ImportRejected, PermissionDenied, ValidationFailed


class EntryInvalid(ValidationFailed):
    code = "wholeplace.entry_invalid"


class EntryImmutable(ValidationFailed):
    """Ledger entries are never edited or deleted: record a reversing entry instead."""

    code = "wholeplace.entry_immutable"


class AlreadyReversed(Conflict):
    code = "wholeplace.already_reversed"


class SpendFileRejected(ImportRejected):
    """`details["problems"]` lists each bad row as {"line": n, "reasons": [...]}; nothing
    was written."""

    code = "wholeplace.spend_file_rejected"


class LedgerFileRejected(ImportRejected):
    code = "wholeplace.ledger_file_rejected"


class InvolvementFileRejected(ImportRejected):
    code = "wholeplace.involvement_file_rejected"


class AgencyInvalid(ValidationFailed):
    code = "wholeplace.agency_invalid"


class ThemeInvalid(ValidationFailed):
    code = "wholeplace.theme_invalid"


class FootprintInvalid(ValidationFailed):
    code = "wholeplace.footprint_invalid"


class RegisterEntryInvalid(ValidationFailed):
    code = "wholeplace.register_entry_invalid"


class RegisterEntryStale(Conflict):
    """Someone else saved the register entry since it was opened."""

    code = "wholeplace.register_entry_stale"


class PriceYearsDiffer(ValidationFailed):
    code = "wholeplace.price_years_differ"


class BenefitsInvalid(ValidationFailed):
    code = "wholeplace.benefits_invalid"


class MultiAgencyForbidden(PermissionDenied):
    code = "wholeplace.multi_agency_forbidden"
