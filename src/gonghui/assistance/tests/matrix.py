"""Records of the assistance module in a union, for the isolation matrix."""

import datetime as dt


def samples(org) -> tuple[dict, list[str]]:
    from gonghui.assistance import services
    from gonghui.assistance.models import DibaoLine
    from gonghui.assistance.tests.factories import SYSTEM, household, region

    h = household(org, name="隔壁困难户", status="assisting", health="隔壁病情")
    batch = services.batch_create(actor=SYSTEM, org=org, title="隔壁送温暖批次", on=dt.date(2025, 1, 20), occasion="new_year",
                                  households=[h], cash="500", funding="own")
    record = batch.records.get()
    setting = region(org, code="990100")
    line = DibaoLine.objects.get(region_code=setting.region_code, year=2025)  # shared by all: only root admins edit it
    from gonghui.testing.members import make_id

    services.nonmember_record_create(actor=SYSTEM, org=org, recipient="resident", name="隔壁居民", on=dt.date(2025, 1, 22),
                                     id_number=make_id(dt.date(1951, 2, 3), male=False), occasion="new_year", cash="300",
                                     funding="own")
    return ({"household_id": h.pk, "record_id": record.pk, "batch_id": batch.pk, "line_id": line.pk},
            ["隔壁困难户", "隔壁送温暖批次", "隔壁病情", "隔壁居民"])
