"""Open Referral UK 3.0 (HSDS-UK 3.0): turning directory records into ORUK objects.

Pure functions over model instances whose relations the selectors have prefetched. Optional
fields are left out when empty (rather than sent as "" or null) so that every object stays
valid for the formats the schemas declare (uuid, uri, email, date-time). People's gifts are
never serialised here: ORUK carries directory listings only, never personal data.
"""

import math
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


def attribute_dict(attribute: m.Attribute) -> dict:
    out = {
        "id": str(attribute.id),
        "link_id": str(attribute.link_id),
        "taxonomy_term_id": str(attribute.term_id),
        "link_entity": attribute.link_entity,
        "taxonomy_term": taxonomy_term_dict(attribute.term),
    }
    _put(out, "link_type", attribute.link_type)
    _put(out, "value", attribute.value)
    return out


def organization_dict(
    org: m.DirectoryOrganisation, *, full: bool = False, services: list[dict] | None = None
) -> dict:
    out: dict[str, Any] = {
        "id": str(org.id),
        "name": org.name,
        "description": org.description or org.name,
    }
    _put(out, "email", org.email)
    _put(out, "website", org.website)
    _put(out, "logo", org.logo)
    _put(out, "uri", org.uri)
    _put(out, "parent_organization_id", str(org.parent_id) if org.parent_id else None)
    if full:
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


def phone_dict(phone: m.Phone) -> dict:
    out = {"id": str(phone.id), "number": phone.number}
    _put(out, "contact_id", str(phone.contact_id) if phone.contact_id else None)
    _put(out, "description", phone.description)
    return out


def contact_dict(contact: m.Contact) -> dict:
    out: dict[str, Any] = {"id": str(contact.id)}
    _put(out, "service_id", str(contact.asset_id) if contact.asset_id else None)
    _put(out, "name", contact.name)
    _put(out, "title", contact.title)
    _put(out, "email", contact.email)
    out["phones"] = [phone_dict(p) for p in contact.phones.all()]
    return out


def address_dict(address: m.Address) -> dict:
    out = {
        "id": str(address.id),
        "location_id": str(address.location_id),
        "address_1": address.address_1,
        "city": address.city,
        # ORUK requires state_province; in England the county or region stands in for it.
        "state_province": address.state_province or address.region or address.city,
        "postal_code": address.postal_code,
        "country": address.country,
        "address_type": address.address_type,
    }
    _put(out, "attention", address.attention)
    _put(out, "address_2", address.address_2)
    _put(out, "region", address.region)
    return out


def accessibility_dict(item: m.Accessibility) -> dict:
    text = item.description or (item.get_feature_display() if item.feature else "")
    out: dict[str, Any] = {"id": str(item.id), "location_id": str(item.location_id)}
    _put(out, "description", text)
    _put(out, "accessibility", text)
    _put(out, "details", item.details)
    _put(out, "url", item.url)
    return out


def location_dict(location: m.Location, *, full: bool = True) -> dict:
    out: dict[str, Any] = {"id": str(location.id), "location_type": location.location_type}
    _put(out, "name", location.name)
    _put(out, "description", location.description)
    if location.latitude is not None and math.isfinite(location.latitude):
        out["latitude"] = location.latitude
        out["longitude"] = location.longitude
    _put(out, "external_identifier", location.external_identifier)
    _put(out, "external_identifier_type", location.external_identifier_type)
    if full:
        out["addresses"] = [address_dict(a) for a in location.addresses.all()]
        out["accessibility"] = [accessibility_dict(a) for a in location.accessibility.all()]
        out["phones"] = [phone_dict(p) for p in location.phones.all()]
    return out


def schedule_dict(schedule: m.Schedule) -> dict:
    out: dict[str, Any] = {"id": str(schedule.id)}
    _put(out, "service_id", str(schedule.asset_id) if schedule.asset_id else None)
    _put(
        out,
        "service_at_location_id",
        str(schedule.service_at_location_id) if schedule.service_at_location_id else None,
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
        _put(out, key, getattr(schedule, key))
    return out


def service_area_dict(area: m.ServiceArea) -> dict:
    out: dict[str, Any] = {"id": str(area.id), "service_id": str(area.asset_id)}
    _put(out, "name", area.name)
    _put(out, "service_area", area.description or area.name)
    _put(out, "extent", area.extent)
    _put(out, "extent_type", area.extent_type)
    _put(out, "uri", area.uri or (GSS_URI + area.area_code if area.area_code else ""))
    return out


def cost_option_dict(cost: m.CostOption) -> dict:
    out: dict[str, Any] = {"id": str(cost.id), "service_id": str(cost.asset_id)}
    for key in ("valid_from", "valid_to", "option", "amount", "amount_description"):
        _put(out, key, getattr(cost, key))
    return out


def language_dict(language: m.Language) -> dict:
    out: dict[str, Any] = {
        "id": str(language.id),
        "service_id": str(language.asset_id),
        "name": language.name,
    }
    _put(out, "code", language.code)
    _put(out, "note", language.note)
    return out


def service_dict(
    asset: m.Asset,
    *,
    full: bool,
    attributes: list[m.Attribute] | None = None,
    with_organization: bool = True,
) -> dict:
    out: dict[str, Any] = {"id": str(asset.id), "name": asset.name, "status": asset.status}
    _put(out, "organization_id", str(asset.provider_id) if asset.provider_id else None)
    _put(out, "description", asset.description)
    _put(out, "url", asset.url)
    _put(out, "email", asset.email)
    _put(out, "fees", asset.fees)
    _put(out, "accreditations", asset.accreditations)
    _put(out, "minimum_age", asset.minimum_age)
    _put(out, "maximum_age", asset.maximum_age)
    _put(out, "assured_date", asset.assured_date or asset.last_reviewed_at.date())
    _put(out, "assurer_email", asset.assurer_email)
    _put(out, "alert", asset.alert)
    out["last_modified"] = iso_datetime(asset.updated_at)
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
    out["funding"] = [
        {"id": str(f.id), "service_id": str(asset.id), "source": f.source}
        for f in asset.funding.all()
    ]
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
