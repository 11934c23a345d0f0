"""Importing an Open Referral UK 3.0 feed: from an API base URL or a folder of JSON files.

Three steps, so that a bad feed writes nothing: collect (fetch every page or read every file),
check (every record, every problem with where it is), then write everything in one transaction.
Records are matched by id, so importing the same feed twice changes nothing the second time;
a feed whose ids are not UUIDs gets stable UUIDs derived from them. What the model cannot hold
is counted in the report rather than silently dropped.
"""

import datetime as dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models, transaction
from django.utils import timezone

from placebase.core.audit import audit_record
from placebase.core.errors import ImportRejected, ValidationFailed

from . import geo, search
from . import models as m
from .services import _version_write, asset_search_refresh, location_locate

Fetch = Callable[[str], Any]
ID_NAMESPACE = uuid.UUID("5b0c7f0e-7d0e-4c55-9a35-2f6c1b8e3d11")
MAX_PAGES = 10_000
GSS_CODE = re.compile(r"\b([EWSNK]\d{8})\b")


class FeedInvalid(ImportRejected):
    code = "assets.oruk_feed_invalid"


class FeedUnreachable(ImportRejected):
    code = "assets.oruk_feed_unreachable"


@dataclass
class OrukImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def lines(self) -> list[str]:
        out = []
        for label in sorted(set(self.created) | set(self.updated) | set(self.unchanged)):
            out.append(
                f"{label}: {self.created[label]} new, {self.updated[label]} updated, "
                f"{self.unchanged[label]} unchanged"
            )
        for key, count in sorted(self.unmapped.items()):
            out.append(f"not mapped: {key} ({count})")
        out.extend(self.notes)
        return out


# --- collecting --------------------------------------------------------------------------------

ENTITIES = ("taxonomy", "taxonomy_term", "organization", "service", "service_at_location")


def _entity_for_name(name: str) -> str | None:
    stem = re.sub(r"[^a-z_]", "", name.lower().replace("-", "_"))
    for prefix, entity in (
        ("service_at_location", "service_at_location"),
        ("taxonomy_term", "taxonomy_term"),
        ("taxonom", "taxonomy"),
        ("organi", "organization"),
        ("service", "service"),
    ):
        if stem.startswith(prefix):
            return entity
    return None


def _entity_for_shape(obj: dict[str, Any]) -> str | None:
    if "status" in obj or "service_at_locations" in obj:
        return "service"
    if "location" in obj or "location_id" in obj:
        return "service_at_location"
    if "taxonomy_terms" in obj:
        return "taxonomy"
    if "taxonomy_id" in obj or "parent_id" in obj or "term_uri" in obj:
        return "taxonomy_term"
    if "organization_identifiers" in obj or "website" in obj or "services" in obj:
        return "organization"
    return None


Collected = dict[str, dict[str, tuple[str, dict[str, Any]]]]


def _add(collected: Collected, entity: str, where: str, obj: Any, problems: list[str]) -> None:
    if not isinstance(obj, dict):
        problems.append(f"{where}: expected an object, found {type(obj).__name__}")
        return
    key = str(obj.get("id", "")) or f"(no id) {where}"
    old = collected[entity].get(key)
    # A list page holds less than a record's own page: keep the fuller of the two.
    if old is None or len(obj) >= len(old[1]):
        collected[entity][key] = (where, obj if old is None else {**old[1], **obj})


def _items(payload: Any, where: str, problems: list[str]) -> list[tuple[str, Any]]:
    if isinstance(payload, dict) and "contents" in payload:
        contents = payload["contents"]
        if not isinstance(contents, list):
            problems.append(f"{where}: 'contents' must be a list")
            return []
        return [(f"{where} contents[{i}]", item) for i, item in enumerate(contents)]
    if isinstance(payload, list):
        return [(f"{where}[{i}]", item) for i, item in enumerate(payload)]
    return [(where, payload)]


def collect_folder(folder: Path, problems: list[str]) -> Collected:
    collected: Collected = {e: {} for e in ENTITIES}
    files = sorted(folder.rglob("*.json"))
    if not files:
        problems.append(f"{folder.name}: no .json files found")
    for path in files:
        where = str(path.relative_to(folder))
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append(f"{where}: not UTF-8 text")
            continue
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not valid JSON (line {error.lineno}: {error.msg})")
            continue
        by_name = _entity_for_name(path.stem)
        for item_where, item in _items(payload, where, problems):
            entity = by_name or (_entity_for_shape(item) if isinstance(item, dict) else None)
            if entity is None:
                problems.append(f"{item_where}: cannot tell what kind of record this is")
                continue
            _add(collected, entity, item_where, item, problems)
    return collected


def default_fetch(url: str) -> Any:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise FeedUnreachable(f"{url}: only http and https addresses can be imported")
    headers = {"Accept": "application/json", "User-Agent": "Placebase ORUK import"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        raise FeedUnreachable(
            f"{url}: the server answered {error.code}", status=error.code
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FeedUnreachable(f"{url}: could not be reached ({error})") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FeedUnreachable(f"{url}: the answer was not JSON") from error


def _pages(fetch: Fetch, url: str, where: str, problems: list[str]) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    page = 1
    while page <= MAX_PAGES:
        sep = "&" if "?" in url else "?"
        payload = fetch(f"{url}{sep}page={page}&per_page=100")
        if not isinstance(payload, dict) or not isinstance(payload.get("contents"), list):
            problems.append(f"{where} page {page}: not an ORUK page (no 'contents' list)")
            break
        items.extend(_items(payload, f"{where} page {page}", problems))
        total_pages = payload.get("total_pages")
        if (
            payload.get("last_page") is True
            or not payload["contents"]
            or (isinstance(total_pages, int) and page >= total_pages)
        ):
            break
        page += 1
    return items


def collect_api(base: str, fetch: Fetch, problems: list[str], notes: list[str]) -> Collected:
    base = base.rstrip("/")
    collected: Collected = {e: {} for e in ENTITIES}
    for where, item in _pages(fetch, f"{base}/services", "services", problems):
        _add(collected, "service", where, item, problems)
    for key in list(collected["service"]):
        if re.fullmatch(r"[A-Za-z0-9._:-]{1,200}", key):
            _add(
                collected,
                "service",
                f"services/{key}",
                fetch(f"{base}/services/{urllib.parse.quote(key)}"),
                problems,
            )
    # Only /services is required by ORUK; the rest are read when the feed offers them.
    for path, entity in (
        ("organizations", "organization"),
        ("taxonomies", "taxonomy"),
        ("taxonomy_terms", "taxonomy_term"),
    ):
        try:
            for where, item in _pages(fetch, f"{base}/{path}", path, problems):
                _add(collected, entity, where, item, problems)
        except FeedUnreachable as error:
            if error.details.get("status") in {404, 405, 501}:
                notes.append(f"the feed does not offer /{path}")
                continue
            raise
    return collected


# --- checking ----------------------------------------------------------------------------------


class _Checker:
    def __init__(self, report: OrukImportReport) -> None:
        self.problems: list[str] = []
        self.report = report
        self.derived_ids = 0

    def id(
        self,
        obj: dict[str, Any],
        entity: str,
        where: str,
        *,
        key: str = "id",
        required: bool = True,
    ) -> uuid.UUID | None:
        raw = obj.get(key)
        if raw is None or raw == "":
            if required:
                self.problems.append(f"{where}: {entity} has no {key}")
            return None
        if not isinstance(raw, str | int):
            self.problems.append(f"{where}: {key} must be a string")
            return None
        try:
            return uuid.UUID(str(raw))
        except ValueError:
            self.derived_ids += 1
            return uuid.uuid5(ID_NAMESPACE, f"{entity}:{raw}")

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        *,
        required: bool = False,
        max_length: int | None = None,
    ) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                self.problems.append(f"{where}: '{key}' is required")
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problems.append(f"{where}: '{key}' must be text")
            return ""
        value = value.strip()
        if required and not value:
            self.problems.append(f"{where}: '{key}' is empty")
        if max_length and len(value) > max_length:
            self.report.notes.append(f"{where}: '{key}' was cut to {max_length} characters")
            value = value[:max_length]
        return value

    def url(self, obj: dict[str, Any], key: str, where: str, label: str) -> str:
        value = self.text(obj, key, where)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self.report.unmapped[f"{label}.{key} (not a web address)"] += 1
                return ""
        return value[:200]

    def email(self, obj: dict[str, Any], key: str, where: str, label: str) -> str:
        value = self.text(obj, key, where)
        if value:
            try:
                EmailValidator()(value)
            except ValidationError:
                self.report.unmapped[f"{label}.{key} (not an email address)"] += 1
                return ""
        return value[:254]

    def number(
        self, obj: dict[str, Any], key: str, where: str, *, low: float, high: float
    ) -> float | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.problems.append(f"{where}: '{key}' must be a number")
            return None
        if not low <= number <= high:
            self.problems.append(f"{where}: '{key}' must be between {low} and {high}")
            return None
        return number

    def date(self, obj: dict[str, Any], key: str, where: str) -> dt.date | None:
        value = obj.get(key)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            self.problems.append(f"{where}: '{key}' must be a date like 2026-01-31")
            return None

    def time(self, obj: dict[str, Any], key: str, where: str) -> dt.time | None:
        value = obj.get(key)
        if not value:
            return None
        try:
            return dt.time.fromisoformat(str(value).replace("Z", "")[:8])
        except ValueError:
            self.problems.append(f"{where}: '{key}' must be a time like 09:30")
            return None

    def children(self, obj: dict[str, Any], key: str, where: str) -> list[tuple[str, dict]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.append(f"{where}: '{key}' must be a list")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((f"{where}.{key}[{i}]", item))
            else:
                self.problems.append(f"{where}.{key}[{i}]: expected an object")
        return out

    def unmapped(self, obj: dict[str, Any], label: str, known: set[str]) -> None:
        for key, value in obj.items():
            if key not in known and value not in (None, "", [], {}):
                self.report.unmapped[f"{label}.{key}"] += 1


SERVICE_KEYS = {
    "id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees",
    "accreditations",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
    "last_modified",
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "organization",
    "funding",
    "cost_options",
    "contacts",
    "attributes",
    "phones",
}
LOCATION_KEYS = {
    "id",
    "location_type",
    "name",
    "description",
    "latitude",
    "longitude",
    "external_identifier",
    "external_identifier_type",
    "addresses",
    "accessibility",
    "phones",
    "transportation",
    "attributes",
}
STATUSES = {s.value for s in m.AssetStatus}


@dataclass
class Plan:
    taxonomies: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    terms: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    services: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    locations: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    sals: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)


def _check_term(c: _Checker, plan: Plan, obj: dict[str, Any], where: str) -> uuid.UUID | None:
    term_id = c.id(obj, "taxonomy_term", where)
    name = c.text(obj, "name", where, required=True, max_length=200)
    if term_id is None:
        return None
    taxonomy_id = c.id(obj, "taxonomy", where, key="taxonomy_id", required=False)
    taxonomy_name = c.text(obj, "taxonomy", where, max_length=200)
    if taxonomy_id is None:
        taxonomy_id = uuid.uuid5(ID_NAMESPACE, f"taxonomy-name:{taxonomy_name or 'Imported'}")
    plan.taxonomies.setdefault(
        taxonomy_id,
        {
            "name": taxonomy_name or "Imported categories",
            "description": "",
            "uri": "",
            "version": "",
        },
    )
    plan.terms[term_id] = {
        "taxonomy_id": taxonomy_id,
        "parent": c.id(obj, "taxonomy_term", where, key="parent_id", required=False),
        "name": name,
        "description": c.text(obj, "description", where),
        "code": c.text(obj, "term", where, max_length=100) if obj.get("term") != name else "",
        "term_uri": c.url(obj, "term_uri", where, "taxonomy_term"),
    }
    return term_id


def _check_org(c: _Checker, plan: Plan, obj: dict[str, Any], where: str) -> uuid.UUID | None:
    org_id = c.id(obj, "organization", where)
    name = c.text(obj, "name", where, required=True, max_length=300)
    if org_id is None:
        return None
    identifiers = []
    for iw, ident in c.children(obj, "organization_identifiers", where):
        ident_id = c.id(ident, "organization_identifier", iw)
        if ident_id:
            identifiers.append(
                {
                    "id": ident_id,
                    "identifier_scheme": c.text(ident, "identifier_scheme", iw)[:50],
                    "identifier_type": c.text(ident, "identifier_type", iw)[:100],
                    "identifier": c.text(ident, "identifier", iw)[:100],
                }
            )
    c.unmapped(
        obj,
        "organization",
        {
            "id",
            "name",
            "description",
            "email",
            "website",
            "logo",
            "uri",
            "parent_organization_id",
            "organization_identifiers",
            "services",
            "contacts",
            "attributes",
        },
    )
    previous = plan.organisations.get(org_id, {})
    plan.organisations[org_id] = {
        "name": name,
        "description": c.text(obj, "description", where),
        "email": c.email(obj, "email", where, "organization"),
        "website": c.url(obj, "website", where, "organization"),
        "logo": c.url(obj, "logo", where, "organization"),
        "uri": c.url(obj, "uri", where, "organization"),
        "parent": c.id(obj, "organization", where, key="parent_organization_id", required=False),
        "identifiers": identifiers or previous.get("identifiers", []),
    }
    return org_id


def _check_location(c: _Checker, plan: Plan, obj: dict[str, Any], where: str) -> uuid.UUID | None:
    location_id = c.id(obj, "location", where)
    if location_id is None:
        return None
    location_type = c.text(obj, "location_type", where) or "physical"
    if location_type not in {t.value for t in m.LocationType}:
        c.problems.append(f"{where}: location_type must be physical, postal or virtual")
    lat = c.number(obj, "latitude", where, low=-90, high=90)
    lon = c.number(obj, "longitude", where, low=-180, high=180)
    if (lat is None) != (lon is None):
        c.problems.append(f"{where}: give both latitude and longitude, or neither")
    addresses = []
    for aw, addr in c.children(obj, "addresses", where):
        address_id = c.id(addr, "address", aw)
        if address_id:
            addresses.append(
                {
                    "id": address_id,
                    "attention": c.text(addr, "attention", aw, max_length=200),
                    "address_1": c.text(addr, "address_1", aw, max_length=300),
                    "address_2": c.text(addr, "address_2", aw, max_length=300),
                    "city": c.text(addr, "city", aw, max_length=100),
                    "region": c.text(addr, "region", aw, max_length=100),
                    "state_province": c.text(addr, "state_province", aw, max_length=100),
                    "postal_code": c.text(addr, "postal_code", aw, max_length=10).upper(),
                    "country": (c.text(addr, "country", aw) or "GB")[:2].upper(),
                    "address_type": c.text(addr, "address_type", aw)
                    if c.text(addr, "address_type", aw) in {t.value for t in m.LocationType}
                    else "physical",
                }
            )
    accessibility = []
    for xw, item in c.children(obj, "accessibility", where):
        item_id = c.id(item, "accessibility", xw)
        if item_id:
            description = c.text(item, "description", xw) or c.text(item, "accessibility", xw)
            accessibility.append(
                {
                    "id": item_id,
                    "description": description,
                    "details": c.text(item, "details", xw),
                    "url": c.url(item, "url", xw, "accessibility"),
                    "feature": _feature_for(description),
                }
            )
    phones = _check_phones(c, obj, where)
    c.unmapped(obj, "location", LOCATION_KEYS)
    plan.locations[location_id] = {
        "location_type": location_type
        if location_type in {t.value for t in m.LocationType}
        else "physical",
        "name": c.text(obj, "name", where, max_length=300),
        "description": c.text(obj, "description", where),
        "transportation": c.text(obj, "transportation", where),
        "latitude": lat,
        "longitude": lon,
        "external_identifier": c.text(obj, "external_identifier", where, max_length=100),
        "external_identifier_type": c.text(obj, "external_identifier_type", where, max_length=50),
        "addresses": addresses,
        "accessibility": accessibility,
        "phones": phones,
    }
    return location_id


_FEATURE_WORDS = [
    (m.AccessFeature.CHANGING_PLACES, ("changing places",)),
    (m.AccessFeature.HEARING_LOOP, ("hearing loop", "induction loop")),
    (m.AccessFeature.ACCESSIBLE_TOILET, ("accessible toilet", "disabled toilet")),
    (m.AccessFeature.STEP_FREE, ("step-free", "step free", "wheelchair", "level access")),
    (m.AccessFeature.ACCESSIBLE_PARKING, ("parking",)),
    (m.AccessFeature.BSL, ("british sign language", "bsl")),
    (m.AccessFeature.LARGE_PRINT, ("large print",)),
    (m.AccessFeature.QUIET_SPACE, ("quiet space", "quiet room")),
]


def _feature_for(description: str) -> str:
    text = description.lower()
    for feature, phrases in _FEATURE_WORDS:
        if any(p in text for p in phrases):
            return feature
    return ""


def _check_phones(c: _Checker, obj: dict[str, Any], where: str) -> list[dict[str, Any]]:
    phones = []
    for pw, phone in c.children(obj, "phones", where):
        phone_id = c.id(phone, "phone", pw)
        number = c.text(phone, "number", pw, required=True, max_length=40)
        if phone_id:
            phones.append(
                {
                    "id": phone_id,
                    "number": number,
                    "description": c.text(phone, "description", pw, max_length=300),
                }
            )
    return phones


def _check_service(c: _Checker, plan: Plan, obj: dict[str, Any], where: str) -> None:
    service_id = c.id(obj, "service", where)
    name = c.text(obj, "name", where, required=True, max_length=300)
    status = c.text(obj, "status", where) or "active"
    if status not in STATUSES:
        c.problems.append(f"{where}: status must be one of {', '.join(sorted(STATUSES))}")
    if service_id is None:
        return
    org_id = c.id(obj, "organization", where, key="organization_id", required=False)
    if isinstance(obj.get("organization"), dict):
        org_id = _check_org(c, plan, obj["organization"], f"{where}.organization") or org_id
    ages = [c.number(obj, k, where, low=0, high=150) for k in ("minimum_age", "maximum_age")]
    schedules = [_check_schedule(c, s, sw) for sw, s in c.children(obj, "schedules", where)]
    areas = []
    for aw, area in c.children(obj, "service_areas", where):
        area_id = c.id(area, "service_area", aw)
        text = " ".join(str(area.get(k) or "") for k in ("uri", "extent", "name"))
        match = GSS_CODE.search(text)
        if not match:
            c.report.unmapped["service_area not linked to an area (no GSS code)"] += 1
        if area_id:
            areas.append(
                {
                    "id": area_id,
                    "name": c.text(area, "name", aw, max_length=300),
                    "description": c.text(area, "service_area", aw),
                    "extent": c.text(area, "extent", aw),
                    "extent_type": c.text(area, "extent_type", aw, max_length=30),
                    "uri": c.text(area, "uri", aw, max_length=300),
                    "area_code": match.group(1) if match else "",
                }
            )
    sals = []
    for lw, sal in c.children(obj, "service_at_locations", where):
        sal_id = c.id(sal, "service_at_location", lw)
        location_id = None
        if isinstance(sal.get("location"), dict):
            location_id = _check_location(c, plan, sal["location"], f"{lw}.location")
        else:
            location_id = c.id(sal, "location", lw, key="location_id")
        if sal_id and location_id:
            sals.append(sal_id)
            plan.sals[sal_id] = {
                "asset_id": service_id,
                "location_id": location_id,
                "schedules": [
                    _check_schedule(c, s, sw) for sw, s in c.children(sal, "schedules", lw)
                ],
            }
    contacts = []
    for cw, contact in c.children(obj, "contacts", where):
        contact_id = c.id(contact, "contact", cw)
        if contact_id:
            contacts.append(
                {
                    "id": contact_id,
                    "name": c.text(contact, "name", cw, max_length=200),
                    "title": c.text(contact, "title", cw, max_length=200),
                    "email": c.email(contact, "email", cw, "contact"),
                    "phones": _check_phones(c, contact, cw),
                }
            )
    costs = []
    for kw, cost in c.children(obj, "cost_options", where):
        cost_id = c.id(cost, "cost_option", kw)
        amount = cost.get("amount")
        try:
            money = None if amount in (None, "") else Decimal(str(amount)).quantize(Decimal("0.01"))
        except InvalidOperation:
            c.problems.append(f"{kw}: 'amount' must be a number")
            money = None
        if cost_id:
            costs.append(
                {
                    "id": cost_id,
                    "valid_from": c.date(cost, "valid_from", kw),
                    "valid_to": c.date(cost, "valid_to", kw),
                    "option": c.text(cost, "option", kw, max_length=300),
                    "amount": money,
                    "amount_description": c.text(cost, "amount_description", kw, max_length=300),
                }
            )
    languages = []
    for gw, language in c.children(obj, "languages", where):
        language_id = c.id(language, "language", gw)
        language_name = c.text(language, "name", gw, max_length=100) or c.text(
            language, "code", gw, max_length=100
        )
        if language_id and language_name:
            languages.append(
                {
                    "id": language_id,
                    "name": language_name,
                    "code": c.text(language, "code", gw, max_length=10),
                    "note": c.text(language, "note", gw, max_length=300),
                }
            )
        elif language_id:
            c.report.unmapped["language without a name or code"] += 1
    funding = []
    for fw, fund in c.children(obj, "funding", where):
        fund_id = c.id(fund, "funding", fw)
        if fund_id:
            funding.append({"id": fund_id, "source": c.text(fund, "source", fw)})
    attributes = []
    for tw, attribute in c.children(obj, "attributes", where):
        attribute_id = c.id(attribute, "attribute", tw)
        term_id = None
        if isinstance(attribute.get("taxonomy_term"), dict):
            term_id = _check_term(c, plan, attribute["taxonomy_term"], f"{tw}.taxonomy_term")
        if term_id is None:
            term_id = c.id(attribute, "taxonomy_term", tw, key="taxonomy_term_id")
        if attribute_id and term_id:
            attributes.append(
                {
                    "id": attribute_id,
                    "term_id": term_id,
                    "link_type": c.text(attribute, "link_type", tw, max_length=50),
                    "value": c.text(attribute, "value", tw, max_length=300),
                }
            )
    c.unmapped(obj, "service", SERVICE_KEYS)
    plan.services[service_id] = {
        "fields": {
            "name": name,
            "description": c.text(obj, "description", where),
            "url": c.url(obj, "url", where, "service"),
            "email": c.email(obj, "email", where, "service"),
            "status": status if status in STATUSES else "active",
            "fees": c.text(obj, "fees", where),
            "accreditations": c.text(obj, "accreditations", where),
            "minimum_age": int(ages[0]) if ages[0] is not None else None,
            "maximum_age": int(ages[1]) if ages[1] is not None else None,
            "assured_date": c.date(obj, "assured_date", where),
            "assurer_email": c.email(obj, "assurer_email", where, "service"),
            "alert": c.text(obj, "alert", where),
            "provider_id": org_id,
        },
        "schedules": [s for s in schedules if s],
        "service_areas": areas,
        "sals": sals,
        "contacts": contacts,
        "cost_options": costs,
        "languages": languages,
        "funding": funding,
        "attributes": attributes,
        "phones": _check_phones(c, obj, where),
        "where": where,
    }


def _check_schedule(c: _Checker, obj: dict[str, Any], where: str) -> dict[str, Any] | None:
    schedule_id = c.id(obj, "schedule", where)
    freq = c.text(obj, "freq", where).upper()
    if freq and freq not in {"WEEKLY", "MONTHLY"}:
        c.report.unmapped[f"schedule.freq {freq}"] += 1
        freq = ""
    interval = c.number(obj, "interval", where, low=0, high=1000)
    if schedule_id is None:
        return None
    return {
        "id": schedule_id,
        "valid_from": c.date(obj, "valid_from", where),
        "valid_to": c.date(obj, "valid_to", where),
        "dtstart": c.date(obj, "dtstart", where),
        "freq": freq,
        "interval": int(interval) if interval is not None else None,
        "byday": c.text(obj, "byday", where, max_length=40).upper(),
        "bymonthday": c.text(obj, "bymonthday", where, max_length=100),
        "opens_at": c.time(obj, "opens_at", where),
        "closes_at": c.time(obj, "closes_at", where),
        "description": c.text(obj, "description", where),
        "schedule_link": c.url(obj, "schedule_link", where, "schedule"),
        "attending_type": c.text(obj, "attending_type", where, max_length=200),
        "notes": c.text(obj, "notes", where),
    }


def check(collected: Collected, report: OrukImportReport) -> Plan:
    c = _Checker(report)
    plan = Plan()
    for where, obj in collected["taxonomy"].values():
        taxonomy_id = c.id(obj, "taxonomy", where)
        name = c.text(obj, "name", where, required=True, max_length=200)
        if taxonomy_id:
            plan.taxonomies[taxonomy_id] = {
                "name": name,
                "description": c.text(obj, "description", where),
                "uri": c.url(obj, "uri", where, "taxonomy"),
                "version": c.text(obj, "version", where, max_length=50),
            }
        for tw, term in c.children(obj, "taxonomy_terms", where):
            term = {**term, "taxonomy_id": term.get("taxonomy_id") or obj.get("id")}
            _check_term(c, plan, term, tw)
    for where, obj in collected["taxonomy_term"].values():
        _check_term(c, plan, obj, where)
    for where, obj in collected["organization"].values():
        _check_org(c, plan, obj, where)
    for where, obj in collected["service"].values():
        _check_service(c, plan, obj, where)
    for where, obj in collected["service_at_location"].values():
        sal_id = c.id(obj, "service_at_location", where)
        service_id = c.id(obj, "service", where, key="service_id", required=False)
        if isinstance(obj.get("service"), dict):
            service = obj["service"]
            service_id = c.id(service, "service", f"{where}.service")
            if service_id not in plan.services:
                _check_service(c, plan, service, f"{where}.service")
        location_id = None
        if isinstance(obj.get("location"), dict):
            location_id = _check_location(c, plan, obj["location"], f"{where}.location")
        if sal_id and service_id and location_id and sal_id not in plan.sals:
            plan.sals[sal_id] = {
                "asset_id": service_id,
                "location_id": location_id,
                "schedules": [],
            }
            if service_id in plan.services:
                plan.services[service_id]["sals"].append(sal_id)
    for sal_id, sal in plan.sals.items():
        if (
            sal["asset_id"] not in plan.services
            and not m.Asset.objects.filter(pk=sal["asset_id"]).exists()
        ):
            c.problems.append(f"service_at_location {sal_id}: its service is not in the feed")
    for term_id, term in plan.terms.items():
        if (
            term["parent"]
            and term["parent"] not in plan.terms
            and not m.TaxonomyTerm.objects.filter(pk=term["parent"]).exists()
        ):
            report.notes.append(
                f"taxonomy_term {term_id}: parent {term['parent']} not found; "
                "imported as a top-level term"
            )
            term["parent"] = None
    for service in plan.services.values():
        for attribute in service["attributes"]:
            if (
                attribute["term_id"] not in plan.terms
                and not m.TaxonomyTerm.objects.filter(pk=attribute["term_id"]).exists()
            ):
                c.problems.append(
                    f"{service['where']}: attribute refers to taxonomy term "
                    f"{attribute['term_id']}, which is not in the feed"
                )
    if c.derived_ids:
        report.notes.append(
            f"{c.derived_ids} ids were not UUIDs; stable UUIDs were derived from them"
        )
    if c.problems:
        raise FeedInvalid(
            f"The feed has {len(c.problems)} problem(s); nothing was imported.",
            problems=c.problems,
        )
    if not plan.services and not plan.organisations and not plan.terms:
        raise FeedInvalid(
            "The feed holds no services, organisations or taxonomies; nothing was imported.",
            problems=["empty feed"],
        )
    return plan


# --- writing -----------------------------------------------------------------------------------


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (old is None and new is None) or (
            old is not None and new is not None and Decimal(old) == Decimal(new)
        )
    return old == new


def _upsert(
    model: type[models.Model],
    pk: uuid.UUID,
    values: dict[str, Any],
    report: OrukImportReport,
    label: str,
) -> tuple[Any, bool]:
    obj = model.objects.filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        obj = model.objects.create(id=pk, **values)  # type: ignore[attr-defined]
        report.created[label] += 1
        return obj, True
    dirty = [k for k, v in values.items() if not _same(getattr(obj, k), v)]
    if dirty:
        for key in dirty:
            setattr(obj, key, values[key])
        obj.save()
        report.updated[label] += 1
        return obj, True
    report.unchanged[label] += 1
    return obj, False


def _replace_children(
    queryset: models.QuerySet,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    parent: dict[str, Any],
    report: OrukImportReport,
    label: str,
) -> bool:
    changed = False
    keep = []
    for row in rows:
        values = {k: v for k, v in row.items() if k not in {"id", "phones"}}
        _, did = _upsert(model, row["id"], {**values, **parent}, report, label)
        changed |= did
        keep.append(row["id"])
    stale = queryset.exclude(id__in=keep)
    if stale.exists():
        stale.delete()
        changed = True
    return changed


def write(plan: Plan, report: OrukImportReport, actor: Any) -> list[m.Asset]:
    for taxonomy_id, values in plan.taxonomies.items():
        existing = m.Taxonomy.objects.filter(pk=taxonomy_id).first()
        if existing is not None and values["name"] == "Imported categories":
            report.unchanged["taxonomy"] += 1  # a placeholder never overwrites a real one
            continue
        _upsert(m.Taxonomy, taxonomy_id, values, report, "taxonomy")
    for term_id, values in plan.terms.items():
        fields = {k: v for k, v in values.items() if k != "parent"}
        obj = m.TaxonomyTerm.objects.filter(pk=term_id).first()
        if obj is None:
            m.TaxonomyTerm.objects.create(id=term_id, **fields)
            report.created["taxonomy_term"] += 1
        else:
            _upsert(m.TaxonomyTerm, term_id, fields, report, "taxonomy_term")
    for term_id, values in plan.terms.items():
        m.TaxonomyTerm.objects.filter(pk=term_id).exclude(parent_id=values["parent"]).update(
            parent_id=values["parent"]
        )
    for org_id, values in plan.organisations.items():
        fields = {k: v for k, v in values.items() if k not in {"parent", "identifiers"}}
        fields["search_name"] = search.normalise(fields["name"])
        org, _ = _upsert(m.DirectoryOrganisation, org_id, fields, report, "organization")
        _replace_children(
            org.identifiers.all(),
            m.OrganisationIdentifier,
            values["identifiers"],
            {"organisation_id": org_id},
            report,
            "organization_identifier",
        )
    for org_id, values in plan.organisations.items():
        parent = (
            values["parent"]
            if values["parent"] in plan.organisations
            or (
                values["parent"]
                and m.DirectoryOrganisation.objects.filter(pk=values["parent"]).exists()
            )
            else None
        )
        m.DirectoryOrganisation.objects.filter(pk=org_id).exclude(parent_id=parent).update(
            parent_id=parent
        )

    touched_locations: set[uuid.UUID] = set()
    for location_id, values in plan.locations.items():
        fields = {
            k: v for k, v in values.items() if k not in {"addresses", "accessibility", "phones"}
        }
        if fields["latitude"] is None:
            # No point in the feed: keep the one found from the postcode last time.
            del fields["latitude"], fields["longitude"]
        location, changed = _upsert(m.Location, location_id, fields, report, "location")
        changed |= _replace_children(
            location.addresses.all(),
            m.Address,
            values["addresses"],
            {"location_id": location_id},
            report,
            "address",
        )
        changed |= _replace_children(
            location.accessibility.all(),
            m.Accessibility,
            values["accessibility"],
            {"location_id": location_id},
            report,
            "accessibility",
        )
        changed |= _replace_children(
            location.phones.all(),
            m.Phone,
            values["phones"],
            {"location_id": location_id},
            report,
            "phone",
        )
        if changed:
            touched_locations.add(location_id)

    now = timezone.now()
    changed_assets: list[m.Asset] = []
    for asset_id, service in plan.services.items():
        fields = dict(service["fields"])
        if (
            fields["provider_id"]
            and fields["provider_id"] not in plan.organisations
            and not m.DirectoryOrganisation.objects.filter(pk=fields["provider_id"]).exists()
        ):
            report.notes.append(
                f"service {asset_id}: organization {fields['provider_id']} "
                "is not in the feed; imported without one"
            )
            fields["provider_id"] = None
        fields["search_name"] = search.normalise(fields["name"])
        asset = m.Asset.objects.filter(pk=asset_id).first()
        if asset is None:
            reviewed = fields["assured_date"]
            asset = m.Asset.objects.create(
                id=asset_id,
                kind=m.AssetKind.SERVICE,
                **fields,
                last_reviewed_at=timezone.make_aware(dt.datetime.combine(reviewed, dt.time(12)))
                if reviewed
                else now,
            )
            report.created["service"] += 1
            changed = True
        else:
            _, changed = _upsert(m.Asset, asset_id, fields, report, "service")
            asset.refresh_from_db()
        parent = {"asset_id": asset_id}
        changed |= _replace_children(
            asset.schedules.all(), m.Schedule, service["schedules"], parent, report, "schedule"
        )
        changed |= _replace_children(
            asset.service_areas.all(),
            m.ServiceArea,
            service["service_areas"],
            parent,
            report,
            "service_area",
        )
        changed |= _replace_children(
            asset.cost_options.all(),
            m.CostOption,
            service["cost_options"],
            parent,
            report,
            "cost_option",
        )
        changed |= _replace_children(
            asset.languages.all(), m.Language, service["languages"], parent, report, "language"
        )
        changed |= _replace_children(
            asset.funding.all(), m.Funding, service["funding"], parent, report, "funding"
        )
        changed |= _replace_children(
            asset.phones.all(), m.Phone, service["phones"], parent, report, "phone"
        )
        changed |= _replace_children(
            asset.contacts.all(), m.Contact, service["contacts"], parent, report, "contact"
        )
        for contact in service["contacts"]:
            changed |= _replace_children(
                m.Phone.objects.filter(contact_id=contact["id"]),
                m.Phone,
                contact["phones"],
                {"contact_id": contact["id"]},
                report,
                "phone",
            )
        attributes = [
            {**a, "link_entity": "service", "link_id": asset_id} for a in service["attributes"]
        ]
        # A category given here under another id (e.g. by an editor) is the same link.
        m.Attribute.objects.filter(
            link_entity="service",
            link_id=asset_id,
            term_id__in=[a["term_id"] for a in attributes],
        ).exclude(id__in=[a["id"] for a in attributes]).delete()
        changed |= _replace_children(
            m.Attribute.objects.filter(link_entity="service", link_id=asset_id),
            m.Attribute,
            attributes,
            {},
            report,
            "attribute",
        )
        if changed:
            changed_assets.append(asset)

    for sal_id, sal in plan.sals.items():
        # The same service and location may already be linked under another id.
        other = m.ServiceAtLocation.objects.filter(
            asset_id=sal["asset_id"], location_id=sal["location_id"]
        ).exclude(pk=sal_id)
        if other.exists():
            other.delete()
        obj, changed = _upsert(
            m.ServiceAtLocation,
            sal_id,
            {"asset_id": sal["asset_id"], "location_id": sal["location_id"]},
            report,
            "service_at_location",
        )
        changed |= _replace_children(
            obj.schedules.all(),
            m.Schedule,
            sal["schedules"],
            {"service_at_location_id": sal_id},
            report,
            "schedule",
        )
        if changed and all(a.id != sal["asset_id"] for a in changed_assets):
            changed_assets.append(m.Asset.objects.get(pk=sal["asset_id"]))
    for asset_id, service in plan.services.items():
        gone = m.ServiceAtLocation.objects.filter(asset_id=asset_id).exclude(id__in=service["sals"])
        if gone.exists():
            gone.delete()
            if all(a.id != asset_id for a in changed_assets):
                changed_assets.append(m.Asset.objects.get(pk=asset_id))

    for location in m.Location.objects.filter(id__in=touched_locations):
        if location.latitude is None:
            address = location.addresses.exclude(postal_code="").first()
            if address is not None:
                try:
                    point = geo.postcode_locate(address.postal_code)
                except ValidationFailed:
                    report.unmapped["location not located (unknown postcode)"] += 1
                else:
                    location.latitude, location.longitude = point.lat, point.lon
                    location.save(update_fields=["latitude", "longitude", "updated_at"])
        location_locate(location=location)

    for asset in changed_assets:
        asset.refresh_from_db()
        if asset.versions.exists():
            asset.version += 1
            asset.save(update_fields=["version"])
        asset_search_refresh(asset=asset)
        _version_write(asset=asset, actor=actor, summary="Imported from an ORUK feed")
    return changed_assets


def run_import(*, actor: Any, source: str, fetch: Fetch | None = None) -> OrukImportReport:
    report = OrukImportReport()
    problems: list[str] = []
    folder = Path(source)
    if "://" not in source and folder.is_dir():
        collected = collect_folder(folder, problems)
        origin = "folder"
    elif "://" in source:
        collected = collect_api(source, fetch or default_fetch, problems, report.notes)
        origin = "api"
    else:
        raise FeedUnreachable(
            f"{source} is neither a folder nor an http(s) address.",
            problems=[f"{source}: not found"],
        )
    if problems:
        raise FeedInvalid(
            f"The feed has {len(problems)} problem(s); nothing was imported.", problems=problems
        )
    plan = check(collected, report)
    with transaction.atomic():
        changed = write(plan, report, actor)
        audit_record(
            actor=actor,
            verb="assets.oruk_imported",
            target_type="assets.asset",
            payload={"origin": origin, "services": len(plan.services), "changed": len(changed)},
        )
    return report
