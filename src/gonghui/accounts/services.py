"""Logins, accounts, role grants and the second factor."""

from __future__ import annotations

import datetime as dt
import hmac
import math
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.access.permissions import ROLES_NEEDING_HIGHER_GRANTOR, ROLES_REQUIRING_TOTP, Role
from gonghui.accounts.models import LoginFailure, LoginLock, RoleGrant, User
from gonghui.audit.services import audit_record
from gonghui.core.services import audited
from gonghui.orgs.models import Org

# --- login and lockout -----------------------------------------------------------------


@dataclass
class LoginOutcome:
    user: User | None
    error: str = ""
    needs_totp: bool = False


def _lock_remaining(key: str) -> int:
    """Minutes left on a lock (0 when not locked)."""
    lock = LoginLock.objects.filter(key=key).first()
    if lock is None or lock.locked_until <= timezone.now():
        return 0
    return max(1, math.ceil((lock.locked_until - timezone.now()).total_seconds() / 60))


def _first_org(user: User | None) -> Org | None:
    if user is None:
        return None
    grant = user.grants.select_related("org").order_by("org__depth", "pk").first()
    return grant.org if grant else None


# What a wrong credential is called in the refusal, by kind of credential.
_WRONG = {
    "password": "用户名或密码错误。",
    "code": "动态口令错误或已过期，请输入手机上当前显示的6位口令。",
}
_LOCKED_NOW = {
    "password": "登录失败次数过多，已锁定{minutes}分钟。如需提前解锁，请联系管理员。",
    "code": "动态口令错误次数过多，已锁定{minutes}分钟。如需提前解锁，请联系管理员。",
}


def _record_failure(*, username: str, ip: str, user: User | None, action: str, message: str, kind: str = "password") -> str:
    """Count a failed attempt; lock the account/address when it reaches the threshold."""
    now = timezone.now()
    window = now - dt.timedelta(minutes=settings.GONGHUI_LOCKOUT_MINUTES)
    actor = Actor.anonymous(ip=ip, name=username, user=user)
    with transaction.atomic():
        # Rows older than a day no longer count for anything.
        LoginFailure.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
        LoginFailure.objects.create(username=username, ip=ip, at=now)
        audit_record(actor=actor, action=action, org=_first_org(user), result="failure", message=message)
        locked = []
        for key, field, value, threshold in (
            (f"user:{username}", "username", username, settings.GONGHUI_LOCKOUT_THRESHOLD),
            (f"ip:{ip}", "ip", ip, settings.GONGHUI_LOCKOUT_IP_THRESHOLD),
        ):
            if LoginFailure.objects.filter(**{field: value, "at__gte": window}).count() >= threshold:
                until = now + dt.timedelta(minutes=settings.GONGHUI_LOCKOUT_MINUTES)
                LoginLock.objects.update_or_create(key=key, defaults={"locked_until": until})
                locked.append(key)
        if locked:
            audit_record(
                actor=actor, action="login.locked", org=_first_org(user), result="failure", message="、".join(locked)
            )
            return _LOCKED_NOW[kind].format(minutes=settings.GONGHUI_LOCKOUT_MINUTES)
    left = settings.GONGHUI_LOCKOUT_THRESHOLD - LoginFailure.objects.filter(username=username, at__gte=window).count()
    return f"{_WRONG[kind]}再错{left}次，账号将被锁定{settings.GONGHUI_LOCKOUT_MINUTES}分钟。"


def _lock_refusal(*, username: str, ip: str, step: str, user: User | None = None) -> str:
    """The refusal while the account or the address is locked ('' when neither is).

    Every step of a login asks this, not only the password: otherwise a session that got
    past the password before the lock could keep guessing the second factor."""
    for key in (f"user:{username}", f"ip:{ip}"):
        minutes = _lock_remaining(key)
        if minutes:
            if user is None:
                user = User.objects.filter(username=username).first()
            audit_record(
                actor=Actor.anonymous(ip=ip, name=username, user=user),
                action="login.locked",
                org=_first_org(user),
                result="failure",
                message=f"锁定中仍尝试{step}（{key.split(':')[0]}）",
            )
            return f"登录失败次数过多，已被锁定。请约{minutes}分钟后再试，或联系管理员解锁。"
    return ""


def needs_totp(user: User) -> bool:
    return user.totp_enabled or user.grants.filter(role__in=ROLES_REQUIRING_TOTP).exists()


def login_attempt(*, username: str, password: str, ip: str, request=None) -> LoginOutcome:
    """Check a username and password, honouring lockout. Does not start the session."""
    username = (username or "").strip()
    refusal = _lock_refusal(username=username, ip=ip, step="登录")
    if refusal:
        return LoginOutcome(None, refusal)
    user = authenticate(request, username=username, password=password)
    if user is None:
        known = User.objects.filter(username=username).first()
        return LoginOutcome(
            None, _record_failure(username=username, ip=ip, user=known, action="login.failure", message="密码错误或账号已停用")
        )
    if needs_totp(user):
        return LoginOutcome(user, needs_totp=True)
    refusal = login_complete(user=user, ip=ip)
    if refusal:
        return LoginOutcome(None, refusal)
    return LoginOutcome(user)


def login_complete(*, user: User, ip: str) -> str:
    """The last gate before the session starts: '' and the login recorded, or the refusal
    when a lock was set meanwhile (by guesses elsewhere while this login was under way)."""
    refusal = _lock_refusal(username=user.username, ip=ip, user=user, step="完成登录")
    if refusal:
        return refusal
    LoginFailure.objects.filter(username=user.username).delete()
    audit_record(actor=Actor.anonymous(ip=ip, user=user), action="login.success", org=_first_org(user))
    return ""


def _serialise_attempts(user: User) -> None:
    """Take the account's row lock, so that parallel guesses at its second factor are
    counted one after another and cannot all get in before the lock is set (on SQLite
    the IMMEDIATE transaction serialises them anyway)."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def totp_check(*, user: User, code: str, ip: str) -> str:
    """Verify a second-factor code at login; '' when accepted (and the login recorded),
    else the Chinese refusal. A wrong code counts exactly like a wrong password."""
    with transaction.atomic():
        _serialise_attempts(user)
        # An administrator may have reset the second factor or stopped the account
        # since the password step.
        user.refresh_from_db(fields=["is_active", "totp_enabled", "totp_secret", "totp_last_counter"])
        if not user.is_active or not user.totp_enabled:
            return "登录已失效，请重新登录。"
        refusal = _lock_refusal(username=user.username, ip=ip, user=user, step="输入动态口令")
        if refusal:
            return refusal
        if _totp_accept(user, code):
            return login_complete(user=user, ip=ip)
        return _record_failure(
            username=user.username, ip=ip, user=user, action="totp.failure", message="动态口令错误", kind="code"
        )


def _totp_accept(user: User, code: str) -> bool:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not user.totp_secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now()
    for offset in (0, -1, 1):  # one step of clock drift either way
        counter = totp.timecode(now) + offset
        if hmac.compare_digest(totp.generate_otp(counter), code):
            # Conditional on the stored counter, so a code (or an older one) is accepted
            # once even when two requests carry it at the same moment.
            used = User.objects.filter(pk=user.pk, totp_last_counter__lt=counter).update(totp_last_counter=counter)
            if used:
                user.totp_last_counter = counter
            return bool(used)
    return False


_ALREADY_ENROLLED = "您的账号已启用双因素认证。如更换手机，请联系管理员重置后重新绑定。"


def totp_begin(*, user: User) -> str:
    """A fresh secret for enrolment (not active until a code from it is confirmed)."""
    if user.totp_enabled:
        # A new secret would let whoever holds the password replace the second factor.
        raise ValidationError(_ALREADY_ENROLLED)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_last_counter = 0
    user.save(update_fields=["totp_secret", "totp_last_counter"])
    return secret


def totp_provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="gonghui 工会平台")


def totp_enable(*, actor: Actor, user: User, code: str, ip: str) -> str:
    """Confirm enrolment with a code from the new secret: '' when the second factor is on,
    else the Chinese refusal.

    Not @audited: a wrong code must leave its LoginFailure (and totp.failure event)
    behind, which the decorator's rollback would erase. Enrolment during a login is a
    login step, so wrong codes count towards the lockout like wrong passwords.
    """
    with transaction.atomic():
        _serialise_attempts(user)
        user.refresh_from_db(fields=["totp_enabled", "totp_secret", "totp_last_counter"])
        if user.totp_enabled:
            return _ALREADY_ENROLLED
        refusal = _lock_refusal(username=user.username, ip=ip, user=user, step="绑定动态口令")
        if refusal:
            return refusal
        if not _totp_accept(user, code):
            return _record_failure(
                username=user.username, ip=ip, user=user, action="totp.failure", message="绑定双因素认证时动态口令错误",
                kind="code",
            )
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        audit_record(actor=actor, action="totp.enable", obj=user, org=_first_org(user))
    return ""


# --- accounts and grants ---------------------------------------------------------------


def _require_may_grant(actor: Actor, org: Org, role: str) -> None:
    actor.require("account.manage")
    actor.require_covers(org)
    if role in ROLES_NEEDING_HIGHER_GRANTOR and not actor.is_operator and org.pk == actor.org.pk:
        raise PermissionDenied("系统管理员角色只能由上级工会的系统管理员授予。")
    if role not in Role.values:
        raise ValidationError({"role": "请选择角色。"})


def require_manages_user(actor: Actor, user: User) -> None:
    """An administrator may manage an account only if all its roles lie in their subtree."""
    actor.require("account.manage")
    if actor.is_operator:
        return
    if actor.user is not None and user.pk == actor.user.pk:
        return
    grants = list(user.grants.select_related("org"))
    if not grants:
        if user.created_by_id == getattr(actor.user, "pk", None):
            return
        raise PermissionDenied("该账号不在您的管辖范围内。")
    for g in grants:
        if not actor.covers(g.org) or (g.role in ROLES_NEEDING_HIGHER_GRANTOR and g.org.pk == actor.org.pk):
            raise PermissionDenied("该账号在您管辖范围以外（或同级）另有角色，请联系上级管理员处理。")


@audited("user.create", object_type="accounts.User")
def user_create(
    *, actor: Actor, username: str, full_name: str, password: str, org: Org, role: str, must_change_password=True
) -> User:
    _require_may_grant(actor, org, role)
    username = (username or "").strip()
    errors = {}
    try:
        UnicodeUsernameValidator()(username)
        if len(username) < 3:
            raise ValidationError("用户名至少3个字符。")
    except ValidationError:
        errors["username"] = "用户名只能包含字母、数字和 @ . + - _，至少3个字符。"
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = f"用户名“{username}”已被使用。"
    if not (full_name or "").strip():
        errors["full_name"] = "请填写姓名。"
    candidate = User(username=username, full_name=(full_name or "").strip())
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = candidate
    user.set_password(password)
    user.must_change_password = must_change_password
    user.created_by = actor.user
    user.save()
    RoleGrant.objects.create(user=user, org=org, role=role, granted_by=actor.user)
    audit_record(
        actor=actor, action="user.create", obj=user, org=org,
        changes={"username": [None, username], "full_name": [None, user.full_name], "role": [None, f"{org.code}:{role}"]},
    )
    return user


@audited("user.update", object_type="accounts.User")
def user_update(*, actor: Actor, user: User, full_name: str, email: str = "") -> User:
    require_manages_user(actor, user)
    if not (full_name or "").strip():
        raise ValidationError({"full_name": "请填写姓名。"})
    before = {"full_name": user.full_name, "email": user.email}
    user.full_name, user.email = full_name.strip(), (email or "").strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "email"])
    audit_record(actor=actor, action="user.update", obj=user, org=_first_org(user), changes={
        k: [before[k], getattr(user, k)] for k in before if before[k] != getattr(user, k)
    })
    return user


def _set_active(actor: Actor, user: User, active: bool) -> User:
    require_manages_user(actor, user)
    if not active and actor.user is not None and user.pk == actor.user.pk:
        raise ValidationError("不能停用自己的账号。")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor, action="user.reactivate" if active else "user.deactivate", obj=user, org=_first_org(user),
            changes={"is_active": [not active, active]},
        )
    return user


@audited("user.deactivate", object_type="accounts.User")
def user_deactivate(*, actor: Actor, user: User) -> User:
    return _set_active(actor, user, False)


@audited("user.reactivate", object_type="accounts.User")
def user_reactivate(*, actor: Actor, user: User) -> User:
    return _set_active(actor, user, True)


@audited("user.unlock", object_type="accounts.User")
def user_unlock(*, actor: Actor, user: User) -> None:
    require_manages_user(actor, user)
    addresses = set(LoginFailure.objects.filter(username=user.username).values_list("ip", flat=True))
    LoginLock.objects.filter(key__in=[f"user:{user.username}"] + [f"ip:{ip}" for ip in addresses]).delete()
    LoginFailure.objects.filter(username=user.username).delete()
    audit_record(actor=actor, action="user.unlock", obj=user, org=_first_org(user))


@audited("password.reset", object_type="accounts.User")
def password_reset(*, actor: Actor, user: User, new_password: str) -> None:
    require_manages_user(actor, user)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"password": " ".join(exc.messages)}) from None
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action="password.reset", obj=user, org=_first_org(user))


@audited("password.change", object_type="accounts.User")
def password_change(*, actor: Actor, old_password: str, new_password: str) -> None:
    user = actor.user
    if user is None or not user.check_password(old_password or ""):
        raise ValidationError({"old_password": "原密码不正确。"})
    if old_password == new_password:
        raise ValidationError({"new_password": "新密码不能与原密码相同。"})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": " ".join(exc.messages)}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action="password.change", obj=user)


@audited("totp.disable", object_type="accounts.User")
def totp_reset(*, actor: Actor, user: User) -> None:
    """Clear a lost second factor; the user enrols again at the next login."""
    require_manages_user(actor, user)
    user.totp_secret, user.totp_enabled, user.totp_last_counter = "", False, 0
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_counter"])
    audit_record(actor=actor, action="totp.disable", obj=user, org=_first_org(user))


@audited("grant.create", object_type="accounts.RoleGrant")
def grant_create(*, actor: Actor, user: User, org: Org, role: str) -> RoleGrant:
    _require_may_grant(actor, org, role)
    if not user.is_active:
        raise ValidationError({"role": "该账号已停用，不能授予角色。"})
    if RoleGrant.objects.filter(user=user, org=org, role=role).exists():
        raise ValidationError({"role": f"该账号在“{org.name}”已有“{Role(role).label}”角色。"})
    grant = RoleGrant.objects.create(user=user, org=org, role=role, granted_by=actor.user)
    audit_record(actor=actor, action="grant.create", obj=grant, changes={"role": [None, f"{user.username}@{org.code}:{role}"]})
    return grant


@audited("grant.revoke", object_type="accounts.RoleGrant")
def grant_revoke(*, actor: Actor, grant: RoleGrant) -> None:
    _require_may_grant(actor, grant.org, grant.role)
    if actor.grant_id == grant.pk:
        raise ValidationError("不能撤销您当前正在使用的角色。")
    audit_record(
        actor=actor, action="grant.revoke", obj=grant,
        changes={"role": [f"{grant.user.username}@{grant.org.code}:{grant.role}", None]},
    )
    grant.delete()
