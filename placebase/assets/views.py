"""Views for the directory: the public search and listing pages (no sign-in), and the staff
pages that keep it true. Each view parses input, checks permission, calls one service or
selector and renders."""

import hashlib
import hmac
import os
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from placebase.accounts.permissions import Action, can, require
from placebase.core.audit import audit_record
from placebase.core.errors import (
    Conflict,
    ImportRejected,
    NotFound,
    PlacebaseError,
    ValidationFailed,
)

from . import forms, selectors, services, spreadsheets
from . import models as m

SHORTLIST_KEY = "directory_shortlist"
SHORTLIST_MAX = 50


def _map_tiles() -> str:
    # Tiles are optional: points render on a plain background when no tile server is set.
    return getattr(settings, "MAP_TILE_URL", "") or os.environ.get("PLACEBASE_MAP_TILE_URL", "")


def _shortlist(request: HttpRequest) -> list[str]:
    return list(request.session.get(SHORTLIST_KEY, []))


def _form_errors(form: Any, error: ValidationFailed) -> None:
    """Put a service's field errors on the form, or the whole message if it has none."""
    field_errors: Any = error.details.get("errors")
    if isinstance(field_errors, dict) and field_errors:
        for field_name, message in field_errors.items():
            form.add_error(field_name if field_name in form.fields else None, message)
    elif error.code.startswith("places.postcode") and "postcode" in form.fields:
        form.add_error("postcode", error.message)
    else:
        form.add_error(None, error.message)


# --- public ------------------------------------------------------------------------------------


def search(request: HttpRequest) -> HttpResponse:
    form = forms.DirectorySearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        try:
            results = selectors.directory_search(query=form.to_query())
        except ValidationFailed as error:
            _form_errors(form, error)
    points = []
    if results is not None:
        for hit in results.hits:
            if hit.asset is None:
                continue
            for sal in hit.asset.service_at_locations.all():
                if sal.location.latitude is not None:
                    points.append(
                        {
                            "lat": sal.location.latitude,
                            "lon": sal.location.longitude,
                            "name": hit.asset.name,
                            "href": reverse("assets:listing", args=[hit.asset.id]),
                        }
                    )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "assets/search.html",
        {
            "form": form,
            "results": results,
            "points": points,
            "tiles": _map_tiles(),
            "query_string": query_string.urlencode(),
            "shortlist": _shortlist(request),
        },
    )


def listing(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    try:
        asset = selectors.asset_get_public(asset_id=asset_id)
    except NotFound as error:
        raise Http404 from error
    attributes = selectors.attributes_for(asset_ids=[asset.id]).get(asset.id, [])
    locations = [sal.location for sal in asset.service_at_locations.all()]
    points = [
        {"lat": loc.latitude, "lon": loc.longitude, "name": loc.name or asset.name}
        for loc in locations
        if loc.latitude is not None
    ]
    return render(
        request,
        "assets/listing.html",
        {
            "asset": asset,
            "attributes": attributes,
            "locations": locations,
            "points": points,
            "tiles": _map_tiles(),
            "stale": selectors.asset_is_stale(asset=asset),
            "in_shortlist": str(asset.id) in _shortlist(request),
            "can_edit": can(request.user, Action.EDIT_DIRECTORY, asset),
            "can_claim": request.user.is_authenticated
            and getattr(request.user, "role", "") == "provider_editor"
            and asset.organisation_id != request.user.organisation_id,
        },
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    try:
        asset = selectors.asset_get_public(asset_id=asset_id)
    except NotFound as error:
        raise Http404 from error
    form = forms.ProblemReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_problem_report(
                asset_id=asset.id,
                actor=request.user,
                message=form.cleaned_data["message"],
                reply_email=form.cleaned_data["reply_email"],
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Thank you. We will check the listing.")
            return redirect("assets:listing", asset_id=asset.id)
    return render(request, "assets/report.html", {"asset": asset, "form": form})


@require_POST
def shortlist_toggle(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    items = _shortlist(request)
    key = str(asset_id)
    if key in items:
        items.remove(key)
    elif len(items) < SHORTLIST_MAX:
        items.append(key)
    request.session[SHORTLIST_KEY] = items
    back = request.POST.get("next", "")
    if back.startswith("/directory/"):
        return redirect(back)
    return redirect("assets:shortlist")


def shortlist(request: HttpRequest) -> HttpResponse:
    """The saved listings; `?ids=` makes the same list shareable as a link."""
    shared = request.GET.get("ids")
    ids = shared.split(",")[:SHORTLIST_MAX] if shared else _shortlist(request)
    assets = selectors.assets_by_ids(asset_ids=ids)
    share = request.build_absolute_uri(
        reverse("assets:shortlist") + "?ids=" + ",".join(str(a.id) for a in assets)
    )
    return render(
        request,
        "assets/shortlist.html",
        {
            "assets": assets,
            "share_url": share,
            "shared": bool(shared),
        },
    )


def gifts(request: HttpRequest) -> HttpResponse:
    return render(request, "assets/gifts.html", {"gifts": selectors.gift_list_public()})


# --- staff: keeping it true --------------------------------------------------------------------


@require(Action.EDIT_DIRECTORY)
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    moderator = can(user, Action.MODERATE_DIRECTORY)
    return render(
        request,
        "assets/manage.html",
        {
            "proposals": selectors.edit_proposal_list_pending()[:100] if moderator else [],
            "claims": selectors.listing_claim_list_pending()[:100] if moderator else [],
            "stale": selectors.asset_list_stale()[:100] if moderator else [],
            "mine": selectors.asset_list_for_user(user=user).order_by("name")[:200],
            "moderator": moderator,
        },
    )


def _editable(request: HttpRequest, asset_id: uuid.UUID) -> m.Asset:
    try:
        asset = selectors.asset_get(asset_id=asset_id)
    except NotFound as error:
        raise Http404 from error
    # Providers may suggest edits to any listing; the moderation queue decides.
    if not can(request.user, Action.EDIT_DIRECTORY):
        raise PermissionDenied
    return asset


@require(Action.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    asset = _editable(request, asset_id)
    current = services.asset_snapshot(asset)
    form = forms.ListingForm(request.POST or None, initial={**current, "version": asset.version})
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.asset_edit(
                actor=request.user,
                asset_id=asset.id,
                changes=form.values(),
                expected_version=form.cleaned_data.get("version") or asset.version,
            )
        except Conflict:
            form.add_error(
                None,
                "Someone else changed this listing while you were editing "
                "it. Your changes were not saved: check the listing and try "
                "again.",
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            if outcome.proposal is not None:
                messages.success(
                    request,
                    "Thank you. Your changes will be published once a moderator has checked them.",
                )
            elif outcome.applied:
                messages.success(request, "Listing updated.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("assets:listing_manage", asset_id=asset.id)
    return render(request, "assets/edit.html", {"asset": asset, "form": form, "new": False})


@require(Action.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff_role:  # type: ignore[union-attr]
        raise PermissionDenied
    form = forms.ListingForm(
        request.POST or None, initial={"status": "active", "kind": "group", "usage": "unknown"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_create(
                actor=request.user, values=form.values(), owner=request.user
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Listing created.")
            return redirect("assets:listing_manage", asset_id=asset.id)
    return render(request, "assets/edit.html", {"form": form, "new": True})


@require(Action.EDIT_DIRECTORY)
def listing_manage(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    asset = _editable(request, asset_id)
    return render(
        request,
        "assets/listing_manage.html",
        {
            "asset": asset,
            "versions": selectors.asset_versions(asset=asset)[:50],
            "stale": selectors.asset_is_stale(asset=asset),
            "can_review": request.user.is_staff_role  # type: ignore[union-attr]
            or can(request.user, Action.EDIT_DIRECTORY, asset)
            and asset.organisation_id is not None,
            "proposals": asset.proposals.filter(status=m.ProposalStatus.PENDING),
        },
    )


@require(Action.EDIT_DIRECTORY)
@require_POST
def reviewed(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    asset = _editable(request, asset_id)
    owns = asset.organisation_id is not None and can(request.user, Action.EDIT_DIRECTORY, asset)
    if not (request.user.is_staff_role or owns):  # type: ignore[union-attr]
        raise PermissionDenied
    services.asset_review_confirm(actor=request.user, asset_id=asset.id)
    messages.success(request, "Thank you: the listing is marked as checked today.")
    return redirect("assets:listing_manage", asset_id=asset.id)


@require(Action.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    asset = _editable(request, asset_id)
    form = forms.ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_claim_request(
                actor=request.user, asset_id=asset.id, evidence=form.cleaned_data["evidence"]
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Thank you. A moderator will check your claim.")
            return redirect("assets:listing", asset_id=asset.id)
    return render(request, "assets/claim.html", {"asset": asset, "form": form})


@require(Action.MODERATE_DIRECTORY)
@require_http_methods(["GET", "POST"])
def proposal(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    try:
        item = selectors.edit_proposal_get(proposal_id=proposal_id)
    except NotFound as error:
        raise Http404 from error
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.edit_proposal_approve(actor=request.user, proposal_id=item.id)
                messages.success(request, "Approved: the listing is updated.")
            else:
                services.edit_proposal_reject(
                    actor=request.user, proposal_id=item.id, note=form.cleaned_data["note"]
                )
                messages.success(request, "Rejected.")
        except Conflict:
            form.add_error(
                None,
                "The listing changed after this suggestion was made, in the "
                "same fields. Edit the listing by hand, then reject this.",
            )
        except (ValidationFailed, services.ProposalNotPending) as error:
            form.add_error(None, error.message)
        else:
            return redirect("assets:manage")
    return render(
        request,
        "assets/proposal.html",
        {
            "proposal": item,
            "diff": services.proposal_diff(proposal=item),
            "form": form,
        },
    )


@require(Action.MODERATE_DIRECTORY)
@require_POST
def claim_decide(request: HttpRequest, claim_id: uuid.UUID) -> HttpResponse:
    try:
        services.listing_claim_decide(
            actor=request.user, claim_id=claim_id, approve=request.POST.get("decision") == "approve"
        )
    except (NotFound, services.ClaimNotPending) as error:
        messages.info(request, error.message)
    return redirect("assets:manage")


# --- spreadsheets ------------------------------------------------------------------------------


@require(Action.MODERATE_DIRECTORY)
@require_http_methods(["GET", "POST"])
def register_import(request: HttpRequest) -> HttpResponse:
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.asset_register_import(
                actor=request.user,
                filename=upload.name,
                content=upload.read(),
                valid_rows_only=form.cleaned_data["valid_rows_only"],
            )
        except ImportRejected as error:
            problems = list(error.details.get("problems", []))  # type: ignore[call-overload]
            form.add_error("file", error.message)
    return render(
        request, "assets/import.html", {"form": form, "problems": problems[:500], "report": report}
    )


def _download(content: bytes, filename: str, kind: str) -> HttpResponse:
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(content, content_type=types[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require(Action.EDIT_DIRECTORY)
def register_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "csv":
        return _download(
            spreadsheets.register_csv(None, template=True), "asset-register-template.csv", kind
        )
    return _download(
        spreadsheets.register_xlsx(None, template=True), "asset-register-template.xlsx", kind
    )


@require(Action.MODERATE_DIRECTORY)
def register_export(request: HttpRequest, kind: str) -> HttpResponse:
    assets = m.Asset.objects.select_related("provider").order_by("name")
    stamp = spreadsheets.today_stamp()
    if kind == "csv":
        return _download(spreadsheets.register_csv(assets), f"asset-register-{stamp}.csv", kind)
    return _download(spreadsheets.register_xlsx(assets), f"asset-register-{stamp}.xlsx", kind)


# --- coordinators ------------------------------------------------------------------------------


@require(Action.VIEW_PERSONAL_DATA)
@require_http_methods(["GET", "POST"])
def gaps(request: HttpRequest) -> HttpResponse:
    area_code = request.GET.get("area", "").strip().upper()[:12]
    form = forms.UnmetNeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unmet_need_record(
                actor=request.user,
                area_code=form.cleaned_data["area_code"],
                area_name=form.cleaned_data["area_name"],
                term_id=form.cleaned_data["term"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Need recorded.")
            return redirect(reverse("assets:gaps") + (f"?area={area_code}" if area_code else ""))
    view = selectors.gaps_view(area_code=area_code)
    return render(
        request,
        "assets/gaps.html",
        {
            "view": view,
            "form": form,
            "area_code": area_code,
            "tiles": _map_tiles(),
            "points": view.points,
            "by_area": selectors.unmet_need_counts_by_area(),
        },
    )


@require(Action.VIEW_PERSONAL_DATA)
def projects(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assets/projects.html",
        {
            "projects": selectors.project_list(),
            "stages": m.ProjectStage.choices,
            "can_edit": can(request.user, Action.EDIT_PERSONAL_DATA),
        },
    )


@require(Action.VIEW_PERSONAL_DATA)
@require_http_methods(["GET", "POST"])
def project(request: HttpRequest, project_id: uuid.UUID) -> HttpResponse:
    try:
        item = selectors.project_get(project_id=project_id)
    except NotFound as error:
        raise Http404 from error
    form = forms.StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not can(request.user, Action.EDIT_PERSONAL_DATA):
            raise PermissionDenied
        try:
            services.project_stage_advance(
                actor=request.user, project_id=item.id, to_stage=form.cleaned_data["to_stage"]
            )
        except ValidationFailed as error:
            form.add_error("to_stage", error.message)
        else:
            messages.success(request, "Project updated.")
            return redirect("assets:project", project_id=item.id)
    return render(request, "assets/project.html", {"project": item, "form": form})


# --- people's gifts ----------------------------------------------------------------------------


def _client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address for rate limiting: the address itself is never
    stored or logged."""
    address = request.META.get("REMOTE_ADDR", "")
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


@require_http_methods(["GET", "POST"])
def gift_offer(request: HttpRequest) -> HttpResponse:
    """The public 'offer a skill' form. No sign-in; staff approve before anything is shown."""
    form = forms.GiftOfferForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.gift_offer(
                person_name=data["person_name"],
                contact=data["contact"],
                postcode=data["postcode"],
                kind=data["kind"],
                description=data["description"],
                show_publicly=data["show_publicly"],
                consent=data["consent"],
                client_key=_client_key(request),
                trap=data["website"],
            )
        except services.OfferRefused as error:
            form.add_error(None, error.message)
            status = 429
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            return redirect("assets:gift_offer_thanks")
    return render(
        request,
        "assets/gift_offer.html",
        {"form": form, "consent_text": services.OFFER_CONSENT},
        status=status,
    )


def gift_offer_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "assets/gift_offer_thanks.html")


@require(Action.VIEW_PERSONAL_DATA)
def gifts_manage(request: HttpRequest) -> HttpResponse:
    gifts = list(selectors.gift_list_for_staff(user=request.user)[:200])
    pending = [g for g in gifts if g.moderation == m.GiftModeration.PENDING]
    audit_record(
        actor=request.user,
        verb="gift.list_viewed",
        target_type="assets.gift",
        personal_data=True,
        payload={"count": len(gifts)},
    )
    return render(
        request,
        "assets/gifts_manage.html",
        {
            "pending": pending,
            "gifts": [g for g in gifts if g.moderation != m.GiftModeration.PENDING],
            "can_edit": can(request.user, Action.EDIT_PERSONAL_DATA),
            "review_form": forms.GiftReviewForm(),
        },
    )


@require(Action.EDIT_PERSONAL_DATA)
@require_http_methods(["GET", "POST"])
def gift_new(request: HttpRequest) -> HttpResponse:
    form = forms.GiftForm(request.POST or None, initial={"kind": m.GiftKind.SKILL})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.gift_record(
                actor=request.user,
                person_name=data["person_name"],
                contact=data["contact"],
                postcode=data["postcode"],
                kind=data["kind"],
                description=data["description"],
                consent_statement=data["consent_statement"],
                show_publicly=data["show_publicly"],
                term_ids=[data["term"]] if data["term"] else [],
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Gift recorded.")
            return redirect("assets:gifts_manage")
    return render(request, "assets/gift_form.html", {"form": form})


@require(Action.EDIT_PERSONAL_DATA)
@require_POST
def gift_review(request: HttpRequest, gift_id: uuid.UUID) -> HttpResponse:
    try:
        selectors.gift_get(user=request.user, gift_id=gift_id)
    except NotFound as error:
        raise Http404 from error
    form = forms.GiftReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
        return redirect("assets:gifts_manage")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.gift_moderate(actor=request.user, gift_id=gift_id, approve=approve)
    except services.GiftNotPending as error:
        messages.info(request, error.message)
    else:
        messages.success(request, "Offer approved." if approve else "Offer rejected.")
    return redirect("assets:gifts_manage")


# --- connectors, visioning exercises and projects ---------------------------------------------


def _chosen(getter: Any, value: str, form: Any, field: str, **kwargs: Any) -> Any:
    if not value:
        return None
    try:
        return getter(**{kwargs["key"]: value})
    except NotFound:
        form.add_error(field, "Choose one from the list")
        return None


@require(Action.EDIT_PERSONAL_DATA)
@require_http_methods(["GET", "POST"])
def connector_new(request: HttpRequest) -> HttpResponse:
    form = forms.ConnectorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.connector_create(
                actor=request.user,
                display_name=data["display_name"],
                area_code=data["area_code"],
                area_name=data["area_name"],
                since=data["since"],
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Connector added.")
            return redirect("assets:projects")
    return render(
        request,
        "assets/simple_form.html",
        {
            "layout": forms.govuk_layout(form),
            "form": form,
            "title": "Add a connector",
            "button": "Add connector",
        },
    )


@require(Action.EDIT_PERSONAL_DATA)
@require_http_methods(["GET", "POST"])
def visioning_new(request: HttpRequest) -> HttpResponse:
    form = forms.VisioningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        facilitator = _chosen(
            selectors.connector_get,
            data["facilitator"],
            form,
            "facilitator",
            key="connector_id",
        )
        if not form.errors:
            try:
                services.visioning_exercise_record(
                    actor=request.user,
                    title=data["title"],
                    held_on=data["held_on"],
                    area_code=data["area_code"],
                    area_name=data["area_name"],
                    facilitator=facilitator,
                    participants=data["participants"],
                    notes=data["notes"],
                )
            except ValidationFailed as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Visioning exercise recorded.")
                return redirect("assets:projects")
    return render(
        request,
        "assets/simple_form.html",
        {
            "layout": forms.govuk_layout(form),
            "form": form,
            "title": "Record a visioning exercise",
            "button": "Record exercise",
        },
    )


@require(Action.EDIT_PERSONAL_DATA)
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        connector = _chosen(
            selectors.connector_get, data["connector"], form, "connector", key="connector_id"
        )
        exercise = _chosen(
            selectors.visioning_exercise_get,
            data["visioning_exercise"],
            form,
            "visioning_exercise",
            key="exercise_id",
        )
        if not form.errors:
            try:
                project = services.project_create(
                    actor=request.user,
                    name=data["name"],
                    description=data["description"],
                    area_code=data["area_code"],
                    area_name=data["area_name"],
                    connector=connector,
                    visioning_exercise=exercise,
                    people_involved=data["people_involved"],
                )
            except ValidationFailed as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Project created.")
                return redirect("assets:project", project_id=project.id)
    return render(
        request,
        "assets/simple_form.html",
        {
            "layout": forms.govuk_layout(form),
            "form": form,
            "title": "Start a community project",
            "button": "Create project",
        },
    )


@require(Action.EDIT_PERSONAL_DATA)
@require_http_methods(["GET", "POST"])
def project_grant(request: HttpRequest, project_id: uuid.UUID) -> HttpResponse:
    try:
        item = selectors.project_get(project_id=project_id)
    except NotFound as error:
        raise Http404 from error
    form = forms.GrantForm(request.POST or None, initial={"price_year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_grant_record(
                actor=request.user,
                project_id=item.id,
                funder=data["funder"],
                amount=data["amount"],
                price_year=data["price_year"],
                awarded_on=data["awarded_on"],
                purpose=data["purpose"],
            )
        except ValidationFailed as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Grant recorded.")
            return redirect("assets:project", project_id=item.id)
    return render(
        request,
        "assets/simple_form.html",
        {
            "layout": forms.govuk_layout(form),
            "form": form,
            "title": "Record a small grant",
            "caption": item.name,
            "button": "Record grant",
            "back": reverse("assets:project", args=[item.id]),
        },
    )


# --- a listing's locations ---------------------------------------------------------------------


def _staff_editable(request: HttpRequest, asset_id: uuid.UUID) -> m.Asset:
    asset = _editable(request, asset_id)
    if not request.user.is_staff_role or not can(  # type: ignore[union-attr]
        request.user, Action.EDIT_DIRECTORY, asset
    ):
        raise PermissionDenied
    return asset


def _location_error(form: Any, error: PlacebaseError) -> None:
    if isinstance(error, Conflict):
        form.add_error(
            None,
            "Someone else changed this listing while you were editing it. Your changes were "
            "not saved: check the listing and try again.",
        )
    elif isinstance(error, ValidationFailed):
        _form_errors(form, error)
    else:
        form.add_error(None, error.message)


@require(Action.EDIT_DIRECTORY)
def locations(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    asset = _staff_editable(request, asset_id)
    return render(
        request,
        "assets/locations.html",
        {"asset": asset, "locations": selectors.asset_locations(asset=asset)},
    )


@require(Action.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def location_edit(
    request: HttpRequest, asset_id: uuid.UUID, location_id: uuid.UUID | None = None
) -> HttpResponse:
    asset = _staff_editable(request, asset_id)
    location = None
    initial: dict[str, Any] = {"version": asset.version}
    if location_id is not None:
        location = next(
            (loc for loc in selectors.asset_locations(asset=asset) if loc.id == location_id),
            None,
        )
        if location is None:
            raise Http404
        initial |= services.location_snapshot(location)
    form = forms.LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or asset.version
        try:
            if location is None:
                services.asset_location_add(
                    actor=request.user,
                    asset_id=asset.id,
                    values=form.values(),
                    expected_version=expected,
                )
            else:
                services.asset_location_update(
                    actor=request.user,
                    asset_id=asset.id,
                    location_id=location.id,
                    values=form.values(),
                    expected_version=expected,
                )
        except (Conflict, ValidationFailed, services.DirectoryStaffOnly) as error:
            _location_error(form, error)
        else:
            messages.success(request, "Location added." if location is None else "Location saved.")
            return redirect("assets:locations", asset_id=asset.id)
    return render(
        request,
        "assets/location_form.html",
        {"asset": asset, "location": location, "form": form},
    )


@require(Action.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def location_remove(
    request: HttpRequest, asset_id: uuid.UUID, location_id: uuid.UUID
) -> HttpResponse:
    asset = _staff_editable(request, asset_id)
    location = next(
        (loc for loc in selectors.asset_locations(asset=asset) if loc.id == location_id), None
    )
    if location is None:
        raise Http404
    if request.method == "POST":
        try:
            services.asset_location_remove(
                actor=request.user,
                asset_id=asset.id,
                location_id=location.id,
                expected_version=int(request.POST.get("version") or asset.version),
            )
        except Conflict:
            messages.error(request, "Someone else changed this listing. Check it and try again.")
        except ValueError as error:
            raise Http404 from error
        else:
            messages.success(request, "Location removed.")
        return redirect("assets:locations", asset_id=asset.id)
    return render(request, "assets/location_remove.html", {"asset": asset, "location": location})
