"""Who is acting, at which union, from where.

Every service and selector takes an Actor. Web requests get one from ActorMiddleware
(the user's current working grant), the CLI builds one with Actor.system() or for a
named user, and tests use the persona fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from gonghui.access.permissions import PERMISSIONS, Role, permissions_for

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org


@dataclass(frozen=True)
class Actor:
    user: User | None
    org: Org | None  # working union; None means the whole installation (operator)
    role: str | None
    ip: str = ""
    source: str = "web"  # web, api, cli, system
    grant_id: int | None = None
    perms: frozenset[str] = field(default=frozenset())
    operator: bool = False  # the console operator: the whole installation, every permission
    name: str = ""  # who it claims to be when there is no user (a failed login's username)

    @classmethod
    def for_grant(cls, grant, *, ip: str = "", source: str = "web") -> Actor:
        return cls(
            user=grant.user,
            org=grant.org,
            role=grant.role,
            ip=ip,
            source=source,
            grant_id=grant.pk,
            perms=permissions_for(grant.role),
        )

    @classmethod
    def system(cls, *, source: str = "cli") -> Actor:
        """The operator at the console: sees the whole installation."""
        return cls(
            user=None, org=None, role=Role.SYSADMIN, ip=source, source=source, perms=frozenset(PERMISSIONS), operator=True
        )

    @classmethod
    def anonymous(cls, *, ip: str, name: str = "", user=None, source: str = "web") -> Actor:
        """Someone not (yet) logged in: may write audit rows about themselves, sees nothing."""
        return cls(user=user, org=None, role=None, ip=ip, source=source, name=name)

    @property
    def is_operator(self) -> bool:
        return self.operator

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.username
        if self.name:
            return self.name
        return "命令行" if self.source == "cli" else "系统"

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    def can(self, perm: str) -> bool:
        return perm in self.perms

    def require(self, perm: str) -> None:
        if perm not in self.perms:
            raise PermissionDenied(f"您当前的角色没有“{PERMISSIONS.get(perm, perm)}”权限。")

    def covers(self, org: Org) -> bool:
        """Whether the org lies in this actor's subtree (its own union included)."""
        if self.operator:
            return True
        return self.org is not None and org.path.startswith(self.org.path)

    def require_covers(self, org: Org) -> None:
        if not self.covers(org):
            raise PermissionDenied("该工会不在您的管辖范围内。")
