import datetime as dt

from ninja import Router, Schema, Status

from gonghui.orgs import selectors, services
from gonghui.web.paging import keyset_page

router = Router(tags=["组织"])


class OrgOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    level: int
    parent_id: int | None
    uscc: str
    employee_count: int
    is_active: bool
    founded_on: dt.date | None


class OrgPage(Schema):
    items: list[OrgOut]
    next_cursor: str | None


class OrgIn(Schema):
    parent_id: int
    code: str
    name: str
    short_name: str = ""
    kind: str
    uscc: str = ""
    employee_count: int = 0
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    founded_on: dt.date | None = None
    has_separate_account: bool = False
    home_level: str = "none"
    has_women_committee: bool = False
    has_audit_committee: bool = False


@router.get("/", response=OrgPage, summary="工会列表（本单位管辖范围内）")
def list_orgs(request, q: str = "", kind: str = "", level: str = "", status: str = "active", cursor: str | None = None):
    request.actor.require("org.view")
    qs = selectors.org_search(request.actor, q=q, kind=kind, level=level, status=status)
    page = keyset_page(qs, order=("code", "id"), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/{org_id}", response=OrgOut, summary="工会详情")
def get_org(request, org_id: int):
    request.actor.require("org.view")
    return selectors.org_get(request.actor, org_id)


@router.post("/", response={201: OrgOut}, summary="新建下级工会")
def create_org(request, payload: OrgIn):
    data = payload.dict()
    parent = selectors.org_get(request.actor, data.pop("parent_id"))
    org = services.org_create(actor=request.actor, parent=parent, **data)
    return Status(201, org)
