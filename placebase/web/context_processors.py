from django.conf import settings
from django.http import HttpRequest

from .selectors import navigation_for


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "demo_mode": settings.DEMO_MODE,
        "nav_items": navigation_for(user=getattr(request, "user", None), path=request.path),
    }
