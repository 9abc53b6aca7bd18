"""Roles and what they may do.

A role is granted at a union and covers that union's whole subtree (see scope.py). This
table is the single place that says which role carries which permission; later modules
add their permissions here.
"""

from django.db import models


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    CHAIR = "chair", "工会主席/副主席"
    OFFICER = "officer", "工会干事"
    FINANCE = "finance", "财务"
    AUDITOR = "auditor", "经审委员"
    BRANCH_LEAD = "branch_lead", "分会负责人"
    MEMBER = "member", "会员"


PERMISSIONS: dict[str, str] = {
    "org.view": "查看组织",
    "org.manage": "维护组织与换届",
    "account.manage": "管理账号与授权",
    "audit.view": "查看审计日志",
    "member.view": "查看会员",
    "member.manage": "维护会员",
    "member.reveal": "查看完整身份证号和手机号",
    "member.export": "导出会员",
    "finance.view": "查看经费",
    "finance.manage": "维护经费",
    "self.view": "查看本人信息",
    "self.member": "会员本人自助",
}

_STAFF_VIEW = {"org.view", "member.view", "self.view"}

# Permissions that only make sense for a member's own login.
MEMBER_ONLY = frozenset({"self.member"})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SYSADMIN: frozenset(PERMISSIONS) - MEMBER_ONLY,
    Role.CHAIR: frozenset(
        _STAFF_VIEW
        | {"org.manage", "audit.view", "member.manage", "member.reveal", "member.export", "finance.view"}
    ),
    Role.OFFICER: frozenset(_STAFF_VIEW | {"member.manage", "member.export"}),
    Role.FINANCE: frozenset(_STAFF_VIEW | {"finance.view", "finance.manage"}),
    Role.AUDITOR: frozenset(_STAFF_VIEW | {"finance.view"}),
    Role.BRANCH_LEAD: frozenset(_STAFF_VIEW | {"member.manage"}),
    Role.MEMBER: frozenset({"self.view", "self.member"}),
}

# Roles that only a holder of a strictly higher union's 系统管理员 role may grant: nobody
# promotes a peer to administrator of their own union.
ROLES_NEEDING_HIGHER_GRANTOR = frozenset({Role.SYSADMIN})
# Roles that must have the second factor enrolled before they can work.
ROLES_REQUIRING_TOTP = frozenset({Role.SYSADMIN})


def register_permissions(perms: dict[str, str], roles: dict[str, set[str]]) -> None:
    """A module's permissions and which roles get them (called from AppConfig.ready)."""
    PERMISSIONS.update(perms)
    ROLE_PERMISSIONS[Role.SYSADMIN] = frozenset(PERMISSIONS) - MEMBER_ONLY
    for role, granted in roles.items():
        ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] | frozenset(granted)


def permissions_for(role: str | None) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset()) if role else frozenset()
