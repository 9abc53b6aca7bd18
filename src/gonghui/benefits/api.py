import datetime as dt
from decimal import Decimal

from ninja import Router, Schema

from gonghui.benefits import selectors
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.paging import keyset_page

router = Router(tags=["会员慰问"])


class RecordOut(Schema):
    """No illness details and no ID numbers leave through the API."""

    id: int
    member_id: int
    org_id: int
    kind: str
    festival: str
    on: dt.date
    form: str
    amount: Decimal
    goods: str
    batch_id: int | None
    reversal_of_id: int | None
    is_reversed: bool
    override_reason: str


class RecordPage(Schema):
    items: list[RecordOut]
    next_cursor: str | None


@router.get("/", response=RecordPage, summary="会员慰问记录（本单位管辖范围内）")
def list_records(request, kind: str = "", org: str = "", start: dt.date | None = None, end: dt.date | None = None,
                 cursor: str | None = None):
    request.actor.require("benefits.view")
    target = org_get_by_code(request.actor, org) if org else None
    qs = selectors.record_search(request.actor, kind=kind, org=target, start=start, end=end)
    page = keyset_page(qs, order=("-on", "-id"), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/{record_id}", response=RecordOut, summary="会员慰问记录详情")
def get_record(request, record_id: int):
    request.actor.require("benefits.view")
    return selectors.record_get(request.actor, record_id)
