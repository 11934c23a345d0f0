"""The councillor role must never reach an individual record, through any page or API.

This walks every URL pattern in the project (pages, APIs, admin), fills path parameters with
the ids and codes of real records made by every app's demo loader plus sentinel records, and
requests each as a signed-in councillor (GET and POST). A response passes when it is a refusal
(403/404/405, or a redirect) or when its body contains none of the personal values held in
the database: names, emails, phone numbers, dates of birth, postcodes and references of
people. It discovers new apps' URLs, models and demo loaders by itself, so it keeps
protecting the product as it grows.
"""

import datetime
import importlib
import itertools
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from placebase.accounts.roles import Role
from placebase.engagement import services
from placebase.factories import UserFactory
from placebase.testing.auth import sign_in_client

# Fields whose values identify a person, wherever they appear.
PERSONAL_FIELDS = {
    "email",
    "phone",
    "person_name",
    "address_line_1",
    "address_1",
    "postcode",
    "home_postcode",
    "date_of_birth",
    "nhs_number",
    "contact",
}
# Models whose contact details are published on purpose (the public directory).
PUBLIC_MODELS = {
    "assets.asset",
    "assets.location",
    "assets.address",
    "assets.contact",
    "assets.phone",
    "assets.directoryorganisation",
    "assets.servicearea",
    "volunteering.site",
    "volunteering.opportunity",
}
# Reference data about places, not people: never collected (and never subtracted: every
# resident's postcode is in the postcode directory).
NOT_PEOPLE = {"places.postcode"}
SENTINEL_FIRST, SENTINEL_LAST = "Zebedee", "Quillfeather"
REFUSED = {301, 302, 303, 401, 403, 404, 405}
MAX_COMBINATIONS = 6
SEED = 11


@dataclass
class Route:
    template: str  # the path with "{name}" where each parameter goes
    params: list[tuple[str, str]]  # (name, converter kind)
    callback: Any
    label: str


_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _regex_to_template(regex: str) -> tuple[str, list[tuple[str, str]]]:
    """Turn a simple regex pattern into a template; named groups become parameters."""
    out, params, i = [], [], 0
    regex = regex.lstrip("^").removesuffix("$").removesuffix(r"\Z")
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end_name = regex.index(">", i)
            name = regex[i + 4 : end_name]
            depth, j = 1, end_name + 1
            while depth and j < len(regex):
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            out.append("{" + name + "}")
            params.append((name, "regex:" + regex[end_name + 1 : j - 1]))
            i = j
        elif regex[i] == "\\" and i + 1 < len(regex):
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out), params


def _walk(patterns: list[Any], prefix: str = "", params: list | None = None) -> Iterator[Route]:
    params = params or []
    for entry in patterns:
        pattern = entry.pattern
        raw = str(pattern)
        if hasattr(pattern, "_route"):
            new_params = [(m["name"], m["conv"] or "str") for m in _ROUTE_PARAM.finditer(raw)]
            text = _ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", raw)
        else:
            text, new_params = _regex_to_template(pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + text, params + new_params)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + text, params + new_params, entry.callback, entry.name or raw)


def _public_values() -> set[str]:
    """Values published on purpose (a venue's postcode): not a leak when a person shares it."""
    values: set[str] = set()
    for label in PUBLIC_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        # Every short text published on purpose (phone numbers, postcodes, emails), so a
        # person who happens to share one with a public listing is not counted as a leak.
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField) and (field.max_length or 0) <= 300:
                values.update(str(v) for v in model.objects.values_list(field.name, flat=True) if v)
    return values


def _personal_values(exclude_user: Any) -> set[str]:
    values: set[str] = set()
    for model in apps.get_models():
        label = model._meta.label_lower
        is_user = model is apps.get_model("accounts", "User")
        skipped = label in PUBLIC_MODELS | NOT_PEOPLE
        if (skipped or not model.__module__.startswith("placebase.")) and not is_user:
            continue
        fields = {f.name for f in model._meta.concrete_fields}
        qs = model.objects.all()
        if model is apps.get_model("accounts", "User"):
            qs = qs.exclude(pk=exclude_user.pk)
        if {"first_name", "last_name"} <= fields:
            for first, last in qs.values_list("first_name", "last_name")[:500]:
                if first and last:
                    values.add(f"{first} {last}")
        if label == "engagement.participant" or label == "casework.person":
            values.update(qs.values_list("reference", flat=True)[:500])
        for name in PERSONAL_FIELDS & fields:
            for value in qs.exclude(**{f"{name}__isnull": True}).values_list(name, flat=True)[:500]:
                if isinstance(value, datetime.date):
                    values.add(value.isoformat())
                    values.add(f"{value.day} {value:%B %Y}")
                elif value and len(str(value)) >= 6:
                    values.add(str(value))
    return values - _public_values()


def _candidates() -> dict[str, dict[str, list[str]]]:
    """Ids and codes of real records, by model name, for filling path parameters."""
    by_model: dict[str, dict[str, list[str]]] = {}
    for model in apps.get_models():
        pk = model._meta.pk
        name = model._meta.model_name
        found: dict[str, list[str]] = {}
        rows = list(model.objects.order_by("?").values_list("pk", flat=True)[:2])
        if not rows:
            continue
        kind = (
            "uuid"
            if isinstance(pk, models.UUIDField)
            else ("int" if isinstance(pk, models.AutoField | models.BigAutoField) else "str")
        )
        found[kind] = [str(r) for r in rows]
        for field in ("code", "reference", "slug", "username", "postcode"):
            if field in {f.name for f in model._meta.concrete_fields}:
                found.setdefault("str", []).extend(
                    str(v) for v in model.objects.values_list(field, flat=True)[:2] if v
                )
        by_model[name] = found
    return by_model


def _values_for(param: str, kind: str, pool: dict[str, dict[str, list[str]]]) -> list[str]:
    base = kind.split(":")[0]
    key = {"uuid": "uuid", "int": "int", "slug": "str", "str": "str", "path": "str"}.get(
        base, "str"
    )
    stem = re.sub(r"(_id|_pk|_code|_ref|_reference)$", "", param).replace("_", "")
    named = [
        v for model, found in pool.items() if stem and stem in model for v in found.get(key, [])
    ]
    anything = [v for found in pool.values() for v in found.get(key, [])]
    # A parameter named after a model gets that model's ids first, then a few of any kind.
    values = list(
        dict.fromkeys(named + anything[: 4 if named else 60] + (["1"] if key == "int" else []))
    )
    if base == "regex":
        regex = re.compile(kind.split(":", 1)[1])
        values = [v for v in values if regex.fullmatch(v)] + ["x"]
    return values or ["x"]


@pytest.fixture
def demo_world(db, tmp_path, place):
    """The test place filled by every app's demo loader (those that can run on it), plus
    sentinel people who must never appear."""
    UserFactory(username="councillor", role=Role.COUNCILLOR)
    UserFactory(
        username="connector",
        role=Role.CONNECTOR,
        first_name=SENTINEL_FIRST,
        last_name=SENTINEL_LAST,
        email="sentinel.connector@example.org",
    )
    loaded = []
    for config in apps.get_app_configs():
        if not config.name.startswith("placebase."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ImportError:
            continue
        loader = getattr(module, f"demo_{config.label}_load", None)
        if loader is None:
            continue
        try:
            with transaction.atomic():
                loader(seed=SEED)
            loaded.append(config.label)
        except Exception:  # noqa: BLE001, S112 - a loader that needs the real Sutton data
            continue
    assert "engagement" in loaded
    connector = apps.get_model("accounts", "User").objects.get(username="connector")
    activity = services.activity_create(
        actor=connector,
        kind="meeting",
        title="Sentinel",
        held_on=datetime.date.today(),
        area_id=place.ward_a.id,
    )
    person = services.participant_register(
        actor=connector, age_band="35_49", home_postcode="SM1 1AB"
    )
    participation = services.participation_record(
        actor=connector, activity=activity, participant=person
    )
    services.contribution_record(
        actor=connector, participation=participation, kind="idea", text="Sentinel idea"
    )
    return loaded


def test_councillor_reaches_no_individual_record(client, demo_world, place):
    councillor = apps.get_model("accounts", "User").objects.get(username="councillor")
    sign_in_client(client, councillor)
    personal = _personal_values(exclude_user=councillor)
    assert f"{SENTINEL_FIRST} {SENTINEL_LAST}" in personal
    assert any(v.startswith("P-") for v in personal)
    pool = _candidates()
    rng = random.Random(SEED)
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 20
    leaks: list[str] = []
    unfilled: list[str] = []
    requested = 0
    for route in routes:
        options = [_values_for(name, kind, pool) for name, kind in route.params]
        combos = list(itertools.islice(itertools.product(*options), MAX_COMBINATIONS * 5))
        rng.shuffle(combos)
        tried = 0
        for combo in combos[:MAX_COMBINATIONS] if route.params else [()]:
            path = "/" + route.template.format(
                **dict(zip([n for n, _ in route.params], combo, strict=True))
            )
            try:
                match = resolve(path)
            except Resolver404:
                continue
            # Several patterns may share one path (an API's operations): the first answers.
            same_path = _ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", match.route)
            if match.func != route.callback and same_path != route.template:
                continue
            tried += 1
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                requested += 1
                if response.status_code in REFUSED:
                    continue
                body = b"".join(response) if response.streaming else response.content
                text = body.decode("utf-8", "replace")
                found = [value for value in personal if value in text]
                if found:
                    leaks.append(
                        f"{method.upper()} {path} ({response.status_code}): {sorted(found)[:3]}"
                    )
        if not tried:
            unfilled.append(route.template)
    assert not leaks, "personal data reached a councillor:\n" + "\n".join(leaks[:20])
    # Only admin and static-file patterns may stay unfilled (they need their own values).
    unexpected = [t for t in unfilled if not t.startswith(("django-admin/", "static/"))]
    assert not unexpected, f"could not fill parameters for: {unexpected}"
    assert requested > len(routes)


def test_the_walker_knows_what_personal_data_looks_like(place):
    """The check itself works: people's references, names and emails are looked for; the
    councillor's own name and a venue's published postcode are not."""
    from placebase.engagement.models import Participant

    councillor = UserFactory(role=Role.COUNCILLOR)
    connector = UserFactory(
        role=Role.CONNECTOR,
        first_name=SENTINEL_FIRST,
        last_name=SENTINEL_LAST,
        email="sentinel.connector@example.org",
    )
    services.participant_register(actor=connector, age_band="16_24", home_postcode="SM2 2AB")
    personal = _personal_values(exclude_user=councillor)
    assert Participant.objects.get().reference in personal
    assert "SM2 2AB" in personal
    assert "Zebedee Quillfeather" in personal
    assert "sentinel.connector@example.org" in personal
    assert f"{councillor.first_name} {councillor.last_name}" not in personal


def test_route_templates_fill_every_converter():
    template, params = _regex_to_template(r"^(?P<app_label>auth|accounts)/$")
    assert template == "{app_label}/" and params == [("app_label", "regex:auth|accounts")]
    routes = {r.label: r for r in _walk(get_resolver().url_patterns)}
    detail = routes["activity_detail"]
    assert detail.template == "engagement/activities/{activity_id}/"
    assert detail.params == [("activity_id", "uuid")]
    assert uuid.UUID(str(uuid.uuid4()))


# ---------------------------------------------------------------------------- the API

API_PREFIX = "/api/v1"
# Status codes that refuse a councillor without saying anything about a record.
API_REFUSED = {401, 403, 404, 405}


def _resolve_ref(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _example(spec: dict[str, Any], schema: dict[str, Any], pool: dict[str, Any]) -> Any:
    """A plausible value for a request-body schema, so a write gets past validation and
    reaches the permission check (an empty body would be turned away earlier, proving
    nothing)."""
    schema = _resolve_ref(spec, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve_ref(spec, s).get("type") != "null"]
            return _example(spec, (options or schema[key])[0], pool)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: _example(spec, sub, pool) for name, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [_example(spec, schema.get("items", {}), pool)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    fmt = schema.get("format", "")
    if fmt == "uuid":
        return next(iter(pool.get("uuid", [])), str(uuid.uuid4()))
    if fmt == "date":
        return datetime.date.today().isoformat()
    if fmt == "date-time":
        return datetime.datetime.now(datetime.UTC).isoformat()
    if fmt == "email":
        return "someone@example.org"
    return "Test"


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method.upper(), operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("placebase.")
        and model._meta.app_label not in {"core", "audit"}
        and model._meta.model_name not in {"auditentry", "apitoken"}
    }


def test_councillor_reaches_no_record_through_the_api(client, demo_world, place):
    """Every operation `/api/v1/openapi.json` lists, with real record ids in its path and a
    well-formed body, as a councillor signed in and as a councillor holding an API token:
    each is refused, shows no personal value, and writes nothing."""
    from django.test import Client

    from placebase.casework.services import api_token_issue

    councillor = apps.get_model("accounts", "User").objects.get(username="councillor")
    sign_in_client(client, councillor)
    _token, key = api_token_issue(user=councillor, name="walker")
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    spec = client.get(f"{API_PREFIX}/openapi.json").json()
    operations = _operations(spec)
    assert len(operations) >= 10, "the API lists its operations"
    personal = _personal_values(exclude_user=councillor)
    pool = _candidates()
    people = [
        str(pk)
        for pk in apps.get_model("casework", "Person").objects.values_list("pk", flat=True)[:3]
    ]
    assert people, "case work's demo made people to try"
    before = _row_counts()
    tried: set[tuple[str, str]] = set()
    statuses: set[tuple[str, int]] = set()
    problems: list[str] = []
    for path, method, operation in operations:
        params = [p for p in operation.get("parameters", []) if p.get("in") == "path"]
        options = []
        for param in params:
            name = param["name"]
            schema = _resolve_ref(spec, param.get("schema", {}))
            kind = "uuid" if schema.get("format") == "uuid" else "str"
            if schema.get("type") == "integer":
                kind = "int"
            real = people if name == "person_id" else []
            options.append(list(dict.fromkeys(real + _values_for(name, kind, pool)))[:3])
        body = None
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = _example(spec, content["application/json"]["schema"], pool)
        for combo in itertools.product(*options) if params else [()]:
            url = path if path.startswith(API_PREFIX + "/") else API_PREFIX + path
            for param, value in zip(params, combo, strict=True):
                url = url.replace("{" + param["name"] + "}", value)
            for who, http in (("session", client), ("token", bearer)):
                call = getattr(http, method.lower())
                if body is None:
                    response = call(url)
                else:
                    response = call(url, data=body, content_type="application/json")
                tried.add((path, method))
                statuses.add((who, response.status_code))
                text = response.content.decode("utf-8", "replace")
                leaked = sorted(value for value in personal if value in text)
                if leaked:
                    problems.append(f"{who} {method} {url}: shows {leaked[:3]}")
                if response.status_code not in API_REFUSED:
                    problems.append(f"{who} {method} {url}: answered {response.status_code}")
    assert {(p, m) for p, m, _ in operations} == tried, "every listed operation was tried"
    assert not problems, "a councillor reached case work through the API:\n" + "\n".join(
        problems[:20]
    )
    assert _row_counts() == before, "a councillor's API call wrote something"
    # Both ways in were accepted as the councillor (refused by permission, not unknown).
    assert {who for who, status in statuses if status == 403} == {"session", "token"}
    assert not {status for _, status in statuses} & {401}
    # And the check can fail: a person's own coordinator gets them, and the walker notices.
    person = apps.get_model("casework", "Person").objects.filter(coordinator__isnull=False)[0]
    _token, coordinator_key = api_token_issue(user=person.coordinator, name="control")
    control = Client(HTTP_AUTHORIZATION=f"Bearer {coordinator_key}")
    response = control.get(f"{API_PREFIX}/people/{person.pk}")
    assert response.status_code == 200
    assert any(value in response.content.decode() for value in personal)
