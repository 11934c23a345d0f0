"""Reads for the web shell: navigation and the home page for each role."""

import contextlib
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from placebase.accounts.permissions import Action, can
from placebase.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    current: bool


# (label, url name, action needed). Items whose page does not exist yet are left out.
_NAVIGATION = [
    ("Home", "web:home", Action.VIEW_HOME),
    ("Places", "places:index", Action.VIEW_PLACES),
    ("Directory", "assets:search", Action.VIEW_HOME),
    ("People", "casework:home", Action.EDIT_PERSONAL_DATA),
    ("Engagement", "engagement:index", Action.VIEW_ENGAGEMENT),
    ("Ward view", "engagement:ward_view", Action.VIEW_WARD_AGGREGATES),
    ("Volunteering", "volunteering:manage", Action.MANAGE_VOLUNTEERING),
    ("Whole place", "wholeplace:index", Action.VIEW_WHOLE_PLACE),
    ("Evidence", "evidence:index", Action.VIEW_EVIDENCE),
    ("Audit log", "core:audit_log", Action.VIEW_AUDIT_LOG),
]


def navigation_for(*, user: Any, path: str) -> list[NavItem]:
    if user is None or not user.is_authenticated:
        return []
    items = []
    for text, url_name, action in _NAVIGATION:
        if not can(user, action):
            continue
        try:
            href = reverse(url_name)
        except NoReverseMatch:
            continue
        current = path == href if href == "/" else path.startswith(href)
        items.append(NavItem(text=text, href=href, current=current))
    return items


@dataclass(frozen=True)
class HomeSection:
    title: str
    body: str
    href: str = ""
    link_text: str = ""
    coming_in: str = ""  # which part of the roadmap fills this in, shown to the user


_COMING = {
    "casework": "the Local Area Coordination case-work release",
    "assets": "the community assets and directory release",
    "volunteering": "the volunteering release",
    "engagement": "the engagement and councillors release",
    "evidence": "the evidence release",
    "wholeplace": "the Whole Place release",
}

_HOME_SECTIONS: dict[str, list[HomeSection]] = {
    Role.COORDINATOR: [
        HomeSection(
            "My people",
            "The residents you walk alongside, with follow-ups and reviews due.",
            href="/casework/",
            link_text="Open my people",
        ),
        HomeSection(
            "Record an introduction",
            "Someone new has been introduced to you.",
            href="/casework/people/introduce/",
            link_text="Record an introduction",
        ),
    ],
    Role.CONNECTOR: [
        HomeSection(
            "Asset map",
            "What your neighbourhoods have: places, groups and gifts.",
            coming_in=_COMING["assets"],
        ),
        HomeSection(
            "Community projects",
            "Projects from idea to self-sustaining.",
            coming_in=_COMING["assets"],
        ),
    ],
    Role.VOLUNTEER_COORDINATOR: [
        HomeSection(
            "Opportunities and pledges",
            "Sign-ups, safeguarding checks due and hours to verify.",
            href="/volunteering/manage/",
            link_text="Manage volunteering",
        ),
    ],
    Role.MANAGER: [
        HomeSection(
            "Caseloads and introductions",
            "By coordinator, patch and area.",
            href="/casework/dashboard/",
            link_text="Open the case-work dashboard",
        ),
        HomeSection(
            "Evidence",
            "Costs avoided by agency and social return with ranges.",
            coming_in=_COMING["evidence"],
        ),
    ],
    Role.ANALYST: [
        HomeSection(
            "Evidence reports",
            "Reports for any place and period, with their method.",
            coming_in=_COMING["evidence"],
        ),
        HomeSection(
            "Public spend by place",
            "Total Place spend per head by area.",
            href="/whole-place/spend/",
            link_text="See spend by place",
        ),
    ],
    Role.COUNCILLOR: [
        HomeSection(
            "Your wards",
            "Aggregates for the wards you represent; small numbers are "
            "hidden to protect residents.",
            href="/engagement/wards/",
            link_text="Open your ward view",
        ),
    ],
    Role.PARTNER_VIEWER: [
        HomeSection(
            "Shared with your organisation",
            "Records shared under a data-sharing "
            "agreement, and the benefits that accrue to your organisation.",
            coming_in=_COMING["wholeplace"],
        ),
    ],
    Role.PROVIDER_EDITOR: [
        HomeSection(
            "Your listings",
            "Keep your organisation's listings up to date.",
            coming_in=_COMING["assets"],
        ),
    ],
    Role.VOLUNTEER: [
        HomeSection(
            "Your volunteering",
            "Your pledges, shifts, hours and badges.",
            href="/volunteering/me/",
            link_text="Open your volunteering page",
        ),
    ],
    Role.ADMIN: [],
}


def home_sections_for(*, user: Any) -> list[HomeSection]:
    sections = list(_HOME_SECTIONS.get(user.role, []))
    if can(user, Action.VIEW_PLACES):
        with contextlib.suppress(NoReverseMatch):  # the places pages may not be installed
            sections.insert(
                0,
                HomeSection(
                    "Places",
                    "Areas at every level: wards, LSOAs, NHS footprints and your own patches.",
                    href=reverse("places:index"),
                    link_text="Browse places",
                ),
            )
    if can(user, Action.VIEW_AUDIT_LOG):
        sections.append(
            HomeSection(
                "Audit log",
                "Who read or changed what, and when.",
                href=reverse("core:audit_log"),
                link_text="Open the audit log",
            )
        )
    return sections
