import time

from django.conf import settings
from django.urls import reverse

from gonghui.core.permissions import Role

# The side navigation; each module adds its entry here with the permission it needs.
NAVIGATION = [
    ("core:dashboard", "工作台", "bi-speedometer2", None),
    ("orgs:tree", "组织管理", "bi-diagram-3", "org.view"),
    ("members:list", "会员管理", "bi-person-vcard", "member.view"),
    ("members:me", "我的会员信息", "bi-person-badge", "self.member"),
    ("accounts:users", "账号与权限", "bi-people", "account.manage"),
    ("audit:list", "审计日志", "bi-shield-check", "audit.view"),
]


def shell(request):
    actor = getattr(request, "actor", None)
    nav = []
    if actor is not None:
        path = request.path
        for name, label, icon, perm in NAVIGATION:
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
