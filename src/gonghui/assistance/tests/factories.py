"""Test helpers: members, a region with a 低保 line, archives in a given state."""

import datetime as dt
from decimal import Decimal

from gonghui.access.actor import Actor
from gonghui.assistance import services
from gonghui.assistance.choices import Step
from gonghui.assistance.models import DibaoLine
from gonghui.members.services import member_create
from gonghui.testing.members import make_id

SYSTEM = Actor.system()


def member(org, name="困难会员", **kw):
    return member_create(actor=SYSTEM, org=org, name=name, id_number=make_id(**kw), joined_on=dt.date(2015, 1, 1))


def region(org, code="990100", year=2025, amount="1000"):
    DibaoLine.objects.update_or_create(region_code=code, year=year, defaults={"region_name": "测试市", "monthly_amount": Decimal(amount)})
    return services.region_set(actor=SYSTEM, org=org, region_code=code)


def household(org, *, name="困难会员", tier="deep", status="assisting", on=dt.date(2023, 3, 1), actor=SYSTEM, **fields):
    """An archive walked through the real services up to `status`."""
    fields.setdefault("causes", ["illness"])
    fields.setdefault("size", 3)
    fields.setdefault("annual_income", "24000")
    fields.setdefault("rigid_expenses", "6000")
    h = services.household_create(actor=actor, head=member(org, name), on=on, **fields)
    if status == "applied":
        return h
    services.household_transition(actor=actor, household=h, step=Step.REVIEW, on=on)
    if status == "reviewing":
        return h
    services.household_confirm_tier(actor=actor, household=h, tier=tier, reason="" if tier == h.suggested_tier else "测试调整", on=on)
    services.household_transition(actor=actor, household=h, step=Step.FILE, on=on)
    if status == "filed":
        return h
    services.household_transition(actor=actor, household=h, step=Step.ASSIST, on=on)
    if status == "assisting":
        return h
    services.household_transition(actor=actor, household=h, step=Step.CLOSE, on=on + dt.timedelta(days=200), reason="再就业")
    return h
