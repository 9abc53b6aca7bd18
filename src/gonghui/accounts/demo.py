"""Demo staff logins for several roles at different levels of the tree."""

from __future__ import annotations

import pyotp

from gonghui.access.permissions import Role
from gonghui.accounts import services
from gonghui.core.demo import DEMO_PASSWORD, DemoContext

# username, full name, union code, role
STAFF = [
    ("admin", "区总系统管理员", "BJ", Role.SYSADMIN),
    ("qu_zhuxi", "区总工会主席", "BJ", Role.CHAIR),
    ("jd_ganshi", "临江街道工会干事", "BJ-LJ", Role.OFFICER),
    ("wh_zhuxi", "望湖街道工会主席", "BJ-WH", Role.CHAIR),
    ("qy_zhuxi", "临江精机工会主席", "LJ-001", Role.CHAIR),
    ("qy_caiwu", "临江精机工会财务", "LJ-001", Role.FINANCE),
    ("qy_jingshen", "临江精机经审委员", "LJ-001", Role.AUDITOR),
    ("fh_fuzeren", "一车间分会负责人", "LJ-001-01", Role.BRANCH_LEAD),
    ("sq_ganshi", "富兴社区工会干事", "LJ-003", Role.OFFICER),
    ("yy_zhuxi", "区人民医院工会主席", "WJ-001", Role.CHAIR),
]


def populate(ctx: DemoContext) -> None:
    for username, full_name, code, role in STAFF:
        org = ctx.orgs[code]
        user = services.user_create(
            actor=ctx.actor, username=username, full_name=full_name, password=DEMO_PASSWORD, org=org, role=role,
            must_change_password=False,
        )
        if role == Role.SYSADMIN:
            # Administrators must use a second factor; the demo enrols one whose codes
            # `gonghui otp admin` prints (only on a demo database).
            user.totp_secret = pyotp.random_base32()
            user.totp_enabled = True
            user.save(update_fields=["totp_secret", "totp_enabled"])
        ctx.logins.append((username, DEMO_PASSWORD, Role(role).label, org.name))
    # One person with roles at two unions, to show switching the working union.
    jd = ctx.orgs["BJ-LJ"]
    from gonghui.accounts.models import User

    services.grant_create(actor=ctx.actor, user=User.objects.get(username="sq_ganshi"), org=ctx.orgs["LJ-002"], role=Role.OFFICER)
    ctx.notes.append(f"sq_ganshi 同时是“{ctx.orgs['LJ-002'].name}”的干事，可在顶部切换工作单位；{jd.name}的干事为 jd_ganshi。")
