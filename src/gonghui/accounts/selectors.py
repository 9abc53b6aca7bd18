from __future__ import annotations

from django.db.models import Q

from gonghui.access.actor import Actor
from gonghui.access.scope import get_scoped_or_404, scope_q
from gonghui.accounts.models import LoginLock, RoleGrant, User


def users_for(actor: Actor):
    """Accounts holding at least one role in the actor's subtree."""
    if actor.is_operator:
        return User.objects.all()
    in_scope = RoleGrant.objects.filter(scope_q(actor, "org")).values("user_id")
    return User.objects.filter(Q(pk__in=in_scope) | Q(created_by=actor.user, grants__isnull=True)).distinct()


def user_get(actor: Actor, pk) -> User:
    return get_scoped_or_404(users_for(actor), actor, pk=pk)


def grants_of(actor: Actor, user: User):
    """The user's roles that the actor may see (roles elsewhere stay hidden)."""
    return RoleGrant.objects.for_actor(actor).filter(user=user).select_related("org", "granted_by").order_by("org__path")


def grant_get(actor: Actor, pk) -> RoleGrant:
    return get_scoped_or_404(RoleGrant.objects.select_related("org", "user"), actor, pk=pk)


def is_locked(user: User) -> bool:
    from django.utils import timezone

    from gonghui.accounts.models import LoginFailure

    addresses = LoginFailure.objects.filter(username=user.username).values_list("ip", flat=True)
    keys = [f"user:{user.username}"] + [f"ip:{ip}" for ip in addresses]
    return LoginLock.objects.filter(key__in=keys, locked_until__gt=timezone.now()).exists()


def grants_for_users(actor: Actor, user_ids: list[int]):
    return RoleGrant.objects.for_actor(actor).filter(user_id__in=user_ids).select_related("org")
