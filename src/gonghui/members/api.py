import datetime as dt

from ninja import Router, Schema, Status

from gonghui.members import selectors, services
from gonghui.orgs.selectors import org_get, org_get_by_code
from gonghui.web.paging import keyset_page

router = Router(tags=["会员"])


class MemberOut(Schema):
    """Sensitive fields only ever leave masked; the clear value needs the audited reveal."""

    id: int
    name: str
    gender: str
    birth_date: dt.date
    id_masked: str
    phone_masked: str
    org_id: int
    status: str
    joined_on: dt.date
    card_no: str
    education: str
    is_migrant_worker: bool
    new_form: str


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MemberIn(Schema):
    org_id: int
    name: str
    id_number: str
    joined_on: dt.date
    phone: str = ""
    ethnicity: str = "汉族"
    education: str = ""
    political: str = "masses"
    hukou: str = ""
    is_migrant_worker: bool = False
    new_form: str = ""
    employment: str = "employed"
    position: str = ""
    card_no: str = ""
    remarks: str = ""


class RateOut(Schema):
    org_id: int
    on: dt.date
    subtree: bool  # whether the figures include the unions below (always, for a 基层工会)
    members: int
    employees: int
    rate: float | None


class RevealOut(Schema):
    value: str


@router.get("/", response=MemberPage, summary="会员名册（本单位管辖范围内，敏感信息已遮蔽）")
def list_members(request, q: str = "", org: str = "", subtree: bool = True, status: str = "current", cursor: str | None = None):
    request.actor.require("member.view")
    target = org_get_by_code(request.actor, org) if org else None
    qs = selectors.member_search(request.actor, q=q, org=target, subtree=subtree, status=status)
    page = keyset_page(qs, order=selectors.search_order(q) or ("name_pinyin", "id"), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/rate", response=RateOut, summary="入会率（截至某日）")
def rate(request, org: str = "", on: dt.date | None = None, subtree: bool = True):
    """`subtree=false` asks a federation for its own office only; a 基层工会 always counts
    its 分会 and 工会小组 (the reporting rule, docs/architecture.md), so there it changes nothing."""
    request.actor.require("member.view")
    target = org_get_by_code(request.actor, org) if org else request.actor.org
    on = on or dt.date.today()
    members, employees, value = selectors.membership_rate(request.actor, target, on, subtree=subtree)
    return {"org_id": target.pk, "on": on, "subtree": selectors.reporting_whole(target, subtree), "members": members,
            "employees": employees, "rate": value}


@router.get("/{member_id}", response=MemberOut, summary="会员详情")
def get_member(request, member_id: int):
    request.actor.require("member.view")
    return selectors.member_get(request.actor, member_id)


@router.post("/{member_id}/reveal/{field}", response=RevealOut, summary="查看完整身份证号或手机号（记入审计日志）")
def reveal(request, member_id: int, field: str):
    member = selectors.member_get(request.actor, member_id)
    return {"value": services.member_reveal(actor=request.actor, member=member, field=field)}


@router.post("/", response={201: MemberOut}, summary="登记会员")
def create_member(request, payload: MemberIn):
    data = payload.dict()
    org = org_get(request.actor, data.pop("org_id"))
    return Status(201, services.member_create(actor=request.actor, org=org, **data))
