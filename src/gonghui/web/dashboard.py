"""What the dashboard (工作台) shows, registered by the modules.

The shell owns the page, not its figures: each module registers a panel — a callable
(request) -> dict | None naming its template and context — in AppConfig.ready(), with an
order (the organization overview comes first). A member with no staff role lands on a
page a module registers for them (the roster's 本人页面).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

PANELS: list[tuple[int, Callable]] = []
MEMBER_LANDINGS: list[Callable] = []


def register_panel(order: int, panel: Callable) -> None:
    if not any(fn is panel for _, fn in PANELS):
        PANELS.append((order, panel))


def register_member_landing(landing: Callable) -> None:
    """`landing(request)` answers a redirect for a member it knows, else None."""
    if landing not in MEMBER_LANDINGS:
        MEMBER_LANDINGS.append(landing)


def panels(request) -> list[dict]:
    ordered = sorted(PANELS, key=lambda entry: entry[0])
    return [panel for panel in (fn(request) for _, fn in ordered) if panel]


def member_landing(request) -> HttpResponse | None:
    for landing in MEMBER_LANDINGS:
        response = landing(request)
        if response is not None:
            return response
    return None


# Buttons beside the dashboard's title (统计报表, 工作总结): (order, url name, label,
# permission), registered by the module that serves the page.
LINKS: list[tuple[int, str, str, str]] = []


def register_link(order: int, url_name: str, label: str, perm: str) -> None:
    if not any(entry[1] == url_name for entry in LINKS):
        LINKS.append((order, url_name, label, perm))


def links(actor) -> list[tuple[str, str]]:
    from django.urls import reverse

    return [(reverse(name), label) for _, name, label, perm in sorted(LINKS) if actor.can(perm)]
