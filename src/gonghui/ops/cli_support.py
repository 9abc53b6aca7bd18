"""Shared bits of gonghui's management commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from gonghui.access.actor import Actor


def add_actor_argument(parser) -> None:
    parser.add_argument(
        "--as", dest="as_user", metavar="USERNAME",
        help="以该账号的角色和管辖范围执行（默认以系统操作员身份执行，可见全部数据）",
    )


def actor_from_options(options, *, org=None) -> Actor:
    username = options.get("as_user")
    if not username:
        return Actor.system(source="cli")
    from gonghui.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到可用的账号“{username}”。")
    grants = list(user.grants.filter(org__is_active=True).select_related("org").order_by("org__depth", "pk"))
    if org is not None:
        grants = [g for g in grants if org.path.startswith(g.org.path)]
    if not grants:
        raise CommandError(f"账号“{username}”在该工会没有角色。")
    return Actor.for_grant(grants[0], ip="cli", source="cli")


def resolve_org(actor: Actor, code: str | None):
    from django.http import Http404

    from gonghui.orgs.models import Org
    from gonghui.orgs.selectors import org_get_by_code

    if not code:
        return None
    try:
        if actor.is_operator:
            return Org.objects.get(code=code.strip().upper())
        return org_get_by_code(actor, code)
    except (Org.DoesNotExist, Http404):
        raise CommandError(f"找不到工会编码“{code}”（或不在管辖范围内）。") from None
