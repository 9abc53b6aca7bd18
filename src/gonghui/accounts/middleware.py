import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from gonghui.access.actor import Actor
from gonghui.access.session import SESSION_GRANT
from gonghui.audit.services import audit_record
from gonghui.web.http import client_ip

SESSION_SEEN = "last_seen"


class IdleLogoutMiddleware:
    """Ends a session left idle for GONGHUI_IDLE_MINUTES (等保: 登录超时退出)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SESSION_SEEN)
            if seen and now - seen > settings.GONGHUI_IDLE_MINUTES * 60:
                user = request.user
                logout(request)
                audit_record(actor=Actor.anonymous(ip=client_ip(request), user=user), action="logout.idle")
                messages.info(request, f"您已超过{settings.GONGHUI_IDLE_MINUTES}分钟未操作，为保护数据安全已自动退出，请重新登录。")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            # Writing the session on every request would cost a write each time.
            if not seen or now - seen > 30:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


class ActorMiddleware:
    """Sets request.actor from the user's current working grant (or None)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = None
        request.grants = []
        if request.user.is_authenticated:
            grants = list(
                request.user.grants.filter(org__is_active=True).select_related("org").order_by("org__depth", "org__code", "role")
            )
            request.grants = grants
            wanted = request.session.get(SESSION_GRANT)
            grant = next((g for g in grants if g.pk == wanted), None) or (grants[0] if grants else None)
            if grant is not None:
                source = "api" if request.path.startswith("/api/") else "web"
                request.actor = Actor.for_grant(grant, ip=client_ip(request), source=source)
        return self.get_response(request)
