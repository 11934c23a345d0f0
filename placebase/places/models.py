"""Boundary sets, areas and their attributes, postcodes, and where located records fall.

Geometry is stored as GeoJSON text (for maps) and WKB (for building the in-process index),
with a bounding box and centroid in plain float columns: no database extension needed.
"""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import models

from placebase.core.models import TimestampedModel


class Level(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    COUNTY = "county", "County or unitary authority"
    DISTRICT = "district", "Local authority district"
    WARD = "ward", "Electoral ward"
    MSOA = "msoa", "Middle layer super output area (MSOA)"
    LSOA = "lsoa", "Lower layer super output area (LSOA)"
    OUTPUT_AREA = "output_area", "Output area"
    PARISH = "parish", "Parish"
    TOWN = "town", "Built-up area (town)"
    ICB = "icb", "NHS integrated care board (ICB)"
    SUB_ICB = "sub_icb", "NHS sub-ICB location"
    PCN = "pcn", "Primary care network"
    PATCH = "patch", "Coordinator's patch"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"


# Areas drawn or uploaded by people; they may overlap, so a point can be in several.
CUSTOM_LEVELS = frozenset({Level.PATCH, Level.NEIGHBOURHOOD})

# Larger to smaller, for "children" and for ordering levels on screen.
LEVEL_ORDER = [
    Level.COUNTRY,
    Level.REGION,
    Level.ICB,
    Level.COUNTY,
    Level.DISTRICT,
    Level.SUB_ICB,
    Level.TOWN,
    Level.PCN,
    Level.WARD,
    Level.PARISH,
    Level.PATCH,
    Level.NEIGHBOURHOOD,
    Level.MSOA,
    Level.LSOA,
    Level.OUTPUT_AREA,
]
LEVEL_RANK: dict[str, int] = {str(level): i for i, level in enumerate(LEVEL_ORDER)}


class BoundarySet(TimestampedModel):
    level = models.CharField(max_length=32, choices=Level.choices)
    vintage = models.PositiveIntegerField(help_text="The year these boundaries took effect.")
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=300, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Active sets are used for locating records and in the picker."
    )
    # Bumped by every service that changes the set's areas, so process caches notice.
    geometry_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["level", "-vintage", "name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "vintage"], name="boundaryset_level_vintage")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.level} {self.vintage})"

    @property
    def column_name(self) -> str:
        """The column `placebase locate` writes for this set, e.g. `lsoa_2011`."""
        return f"{self.level}_{self.vintage}"

    @property
    def is_custom(self) -> bool:
        return self.level in CUSTOM_LEVELS


class Area(TimestampedModel):
    boundary_set = models.ForeignKey(BoundarySet, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=64, help_text="GSS code, or a slug for custom areas.")
    name = models.CharField(max_length=200)
    geometry = models.TextField(help_text="GeoJSON geometry, WGS84.")
    geometry_wkb = models.BinaryField()
    geometry_hash = models.CharField(max_length=64)
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    centroid_lat = models.FloatField()
    centroid_lon = models.FloatField()
    area_m2 = models.FloatField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["boundary_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["boundary_set", "code"], name="area_set_code")
        ]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


class AreaVersion(models.Model):
    """An earlier (or the current) shape of a custom area: custom areas are versioned."""

    id = models.BigAutoField(primary_key=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    geometry = models.TextField()
    population_estimate = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["area", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["area", "version"], name="areaversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class AreaAttribute(models.Model):
    """One number about an area: population by age band, IoD decile, or anything by CSV."""

    id = models.BigAutoField(primary_key=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="attributes")
    key = models.SlugField(max_length=100)
    value = models.FloatField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["area", "key"]
        constraints = [models.UniqueConstraint(fields=["area", "key"], name="areaattribute_key")]

    def __str__(self) -> str:
        return f"{self.key} = {self.value:g}"


class AreaOverlap(models.Model):
    """How much of `area` lies inside `other` (areas of two different boundary sets).

    LSOAs do not nest in wards, and NHS footprints are not coterminous with councils, so
    "parent" is a share, not a single link. `population_share` is LSOA-population weighted
    and is null where LSOA populations do not cover the area.
    """

    id = models.BigAutoField(primary_key=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="overlaps")
    other = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="overlapped_by")
    area_share = models.FloatField()
    population_share = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["area", "-area_share"]
        constraints = [models.UniqueConstraint(fields=["area", "other"], name="areaoverlap_pair")]

    def __str__(self) -> str:
        return f"{self.area_share:.1%} of {self.area_id} in {self.other_id}"


class AreaMembership(models.Model):
    """A located record falls in an area. Written once, when the record's point is set."""

    id = models.BigAutoField(primary_key=True)
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="memberships", db_index=True
    )
    # Denormalised from area, so a rollup to one level reads one index range.
    boundary_set = models.ForeignKey(BoundarySet, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=100)
    record_id = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "record_type", "record_id"], name="areamembership_unique"
            )
        ]
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="places_member_record"),
            models.Index(
                fields=["record_type", "boundary_set", "area"], name="places_member_rollup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} in {self.area_id}"


def combination_key(area_ids: Iterable[object]) -> tuple[str, list[str]]:
    """The stable key of a set of area ids (sha256 of the sorted ids), and the sorted ids."""
    ids = sorted({str(a) for a in area_ids})
    return hashlib.sha256(",".join(ids).encode()).hexdigest(), ids


class AreaCombination(models.Model):
    """One set of areas that some located records are all in, whole (every boundary set).

    Nearby points share the same areas at every level, so a place has few combinations;
    counting points by combination is one GROUP BY for every level at once. Rows are never
    changed or deleted: a record that moves points at another combination.
    """

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=64, unique=True)
    area_ids = models.JSONField(default=list, help_text="Sorted area ids, as strings.")

    def __str__(self) -> str:
        return f"{len(self.area_ids)} areas ({self.key[:12]})"


class LocatedPoint(models.Model):
    """The point a record was located by, kept so new boundary sets can place old records."""

    id = models.BigAutoField(primary_key=True)
    record_type = models.CharField(max_length=100)
    record_id = models.UUIDField()
    lat = models.FloatField()
    lon = models.FloatField()
    outside = models.BooleanField(default=False, help_text="Outside every active area.")
    located_at = models.DateTimeField(auto_now=True)
    # Exactly the areas of the record's AreaMembership rows; null only for rows written
    # outside the places services (rollups then fall back to the membership rows).
    combination = models.ForeignKey(
        AreaCombination,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (record_type, combination) index serves every query
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"], name="locatedpoint_record")
        ]
        indexes = [
            models.Index(fields=["record_type", "outside"], name="places_point_outside"),
            models.Index(fields=["record_type", "combination"], name="places_point_combination"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}"


class Postcode(models.Model):
    """A postcode from an imported ONSPD/NSPL file (checked before the embedded geocoder)."""

    id = models.BigAutoField(primary_key=True)
    postcode = models.CharField(max_length=8, unique=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    introduced = models.CharField(max_length=6, blank=True)
    terminated = models.CharField(max_length=6, blank=True, help_text="YYYYMM, blank if live.")
    district_code = models.CharField(max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    lsoa11_code = models.CharField(max_length=9, blank=True)
    msoa11_code = models.CharField(max_length=9, blank=True)
    lsoa21_code = models.CharField(max_length=9, blank=True)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class ImportKind(models.TextChoices):
    BOUNDARIES = "boundaries", "Boundaries"
    POSTCODES = "postcodes", "Postcodes"
    AREA_DATA = "area_data", "Area data"
    LOCATE = "locate", "Locate existing records"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class ImportJob(TimestampedModel):
    """A background import or locate, with its progress, so the person who started it can
    see how far it has got and, if it failed, why."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    filename = models.CharField(max_length=255, blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
