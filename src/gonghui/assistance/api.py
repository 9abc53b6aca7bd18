"""The hardship archives and assistance records as JSON (mounted at /api/assistance).

Scoped like the pages (another union's ids answer 404). The sensitive details of an
archive — causes, income, expenses, health, disability, family — never leave through
the API: they are shown only on the archive's page, where each view is audited.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema
from ninja import Status as Created

from gonghui.assistance import selectors, services
from gonghui.assistance.choices import MANAGED, Cause, Status, Tier
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.paging import keyset_page

router = Router(tags=["困难帮扶"])


class HouseholdOut(Schema):
    """Whether an archive exists, its tier and status: what every assistance.view role sees."""

    id: int
    org_id: int
    head_id: int
    head_name: str
    head_id_masked: str
    tier: str
    tier_label: str
    status: str
    status_label: str
    applied_on: dt.date
    filed_on: dt.date | None
    closed_on: dt.date | None
    last_verified_on: dt.date | None

    @staticmethod
    def resolve_head_name(obj):
        return obj.head.name

    @staticmethod
    def resolve_head_id_masked(obj):
        return obj.head.id_masked

    @staticmethod
    def resolve_tier_label(obj):
        return obj.get_tier_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class SpellOut(Schema):
    status: str
    tier: str
    step: str
    starts_on: dt.date
    ends_on: dt.date | None


class HouseholdDetailOut(HouseholdOut):
    history: list[SpellOut]

    @staticmethod
    def resolve_history(obj):
        return selectors.timeline(obj)


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_cursor: str | None


class RecordOut(Schema):
    id: int
    on: dt.date
    occasion: str
    occasion_label: str
    org_id: int
    household_id: int | None
    recipient: str
    recipient_label: str
    member_id: int | None
    member_name: str
    beneficiary_name: str
    id_masked: str
    households_reached: int | None
    people_reached: int | None
    cash: Decimal
    goods_value: Decimal
    total: Decimal
    funding: str
    signed: bool
    signed_on: dt.date | None
    batch_id: int | None
    reversal_of_id: int | None

    @staticmethod
    def resolve_occasion_label(obj):
        return obj.get_occasion_display()

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name if obj.member_id else ""

    @staticmethod
    def resolve_recipient_label(obj):
        return obj.get_recipient_display()

    @staticmethod
    def resolve_beneficiary_name(obj):
        return obj.beneficiary_name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.beneficiary_id_masked


class Totals(Schema):
    """All records (`records`, `cash`, `goods`, `total`) and, apart, members (`households`,
    `members`, `member_total`) and non-members (`residents`, `groups`, `group_households`,
    `group_people`, `nonmember_total`)."""

    records: int
    households: int
    members: int
    cash: Decimal
    goods: Decimal
    total: Decimal
    member_total: Decimal
    nonmember_total: Decimal
    residents: int
    groups: int
    group_households: int
    group_people: int


class NonMemberIn(Schema):
    """A record for a beneficiary who is not a member: `recipient` is "resident" (name and
    ID number) or "group" (a paired village or group of households: name and households)."""

    org_id: int
    recipient: str
    name: str
    id_number: str = ""
    households: int | None = None
    people: int | None = None
    on: dt.date
    occasion: str
    funding: str
    cash: Decimal = Decimal(0)
    goods_item: str = ""
    goods_value: Decimal = Decimal(0)
    partner_name: str = ""
    handled_by: str = ""
    note: str = ""


class RevealOut(Schema):
    value: str


class RecordPage(Schema):
    items: list[RecordOut]
    next_cursor: str | None
    totals: Totals


class CountOut(Schema):
    org_id: int
    on: dt.date
    subtree: bool
    status: str
    tier: str
    households: int


def _org(request, code: str):
    return org_get_by_code(request.actor, code) if code else None


@router.get("/households", response=HouseholdPage, summary="困难职工档案（管辖范围内；不含收入、健康等敏感信息）")
def list_households(request, q: str = "", org: str = "", subtree: bool = True, status: str = "", tier: str = "",
                    cursor: str | None = None):
    request.actor.require("assistance.view")
    qs = selectors.household_search(request.actor, org=_org(request, org), subtree=subtree, status=status, tier=tier, q=q)
    page = keyset_page(qs, order=("-id",), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="困难职工档案：类别、状态及其变动")
def get_household(request, household_id: int):
    request.actor.require("assistance.view")
    return selectors.household_get(request.actor, household_id)


@router.get("/records", response=RecordPage, summary="帮扶记录（按日期、月份、帮扶类型、资金来源、困难户或批次）")
def list_records(request, occasion: str = "", funding: str = "", start: dt.date | None = None, end: dt.date | None = None,
                 month: str = "", org: str = "", household: int | None = None, batch: int | None = None,
                 recipient: str = "", cursor: str | None = None):
    actor = request.actor
    actor.require("assistance.view")
    if recipient and recipient not in ("member", "nonmember", "resident", "group"):
        raise ValidationError({"recipient": "受助对象应为 member、nonmember、resident 或 group。"})
    qs = selectors.record_search(
        actor, org=_org(request, org), occasion=occasion, funding=funding, start=start, end=end, month=month, recipient=recipient,
        household=selectors.household_get(actor, household) if household is not None else None,
        batch=selectors.batch_get(actor, batch) if batch is not None else None,
    ).select_related("member")
    page = keyset_page(qs, order=("-on", "-id"), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor, "totals": selectors.totals(qs)}


@router.post("/records/nonmember", response={201: RecordOut}, summary="登记非会员帮扶（居民或包联村/群众户组，与会员分开统计）")
def create_nonmember_record(request, payload: NonMemberIn):
    from gonghui.orgs.selectors import org_get

    data = payload.dict()
    org = org_get(request.actor, data.pop("org_id"))
    item, value = data.pop("goods_item").strip(), data.pop("goods_value")
    if value and not item:
        raise ValidationError({"goods_item": "填写物品价值时请填写物品名称"})
    goods = [{"item": item, "quantity": 1, "unit": "份", "value": value}] if item else []
    record = services.nonmember_record_create(actor=request.actor, org=org, goods=goods, **data)
    return Created(201, record)


@router.post("/records/{record_id}/reveal", response=RevealOut, summary="查看非会员居民的完整身份证号（须有查看完整身份证号权限，记入审计日志）")
def reveal_record_id(request, record_id: int):
    record = selectors.record_get(request.actor, record_id)
    return {"value": services.record_reveal_id(actor=request.actor, record=record)}


@router.get("/count", response=CountOut, summary="截至某日的困难职工户数（默认：动态管理中）")
def count(request, on: dt.date | None = None, org: str = "", subtree: bool = True, status: str = "managed", tier: str = "",
          cause: str = ""):
    actor = request.actor
    actor.require("assistance.view")
    if cause:
        actor.require("assistance.sensitive")  # a cause narrows a count down to people
    target = _org(request, org) or actor.org
    on = on or dt.date.today()
    errors = {}
    statuses = MANAGED if status == "managed" else {status} if status in Status.values else None
    if statuses is None:
        errors["status"] = "状态应为 managed 或 " + "、".join(Status.values) + "。"
    if tier and tier not in Tier.values:
        errors["tier"] = "困难类别应为 " + "、".join(Tier.values) + "。"
    if cause and cause not in Cause.values:
        errors["cause"] = "致困原因应为 " + "、".join(Cause.values) + "。"
    if errors:
        raise ValidationError(errors)
    if target is None:
        raise PermissionDenied("请指定工会。")
    n = selectors.count_as_of(actor, target, on, subtree=subtree, statuses=statuses, tier=tier, cause=cause)
    return {"org_id": target.pk, "on": on, "subtree": subtree, "status": status, "tier": tier, "households": n}
