"""Open Referral UK 3.0 (HSDS-UK 3.0): turning directory records into ORUK objects.

Pure functions over model instances whose relations the selectors have prefetched. Optional
fields are left out when empty (rather than sent as "" or null) so that every object stays
valid for the formats the schemas declare (uuid, uri, email, date-time). People's gifts are
never serialised here: ORUK carries directory listings only, never personal data.
"""

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import models as m

HSDS_VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0/"
GSS_URI = "http://statistics.data.gov.uk/id/statistical-geography/"


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, datetime):
        value = iso_datetime(value)
    elif isinstance(value, date):
        value = value.isoformat()
    elif isinstance(value, time):
        value = value.strftime("%H:%M:%S")
    elif isinstance(value, Decimal):
        value = float(value)
    out[key] = value


def _row(record: Any) -> Mapping[str, Any]:
    """A record's columns by attribute name (`asset_id`, not `asset`): a model instance's
    own `__dict__`, or a row from `.values()` as it is. Every function below takes either."""
    return record if isinstance(record, Mapping) else vars(record)


ACCESS_FEATURE_LABELS = dict(m.AccessFeature.choices)


def iso_datetime(value: datetime) -> str:
    value = value.astimezone(UTC) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def taxonomy_term_dict(term: m.TaxonomyTerm, taxonomy: m.Taxonomy | None = None) -> dict:
    taxonomy = taxonomy or term.taxonomy
    out: dict[str, Any] = {
        "id": str(term.id),
        "name": term.name,
        "description": term.description or term.name,
    }
    _put(out, "parent_id", str(term.parent_id) if term.parent_id else None)
    _put(out, "taxonomy", taxonomy.name)
    _put(out, "taxonomy_id", str(term.taxonomy_id))
    _put(out, "term_uri", term.term_uri)
    _put(out, "term", term.code or term.name)
    return out


def taxonomy_dict(taxonomy: m.Taxonomy, *, terms: list[m.TaxonomyTerm] | None = None) -> dict:
    out: dict[str, Any] = {
        "id": str(taxonomy.id),
        "name": taxonomy.name,
        "description": taxonomy.description or taxonomy.name,
    }
    _put(out, "uri", taxonomy.uri)
    _put(out, "version", taxonomy.version)
    if terms is not None:
        out["taxonomy_terms"] = [taxonomy_term_dict(t, taxonomy) for t in terms]
    return out


def attribute_dict(
    attribute: m.Attribute | Mapping[str, Any], *, term: dict[str, Any] | None = None
) -> dict:
    """`term` (the term's ORUK object) with a row; a model instance brings its own."""
    row = _row(attribute)
    if term is None and isinstance(attribute, m.Attribute):
        term = taxonomy_term_dict(attribute.term)
    out = {
        "id": str(row["id"]),
        "link_id": str(row["link_id"]),
        "taxonomy_term_id": str(row["term_id"]),
        "link_entity": row["link_entity"],
        "taxonomy_term": term,
    }
    _put(out, "link_type", row["link_type"])
    _put(out, "value", row["value"])
    return out


def organization_dict(
    org: m.DirectoryOrganisation | Mapping[str, Any],
    *,
    full: bool = False,
    services: list[dict] | None = None,
) -> dict:
    """A row will do unless `full` (which needs the organisation's identifiers and contacts)."""
    row = _row(org)
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "name": row["name"],
        "description": row["description"] or row["name"],
    }
    _put(out, "email", row["email"])
    _put(out, "website", row["website"])
    _put(out, "logo", row["logo"])
    _put(out, "uri", row["uri"])
    _put(out, "parent_organization_id", str(row["parent_id"]) if row["parent_id"] else None)
    if full:
        assert isinstance(org, m.DirectoryOrganisation)
        out["organization_identifiers"] = [_identifier_dict(i, org) for i in org.identifiers.all()]
        out["contacts"] = [contact_dict(c) for c in org.contacts.all()]
        out["services"] = services if services is not None else []
    return out


def _identifier_dict(ident: m.OrganisationIdentifier, org: m.DirectoryOrganisation) -> dict:
    out = {
        "id": str(ident.id),
        "organization_id": str(org.id),
        "identifier_type": ident.identifier_type,
        "identifier": ident.identifier,
    }
    _put(out, "identifier_scheme", ident.identifier_scheme)
    return out


def phone_dict(phone: m.Phone | Mapping[str, Any]) -> dict:
    row = _row(phone)
    out = {"id": str(row["id"]), "number": row["number"]}
    _put(out, "contact_id", str(row["contact_id"]) if row["contact_id"] else None)
    _put(out, "description", row["description"])
    return out


def contact_dict(
    contact: m.Contact | Mapping[str, Any], *, phones: list[Any] | None = None
) -> dict:
    """`phones` with a row; a model instance brings its own (prefetched)."""
    row = _row(contact)
    out: dict[str, Any] = {"id": str(row["id"])}
    _put(out, "service_id", str(row["asset_id"]) if row["asset_id"] else None)
    _put(out, "name", row["name"])
    _put(out, "title", row["title"])
    _put(out, "email", row["email"])
    if phones is None and isinstance(contact, m.Contact):
        phones = list(contact.phones.all())
    out["phones"] = [phone_dict(p) for p in phones or []]
    return out


def address_dict(address: m.Address | Mapping[str, Any]) -> dict:
    row = _row(address)
    out = {
        "id": str(row["id"]),
        "location_id": str(row["location_id"]),
        "address_1": row["address_1"],
        "city": row["city"],
        # ORUK requires state_province; in England the county or region stands in for it.
        "state_province": row["state_province"] or row["region"] or row["city"],
        "postal_code": row["postal_code"],
        "country": row["country"],
        "address_type": row["address_type"],
    }
    _put(out, "attention", row["attention"])
    _put(out, "address_2", row["address_2"])
    _put(out, "region", row["region"])
    return out


def accessibility_dict(item: m.Accessibility | Mapping[str, Any]) -> dict:
    row = _row(item)
    feature = row["feature"]
    text = row["description"] or (ACCESS_FEATURE_LABELS.get(feature, feature) if feature else "")
    out: dict[str, Any] = {"id": str(row["id"]), "location_id": str(row["location_id"])}
    _put(out, "description", text)
    _put(out, "accessibility", text)
    _put(out, "details", row["details"])
    _put(out, "url", row["url"])
    return out


def location_dict(
    location: m.Location | Mapping[str, Any],
    *,
    full: bool = True,
    addresses: list[Any] | None = None,
    accessibility: list[Any] | None = None,
    phones: list[Any] | None = None,
) -> dict:
    """With a row, `full` takes the addresses, accessibility and phones given; a model
    instance brings its own (prefetched)."""
    row = _row(location)
    out: dict[str, Any] = {"id": str(row["id"]), "location_type": row["location_type"]}
    _put(out, "name", row["name"])
    _put(out, "description", row["description"])
    latitude = row["latitude"]
    if latitude is not None and math.isfinite(latitude):
        out["latitude"] = latitude
        out["longitude"] = row["longitude"]
    _put(out, "external_identifier", row["external_identifier"])
    _put(out, "external_identifier_type", row["external_identifier_type"])
    if full:
        if isinstance(location, m.Location):
            addresses = list(location.addresses.all())
            accessibility = list(location.accessibility.all())
            phones = list(location.phones.all())
        out["addresses"] = [address_dict(a) for a in addresses or []]
        out["accessibility"] = [accessibility_dict(a) for a in accessibility or []]
        out["phones"] = [phone_dict(p) for p in phones or []]
    return out


def schedule_dict(schedule: m.Schedule | Mapping[str, Any]) -> dict:
    row = _row(schedule)
    out: dict[str, Any] = {"id": str(row["id"])}
    _put(out, "service_id", str(row["asset_id"]) if row["asset_id"] else None)
    _put(
        out,
        "service_at_location_id",
        str(row["service_at_location_id"]) if row["service_at_location_id"] else None,
    )
    for key in (
        "valid_from",
        "valid_to",
        "dtstart",
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "description",
        "opens_at",
        "closes_at",
        "schedule_link",
        "attending_type",
        "notes",
    ):
        _put(out, key, row[key])
    return out


def service_area_dict(area: m.ServiceArea | Mapping[str, Any]) -> dict:
    row = _row(area)
    out: dict[str, Any] = {"id": str(row["id"]), "service_id": str(row["asset_id"])}
    _put(out, "name", row["name"])
    _put(out, "service_area", row["description"] or row["name"])
    _put(out, "extent", row["extent"])
    _put(out, "extent_type", row["extent_type"])
    code = row["area_code"]
    _put(out, "uri", row["uri"] or (GSS_URI + code if code else ""))
    return out


def cost_option_dict(cost: m.CostOption | Mapping[str, Any]) -> dict:
    row = _row(cost)
    out: dict[str, Any] = {"id": str(row["id"]), "service_id": str(row["asset_id"])}
    for key in ("valid_from", "valid_to", "option", "amount", "amount_description"):
        _put(out, key, row[key])
    return out


def language_dict(language: m.Language | Mapping[str, Any]) -> dict:
    row = _row(language)
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "service_id": str(row["asset_id"]),
        "name": row["name"],
    }
    _put(out, "code", row["code"])
    _put(out, "note", row["note"])
    return out


def funding_dict(funding: m.Funding | Mapping[str, Any]) -> dict:
    row = _row(funding)
    return {"id": str(row["id"]), "service_id": str(row["asset_id"]), "source": row["source"]}


# The asset columns a service object needs (for `.values()`).
SERVICE_COLUMNS = (
    "id",
    "name",
    "status",
    "provider_id",
    "description",
    "url",
    "email",
    "fees",
    "accreditations",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "last_reviewed_at",
    "assurer_email",
    "alert",
    "updated_at",
)


def service_core_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A service's own fields, from its row (see SERVICE_COLUMNS)."""
    out: dict[str, Any] = {"id": str(row["id"]), "name": row["name"], "status": row["status"]}
    _put(out, "organization_id", str(row["provider_id"]) if row["provider_id"] else None)
    _put(out, "description", row["description"])
    _put(out, "url", row["url"])
    _put(out, "email", row["email"])
    _put(out, "fees", row["fees"])
    _put(out, "accreditations", row["accreditations"])
    _put(out, "minimum_age", row["minimum_age"])
    _put(out, "maximum_age", row["maximum_age"])
    _put(out, "assured_date", row["assured_date"] or row["last_reviewed_at"].date())
    _put(out, "assurer_email", row["assurer_email"])
    _put(out, "alert", row["alert"])
    out["last_modified"] = iso_datetime(row["updated_at"])
    return out


def service_dict(
    asset: m.Asset,
    *,
    full: bool,
    attributes: list[m.Attribute] | None = None,
    with_organization: bool = True,
) -> dict:
    out = service_core_dict(vars(asset))
    if with_organization and asset.provider is not None:
        out["organization"] = organization_dict(asset.provider)
    if not full:
        return out
    out["schedules"] = [schedule_dict(s) for s in asset.schedules.all()]
    out["service_areas"] = [service_area_dict(a) for a in asset.service_areas.all()]
    out["service_at_locations"] = [
        {
            "id": str(sal.id),
            "service_id": str(asset.id),
            "location_id": str(sal.location_id),
            "location": location_dict(sal.location),
        }
        for sal in asset.service_at_locations.all()
    ]
    out["languages"] = [language_dict(x) for x in asset.languages.all()]
    out["funding"] = [funding_dict(f) for f in asset.funding.all()]
    out["cost_options"] = [cost_option_dict(c) for c in asset.cost_options.all()]
    out["contacts"] = [contact_dict(c) for c in asset.contacts.all()]
    out["phones"] = [phone_dict(p) for p in asset.phones.all()]
    out["attributes"] = [attribute_dict(a) for a in attributes or []]
    return out


def service_at_location_dict(
    sal: m.ServiceAtLocation, *, full: bool, attributes: list[m.Attribute] | None = None
) -> dict:
    out: dict[str, Any] = {
        "id": str(sal.id),
        "service_id": str(sal.asset_id),
        "location_id": str(sal.location_id),
    }
    out["location"] = location_dict(sal.location, full=full)
    out["service"] = service_dict(sal.asset, full=full, attributes=attributes)
    if full:
        out["schedules"] = [schedule_dict(s) for s in sal.schedules.all()]
    return out


def page_dict(*, contents: list[dict], total: int, page: int, per_page: int) -> dict:
    total_pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": len(contents) == 0,
        "contents": contents,
    }
