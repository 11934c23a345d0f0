from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from placebase.accounts.permissions import Action, require

from .audit import audit_record
from .selectors import audit_event_list, audit_verbs


@require(Action.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    verb = request.GET.get("verb", "")[:64]
    target_id = request.GET.get("target_id", "")[:64]
    events = audit_event_list(user=request.user, verb=verb, target_id=target_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # Read the page now: read lazily, it would include (and shift by) the entry below.
    page.object_list = list(page.object_list)
    # Reading the log is itself recorded: it shows who looked at whom.
    audit_record(
        actor=request.user,
        verb="audit_log.read",
        target_type="core.auditevent",
        payload={"verb": verb, "target_id": target_id, "page": page.number},
    )
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "verb": verb, "target_id": target_id, "verbs": audit_verbs()},
    )
