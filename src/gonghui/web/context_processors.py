import time

from django.conf import settings
from django.urls import reverse

from gonghui.access.permissions import Role

# The side navigation: (order, url name, label, icon, permission). Modules add their
# entries with register_nav() in AppConfig.ready().
NAVIGATION: list[tuple[int, str, str, str, str | None]] = [
    (0, "web:dashboard", "工作台", "bi-speedometer2", "org.view"),  # members land on their own page
    (90, "accounts:users", "账号与权限", "bi-people", "account.manage"),
    (95, "audit:list", "审计日志", "bi-shield-check", "audit.view"),
]


def register_nav(order: int, url_name: str, label: str, icon: str, perm: str | None) -> None:
    if not any(entry[1] == url_name for entry in NAVIGATION):
        NAVIGATION.append((order, url_name, label, icon, perm))


def shell(request):
    actor = getattr(request, "actor", None)
    nav = []
    if actor is not None:
        path = request.path
        for _order, name, label, icon, perm in sorted(NAVIGATION):
            if perm is None or actor.can(perm):
                url = reverse(name)
                active = path == url if url == "/" else path.startswith(url)
                nav.append({"url": url, "label": label, "icon": icon, "active": active})
    return {
        "actor": actor,
        "nav": nav,
        "role_labels": dict(Role.choices),
        "idle_minutes": settings.GONGHUI_IDLE_MINUTES,
        "demo_mode": _is_demo_database(),
    }


_demo_cache: list = [None, 0.0]


def _is_demo_database() -> bool:
    """Whether this database holds demo data (checked at most once a minute)."""
    if time.monotonic() - _demo_cache[1] > 60:
        from gonghui.core.models import SiteFlag

        _demo_cache[:] = [bool(SiteFlag.get("demo")), time.monotonic()]
    return bool(_demo_cache[0])
