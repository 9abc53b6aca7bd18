"""Records of the members module in a union, for the isolation matrix
(tests/security/test_isolation_matrix.py): one per kind of id its routes take."""

import datetime as dt


def samples(org) -> tuple[dict, list[str]]:
    """({url parameter: value}, markers that must not appear to an outsider)."""
    from gonghui.access.actor import Actor
    from gonghui.exchange.models import ImportJob
    from gonghui.members.models import ChangeRequest, Transfer
    from gonghui.members.services import member_create
    from gonghui.testing.members import make_id

    member = member_create(actor=Actor.system(), org=org, name="隔壁会员", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    transfer = Transfer.objects.create(member=member, from_org=org, to_org=org, from_path=org.path, to_path=org.path, on=dt.date(2025, 1, 1))
    request = ChangeRequest.objects.create(member=member, org_path=org.path, field="education", new_value="bachelor")
    job = ImportJob.objects.create(kind="members", org=org, org_path=org.path, filename="隔壁名册.xlsx", token="0" * 32)
    params = {"member_id": member.pk, "transfer_id": transfer.pk, "request_id": request.pk, "job_id": job.pk,
              "field": "id_number", "decision": "confirm"}
    return params, ["隔壁会员", "隔壁名册"]
