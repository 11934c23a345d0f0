"""Stable error codes for the places app (never change a published code: add a new one)."""

from placebase.core.errors import ImportRejected, ValidationFailed


class PostcodeMalformed(ValidationFailed):
    code = "places.postcode_malformed"


class PostcodeUnknown(ValidationFailed):
    code = "places.postcode_unknown"


class PostcodeTerminated(ValidationFailed):
    code = "places.postcode_terminated"


class CoordinatesInvalid(ValidationFailed):
    code = "places.coordinates_invalid"


class BoundaryFileRejected(ImportRejected):
    """A boundary file had problems; nothing was written. `details["problems"]` lists them,
    each with its feature index."""

    code = "places.boundary_file_rejected"


class PostcodeFileRejected(ImportRejected):
    code = "places.postcode_file_rejected"


class AreaDataRejected(ImportRejected):
    code = "places.area_data_rejected"


class CustomAreaInvalid(ValidationFailed):
    code = "places.custom_area_invalid"


class BoundarySetMissing(ValidationFailed):
    code = "places.boundary_set_missing"
