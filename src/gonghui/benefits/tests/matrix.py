"""Records of the benefits module in a union, for the isolation matrix
(tests/security/test_isolation_matrix.py): one per kind of id its routes take."""

import datetime as dt
from decimal import Decimal


def samples(org) -> tuple[dict, list[str]]:
    """({url parameter: value}, markers that must not appear to an outsider)."""
    from gonghui.access.actor import Actor
    from gonghui.benefits import services
    from gonghui.benefits.models import RuleSet
    from gonghui.members.services import member_create
    from gonghui.testing.members import make_id

    actor = Actor.system()
    member = member_create(actor=actor, org=org, name="隔壁受慰问人", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    record = services.benefit_create(actor=actor, member=member, kind="birthday", on=dt.date.today(), form="goods",
                                     amount=Decimal(200), goods="隔壁生日蛋糕")
    batch = services.benefit_batch_create(actor=actor, org=org, title="隔壁中秋慰问", selection="list", members=[member],
                                          kind="festival", festival="zhongqiu", on=dt.date.today(), form="goods", amount=Decimal(300))
    # Rule sets of the unions above a viewer are readable by design (a branch reads the rules
    # it works under), so the sample belongs to a union below `org` that is neither above
    # nor below any viewer of the matrix.
    from gonghui.orgs.models import Kind
    from gonghui.testing.factories import OrgFactory

    owner = OrgFactory(parent=org, code=f"RS{org.code}", name=f"标准维护分会{org.code}", kind=Kind.BRANCH, employee_count=0)
    ruleset = services.ruleset_create(actor=actor, org=owner, copy_from=RuleSet.objects.get(is_default=True),
                                      name=f"隔壁慰问标准{org.code}", region="隔壁", effective_from=dt.date(2025, 1, 1))
    params = {"record_id": record.pk, "batch_id": batch.pk, "ruleset_id": ruleset.pk}
    return params, ["隔壁受慰问人", "隔壁生日蛋糕", "隔壁中秋慰问", "隔壁慰问标准"]
