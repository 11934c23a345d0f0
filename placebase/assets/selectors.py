"""Reads for assets and the directory: the public search, listing pages, ORUK pages, the
moderation queue, staleness and the coordinators' gaps."""

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from placebase.accounts.permissions import Action, can
from placebase.core.errors import NotFound, ValidationFailed

from . import geo, oruk, search
from . import models as m
from .services import stale_after_days

PUBLIC_STATUSES = (m.AssetStatus.ACTIVE, m.AssetStatus.TEMPORARILY_CLOSED)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
STALE_DEMOTION = 0.75
MAX_RADIUS_M = 50_000


# --- taxonomy ----------------------------------------------------------------------------------


def taxonomy_term_tree() -> list[tuple[m.TaxonomyTerm, int]]:
    """Every term with its depth, parents before children: for category pickers."""
    terms = list(m.TaxonomyTerm.objects.select_related("taxonomy").order_by("name"))
    children: dict[uuid.UUID | None, list[m.TaxonomyTerm]] = defaultdict(list)
    for term in terms:
        children[term.parent_id].append(term)
    out: list[tuple[m.TaxonomyTerm, int]] = []

    def walk(parent: uuid.UUID | None, depth: int) -> None:
        for term in children.get(parent, []):
            out.append((term, depth))
            walk(term.id, depth + 1)

    walk(None, 0)
    return out


def taxonomy_term_descendant_ids(*, term_ids: Iterable[str | uuid.UUID]) -> set[uuid.UUID]:
    """The terms and every narrower term under them (categories are hierarchical)."""
    wanted = set()
    for t in term_ids:
        try:
            wanted.add(uuid.UUID(str(t)))
        except ValueError:
            continue
    if not wanted:
        return set()
    children: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for term_id, parent_id in m.TaxonomyTerm.objects.values_list("id", "parent_id"):
        if parent_id:
            children[parent_id].append(term_id)
    out, stack = set(), list(wanted)
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.add(current)
        stack.extend(children.get(current, []))
    return out


# --- the public directory ----------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryQuery:
    postcode: str = ""
    radius_m: float = 1609.0
    lat: float | None = None
    lon: float | None = None
    area_codes: tuple[str, ...] | None = None
    term_ids: tuple[str, ...] = ()
    text: str = ""
    open_day: int | None = None  # 0 = Monday
    open_at: dt.time | None = None
    free_only: bool = False
    access_features: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    page: int = 1
    per_page: int = 20


@dataclass
class Hit:
    asset_id: uuid.UUID
    name: str
    score: float
    distance_m: float | None
    stale: bool
    serves_area: bool
    asset: m.Asset | None = None

    @property
    def distance_text(self) -> str:
        if self.distance_m is None:
            return ""
        miles = self.distance_m / 1609.344
        return "less than 0.1 miles" if miles < 0.1 else f"{miles:.1f} miles"


@dataclass
class DirectoryResults:
    hits: list[Hit]
    total: int
    page: int
    pages: int
    point: tuple[float, float] | None = None
    postcode: str = ""
    ranked_ids: list[uuid.UUID] = field(default_factory=list)


def _public_assets() -> QuerySet[m.Asset]:
    return m.Asset.objects.filter(status__in=PUBLIC_STATUSES)


def directory_filter(
    *,
    query: DirectoryQuery,
    base: QuerySet[m.Asset] | None = None,
    text_tokens: Iterable[str] = (),
    within: list[uuid.UUID] | None = None,
) -> QuerySet[m.Asset]:
    """The listings that pass every filter except distance, as one SQL query. `within`
    (listing ids already chosen by place) keeps each lookup to those listings' own rows."""
    qs = base if base is not None else _public_assets()
    if query.kinds:
        qs = qs.filter(kind__in=query.kinds)
    if query.free_only:
        qs = qs.filter(is_free=True)
    for feature in query.access_features:
        qs = qs.filter(access_features_cache__contains=f",{feature},")
    if query.term_ids:
        terms = taxonomy_term_descendant_ids(term_ids=query.term_ids)
        links = m.Attribute.objects.filter(link_entity="service", term_id__in=terms)
        if within is not None:
            links = links.filter(link_id__in=within)
        qs = qs.filter(id__in=Subquery(links.values("link_id")))
    if query.open_day is not None:
        when = Q(byday__contains=DAY_CODES[query.open_day])
        if query.open_at is not None:
            when &= Q(opens_at__lte=query.open_at, closes_at__gt=query.open_at)
        open_then = m.Schedule.objects.filter(when).filter(asset__isnull=False)
        if within is not None:
            open_then = open_then.filter(asset_id__in=within)
        qs = qs.filter(id__in=Subquery(open_then.values("asset_id")))
    tokens = list(text_tokens)
    if tokens:
        qs = qs.filter(
            id__in=Subquery(m.SearchToken.objects.filter(token__in=tokens).values("asset_id"))
        )
    return qs


def _near(
    query: DirectoryQuery, lat: float, lon: float, area_codes: tuple[str, ...]
) -> tuple[Q, tuple[float, float, float, float]]:
    """The postcode rule: a listing serves you if its service area covers your areas, or it
    has no service area and a location within the radius."""
    box = geo.bounding_box(lat, lon, query.radius_m)
    in_box = m.ServiceAtLocation.objects.filter(
        search_latitude__range=(box[0], box[1]), search_longitude__range=(box[2], box[3])
    ).values("asset_id")
    rule = Q(has_service_area=False, id__in=Subquery(in_box))
    if area_codes:
        rule |= Q(
            id__in=Subquery(
                m.ServiceArea.objects.filter(area_code__in=area_codes).values("asset_id")
            )
        )
    return rule, box


MAX_CANDIDATES = 20_000


def _listing_conditions(
    query: DirectoryQuery, *, prefix: str, ref: str, tokens: list[str]
) -> list[Any]:
    """Every filter but place, as conditions on rows that carry a listing: `prefix` reaches
    the listing's own columns, `ref` names its id. Related tables are asked per listing
    (EXISTS on their indexes) so that the place, which is the narrowest, drives the query."""
    conditions: list[Any] = [Q(**{f"{prefix}status__in": PUBLIC_STATUSES})]
    if query.kinds:
        conditions.append(Q(**{f"{prefix}kind__in": query.kinds}))
    if query.free_only:
        conditions.append(Q(**{f"{prefix}is_free": True}))
    for feature in query.access_features:
        conditions.append(Q(**{f"{prefix}access_features_cache__contains": f",{feature},"}))
    if query.term_ids:
        terms = taxonomy_term_descendant_ids(term_ids=query.term_ids)
        conditions.append(
            Exists(
                m.Attribute.objects.filter(
                    link_entity="service", link_id=OuterRef(ref), term_id__in=terms
                )
            )
        )
    if query.open_day is not None:
        when = Q(byday__contains=DAY_CODES[query.open_day])
        if query.open_at is not None:
            when &= Q(opens_at__lte=query.open_at, closes_at__gt=query.open_at)
        conditions.append(Exists(m.Schedule.objects.filter(when, asset_id=OuterRef(ref))))
    if tokens:
        conditions.append(
            Exists(m.SearchToken.objects.filter(asset_id=OuterRef(ref), token__in=tokens))
        )
    return conditions


Row = tuple[uuid.UUID, str, dt.datetime, bool]


def _distances_in_box(lat: float, lon: float, radius: float) -> dict[uuid.UUID, float]:
    """Each listing's nearest distance, for those with a location in the radius's box."""
    box = geo.bounding_box(lat, lon, radius)
    distances: dict[uuid.UUID, float] = {}
    for asset_id, plat, plon in m.ServiceAtLocation.objects.filter(
        search_latitude__range=(box[0], box[1]),
        search_longitude__range=(box[2], box[3]),
    ).values_list("asset_id", "search_latitude", "search_longitude"):
        d = geo.haversine_m(lat, lon, plat, plon)  # type: ignore[arg-type]  # in the box
        if d < distances.get(asset_id, math.inf):
            distances[asset_id] = d
    return distances


def _rows_near(
    query: DirectoryQuery,
    lat: float,
    lon: float,
    radius: float,
    area_codes: tuple[str, ...],
    tokens: list[str],
) -> tuple[list[Row], dict[uuid.UUID, float]] | None:
    """The postcode rule with every other filter, place first: listings with no service
    area and a location within the radius (one query on the indexed coordinates, exact
    distance here), and listings whose service area covers one of the postcode's areas.
    Also each listing's nearest distance (within the box). None if the areas alone would
    bring too many listings to pass on (the caller then filters in SQL first)."""
    box = geo.bounding_box(lat, lon, radius)
    distances: dict[uuid.UUID, float] = {}
    within: set[uuid.UUID] = set()
    # The point, the listing's id, status and area flag all come from indexes; the other
    # filters are asked per listing, so the table is read only for those that pass.
    for asset_id, plat, plon, has_area in m.ServiceAtLocation.objects.filter(
        *_listing_conditions(query, prefix="asset__", ref="asset_id", tokens=tokens),
        search_latitude__range=(box[0], box[1]),
        search_longitude__range=(box[2], box[3]),
    ).values_list("asset_id", "search_latitude", "search_longitude", "asset__has_service_area"):
        d = geo.haversine_m(lat, lon, plat, plon)  # type: ignore[arg-type]  # in the box
        if d < distances.get(asset_id, math.inf):
            distances[asset_id] = d
        if not has_area and d <= radius:
            within.add(asset_id)
    rows: dict[uuid.UUID, Row] = {}
    if within:
        for row in m.Asset.objects.filter(id__in=within).values_list(
            "id", "name", "last_reviewed_at", "has_service_area"
        ):
            rows[row[0]] = row
    if area_codes:
        covered = list(
            m.ServiceArea.objects.filter(area_code__in=area_codes)
            .values_list("asset_id", flat=True)
            .distinct()[: MAX_CANDIDATES + 1]
        )
        if len(covered) > MAX_CANDIDATES:
            return None
        if covered:
            for row in m.Asset.objects.filter(
                *_listing_conditions(query, prefix="", ref="id", tokens=tokens),
                id__in=covered,
                has_service_area=True,
            ).values_list("id", "name", "last_reviewed_at", "has_service_area"):
                rows[row[0]] = row
    return list(rows.values()), distances


def directory_search(*, query: DirectoryQuery) -> DirectoryResults:
    """Search the public directory. Raises the places engine's postcode errors for a bad
    postcode. Nearer and better-matching listings come first; stale ones are demoted."""
    lat, lon, postcode = query.lat, query.lon, ""
    area_codes = query.area_codes
    if query.postcode:
        located = geo.postcode_locate(query.postcode)
        lat, lon, postcode = located.lat, located.lon, located.postcode
    if lat is not None and lon is not None and area_codes is None:
        area_codes = tuple(a.code for a in geo.areas_at(lat=lat, lon=lon))
    radius = min(max(query.radius_m, 100.0), MAX_RADIUS_M)
    query = DirectoryQuery(**{**query.__dict__, "radius_m": radius})

    query_words = (
        search.match_query(query.text, search.VOCABULARY.ensure_loaded())
        if query.text.strip()
        else []
    )
    tokens = sorted({t for qw in query_words for t in qw.matches})
    if query.text.strip() and not tokens:
        return DirectoryResults(hits=[], total=0, page=1, pages=1, postcode=postcode)
    stale_before = timezone.now() - dt.timedelta(days=stale_after_days())
    point = (lat, lon) if lat is not None and lon is not None else None
    distances: dict[uuid.UUID, float] = {}
    hits_per_asset: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    near = None
    if lat is not None and lon is not None:
        near = _rows_near(query, lat, lon, radius, area_codes or (), tokens)
    if near is not None:
        # Where first: the radius (or the postcode's areas) leaves few listings, and every
        # other filter is asked of just those, on their own rows.
        rows, distances = near
        if tokens and rows:
            for asset_id, token, weight in m.SearchToken.objects.filter(
                asset_id__in=[r[0] for r in rows], token__in=tokens
            ).values_list("asset_id", "token", "weight"):
                hits_per_asset[asset_id][token] = weight
    else:
        # No place given (or a very wide one): the filters narrow first, in one SQL query.
        qs = directory_filter(query=query, text_tokens=tokens)
        if lat is not None and lon is not None:
            rule, _ = _near(query, lat, lon, area_codes or ())
            qs = qs.filter(rule)
            distances = _distances_in_box(lat, lon, radius)
        rows = list(qs.values_list("id", "name", "last_reviewed_at", "has_service_area"))
        if tokens and rows:
            ids = Subquery(qs.values("id"))
            for asset_id, token, weight in m.SearchToken.objects.filter(
                token__in=tokens, asset_id__in=ids
            ).values_list("asset_id", "token", "weight"):
                hits_per_asset[asset_id][token] = weight
    box = geo.bounding_box(lat, lon, radius) if lat is not None and lon is not None else None

    hits: list[Hit] = []
    for asset_id, name, reviewed_at, has_area in rows:
        distance = distances.get(asset_id)
        if box is not None and not has_area and (distance is None or distance > radius):
            continue  # inside the box but outside the circle
        closeness = 0.0 if distance is None else max(0.0, 1.0 - distance / radius)
        if query_words:
            relevance = search.score_listing(query_words, hits_per_asset.get(asset_id, {}))
            score = 0.65 * relevance + 0.35 * closeness if box is not None else relevance
        else:
            score = closeness if box is not None else 0.0
        stale = reviewed_at < stale_before
        if stale:
            score *= STALE_DEMOTION
        hits.append(
            Hit(
                asset_id=asset_id,
                name=name,
                score=score,
                distance_m=distance if distance is not None and distance <= radius * 3 else None,
                stale=stale,
                serves_area=has_area,
            )
        )
    hits.sort(
        key=lambda h: (
            -round(h.score, 6),
            h.distance_m if h.distance_m is not None else math.inf,
            h.name.lower(),
        )
    )
    total = len(hits)
    pages = max(1, math.ceil(total / query.per_page))
    page = min(max(1, query.page), pages)
    page_hits = hits[(page - 1) * query.per_page : page * query.per_page]
    assets = {a.id: a for a in result_queryset().filter(id__in=[h.asset_id for h in page_hits])}
    for hit in page_hits:
        hit.asset = assets.get(hit.asset_id)
    return DirectoryResults(
        hits=page_hits,
        total=total,
        page=page,
        pages=pages,
        point=point,
        postcode=postcode,
        ranked_ids=[h.asset_id for h in hits],
    )


def directory_search_naive(*, query: DirectoryQuery) -> list[uuid.UUID]:
    """The plain ORM way (icontains, distance in Python for every location): the benchmark's
    peer, and a cross-check in tests. Not typo-tolerant and not used by the product."""
    qs = _public_assets()
    if query.term_ids:
        terms = taxonomy_term_descendant_ids(term_ids=query.term_ids)
        qs = qs.filter(
            id__in=m.Attribute.objects.filter(link_entity="service", term_id__in=terms).values(
                "link_id"
            )
        )
    if query.text:
        qs = qs.filter(Q(name__icontains=query.text) | Q(description__icontains=query.text))
    out = []
    for asset_id, plat, plon in m.ServiceAtLocation.objects.filter(
        asset__in=qs, location__latitude__isnull=False
    ).values_list("asset_id", "location__latitude", "location__longitude"):
        if (
            query.lat is not None
            and query.lon is not None
            and plat is not None
            and plon is not None
            and geo.haversine_m(query.lat, query.lon, plat, plon) <= query.radius_m
        ):
            out.append(asset_id)
    return out


def result_queryset() -> QuerySet[m.Asset]:
    """What a line of search results shows (and its map point), in two queries."""
    return m.Asset.objects.only(
        "id", "name", "kind", "description", "is_free", "status", "provider_id"
    ).prefetch_related(
        Prefetch(
            "service_at_locations",
            queryset=m.ServiceAtLocation.objects.select_related("location").only(
                "id", "asset_id", "location__id", "location__latitude", "location__longitude"
            ),
        )
    )


def listing_queryset() -> QuerySet[m.Asset]:
    """A listing with everything its page or its ORUK object shows, in a fixed few queries."""
    return m.Asset.objects.select_related("provider").prefetch_related(
        "schedules",
        "service_areas",
        "languages",
        "funding",
        "cost_options",
        "phones",
        Prefetch("contacts", queryset=m.Contact.objects.prefetch_related("phones")),
        Prefetch(
            "service_at_locations",
            queryset=m.ServiceAtLocation.objects.select_related("location")
            .prefetch_related(
                "location__addresses",
                "location__accessibility",
                "location__phones",
                "schedules",
            )
            .order_by("created_at"),
        ),
    )


def attributes_for(
    *, asset_ids: Iterable[uuid.UUID], entity: str = "service"
) -> dict[uuid.UUID, list[m.Attribute]]:
    out: dict[uuid.UUID, list[m.Attribute]] = defaultdict(list)
    for attribute in (
        m.Attribute.objects.filter(link_entity=entity, link_id__in=list(asset_ids))
        .select_related("term__taxonomy")
        .order_by("term__name")
    ):
        out[attribute.link_id].append(attribute)
    return out


def _columns(model: type[Any]) -> list[str]:
    """Every concrete column of a model by attribute name (`asset_id`), for `.values()`,
    but its own timestamps, which no ORUK object carries (they only cost conversions)."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in {"created_at", "updated_at"}
    ]


def _grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[uuid.UUID, list[dict[str, Any]]]:
    out: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def oruk_services_full(
    *, asset_ids: list[uuid.UUID], with_organization: bool = True
) -> dict[uuid.UUID, dict[str, Any]]:
    """Full ORUK service objects for the given listings, from plain rows: one `.values()`
    query per related table for all of them at once, assembled into dicts by service id (no
    model instances: a page of 50 is a fixed 15 queries and little Python)."""
    if not asset_ids:
        return {}
    ids = list(dict.fromkeys(asset_ids))
    assets = list(m.Asset.objects.filter(id__in=ids).values(*oruk.SERVICE_COLUMNS))
    providers: dict[uuid.UUID, dict[str, Any]] = {}
    if with_organization:
        provider_ids = {a["provider_id"] for a in assets if a["provider_id"]}
        if provider_ids:
            providers = {
                row["id"]: oruk.organization_dict(row)
                for row in m.DirectoryOrganisation.objects.filter(id__in=provider_ids).values(
                    "id", "name", "description", "email", "website", "logo", "uri", "parent_id"
                )
            }

    def by_asset(model: type[Any]) -> dict[uuid.UUID, list[dict[str, Any]]]:
        return _grouped(
            model.objects.filter(asset_id__in=ids)
            .order_by("created_at", "id")
            .values(*_columns(model)),
            "asset_id",
        )

    schedules = by_asset(m.Schedule)
    areas = by_asset(m.ServiceArea)
    languages = by_asset(m.Language)
    funding = by_asset(m.Funding)
    costs = by_asset(m.CostOption)
    contacts = by_asset(m.Contact)
    phones = by_asset(m.Phone)
    sals = by_asset(m.ServiceAtLocation)
    location_ids = [s["location_id"] for rows in sals.values() for s in rows]
    contact_ids = [c["id"] for rows in contacts.values() for c in rows]
    locations: dict[uuid.UUID, dict[str, Any]] = {}
    addresses: dict[uuid.UUID, list[dict[str, Any]]] = {}
    access: dict[uuid.UUID, list[dict[str, Any]]] = {}
    location_phones: dict[uuid.UUID, list[dict[str, Any]]] = {}
    contact_phones: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if location_ids:
        locations = {
            row["id"]: row
            for row in m.Location.objects.filter(id__in=location_ids).values(*_columns(m.Location))
        }
        ordered = ("created_at", "id")
        addresses = _grouped(
            m.Address.objects.filter(location_id__in=location_ids)
            .order_by(*ordered)
            .values(*_columns(m.Address)),
            "location_id",
        )
        access = _grouped(
            m.Accessibility.objects.filter(location_id__in=location_ids)
            .order_by(*ordered)
            .values(*_columns(m.Accessibility)),
            "location_id",
        )
        location_phones = _grouped(
            m.Phone.objects.filter(location_id__in=location_ids)
            .order_by(*ordered)
            .values(*_columns(m.Phone)),
            "location_id",
        )
    if contact_ids:
        contact_phones = _grouped(
            m.Phone.objects.filter(contact_id__in=contact_ids)
            .order_by("created_at", "id")
            .values(*_columns(m.Phone)),
            "contact_id",
        )
    attributes: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    attribute_rows = list(
        m.Attribute.objects.filter(link_entity="service", link_id__in=ids)
        .order_by("term__name", "id")
        .values(*_columns(m.Attribute))
    )
    if attribute_rows:
        terms = {
            t.id: oruk.taxonomy_term_dict(t)
            for t in m.TaxonomyTerm.objects.filter(
                id__in={a["term_id"] for a in attribute_rows}
            ).select_related("taxonomy")
        }
        for row in attribute_rows:
            attributes[row["link_id"]].append(oruk.attribute_dict(row, term=terms[row["term_id"]]))

    out: dict[uuid.UUID, dict[str, Any]] = {}
    for row in assets:
        asset_id = row["id"]
        service = oruk.service_core_dict(row)
        if with_organization and row["provider_id"] in providers:
            service["organization"] = providers[row["provider_id"]]
        sid = str(asset_id)
        service["schedules"] = [oruk.schedule_dict(x) for x in schedules.get(asset_id, [])]
        service["service_areas"] = [oruk.service_area_dict(x) for x in areas.get(asset_id, [])]
        service["service_at_locations"] = [
            {
                "id": str(sal["id"]),
                "service_id": sid,
                "location_id": str(sal["location_id"]),
                "location": oruk.location_dict(
                    locations[sal["location_id"]],
                    addresses=addresses.get(sal["location_id"], []),
                    accessibility=access.get(sal["location_id"], []),
                    phones=location_phones.get(sal["location_id"], []),
                ),
            }
            for sal in sals.get(asset_id, [])
        ]
        service["languages"] = [oruk.language_dict(x) for x in languages.get(asset_id, [])]
        service["funding"] = [oruk.funding_dict(x) for x in funding.get(asset_id, [])]
        service["cost_options"] = [oruk.cost_option_dict(x) for x in costs.get(asset_id, [])]
        service["contacts"] = [
            oruk.contact_dict(c, phones=contact_phones.get(c["id"], []))
            for c in contacts.get(asset_id, [])
        ]
        service["phones"] = [oruk.phone_dict(x) for x in phones.get(asset_id, [])]
        service["attributes"] = attributes.get(asset_id, [])
        out[asset_id] = service
    return out


def asset_get_public(*, asset_id: uuid.UUID) -> m.Asset:
    asset = listing_queryset().filter(id=asset_id, status__in=PUBLIC_STATUSES).first()
    if asset is None:
        raise NotFound("No such listing.")
    return asset


def asset_get(*, asset_id: uuid.UUID) -> m.Asset:
    asset = listing_queryset().filter(id=asset_id).first()
    if asset is None:
        raise NotFound("No such listing.")
    return asset


def asset_is_stale(*, asset: m.Asset, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return asset.last_reviewed_at < now - dt.timedelta(days=stale_after_days())


def assets_by_ids(*, asset_ids: Iterable[str]) -> list[m.Asset]:
    """Public listings for a shortlist, in the order given, unknown ids left out."""
    wanted = []
    for raw in asset_ids:
        try:
            wanted.append(uuid.UUID(str(raw)))
        except ValueError:
            continue
    found = {a.id: a for a in listing_queryset().filter(id__in=wanted, status__in=PUBLIC_STATUSES)}
    return [found[i] for i in dict.fromkeys(wanted) if i in found]


# --- staff: moderation, staleness, versions ----------------------------------------------------


def edit_proposal_list_pending() -> QuerySet[m.EditProposal]:
    return m.EditProposal.objects.filter(status=m.ProposalStatus.PENDING).select_related(
        "asset", "proposed_by"
    )


def edit_proposal_get(*, proposal_id: uuid.UUID) -> m.EditProposal:
    proposal = m.EditProposal.objects.select_related("asset").filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound("No such suggestion.")
    return proposal


def listing_claim_list_pending() -> QuerySet[m.ListingClaim]:
    return m.ListingClaim.objects.filter(status=m.ClaimStatus.PENDING).select_related(
        "asset", "organisation", "requested_by"
    )


def asset_list_stale(*, now: dt.datetime | None = None) -> QuerySet[m.Asset]:
    cutoff = (now or timezone.now()) - dt.timedelta(days=stale_after_days())
    return (
        m.Asset.objects.filter(last_reviewed_at__lt=cutoff)
        .exclude(status=m.AssetStatus.DEFUNCT)
        .order_by("last_reviewed_at")
    )


def asset_list_for_user(*, user: Any) -> QuerySet[m.Asset]:
    """The listings a provider looks after (their organisation's), or all for staff."""
    if user.is_staff_role:
        return m.Asset.objects.all()
    if user.organisation_id is None:
        return m.Asset.objects.none()
    return m.Asset.objects.filter(organisation_id=user.organisation_id)


def asset_versions(*, asset: m.Asset) -> QuerySet[m.AssetVersion]:
    return asset.versions.select_related("changed_by").order_by("-number")


# --- people's gifts (public view) --------------------------------------------------------------


@dataclass(frozen=True)
class PublicGift:
    """All the public may know of a gift: what it is and the ward of the person."""

    kind: str
    description: str
    where: str


def gift_list_public(*, ward_code: str = "") -> list[PublicGift]:
    qs = m.Gift.objects.filter(
        show_publicly=True, withdrawn_at__isnull=True, moderation=m.GiftModeration.APPROVED
    )
    if ward_code:
        qs = qs.filter(ward_code=ward_code)
    return [
        PublicGift(
            kind=g.get_kind_display(),
            description=g.description,
            where=f"Someone in {g.ward_name}" if g.ward_name else "Someone nearby",
        )
        for g in qs.only("kind", "description", "ward_name")
    ]


def gift_list_for_staff(*, user: Any) -> QuerySet[m.Gift]:
    """Every gift with consent standing, for connectors (personal data: the view checks
    permission, and reading it is audited)."""
    if not can(user, Action.VIEW_PERSONAL_DATA):
        return m.Gift.objects.none()
    return m.Gift.objects.filter(withdrawn_at__isnull=True).exclude(
        moderation=m.GiftModeration.REJECTED
    )


def gift_list_pending(*, user: Any) -> QuerySet[m.Gift]:
    """Residents' own offers waiting for a member of staff, oldest first."""
    return (
        gift_list_for_staff(user=user)
        .filter(moderation=m.GiftModeration.PENDING)
        .order_by("created_at")
    )


def gift_get(*, user: Any, gift_id: uuid.UUID) -> m.Gift:
    gift = gift_list_for_staff(user=user).filter(pk=gift_id).first()
    if gift is None:
        raise NotFound("No such gift.")
    return gift


def connector_list() -> QuerySet[m.Connector]:
    return m.Connector.objects.filter(is_active=True).order_by("display_name")


def connector_get(*, connector_id: str | uuid.UUID) -> m.Connector:
    connector = connector_list().filter(pk=_uuid_or_404(str(connector_id))).first()
    if connector is None:
        raise NotFound("No such connector.")
    return connector


def visioning_exercise_list() -> QuerySet[m.VisioningExercise]:
    return m.VisioningExercise.objects.select_related("facilitator").order_by("-held_on")


def visioning_exercise_get(*, exercise_id: str | uuid.UUID) -> m.VisioningExercise:
    exercise = visioning_exercise_list().filter(pk=_uuid_or_404(str(exercise_id))).first()
    if exercise is None:
        raise NotFound("No such visioning exercise.")
    return exercise


def asset_locations(*, asset: m.Asset) -> list[m.Location]:
    """Every place a listing happens, the first (the one its main form edits) first."""
    return [
        sal.location
        for sal in m.ServiceAtLocation.objects.filter(asset=asset)
        .select_related("location")
        .prefetch_related("location__addresses", "location__accessibility")
        .order_by("created_at", "id")
    ]


# --- coordinators' gaps ------------------------------------------------------------------------


@dataclass
class NeedGap:
    need: m.UnmetNeed
    local_assets: int


@dataclass
class GapsView:
    unmet: list[NeedGap]
    needs_met_locally: list[NeedGap]
    spare: list[m.Asset]
    over_used: list[m.Asset]
    points: list[dict[str, Any]]


def _assets_serving_area(area_code: str) -> QuerySet[m.Asset]:
    located_here = m.ServiceAtLocation.objects.filter(location__ward_code=area_code)
    member_ids = geo.record_ids_in_area(record_type=geo.LOCATION_RECORD_TYPE, area_code=area_code)
    if member_ids:
        located_here = m.ServiceAtLocation.objects.filter(
            Q(location__ward_code=area_code) | Q(location_id__in=member_ids)
        )
    return _public_assets().filter(
        Q(id__in=Subquery(located_here.values("asset_id")))
        | Q(id__in=Subquery(m.ServiceArea.objects.filter(area_code=area_code).values("asset_id")))
    )


def gaps_view(*, area_code: str = "") -> GapsView:
    """Needs recorded by coordinators that no local asset meets, beside the assets with room
    to spare and those that are over-used."""
    needs = m.UnmetNeed.objects.filter(met_at__isnull=True).select_related("term")
    if area_code:
        needs = needs.filter(area_code=area_code)
    unmet: list[NeedGap] = []
    met: list[NeedGap] = []
    for need in needs:
        terms = taxonomy_term_descendant_ids(term_ids=[need.term_id])
        local = (
            _assets_serving_area(need.area_code)
            .filter(
                id__in=Subquery(
                    m.Attribute.objects.filter(link_entity="service", term_id__in=terms).values(
                        "link_id"
                    )
                )
            )
            .count()
        )
        (met if local else unmet).append(NeedGap(need=need, local_assets=local))
    assets = _assets_serving_area(area_code) if area_code else _public_assets()
    spare = list(assets.filter(usage=m.Usage.SPARE).order_by("name")[:200])
    over = list(assets.filter(usage=m.Usage.OVER_USED).order_by("name")[:200])
    points = [
        {"lat": lat, "lon": lon, "name": name, "usage": usage, "id": str(asset_id)}
        for asset_id, name, usage, lat, lon in m.ServiceAtLocation.objects.filter(
            asset__in=assets.filter(usage__in=[m.Usage.SPARE, m.Usage.OVER_USED]),
            location__latitude__isnull=False,
        ).values_list(
            "asset_id", "asset__name", "asset__usage", "location__latitude", "location__longitude"
        )[:2000]
    ]
    return GapsView(unmet=unmet, needs_met_locally=met, spare=spare, over_used=over, points=points)


def unmet_need_counts_by_area() -> list[dict[str, Any]]:
    rows = (
        m.UnmetNeed.objects.filter(met_at__isnull=True)
        .values("area_code", "area_name")
        .annotate(needs=Count("id"))
        .order_by("-needs")
    )
    return [dict(row) for row in rows]


# --- projects ----------------------------------------------------------------------------------


def project_list() -> QuerySet[m.CommunityProject]:
    return m.CommunityProject.objects.select_related(
        "connector", "visioning_exercise"
    ).prefetch_related("grants", "assets_used")


def project_get(*, project_id: uuid.UUID) -> m.CommunityProject:
    project = project_list().prefetch_related("stage_changes").filter(pk=project_id).first()
    if project is None:
        raise NotFound("No such project.")
    return project


# --- Open Referral UK pages --------------------------------------------------------------------


class OrukBadRequest(ValidationFailed):
    code = "assets.oruk_bad_request"


@dataclass(frozen=True)
class OrukQuery:
    search: str = ""
    page: int = 1
    per_page: int = 50
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: dt.datetime | None = None
    postcode: str = ""
    proximity: float | None = None
    full: bool = False
    minimal: bool = False


MAX_PER_PAGE = 500


def _uuid_or_bad(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise OrukBadRequest(f"{name} must be a UUID.") from error


def _paged(query: OrukQuery) -> tuple[int, int]:
    if query.page < 1:
        raise OrukBadRequest("page must be 1 or more.")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise OrukBadRequest(f"per_page must be from 1 to {MAX_PER_PAGE}.")
    return query.page, query.per_page


def _oruk_service_ids(query: OrukQuery) -> QuerySet[m.Asset]:
    """Services matching every ORUK filter (they combine with AND)."""
    qs = _public_assets()
    if query.taxonomy_term_id:
        term = _uuid_or_bad(query.taxonomy_term_id, "taxonomy_term_id")
        qs = qs.filter(
            id__in=Subquery(
                m.Attribute.objects.filter(link_entity="service", term_id=term).values("link_id")
            )
        )
    if query.taxonomy_id:
        taxonomy = _uuid_or_bad(query.taxonomy_id, "taxonomy_id")
        qs = qs.filter(
            id__in=Subquery(
                m.Attribute.objects.filter(
                    link_entity="service", term__taxonomy_id=taxonomy
                ).values("link_id")
            )
        )
    if query.organization_id:
        qs = qs.filter(provider_id=_uuid_or_bad(query.organization_id, "organization_id"))
    if query.modified_after is not None:
        qs = qs.filter(updated_at__gte=query.modified_after)
    if query.search.strip():
        query_words = search.match_query(query.search, search.VOCABULARY.ensure_loaded())
        tokens = {t for qw in query_words for t in qw.matches}
        qs = qs.filter(
            id__in=Subquery(m.SearchToken.objects.filter(token__in=tokens).values("asset_id"))
        )
    return qs


def oruk_services_page(*, query: OrukQuery) -> dict[str, Any]:
    page, per_page = _paged(query)
    qs = _oruk_service_ids(query)
    if query.postcode:
        ids = _ids_near_postcode(query, qs)
        qs = qs.filter(id__in=ids)
    # By id: a stable order the primary key index gives for free, even on page 2,000.
    qs = qs.order_by("id")
    total = qs.count()
    if query.minimal:
        # ORUK's "minimal" asks for the id and modified date; name and status stay because
        # the list schema requires them.
        rows = qs.values_list("id", "name", "status", "updated_at")[
            (page - 1) * per_page : page * per_page
        ]
        contents = [
            {"id": str(i), "name": n, "status": s, "last_modified": oruk.iso_datetime(u)}
            for i, n, s, u in rows
        ]
        return oruk.page_dict(contents=contents, total=total, page=page, per_page=per_page)
    page_ids = list(qs.values_list("id", flat=True)[(page - 1) * per_page : page * per_page])
    if query.full:
        services = oruk_services_full(asset_ids=page_ids)
        contents = [services[i] for i in page_ids if i in services]
    else:
        found = {
            a.id: a for a in m.Asset.objects.select_related("provider").filter(id__in=page_ids)
        }
        contents = [oruk.service_dict(found[i], full=False) for i in page_ids if i in found]
    return oruk.page_dict(contents=contents, total=total, page=page, per_page=per_page)


def _ids_near_postcode(query: OrukQuery, qs: QuerySet[m.Asset]) -> list[uuid.UUID]:
    radius = query.proximity if query.proximity is not None else 1609.0
    if radius <= 0 or radius > MAX_RADIUS_M:
        raise OrukBadRequest(f"proximity must be from 1 to {MAX_RADIUS_M} metres.")
    results = directory_search(
        query=DirectoryQuery(postcode=query.postcode, radius_m=radius, per_page=1)
    )
    allowed = set(results.ranked_ids)
    return [i for i in qs.values_list("id", flat=True) if i in allowed]


def oruk_service_get(*, service_id: str) -> dict[str, Any]:
    wanted = _uuid_or_404(service_id)
    if not _public_assets().filter(id=wanted).exists():
        raise NotFound("No such service.")
    return oruk_services_full(asset_ids=[wanted])[wanted]


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise NotFound("No such record.") from error


def oruk_organizations_page(*, query: OrukQuery, full_service: bool = False) -> dict[str, Any]:
    page, per_page = _paged(query)
    qs = m.DirectoryOrganisation.objects.order_by("name", "id")
    if query.search.strip():
        qs = qs.filter(search_name__contains=search.normalise(query.search))
    total = qs.count()
    orgs = list(
        qs.prefetch_related("identifiers", "contacts__phones")[
            (page - 1) * per_page : page * per_page
        ]
    )
    contents = []
    for org in orgs:
        if query.full or full_service:
            contents.append(_organization_full(org, full_service=full_service))
        else:
            contents.append(oruk.organization_dict(org))
    return oruk.page_dict(contents=contents, total=total, page=page, per_page=per_page)


def _organization_full(org: m.DirectoryOrganisation, *, full_service: bool) -> dict[str, Any]:
    services = _public_assets().filter(provider=org).order_by("name")
    if full_service:
        ids = list(services.values_list("id", flat=True))
        full = oruk_services_full(asset_ids=ids, with_organization=False)
        nested = [full[i] for i in ids if i in full]
    else:
        nested = [oruk.service_dict(a, full=False, with_organization=False) for a in services]
    return oruk.organization_dict(org, full=True, services=nested)


def oruk_organization_get(*, organization_id: str, full_service: bool = False) -> dict[str, Any]:
    org = (
        m.DirectoryOrganisation.objects.prefetch_related("identifiers", "contacts__phones")
        .filter(id=_uuid_or_404(organization_id))
        .first()
    )
    if org is None:
        raise NotFound("No such organization.")
    return _organization_full(org, full_service=full_service)


def oruk_service_at_locations_page(*, query: OrukQuery) -> dict[str, Any]:
    page, per_page = _paged(query)
    services = _oruk_service_ids(query)
    qs = m.ServiceAtLocation.objects.filter(asset__in=services)
    if query.postcode:
        radius = query.proximity if query.proximity is not None else 1609.0
        if radius <= 0 or radius > MAX_RADIUS_M:
            raise OrukBadRequest(f"proximity must be from 1 to {MAX_RADIUS_M} metres.")
        point = geo.postcode_locate(query.postcode)
        codes = tuple(a.code for a in geo.areas_at(lat=point.lat, lon=point.lon))
        allowed = set(_ids_near_postcode(query, services))
        # Each location must itself be within reach, unless its service covers the area.
        box = geo.bounding_box(point.lat, point.lon, radius)
        keep = []
        rows = qs.filter(asset_id__in=allowed).values_list(
            "id", "location__latitude", "location__longitude", "asset__has_service_area"
        )
        for sal_id, plat, plon, has_area in rows:
            near = (
                plat is not None
                and plon is not None
                and box[0] <= plat <= box[1]
                and geo.haversine_m(point.lat, point.lon, plat, plon) <= radius
            )
            if (has_area and codes) or near:
                keep.append(sal_id)
        qs = m.ServiceAtLocation.objects.filter(id__in=keep)
    qs = qs.order_by("id")
    total = qs.count()
    sals = list(
        qs.select_related("location", "asset__provider").prefetch_related(
            *(
                [
                    "location__addresses",
                    "location__accessibility",
                    "location__phones",
                    "schedules",
                    "asset__schedules",
                    "asset__service_areas",
                    "asset__languages",
                    "asset__funding",
                    "asset__cost_options",
                    "asset__phones",
                    "asset__contacts__phones",
                    "asset__service_at_locations__location__addresses",
                    "asset__service_at_locations__location__accessibility",
                    "asset__service_at_locations__location__phones",
                ]
                if query.full
                else []
            )
        )[(page - 1) * per_page : page * per_page]
    )
    attributes = attributes_for(asset_ids={s.asset_id for s in sals}) if query.full else {}
    contents = [
        oruk.service_at_location_dict(s, full=query.full, attributes=attributes.get(s.asset_id, []))
        for s in sals
    ]
    return oruk.page_dict(contents=contents, total=total, page=page, per_page=per_page)


def oruk_service_at_location_get(*, sal_id: str) -> dict[str, Any]:
    sal = (
        m.ServiceAtLocation.objects.select_related("location", "asset__provider")
        .filter(id=_uuid_or_404(sal_id), asset__status__in=PUBLIC_STATUSES)
        .first()
    )
    if sal is None:
        raise NotFound("No such service at location.")
    asset = listing_queryset().get(id=sal.asset_id)
    sal.asset = asset
    attributes = attributes_for(asset_ids=[asset.id])
    return oruk.service_at_location_dict(sal, full=True, attributes=attributes.get(asset.id, []))


def oruk_taxonomies_page(*, query: OrukQuery) -> dict[str, Any]:
    page, per_page = _paged(query)
    qs = m.Taxonomy.objects.order_by("name", "id")
    if query.search.strip():
        qs = qs.filter(name__icontains=query.search.strip())
    total = qs.count()
    contents = [oruk.taxonomy_dict(t) for t in qs[(page - 1) * per_page : page * per_page]]
    return oruk.page_dict(contents=contents, total=total, page=page, per_page=per_page)


def oruk_taxonomy_get(*, taxonomy_id: str) -> dict[str, Any]:
    taxonomy = m.Taxonomy.objects.filter(id=_uuid_or_404(taxonomy_id)).first()
    if taxonomy is None:
        raise NotFound("No such taxonomy.")
    return oruk.taxonomy_dict(taxonomy, terms=list(taxonomy.terms.order_by("name", "id")))


def oruk_taxonomy_terms_page(
    *, query: OrukQuery, top_only: bool = False, parent_id: str = ""
) -> dict[str, Any]:
    page, per_page = _paged(query)
    qs = m.TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id")
    if query.taxonomy_id:
        qs = qs.filter(taxonomy_id=_uuid_or_bad(query.taxonomy_id, "taxonomy_id"))
    if parent_id:
        qs = qs.filter(parent_id=_uuid_or_bad(parent_id, "parent_id"))
    if top_only:
        qs = qs.filter(parent__isnull=True)
    if query.search.strip():
        qs = qs.filter(name__icontains=query.search.strip())
    total = qs.count()
    contents = [oruk.taxonomy_term_dict(t) for t in qs[(page - 1) * per_page : page * per_page]]
    return oruk.page_dict(contents=contents, total=total, page=page, per_page=per_page)


def oruk_taxonomy_term_get(*, term_id: str) -> dict[str, Any]:
    term = (
        m.TaxonomyTerm.objects.select_related("taxonomy").filter(id=_uuid_or_404(term_id)).first()
    )
    if term is None:
        raise NotFound("No such taxonomy term.")
    return oruk.taxonomy_term_dict(term)
