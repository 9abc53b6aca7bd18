"""Records of the donations module in a union, for the isolation matrix
(tests/security/test_isolation_matrix.py): one per kind of id its routes take."""

import datetime as dt
from decimal import Decimal


def samples(org) -> tuple[dict, list[str]]:
    """({url parameter: value}, markers that must not appear to an outsider)."""
    from gonghui.access.actor import Actor
    from gonghui.donations import services

    actor = Actor.system()
    today = dt.date.today()
    drive = services.drive_create(actor=actor, org=org, name=f"隔壁捐款活动{org.code}", purpose="隔壁用途",
                                  starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=10))
    donation = services.donation_record(actor=actor, drive=drive, kind="unit", name="隔壁捐款单位", amount=Decimal("123.45"), on=today)
    return {"drive_id": drive.pk, "donation_id": donation.pk, "action": "close"}, ["隔壁捐款活动", "隔壁捐款单位"]
