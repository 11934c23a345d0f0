"""Writes for assets and the directory.

Every write is a function here: `@transaction.atomic`, keyword-only arguments, errors with
stable codes, one audit entry. Listings are edited as a flat set of fields (`LISTING_FIELDS`)
so that an edit, a moderation diff, a version snapshot and a spreadsheet row are the same
shape. The ORUK importer, the spreadsheet importer and the demo loader live in their own
modules and write through the helpers below.
"""

import datetime as dt
import os
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from placebase.accounts.roles import STAFF_ROLES
from placebase.core.audit import audit_record
from placebase.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PlacebaseError,
    ValidationFailed,
)

from . import geo, search
from . import models as m

if TYPE_CHECKING:  # the importers import this module, so name their reports lazily
    from .oruk_import import OrukImportReport
    from .spreadsheets import RegisterImportReport


class ListingInvalid(ValidationFailed):
    code = "assets.listing_invalid"


class ProposalNotPending(PlacebaseError):
    code = "assets.proposal_not_pending"
    http_status = 409


class ClaimNotPending(PlacebaseError):
    code = "assets.claim_not_pending"
    http_status = 409


class ProjectStageInvalid(ValidationFailed):
    code = "assets.project_stage_invalid"


class ConsentMissing(ValidationFailed):
    code = "assets.gift_consent_missing"


class GiftInvalid(ValidationFailed):
    code = "assets.gift_invalid"


class GiftNotPending(PlacebaseError):
    code = "assets.gift_not_pending"
    http_status = 409


class OfferRefused(PlacebaseError):
    """Too many offers from one place in a short time, or a form a person did not fill in."""

    code = "assets.gift_offer_refused"
    http_status = 429


class DirectoryStaffOnly(PermissionDenied):
    code = "assets.directory_staff_only"


class LocationInvalid(ValidationFailed):
    code = "assets.location_invalid"


class ProjectInvalid(ValidationFailed):
    code = "assets.project_invalid"


def stale_after_days() -> int:
    """How old a listing's last review may be before it is stale (default six months)."""
    configured = getattr(settings, "ASSETS_STALE_AFTER_DAYS", None)
    return int(configured or os.environ.get("PLACEBASE_ASSETS_STALE_DAYS") or 183)


# --- the flat shape of a listing -------------------------------------------------------------

Coercer = Callable[[Any], Any]


def _text(max_length: int, *, required: bool = False) -> Coercer:
    def coerce(value: Any) -> str:
        text = "" if value is None else str(value).strip()
        if required and not text:
            raise ValueError("Enter a value")
        if len(text) > max_length:
            raise ValueError(f"Must be {max_length} characters or fewer")
        return text

    return coerce


def _choice(choices: type[m.models.TextChoices], *, blank: bool = False) -> Coercer:
    def coerce(value: Any) -> str:
        text = "" if value is None else str(value).strip()
        if blank and not text:
            return ""
        lowered = {c.lower(): c for c in choices.values}
        labels = {str(label).lower(): c for c, label in choices.choices}
        found = lowered.get(text.lower()) or labels.get(text.lower())
        if found is None:
            raise ValueError("Choose one of: " + ", ".join(choices.values))
        return found

    return coerce


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "on"}:
        return True
    if text in {"", "0", "false", "no", "n", "off"}:
        return False
    raise ValueError("Enter yes or no")


def _count(value: Any) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(float(str(value).strip()))
    except ValueError as error:
        raise ValueError("Enter a whole number") from error
    if number < 0 or number > 1_000_000:
        raise ValueError("Enter a whole number from 0 to 1,000,000")
    return number


def _date(value: Any) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError as error:
        raise ValueError("Enter a date like 2026-03-31") from error


def _coordinate(low: float, high: float) -> Coercer:
    def coerce(value: Any) -> float | None:
        if value is None or str(value).strip() == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError) as error:
            raise ValueError("Enter a number") from error
        if not low <= number <= high:
            raise ValueError(f"Must be between {low} and {high}")
        return number

    return coerce


def _email(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if text:
        try:
            EmailValidator()(text)
        except ValidationError as error:
            raise ValueError("Enter an email address like name@example.org") from error
    return text


def _url(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError as error:
            raise ValueError("Enter a web address starting https://") from error
    return text


def _postcode(value: Any) -> str:
    text = re.sub(r"\s+", "", "" if value is None else str(value)).upper()
    if not text:
        return ""
    if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", text):
        raise ValueError("Enter a full UK postcode, like SM1 1EA")
    return f"{text[:-3]} {text[-3:]}"


def _string_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[;\n]", str(value))
    return sorted({str(v).strip() for v in items if str(v).strip()})


def _features(value: Any) -> list[str]:
    items = _string_list(value)
    coerce = _choice(m.AccessFeature)
    return sorted({coerce(v) for v in items})


def _area_codes(value: Any) -> list[str]:
    codes = [c.upper() for c in _string_list(value)]
    for code in codes:
        if not re.fullmatch(r"[EWSNK]\d{8}", code):
            raise ValueError(f"{code} is not a GSS area code like E05000555")
    return codes


@dataclass(frozen=True)
class FieldSpec:
    label: str
    coerce: Coercer
    where: str  # "asset", "location", "address" or "special"


LISTING_FIELDS: dict[str, FieldSpec] = {
    "name": FieldSpec("Name", _text(300, required=True), "asset"),
    "kind": FieldSpec("Kind of asset", _choice(m.AssetKind), "asset"),
    "description": FieldSpec("Description", _text(5000), "asset"),
    "status": FieldSpec("Status", _choice(m.AssetStatus), "asset"),
    "url": FieldSpec("Website", _url, "asset"),
    "email": FieldSpec("Email", _email, "asset"),
    "phone": FieldSpec("Phone", _text(40), "special"),
    "fees": FieldSpec("Fees", _text(1000), "asset"),
    "is_free": FieldSpec("Free of charge", _bool, "asset"),
    "minimum_age": FieldSpec("Minimum age", _count, "asset"),
    "maximum_age": FieldSpec("Maximum age", _count, "asset"),
    "alert": FieldSpec("Alert", _text(1000), "asset"),
    "custodian": FieldSpec("Who looks after it", _text(300), "asset"),
    "capacity": FieldSpec("Capacity (people)", _count, "asset"),
    "availability": FieldSpec("Availability", _text(2000), "asset"),
    "usage": FieldSpec("How busy it is", _choice(m.Usage), "asset"),
    "formality": FieldSpec("Formal or informal", _choice(m.Formality, blank=True), "asset"),
    "legal_form": FieldSpec("Legal form", _choice(m.LegalForm, blank=True), "asset"),
    "acv_listed": FieldSpec("Asset of Community Value", _bool, "asset"),
    "acv_listed_on": FieldSpec("ACV listed on", _date, "asset"),
    "acv_expires_on": FieldSpec("ACV listing ends on", _date, "asset"),
    "acv_nominated_by": FieldSpec("ACV nominated by", _text(300), "asset"),
    "location_name": FieldSpec("Place name", _text(300), "location"),
    "address_1": FieldSpec("Address line 1", _text(300), "address"),
    "address_2": FieldSpec("Address line 2", _text(300), "address"),
    "city": FieldSpec("Town or city", _text(100), "address"),
    "postcode": FieldSpec("Postcode", _postcode, "address"),
    "transportation": FieldSpec("How to get there", _text(2000), "location"),
    "latitude": FieldSpec("Latitude", _coordinate(-90, 90), "location"),
    "longitude": FieldSpec("Longitude", _coordinate(-180, 180), "location"),
    "term_ids": FieldSpec("Categories", _string_list, "special"),
    "access_features": FieldSpec("Accessibility", _features, "special"),
    "service_area_codes": FieldSpec("Service area codes", _area_codes, "special"),
}

_DEFAULTS: dict[str, Any] = {
    "kind": m.AssetKind.SERVICE,
    "status": m.AssetStatus.ACTIVE,
    "usage": m.Usage.UNKNOWN,
    "is_free": False,
    "acv_listed": False,
    "term_ids": [],
    "access_features": [],
    "service_area_codes": [],
}


def listing_clean(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Check and convert listing fields; raises ListingInvalid with every field's problem."""
    unknown = sorted(set(values) - set(LISTING_FIELDS))
    errors: dict[str, str] = {key: "This is not a field of a listing" for key in unknown}
    clean: dict[str, Any] = {}
    keys = values.keys() if partial else LISTING_FIELDS.keys()
    for key in keys:
        if key in unknown:
            continue
        spec = LISTING_FIELDS[key]
        raw = values.get(key, _DEFAULTS.get(key))
        try:
            clean[key] = spec.coerce(raw)
        except ValueError as error:
            errors[key] = str(error)
    if "term_ids" in clean and clean["term_ids"]:
        known = {
            str(t)
            for t in m.TaxonomyTerm.objects.filter(
                id__in=[t for t in clean["term_ids"] if _is_uuid(t)]
            ).values_list("id", flat=True)
        }
        missing = [t for t in clean["term_ids"] if t not in known]
        if missing:
            errors["term_ids"] = "Unknown category: " + ", ".join(missing)
    if (clean.get("latitude") is None) != (clean.get("longitude") is None) and (
        "latitude" in clean or "longitude" in clean
    ):
        errors["latitude"] = "Give both latitude and longitude, or neither"
    low, high = clean.get("minimum_age"), clean.get("maximum_age")
    if low is not None and high is not None and low > high:
        errors["maximum_age"] = "Maximum age must not be below the minimum age"
    if errors:
        raise ListingInvalid("The listing has problems.", errors=errors)
    return clean


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _primary_location(asset: m.Asset) -> m.Location | None:
    sal = asset.service_at_locations.select_related("location").order_by("created_at").first()
    return sal.location if sal else None


def asset_snapshot(asset: m.Asset) -> dict[str, Any]:
    """A listing as its flat fields: for versions, diffs and spreadsheet export."""
    out: dict[str, Any] = {}
    for key, spec in LISTING_FIELDS.items():
        if spec.where == "asset":
            value = getattr(asset, key)
            out[key] = value.isoformat() if isinstance(value, dt.date) else value
    location = _primary_location(asset)
    address = location.addresses.order_by("created_at").first() if location else None
    out["location_name"] = location.name if location else ""
    out["transportation"] = location.transportation if location else ""
    out["latitude"] = location.latitude if location else None
    out["longitude"] = location.longitude if location else None
    for key in ("address_1", "address_2", "city"):
        out[key] = getattr(address, key) if address else ""
    out["postcode"] = address.postal_code if address else ""
    phone = asset.phones.order_by("created_at").first()
    out["phone"] = phone.number if phone else ""
    out["term_ids"] = sorted(
        str(t)
        for t in m.Attribute.objects.filter(link_entity="service", link_id=asset.id).values_list(
            "term_id", flat=True
        )
    )
    out["access_features"] = sorted(
        {
            f
            for f in m.Accessibility.objects.filter(
                location__service_at_locations__asset=asset
            ).values_list("feature", flat=True)
            if f
        }
    )
    out["service_area_codes"] = sorted(
        {c for c in asset.service_areas.values_list("area_code", flat=True) if c}
    )
    return out


def _apply_listing(asset: m.Asset, clean: dict[str, Any]) -> None:
    """Write the given flat fields to the asset and its primary location, phone and links."""
    for key, value in clean.items():
        if LISTING_FIELDS[key].where == "asset":
            setattr(
                asset, key, dt.date.fromisoformat(value) if key.endswith("_on") and value else value
            )
    if "kind" in clean:
        asset.tangible = clean["kind"] in m.TANGIBLE_KINDS
    asset.search_name = search.normalise(asset.name)
    asset.save()

    place_keys = {k for k in clean if LISTING_FIELDS[k].where in {"location", "address"}}
    if place_keys or "access_features" in clean:
        location = _primary_location(asset)
        has_place = any(clean.get(k) for k in place_keys) or clean.get("access_features")
        if location is None and not has_place:
            place_keys = set()  # an online-only listing: no location to make
        elif location is None:
            location = m.Location.objects.create(name=clean.get("location_name", ""))
            m.ServiceAtLocation.objects.create(asset=asset, location=location)
        if location is not None:
            _apply_location(location, clean)
        if location is not None and "access_features" in clean:
            existing = {a.feature: a for a in location.accessibility.all()}
            for feature in clean["access_features"]:
                if feature not in existing:
                    m.Accessibility.objects.create(
                        location=location,
                        feature=feature,
                        description=m.AccessFeature(feature).label,
                    )
            location.accessibility.exclude(feature__in=clean["access_features"]).delete()

    if "phone" in clean:
        phone = asset.phones.order_by("created_at").first()
        if clean["phone"] and phone:
            phone.number = clean["phone"]
            phone.save()
        elif clean["phone"]:
            m.Phone.objects.create(asset=asset, number=clean["phone"])
        elif phone:
            phone.delete()
    if "term_ids" in clean:
        wanted = set(clean["term_ids"])
        links = m.Attribute.objects.filter(link_entity="service", link_id=asset.id)
        links.exclude(term_id__in=wanted).delete()
        have = {str(t) for t in links.values_list("term_id", flat=True)}
        m.Attribute.objects.bulk_create(
            [
                m.Attribute(term_id=t, link_entity="service", link_id=asset.id)
                for t in sorted(wanted - have)
            ]
        )
    if "service_area_codes" in clean:
        wanted = set(clean["service_area_codes"])
        asset.service_areas.exclude(area_code__in=wanted).delete()
        have = set(asset.service_areas.values_list("area_code", flat=True))
        for code in sorted(wanted - have):
            m.ServiceArea.objects.create(
                asset=asset, area_code=code, name=code, extent_type="gss", uri=f"{_GSS_URI}{code}"
            )


_GSS_URI = "http://statistics.data.gov.uk/id/statistical-geography/"


def _apply_location(location: m.Location, clean: dict[str, Any]) -> None:
    if "location_name" in clean:
        location.name = clean["location_name"]
    if "transportation" in clean:
        location.transportation = clean["transportation"]
    address_keys = {"address_1", "address_2", "city", "postcode"} & clean.keys()
    if address_keys:
        address = location.addresses.order_by("created_at").first()
        values = {
            "address_1": clean.get("address_1", address.address_1 if address else ""),
            "address_2": clean.get("address_2", address.address_2 if address else ""),
            "city": clean.get("city", address.city if address else ""),
            "postal_code": clean.get("postcode", address.postal_code if address else ""),
        }
        if address is None and any(values.values()):
            m.Address.objects.create(location=location, **values)
        elif address is not None and not any(values.values()):
            address.delete()
        elif address is not None:
            for key, value in values.items():
                setattr(address, key, value)
            address.save()
    if clean.get("latitude") is not None:
        location.latitude, location.longitude = clean["latitude"], clean["longitude"]
    elif "latitude" in clean or "postcode" in clean:
        # No coordinates given: the postcode's own point stands in for the place.
        address = location.addresses.order_by("created_at").first()
        postcode = clean.get("postcode", address.postal_code if address else "")
        if postcode:
            point = geo.postcode_locate(postcode)
            location.latitude, location.longitude = point.lat, point.lon
        else:
            location.latitude, location.longitude = None, None
    location.save()
    location_locate(location=location)


def location_locate(*, location: m.Location) -> None:
    """Assign a location's point to its areas (the places engine) and note its ward."""
    if location.latitude is None or location.longitude is None:
        geo.point_remove(record_type=geo.LOCATION_RECORD_TYPE, record_id=location.id)
        ward_code, ward_name = "", ""
    else:
        areas = geo.point_assign(
            record_type=geo.LOCATION_RECORD_TYPE,
            record_id=location.id,
            lat=location.latitude,
            lon=location.longitude,
        )
        ward = next((a for a in areas if a.is_ward), None)
        ward_code, ward_name = (ward.code, ward.name) if ward else ("", "")
    if (location.ward_code, location.ward_name) != (ward_code, ward_name):
        location.ward_code, location.ward_name = ward_code, ward_name
        location.save(update_fields=["ward_code", "ward_name", "updated_at"])
    # Every listing at this place searches by its point (a derived copy).
    m.ServiceAtLocation.objects.filter(location=location).update(
        search_latitude=location.latitude, search_longitude=location.longitude
    )


def asset_search_refresh(*, asset: m.Asset) -> None:
    """Recompute what search reads for one listing (words, flags). Called by every write."""
    term_names = list(
        m.TaxonomyTerm.objects.filter(
            attributes__link_entity="service", attributes__link_id=asset.id
        ).values_list("name", flat=True)
    )
    provider = asset.provider.name if asset.provider_id and asset.provider else ""
    tokens = search.listing_tokens(
        name=asset.name, description=asset.description, terms=term_names, extra=[provider]
    )
    m.SearchToken.objects.filter(asset=asset).delete()
    m.SearchToken.objects.bulk_create(
        [m.SearchToken(asset=asset, token=t, weight=w) for t, w in tokens.items()]
    )
    m.SearchWord.objects.bulk_create([m.SearchWord(token=t) for t in tokens], ignore_conflicts=True)
    search.VOCABULARY.invalidate()
    features = sorted(
        {
            f
            for f in m.Accessibility.objects.filter(
                location__service_at_locations__asset=asset
            ).values_list("feature", flat=True)
            if f
        }
    )
    point = m.Location.objects.filter(id=OuterRef("location_id"))
    m.ServiceAtLocation.objects.filter(asset_id=asset.pk).update(
        search_latitude=Subquery(point.values("latitude")[:1]),
        search_longitude=Subquery(point.values("longitude")[:1]),
    )
    m.Asset.objects.filter(pk=asset.pk).update(
        search_name=search.normalise(asset.name),
        has_service_area=asset.service_areas.exists(),
        access_features_cache=("," + ",".join(features) + ",") if features else "",
    )


def _version_write(*, asset: m.Asset, actor: Any, summary: str) -> m.AssetVersion:
    return m.AssetVersion.objects.create(
        asset=asset,
        number=asset.version,
        at=timezone.now(),
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        summary=summary[:300],
        snapshot=asset_snapshot(asset),
    )


def _is_directory_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.role in STAFF_ROLES)


# --- listings ---------------------------------------------------------------------------------


@transaction.atomic
def asset_create(
    *,
    actor: Any,
    values: dict[str, Any],
    provider: m.DirectoryOrganisation | None = None,
    organisation: Any = None,
    owner: Any = None,
    asset_id: uuid.UUID | None = None,
    reviewed_at: dt.datetime | None = None,
) -> m.Asset:
    """Create a listing from its flat fields (see LISTING_FIELDS)."""
    clean = listing_clean(values, partial=False)
    asset = m.Asset(
        id=asset_id or uuid.uuid4(),
        provider=provider,
        organisation=organisation,
        owner=owner,
        last_reviewed_at=reviewed_at or timezone.now(),
    )
    _apply_listing(asset, clean)
    asset_search_refresh(asset=asset)
    _version_write(asset=asset, actor=actor, summary="Created")
    audit_record(actor=actor, verb="asset.created", target=asset)
    return asset


@dataclass(frozen=True)
class EditOutcome:
    applied: bool
    asset: m.Asset
    proposal: m.EditProposal | None = None


def _changed_fields(asset: m.Asset, clean: dict[str, Any]) -> dict[str, Any]:
    current = asset_snapshot(asset)
    return {k: v for k, v in clean.items() if current.get(k) != v}


def _asset_locked(asset_id: uuid.UUID) -> m.Asset:
    asset = m.Asset.objects.select_for_update().filter(pk=asset_id).first()
    if asset is None:
        raise NotFound("No such listing.")
    return asset


@transaction.atomic
def asset_edit(
    *, actor: Any, asset_id: uuid.UUID, changes: dict[str, Any], expected_version: int
) -> EditOutcome:
    """Edit a listing. Staff edits apply at once; anyone else's go to the moderation queue.

    `expected_version` is the version the editor saw: if someone changed the listing since,
    this raises Conflict rather than silently overwriting their change.
    """
    asset = _asset_locked(asset_id)
    if asset.version != expected_version:
        raise Conflict(
            "Someone else changed this listing while you were editing it.",
            current_version=asset.version,
        )
    clean = listing_clean(changes, partial=True)
    changed = _changed_fields(asset, clean)
    if not changed:
        return EditOutcome(applied=False, asset=asset)
    if not _is_directory_staff(actor):
        proposal = m.EditProposal.objects.create(
            asset=asset,
            kind=m.ProposalKind.EDIT,
            proposed_by=actor,
            base_version=asset.version,
            changes=changed,
        )
        audit_record(
            actor=actor,
            verb="asset.edit_proposed",
            target=asset,
            payload={"fields": sorted(changed), "proposal": str(proposal.id)},
        )
        return EditOutcome(applied=False, asset=asset, proposal=proposal)
    _asset_change(asset=asset, actor=actor, clean=changed, summary="Edited")
    return EditOutcome(applied=True, asset=asset)


def _asset_change(
    *, asset: m.Asset, actor: Any, clean: dict[str, Any], summary: str, reviewed: bool = True
) -> None:
    asset.version += 1
    if reviewed:
        # An edit by someone responsible is also a review: the listing was looked at.
        asset.last_reviewed_at = timezone.now()
    _apply_listing(asset, clean)
    asset_search_refresh(asset=asset)
    _version_write(asset=asset, actor=actor, summary=summary)
    audit_record(
        actor=actor,
        verb="asset.updated",
        target=asset,
        payload={"fields": sorted(clean), "version": asset.version},
    )


@transaction.atomic
def asset_review_confirm(*, actor: Any, asset_id: uuid.UUID) -> m.Asset:
    """The owner or staff confirm the listing is still right: it is no longer stale."""
    asset = _asset_locked(asset_id)
    asset.last_reviewed_at = timezone.now()
    asset.last_reminded_at = None
    asset.save(update_fields=["last_reviewed_at", "last_reminded_at", "updated_at"])
    audit_record(actor=actor, verb="asset.reviewed", target=asset)
    return asset


@transaction.atomic
def asset_version_restore(
    *, actor: Any, asset_id: uuid.UUID, number: int, expected_version: int
) -> m.Asset:
    asset = _asset_locked(asset_id)
    if asset.version != expected_version:
        raise Conflict("Someone else changed this listing.", current_version=asset.version)
    version = asset.versions.filter(number=number).first()
    if version is None:
        raise NotFound("No such version.")
    clean = listing_clean(version.snapshot, partial=True)
    _asset_change(
        asset=asset,
        actor=actor,
        clean=_changed_fields(asset, clean),
        summary=f"Restored version {number}",
    )
    return asset


# --- a listing's locations (every one, not only the first) -----------------------------------

LOCATION_FIELDS = (
    "location_name",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "transportation",
    "latitude",
    "longitude",
    "access_features",
)


def location_snapshot(location: m.Location) -> dict[str, Any]:
    """A location as the flat fields of its edit form."""
    address = location.addresses.order_by("created_at").first()
    return {
        "location_name": location.name,
        "address_1": address.address_1 if address else "",
        "address_2": address.address_2 if address else "",
        "city": address.city if address else "",
        "postcode": address.postal_code if address else "",
        "transportation": location.transportation,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "access_features": sorted(
            {f for f in location.accessibility.values_list("feature", flat=True) if f}
        ),
    }


def _location_clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(LOCATION_FIELDS)
    if unknown:
        raise LocationInvalid(
            "The location has problems.",
            errors={k: "This is not a field of a location" for k in sorted(unknown)},
        )
    try:
        clean = listing_clean({k: values.get(k) for k in LOCATION_FIELDS}, partial=True)
    except ListingInvalid as error:
        raise LocationInvalid(
            "The location has problems.", errors=error.details.get("errors", {})
        ) from error
    if not (clean["location_name"] or clean["address_1"] or clean["postcode"]) and (
        clean["latitude"] is None
    ):
        raise LocationInvalid(
            "The location has problems.",
            errors={"location_name": "Enter a place name, an address or a postcode"},
        )
    if clean["address_1"] and not clean["city"]:
        raise LocationInvalid(
            "The location has problems.", errors={"city": "Enter the town or city"}
        )
    return clean


def _location_features(location: m.Location, features: list[str]) -> None:
    existing = {a.feature for a in location.accessibility.all()}
    for feature in features:
        if feature not in existing:
            m.Accessibility.objects.create(
                location=location, feature=feature, description=m.AccessFeature(feature).label
            )
    location.accessibility.exclude(feature__in=features).delete()


def _staff_listing(actor: Any, asset_id: uuid.UUID, expected_version: int | None) -> m.Asset:
    """The listing, locked, for a change only directory staff make directly."""
    if not _is_directory_staff(actor):
        raise DirectoryStaffOnly("Only directory staff change a listing's locations.")
    asset = _asset_locked(asset_id)
    if expected_version is not None and asset.version != expected_version:
        raise Conflict(
            "Someone else changed this listing while you were editing it.",
            current_version=asset.version,
        )
    return asset


def _location_changed(*, asset: m.Asset, actor: Any, verb: str, summary: str, where: Any) -> None:
    asset.version += 1
    asset.last_reviewed_at = timezone.now()
    asset.save(update_fields=["version", "last_reviewed_at", "updated_at"])
    asset_search_refresh(asset=asset)
    _version_write(asset=asset, actor=actor, summary=summary)
    audit_record(
        actor=actor,
        verb=verb,
        target=asset,
        payload={"location": str(where), "version": asset.version},
    )


def _asset_location(asset: m.Asset, location_id: uuid.UUID) -> m.Location:
    sal = (
        m.ServiceAtLocation.objects.select_related("location")
        .filter(asset=asset, location_id=location_id)
        .first()
    )
    if sal is None:
        raise NotFound("No such location for this listing.")
    return sal.location


@transaction.atomic
def asset_location_add(
    *,
    actor: Any,
    asset_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> m.Location:
    """Add another place where the listing happens (directory staff only)."""
    asset = _staff_listing(actor, asset_id, expected_version)
    clean = _location_clean(values)
    location = m.Location.objects.create(name=clean["location_name"])
    m.ServiceAtLocation.objects.create(asset=asset, location=location)
    _apply_location(location, clean)
    _location_features(location, clean["access_features"])
    _location_changed(
        asset=asset,
        actor=actor,
        verb="asset.location_added",
        summary=f"Location added: {location.name or clean['postcode'] or 'unnamed'}",
        where=location.id,
    )
    return location


@transaction.atomic
def asset_location_update(
    *,
    actor: Any,
    asset_id: uuid.UUID,
    location_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> m.Location:
    """Change one of the listing's locations (directory staff only)."""
    asset = _staff_listing(actor, asset_id, expected_version)
    location = _asset_location(asset, location_id)
    clean = _location_clean(values)
    if clean == location_snapshot(location):
        return location
    _apply_location(location, clean)
    _location_features(location, clean["access_features"])
    _location_changed(
        asset=asset,
        actor=actor,
        verb="asset.location_updated",
        summary=f"Location changed: {location.name or clean['postcode'] or 'unnamed'}",
        where=location.id,
    )
    return location


@transaction.atomic
def asset_location_remove(
    *,
    actor: Any,
    asset_id: uuid.UUID,
    location_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    """Take a place off the listing (directory staff only). The location itself goes too
    unless another listing uses it."""
    asset = _staff_listing(actor, asset_id, expected_version)
    location = _asset_location(asset, location_id)
    m.ServiceAtLocation.objects.filter(asset=asset, location=location).delete()
    name = location.name or "unnamed"
    if not m.ServiceAtLocation.objects.filter(location=location).exists():
        geo.point_remove(record_type=geo.LOCATION_RECORD_TYPE, record_id=location.id)
        location.delete()
    _location_changed(
        asset=asset,
        actor=actor,
        verb="asset.location_removed",
        summary=f"Location removed: {name}",
        where=location_id,
    )


def proposal_diff(*, proposal: m.EditProposal) -> list[tuple[str, Any, Any]]:
    """(field label, value now, proposed value) for each field the proposal changes."""
    current = asset_snapshot(proposal.asset)
    return [
        (LISTING_FIELDS[k].label if k in LISTING_FIELDS else k, current.get(k), v)
        for k, v in sorted(proposal.changes.items())
    ]


def _pending_proposal(proposal_id: uuid.UUID) -> m.EditProposal:
    proposal = m.EditProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound("No such suggestion.")
    if proposal.status != m.ProposalStatus.PENDING:
        raise ProposalNotPending("This suggestion has already been reviewed.")
    return proposal


@transaction.atomic
def edit_proposal_approve(*, actor: Any, proposal_id: uuid.UUID) -> m.EditProposal:
    """Apply a proposed edit. If the listing changed since, the fields the proposal touches
    must still hold what the proposer saw; otherwise it is a conflict for a person to settle."""
    proposal = _pending_proposal(proposal_id)
    asset = _asset_locked(proposal.asset_id)
    clean = listing_clean(proposal.changes, partial=True)
    if asset.version != proposal.base_version:
        seen = asset.versions.filter(number=proposal.base_version).first()
        now = asset_snapshot(asset)
        moved = [k for k in clean if seen is None or seen.snapshot.get(k) != now.get(k)]
        if moved:
            raise Conflict("The listing has changed since this suggestion was made.", fields=moved)
    changed = _changed_fields(asset, clean)
    if changed:
        _asset_change(asset=asset, actor=actor, clean=changed, summary="Approved suggested edit")
    proposal.status = m.ProposalStatus.APPROVED
    proposal.reviewed_by, proposal.reviewed_at = actor, timezone.now()
    proposal.save()
    audit_record(actor=actor, verb="asset.proposal_approved", target=proposal)
    return proposal


@transaction.atomic
def edit_proposal_reject(*, actor: Any, proposal_id: uuid.UUID, note: str = "") -> m.EditProposal:
    proposal = _pending_proposal(proposal_id)
    proposal.status = m.ProposalStatus.REJECTED
    proposal.reviewed_by, proposal.reviewed_at = actor, timezone.now()
    proposal.review_note = note.strip()[:2000]
    proposal.save()
    audit_record(actor=actor, verb="asset.proposal_rejected", target=proposal)
    return proposal


@transaction.atomic
def listing_problem_report(
    *, asset_id: uuid.UUID, message: str, reply_email: str = "", actor: Any = None
) -> m.EditProposal:
    """A member of the public reports a problem with a listing or suggests an edit."""
    asset = m.Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise NotFound("No such listing.")
    errors = {}
    text = (message or "").strip()
    if not text:
        errors["message"] = "Tell us what is wrong or what should change"
    elif len(text) > 3000:
        errors["message"] = "Must be 3,000 characters or fewer"
    try:
        email = _email(reply_email)
    except ValueError as error:
        errors["reply_email"] = str(error)
    if errors:
        raise ListingInvalid("The report has problems.", errors=errors)
    proposal = m.EditProposal.objects.create(
        asset=asset,
        kind=m.ProposalKind.PROBLEM,
        base_version=asset.version,
        message=text,
        reply_email=email,
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="asset.problem_reported",
        target=asset,
        payload={"proposal": str(proposal.id)},
    )
    return proposal


# --- claiming a listing ------------------------------------------------------------------------


@transaction.atomic
def listing_claim_request(*, actor: Any, asset_id: uuid.UUID, evidence: str) -> m.ListingClaim:
    asset = m.Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise NotFound("No such listing.")
    if actor.organisation_id is None:
        raise ValidationFailed(
            "Only someone who belongs to an organisation can claim a listing.",
            code="assets.claim_needs_organisation",
        )
    if asset.organisation_id == actor.organisation_id:
        raise ValidationFailed(
            "Your organisation already looks after this listing.", code="assets.claim_already_yours"
        )
    claim = m.ListingClaim.objects.create(
        asset=asset,
        organisation_id=actor.organisation_id,
        requested_by=actor,
        evidence=evidence.strip()[:2000],
    )
    audit_record(
        actor=actor, verb="asset.claim_requested", target=asset, payload={"claim": str(claim.id)}
    )
    return claim


@transaction.atomic
def listing_claim_decide(*, actor: Any, claim_id: uuid.UUID, approve: bool) -> m.ListingClaim:
    claim = m.ListingClaim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("No such claim.")
    if claim.status != m.ClaimStatus.PENDING:
        raise ClaimNotPending("This claim has already been decided.")
    claim.status = m.ClaimStatus.APPROVED if approve else m.ClaimStatus.REJECTED
    claim.reviewed_by, claim.reviewed_at = actor, timezone.now()
    claim.save()
    if approve:
        asset = _asset_locked(claim.asset_id)
        asset.organisation_id = claim.organisation_id
        asset.owner = claim.requested_by
        asset.save(update_fields=["organisation", "owner", "updated_at"])
    audit_record(
        actor=actor,
        verb="asset.claim_approved" if approve else "asset.claim_rejected",
        target=claim,
    )
    return claim


# --- staleness ---------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    reminded: int = 0
    stale: int = 0
    without_owner: int = 0
    asset_ids: list[str] = field(default_factory=list)


@transaction.atomic
def assets_stale_remind(
    *, now: dt.datetime | None = None, max_age_days: int | None = None
) -> ReminderRun:
    """Email each stale listing's owner, at most once per staleness period.

    Listings with no owner are left for staff, who see them flagged in the staff views.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=max_age_days or stale_after_days())
    stale = (
        m.Asset.objects.filter(last_reviewed_at__lt=cutoff)
        .exclude(status=m.AssetStatus.DEFUNCT)
        .select_related("owner")
    )
    run = ReminderRun()
    for asset in stale.select_for_update(of=("self",)):
        run.stale += 1
        owner = asset.owner
        if owner is None or not owner.email or not owner.is_active:
            run.without_owner += 1
            continue
        if asset.last_reminded_at and asset.last_reminded_at >= cutoff:
            continue
        send_mail(
            subject=f"Please check your listing: {asset.name}",
            message=(
                f'Your listing "{asset.name}" was last checked on '
                f"{asset.last_reviewed_at:%d %B %Y}. Please sign in and confirm it is still "
                "right, or update it, so people can rely on it."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[owner.email],
        )
        asset.last_reminded_at = now
        asset.save(update_fields=["last_reminded_at"])
        run.reminded += 1
        run.asset_ids.append(str(asset.id))
    audit_record(
        actor=None,
        verb="asset.stale_reminders_sent",
        target_type="assets.asset",
        payload={"reminded": run.reminded, "stale": run.stale},
    )
    return run


# --- directory organisations and taxonomy ------------------------------------------------------


@transaction.atomic
def directory_organisation_create(
    *,
    actor: Any,
    name: str,
    description: str = "",
    website: str = "",
    email: str = "",
    account_organisation: Any = None,
) -> m.DirectoryOrganisation:
    errors = {}
    try:
        clean_name = _text(300, required=True)(name)
    except ValueError as error:
        errors["name"] = str(error)
    try:
        clean_url, clean_email = _url(website), _email(email)
    except ValueError as error:
        errors["website"] = str(error)
    if errors:
        raise ListingInvalid("The organisation has problems.", errors=errors)
    org = m.DirectoryOrganisation.objects.create(
        name=clean_name,
        description=description.strip(),
        website=clean_url,
        email=clean_email,
        account_organisation=account_organisation,
        search_name=search.normalise(clean_name),
    )
    audit_record(actor=actor, verb="directory_organisation.created", target=org)
    return org


@transaction.atomic
def taxonomy_create(
    *, actor: Any, name: str, description: str = "", uri: str = "", version: str = ""
) -> m.Taxonomy:
    taxonomy = m.Taxonomy.objects.create(
        name=name.strip(), description=description.strip(), uri=uri, version=version
    )
    audit_record(actor=actor, verb="taxonomy.created", target=taxonomy)
    return taxonomy


@transaction.atomic
def taxonomy_term_create(
    *,
    actor: Any,
    taxonomy: m.Taxonomy,
    name: str,
    parent: m.TaxonomyTerm | None = None,
    code: str = "",
    description: str = "",
) -> m.TaxonomyTerm:
    if parent is not None and parent.taxonomy_id != taxonomy.id:
        raise ValidationFailed(
            "A term's parent must be in the same taxonomy.", code="assets.term_parent_taxonomy"
        )
    term = m.TaxonomyTerm.objects.create(
        taxonomy=taxonomy,
        parent=parent,
        name=name.strip(),
        code=code,
        description=description.strip(),
    )
    audit_record(actor=actor, verb="taxonomy_term.created", target=term)
    return term


# --- people's gifts, connectors, projects, unmet needs -----------------------------------------


def _gift_fields(
    *, person_name: str, description: str, kind: str, postcode: str, contact: str
) -> dict[str, str]:
    """Check a gift's fields; raises GiftInvalid with every field's problem."""
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for key, coerce, raw in (
        ("person_name", _text(200, required=True), person_name),
        ("description", _text(500, required=True), description),
        ("kind", _choice(m.GiftKind), kind),
        ("postcode", _postcode, postcode),
        ("contact", _text(200), contact),
    ):
        try:
            clean[key] = coerce(raw)
        except ValueError as error:
            errors[key] = str(error)
    if errors:
        raise GiftInvalid("The gift has problems.", errors=errors)
    return clean


def _gift_place(gift: m.Gift) -> None:
    """Assign the person's postcode to its areas and keep only the ward for display."""
    if not gift.postcode:
        return
    point = geo.postcode_locate(gift.postcode)
    areas = geo.point_assign(
        record_type=geo.GIFT_RECORD_TYPE, record_id=gift.id, lat=point.lat, lon=point.lon
    )
    ward = next((a for a in areas if a.is_ward), None)
    if ward:
        gift.ward_code, gift.ward_name = ward.code, ward.name
        gift.save(update_fields=["ward_code", "ward_name"])


@transaction.atomic
def gift_record(
    *,
    actor: Any,
    person_name: str,
    description: str,
    consent_statement: str,
    kind: str = m.GiftKind.SKILL,
    contact: str = "",
    postcode: str = "",
    show_publicly: bool = False,
    term_ids: Iterable[str] = (),
) -> m.Gift:
    """Record what a resident offers, with their consent. Their ward comes from the postcode;
    the postcode itself is never published."""
    if not consent_statement.strip():
        raise ConsentMissing(
            "Record what the person agreed to before saving their gift.",
            errors={"consent_statement": "Record what the person agreed to"},
        )
    clean = _gift_fields(
        person_name=person_name,
        description=description,
        kind=kind,
        postcode=postcode,
        contact=contact,
    )
    wanted_terms = [t for t in term_ids if t]
    terms = list(m.TaxonomyTerm.objects.filter(id__in=[t for t in wanted_terms if _is_uuid(t)]))
    if len(terms) != len(set(wanted_terms)):
        raise GiftInvalid("The gift has problems.", errors={"term_ids": "Unknown theme"})
    gift = m.Gift.objects.create(
        person_name=clean["person_name"],
        contact=clean["contact"],
        postcode=clean["postcode"],
        kind=clean["kind"],
        description=clean["description"],
        consent_given_at=timezone.now(),
        consent_statement=consent_statement.strip()[:2000],
        show_publicly=show_publicly,
        recorded_by=_user_or_none(actor),
        moderation=m.GiftModeration.APPROVED,
    )
    _gift_place(gift)
    if terms:
        gift.terms.set(terms)
    audit_record(actor=actor, verb="gift.recorded", target=gift, personal_data=True)
    return gift


OFFER_CONSENT = (
    "I agree that the council's community connectors may keep my name, how to reach me, "
    "my postcode and what I offer, and contact me about it. If I asked for it to be shown "
    "publicly, only what I offer and my ward are shown (as 'someone in <ward>'), never my "
    "name, contact details or address. I can withdraw at any time."
)
OFFERS_PER_HOUR = 5


def _offer_throttle(*, client_key: str) -> None:
    """At most OFFERS_PER_HOUR offers an hour from one client (a hash of its address, never
    the address itself, is the key)."""
    from django.core.cache import cache

    if not client_key:
        return
    key = "assets:gift_offer:" + client_key
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > OFFERS_PER_HOUR:
        raise OfferRefused("You have offered several things already. Please try again later.")


@transaction.atomic
def gift_offer(
    *,
    person_name: str,
    description: str,
    consent: bool,
    kind: str = m.GiftKind.SKILL,
    contact: str = "",
    postcode: str = "",
    show_publicly: bool = False,
    client_key: str = "",
    trap: str = "",
) -> m.Gift:
    """A resident offers a gift or skill on the public form (no sign-in). It waits for a
    member of staff to approve it before anything of it is shown; even then only what it
    is and the person's ward are public."""
    if trap.strip():
        # A field people never see was filled in: a robot. Refuse without saying why.
        raise OfferRefused("We could not take your offer. Please try again later.")
    errors: dict[str, str] = {}
    if not consent:
        errors["consent"] = "Tick the box to say you agree, so we can keep your offer"
    if not contact.strip():
        errors["contact"] = "Enter an email address or phone number so a connector can reach you"
    try:
        clean = _gift_fields(
            person_name=person_name,
            description=description,
            kind=kind,
            postcode=postcode,
            contact=contact,
        )
    except GiftInvalid as error:
        errors = {**error.details["errors"], **errors}  # type: ignore[dict-item]
    if not postcode.strip():
        errors.setdefault("postcode", "Enter your postcode, so we know which area you are in")
    if errors:
        raise GiftInvalid("Your offer has problems.", errors=errors)
    _offer_throttle(client_key=client_key)
    gift = m.Gift.objects.create(
        person_name=clean["person_name"],
        contact=clean["contact"],
        postcode=clean["postcode"],
        kind=clean["kind"],
        description=clean["description"],
        consent_given_at=timezone.now(),
        consent_statement=OFFER_CONSENT,
        show_publicly=show_publicly,
        offered_online=True,
        moderation=m.GiftModeration.PENDING,
    )
    _gift_place(gift)
    audit_record(actor=None, verb="gift.offered", target=gift, personal_data=True)
    return gift


@transaction.atomic
def gift_moderate(*, actor: Any, gift_id: uuid.UUID, approve: bool) -> m.Gift:
    """Staff approve a resident's offer (it may then be shown, if the person asked) or
    reject it (it is never shown)."""
    gift = m.Gift.objects.select_for_update().filter(pk=gift_id).first()
    if gift is None:
        raise NotFound("No such gift.")
    if gift.moderation != m.GiftModeration.PENDING:
        raise GiftNotPending("This offer has already been reviewed.")
    gift.moderation = m.GiftModeration.APPROVED if approve else m.GiftModeration.REJECTED
    gift.moderated_by = _user_or_none(actor)
    gift.moderated_at = timezone.now()
    gift.save(update_fields=["moderation", "moderated_by", "moderated_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="gift.approved" if approve else "gift.rejected",
        target=gift,
        personal_data=True,
    )
    return gift


@transaction.atomic
def gift_withdraw(*, actor: Any, gift_id: uuid.UUID) -> m.Gift:
    """Consent withdrawn: the gift disappears from every public view at once."""
    gift = m.Gift.objects.select_for_update().filter(pk=gift_id).first()
    if gift is None:
        raise NotFound("No such gift.")
    gift.withdrawn_at = timezone.now()
    gift.show_publicly = False
    gift.save(update_fields=["withdrawn_at", "show_publicly", "updated_at"])
    geo.point_remove(record_type=geo.GIFT_RECORD_TYPE, record_id=gift.id)
    audit_record(actor=actor, verb="gift.withdrawn", target=gift, personal_data=True)
    return gift


def _area_fields(area_code: str, area_name: str, errors: dict[str, str]) -> tuple[str, str]:
    """An optional GSS area code (checked) and its name."""
    code = ""
    try:
        codes = _area_codes(area_code)
        if len(codes) > 1:
            raise ValueError("Give one area code")
        code = codes[0] if codes else ""
    except ValueError as error:
        errors["area_code"] = str(error)
    try:
        name = _text(200)(area_name)
    except ValueError as error:
        errors["area_name"] = str(error)
        name = ""
    return code, name


def _required(key: str, coerce: Coercer, raw: Any, errors: dict[str, str]) -> Any:
    try:
        return coerce(raw)
    except ValueError as error:
        errors[key] = str(error)
        return None


@transaction.atomic
def connector_create(
    *,
    actor: Any,
    display_name: str,
    area_code: str = "",
    area_name: str = "",
    user: Any = None,
    since: dt.date | None = None,
) -> m.Connector:
    errors: dict[str, str] = {}
    name = _required("display_name", _text(200, required=True), display_name, errors)
    code, place = _area_fields(area_code, area_name, errors)
    if since is not None and since > timezone.localdate():
        errors["since"] = "The date must be today or in the past"
    if errors:
        raise ProjectInvalid("The connector has problems.", errors=errors)
    connector = m.Connector.objects.create(
        display_name=name, area_code=code, area_name=place, user=user, since=since
    )
    audit_record(actor=actor, verb="connector.created", target=connector, personal_data=True)
    return connector


@transaction.atomic
def visioning_exercise_record(
    *,
    actor: Any,
    title: str,
    held_on: dt.date,
    area_code: str = "",
    area_name: str = "",
    facilitator: m.Connector | None = None,
    participants: int = 0,
    notes: str = "",
) -> m.VisioningExercise:
    errors: dict[str, str] = {}
    clean_title = _required("title", _text(300, required=True), title, errors)
    code, place = _area_fields(area_code, area_name, errors)
    if held_on is None:
        errors["held_on"] = "Enter the date it was held"
    elif held_on > timezone.localdate():
        errors["held_on"] = "The date must be today or in the past"
    if participants is None or participants < 0:
        errors["participants"] = "Enter the number of people, 0 or more"
    clean_notes = _required("notes", _text(5000), notes, errors)
    if errors:
        raise ProjectInvalid("The visioning exercise has problems.", errors=errors)
    exercise = m.VisioningExercise.objects.create(
        title=clean_title,
        held_on=held_on,
        area_code=code,
        area_name=place,
        facilitator=facilitator,
        participants=participants,
        notes=clean_notes,
    )
    audit_record(actor=actor, verb="visioning_exercise.recorded", target=exercise)
    return exercise


@transaction.atomic
def project_create(
    *,
    actor: Any,
    name: str,
    description: str = "",
    area_code: str = "",
    area_name: str = "",
    connector: m.Connector | None = None,
    visioning_exercise: m.VisioningExercise | None = None,
    asset_ids: Iterable[uuid.UUID] = (),
    people_involved: int = 0,
) -> m.CommunityProject:
    errors: dict[str, str] = {}
    clean_name = _required("name", _text(300, required=True), name, errors)
    clean_description = _required("description", _text(5000), description, errors)
    code, place = _area_fields(area_code, area_name, errors)
    if people_involved is None or people_involved < 0:
        errors["people_involved"] = "Enter the number of people, 0 or more"
    if errors:
        raise ProjectInvalid("The project has problems.", errors=errors)
    project = m.CommunityProject.objects.create(
        name=clean_name,
        description=clean_description,
        area_code=code,
        area_name=place,
        connector=connector,
        visioning_exercise=visioning_exercise,
        people_involved=people_involved,
    )
    m.ProjectStageChange.objects.create(
        project=project, to_stage=project.stage, at=timezone.now(), by=_user_or_none(actor)
    )
    if asset_ids:
        project.assets_used.set(m.Asset.objects.filter(id__in=list(asset_ids)))
    audit_record(actor=actor, verb="project.created", target=project)
    return project


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def project_stage_advance(
    *, actor: Any, project_id: uuid.UUID, to_stage: str, on: dt.date | None = None
) -> m.CommunityProject:
    """Move a project along its lifecycle: one step forward, or to ended from anywhere."""
    project = m.CommunityProject.objects.select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound("No such project.")
    if to_stage not in m.PROJECT_TRANSITIONS.get(project.stage, frozenset()):
        raise ProjectStageInvalid(
            f"A project cannot go from {m.ProjectStage(project.stage).label.lower()} "
            f"to {to_stage.replace('_', ' ')}."
        )
    day = on or timezone.localdate()
    m.ProjectStageChange.objects.create(
        project=project,
        from_stage=project.stage,
        to_stage=to_stage,
        at=timezone.now(),
        by=_user_or_none(actor),
    )
    if project.stage == m.ProjectStage.IDEA:
        project.started_on = project.started_on or day
    project.stage = to_stage
    if to_stage == m.ProjectStage.ENDED:
        project.ended_on = day
    project.save()
    audit_record(
        actor=actor, verb="project.stage_changed", target=project, payload={"to": to_stage}
    )
    return project


@transaction.atomic
def project_grant_record(
    *,
    actor: Any,
    project_id: uuid.UUID,
    funder: str,
    amount: Any,
    price_year: int,
    awarded_on: dt.date,
    purpose: str = "",
) -> m.ProjectGrant:
    project = m.CommunityProject.objects.filter(pk=project_id).first()
    if project is None:
        raise NotFound("No such project.")
    errors: dict[str, str] = {}
    clean_funder = _required("funder", _text(300, required=True), funder, errors)
    clean_purpose = _required("purpose", _text(300), purpose, errors)
    this_year = timezone.localdate().year
    if price_year is None or not 1990 <= price_year <= this_year + 1:
        errors["price_year"] = f"Enter a price year from 1990 to {this_year + 1}"
    if awarded_on is None:
        errors["awarded_on"] = "Enter the date the grant was awarded"
    elif awarded_on > timezone.localdate():
        errors["awarded_on"] = "The date must be today or in the past"
    money = Decimal(0)
    try:
        money = Decimal(str(amount).replace(",", "").lstrip("£").strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        errors["amount"] = "Enter the amount in pounds, like 250.00"
    else:
        if not money.is_finite() or money <= 0:
            errors["amount"] = "A grant must be more than £0"
        elif money >= Decimal("10000000000"):
            errors["amount"] = "Enter an amount under £10,000,000,000"
    if "amount" in errors:
        raise ValidationFailed(errors["amount"], code="assets.grant_amount_invalid", errors=errors)
    if errors:
        raise ProjectInvalid("The grant has problems.", errors=errors)
    grant = m.ProjectGrant.objects.create(
        project=project,
        funder=clean_funder,
        amount=money,
        price_year=price_year,
        awarded_on=awarded_on,
        purpose=clean_purpose,
    )
    audit_record(
        actor=actor,
        verb="project.grant_recorded",
        target=grant,
        payload={"amount": str(money), "price_year": price_year},
    )
    return grant


@transaction.atomic
def unmet_need_record(
    *, actor: Any, area_code: str, term_id: uuid.UUID, note: str = "", area_name: str = ""
) -> m.UnmetNeed:
    errors = {}
    try:
        code = _area_codes(area_code)
        if len(code) != 1:
            raise ValueError("Give one area code")
    except ValueError as error:
        errors["area_code"] = str(error)
    term = m.TaxonomyTerm.objects.filter(pk=term_id).first() if _is_uuid(str(term_id)) else None
    if term is None:
        errors["term_id"] = "Choose a theme"
    if errors or term is None:
        raise ListingInvalid("The need has problems.", errors=errors)
    need = m.UnmetNeed.objects.create(
        area_code=code[0],
        area_name=area_name.strip()[:200],
        term=term,
        note=note.strip()[:2000],
        recorded_by=_user_or_none(actor),
    )
    audit_record(actor=actor, verb="unmet_need.recorded", target=need)
    return need


@transaction.atomic
def unmet_need_close(*, actor: Any, need_id: uuid.UUID) -> m.UnmetNeed:
    need = m.UnmetNeed.objects.select_for_update().filter(pk=need_id).first()
    if need is None:
        raise NotFound("No such need.")
    need.met_at = timezone.now()
    need.save(update_fields=["met_at", "updated_at"])
    audit_record(actor=actor, verb="unmet_need.met", target=need)
    return need


# --- imports and the demo (their own modules; the entry points live here) ---------------------


def oruk_import(
    *, actor: Any, source: str, fetch: Callable[[str], Any] | None = None
) -> "OrukImportReport":
    """Import an ORUK 3.0 feed (an API base URL or a folder of JSON files). All or nothing."""
    from .oruk_import import run_import

    return run_import(actor=actor, source=source, fetch=fetch)


def asset_register_import(
    *, actor: Any, filename: str, content: bytes, valid_rows_only: bool = False
) -> "RegisterImportReport":
    """Import a CSV or XLSX asset register. All or nothing unless `valid_rows_only`."""
    from .spreadsheets import register_import

    return register_import(
        actor=actor, filename=filename, content=content, valid_rows_only=valid_rows_only
    )


def demo_assets_load(*, seed: int) -> dict[str, int]:
    """Load the demo directory (idempotent). Called by the demo app."""
    from .demo import load

    return load(seed=seed)
