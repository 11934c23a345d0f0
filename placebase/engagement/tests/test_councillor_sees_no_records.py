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
