from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gonghui.access.actor import Actor
from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.access.session import SESSION_GRANT, SESSION_PENDING
from gonghui.accounts import selectors, services
from gonghui.accounts.forms import (
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
    TotpForm,
    UserCreateForm,
    UserEditForm,
)
from gonghui.accounts.models import User
from gonghui.audit.services import audit_record
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.http import client_ip, flash_service, staff_view
from gonghui.web.paging import keyset_page

PENDING_USER = SESSION_PENDING
# Longer than any page of ours; a long "next" is someone probing, not a bookmark.
_NEXT_MAX = 2000


def _safe_next(request, default="/"):
    """A local path to go on to ("/…", never "//…" or a scheme), else `default`.

    Only ever a path, never a URL name: the result goes to HttpResponseRedirect as is,
    so "abc" cannot make redirect() try to reverse it (NoReverseMatch, a 500)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        not target.startswith("/")
        or target.startswith("//")
        or len(target) > _NEXT_MAX
        or "\\" in target
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)
        or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return default
    return target


def login_view(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.login_attempt(
            username=form.cleaned_data["username"], password=form.cleaned_data["password"], ip=client_ip(request), request=request
        )
        if outcome.user is None:
            form.add_error(None, outcome.error)
        elif outcome.needs_totp:
            request.session[PENDING_USER] = outcome.user.pk
            request.session["pending_next"] = _safe_next(request)
            if outcome.user.totp_enabled:
                return redirect("accounts:totp_verify")
            return redirect("accounts:totp_setup")
        else:
            login(request, outcome.user)
            return HttpResponseRedirect(_safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": _safe_next(request, default=""),
            **_lockout_terms(),
        },
    )


def _lockout_terms() -> dict:
    return {"lockout_threshold": settings.GONGHUI_LOCKOUT_THRESHOLD, "lockout_minutes": settings.GONGHUI_LOCKOUT_MINUTES}


def _pending_user(request):
    pk = request.session.get(PENDING_USER)
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def _finish_pending_login(request, user):
    target = request.session.pop("pending_next", "/")
    request.session.pop(PENDING_USER, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(target if target.startswith("/") and not target.startswith("//") else "/")


def totp_verify(request):
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if not user.totp_enabled:
        return redirect("accounts:totp_setup")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = services.totp_check(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        if error:
            form.add_error("code", error)
        else:
            return _finish_pending_login(request, user)
    return render(request, "accounts/totp_verify.html", {"form": form, **_lockout_terms()})


def totp_setup(request):
    """Enrol the second factor: during login (pending user) or from the user menu."""
    pending = not request.user.is_authenticated
    user = _pending_user(request) if pending else request.user
    if user is None:
        return redirect("accounts:login")
    if user.totp_enabled:
        # Someone who already has a second factor only ever proves it at /otp/ (where
        # wrong codes lock): enrolling here again would be a way round it.
        if pending:
            return redirect("accounts:totp_verify")
        return render(request, "accounts/totp_setup.html", {"form": None, "enrolled": True, "secret": ""})
    if request.method == "GET" and (not user.totp_secret or request.GET.get("renew")):
        services.totp_begin(user=user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        actor = getattr(request, "actor", None) or Actor.anonymous(ip=ip, user=user)
        error = services.totp_enable(actor=actor, user=user, code=form.cleaned_data["code"], ip=ip)
        if not error and pending:
            refusal = services.login_complete(user=user, ip=ip)
            if refusal:
                # Enrolled, but locked meanwhile: from now on this login is a verification.
                messages.error(request, refusal)
                return redirect("accounts:totp_verify")
            messages.success(request, "双因素认证已启用，以后登录时请输入手机上的动态口令。")
            return _finish_pending_login(request, user)
        if error:
            form.add_error("code", error)
        else:
            messages.success(request, "双因素认证已启用。")
            return redirect("web:dashboard")
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "enrolled": user.totp_enabled, "secret": user.totp_secret if not user.totp_enabled else "", **_lockout_terms()},
    )


def totp_qr(request):
    import segno

    user = request.user if request.user.is_authenticated else _pending_user(request)
    if user is None or user.totp_enabled or not user.totp_secret:
        raise Http404
    svg = segno.make(services.totp_provisioning_uri(user), error="m").svg_inline(scale=5, dark="#222")
    return HttpResponse(svg, content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(actor=Actor.anonymous(ip=client_ip(request), user=request.user), action="logout")
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


def password_change(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = request.actor or Actor.anonymous(ip=client_ip(request), user=request.user)
        try:
            services.password_change(
                actor=actor, old_password=form.cleaned_data["old_password"], new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("web:dashboard")
    return render(request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password})


@require_POST
def switch(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    wanted = request.POST.get("grant", "")
    grant = next((g for g in request.grants if str(g.pk) == wanted), None)
    if grant is None:
        raise Http404("没有该角色。")
    request.session[SESSION_GRANT] = grant.pk
    audit_record(actor=Actor.for_grant(grant, ip=client_ip(request)), action="grant.switch", obj=grant)
    messages.success(request, f"已切换到：{grant.org.name} · {grant.get_role_display()}")
    target = _safe_next(request)
    # The page we were on may belong to the previous union's subtree.
    if "/orgs/" in target and target != "/orgs/":
        return redirect("web:dashboard")
    return HttpResponseRedirect(target)


# --- account administration ------------------------------------------------------------


@staff_view("account.manage")
def users(request):
    actor = request.actor
    qs = selectors.users_for(actor)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    page = keyset_page(qs, order=("username", "id"), cursor=request.GET.get("cursor"), size=50)
    grants = {}
    for g in selectors.grants_for_users(actor, [u.pk for u in page.rows]):
        grants.setdefault(g.user_id, []).append(g)
    for u in page.rows:
        u.visible_grants = grants.get(u.pk, [])
    return render(request, "accounts/users.html", {"page": page, "q": q})


@staff_view("account.manage")
def user_create(request):
    actor = request.actor
    form = UserCreateForm(request.POST or None, initial={"org_code": actor.org.code})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get_by_code(actor, data["org_code"])
        except Http404:
            form.add_error("org_code", ORG_NOT_IN_SCOPE)
        else:
            try:
                user = services.user_create(
                    actor=actor, username=data["username"], full_name=data["full_name"], password=data["password"], org=org, role=data["role"]
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已创建账号“{user.username}”，请将初始密码告知本人，首次登录时须修改。")
                return redirect("accounts:user", user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": "新建账号"})


@staff_view("account.manage")
def user_detail(request, user_id):
    actor = request.actor
    user = selectors.user_get(actor, user_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "u": user,
            "grants": selectors.grants_of(actor, user),
            "grant_form": GrantForm(initial={"org_code": actor.org.code}),
            "reset_form": ResetPasswordForm(),
            "locked": selectors.is_locked(user),
        },
    )


@staff_view("account.manage")
def user_edit(request, user_id):
    actor = request.actor
    user = selectors.user_get(actor, user_id)
    form = UserEditForm(request.POST or None, initial={"full_name": user.full_name, "email": user.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=actor, user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已保存。")
            return redirect("accounts:user", user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": f"修改账号：{user.username}", "u": user})


def _user_action(request, user_id, fn, done: str):
    actor = request.actor
    user = selectors.user_get(actor, user_id)
    flash_service(request, lambda: fn(actor, user), done)
    return redirect("accounts:user", user.pk)


@require_POST
@staff_view("account.manage")
def user_toggle_active(request, user_id):
    activate = request.POST.get("active") == "1"
    fn = services.user_reactivate if activate else services.user_deactivate
    return _user_action(request, user_id, lambda a, u: fn(actor=a, user=u), "已启用账号。" if activate else "已停用账号。")


@require_POST
@staff_view("account.manage")
def user_unlock(request, user_id):
    return _user_action(request, user_id, lambda a, u: services.user_unlock(actor=a, user=u), "已解除登录锁定。")


@require_POST
@staff_view("account.manage")
def user_totp_reset(request, user_id):
    return _user_action(request, user_id, lambda a, u: services.totp_reset(actor=a, user=u), "已重置双因素认证，该用户下次登录时需重新绑定。")


@require_POST
@staff_view("account.manage")
def user_reset_password(request, user_id):
    form = ResetPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写新的初始密码。")
        return redirect("accounts:user", user_id)
    return _user_action(
        request, user_id, lambda a, u: services.password_reset(actor=a, user=u, new_password=form.cleaned_data["password"]),
        "已重置密码，用户下次登录时须修改。",
    )


@require_POST
@staff_view("account.manage")
def grant_add(request, user_id):
    actor = request.actor
    user = selectors.user_get(actor, user_id)
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            org = org_get_by_code(actor, form.cleaned_data["org_code"])
            services.grant_create(actor=actor, user=user, org=org, role=form.cleaned_data["role"])
        except Http404:
            messages.error(request, ORG_NOT_IN_SCOPE)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已授予角色。")
    else:
        messages.error(request, "请填写工会编码并选择角色。")
    return redirect("accounts:user", user.pk)


@require_POST
@staff_view("account.manage")
def grant_revoke(request, grant_id):
    actor = request.actor
    grant = selectors.grant_get(actor, grant_id)
    flash_service(request, lambda: services.grant_revoke(actor=actor, grant=grant), "已撤销该角色。")
    return redirect("accounts:user", grant.user_id)
