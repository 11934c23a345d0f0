from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from placebase.accounts.permissions import Action, require

from .selectors import home_sections_for


@require(Action.VIEW_HOME)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"sections": home_sections_for(user=request.user)})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "web/cookies.html")


def data_sources(request: HttpRequest) -> HttpResponse:
    return render(request, "web/data_sources.html")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors run here on purpose: the fault may lie in one of them.
    from django.template import loader

    template = loader.get_template("web/errors/500.html")
    return HttpResponse(template.render({"service_name": "Placebase"}), status=500)
