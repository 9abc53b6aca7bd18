import datetime as dt
from decimal import Decimal

from ninja import Router, Schema

from gonghui.donations import selectors
from gonghui.web.paging import keyset_page

router = Router(tags=["捐款"])


class DriveOut(Schema):
    id: int
    org_id: int
    name: str
    purpose: str
    starts_on: dt.date
    ends_on: dt.date
    status: str


class DrivePage(Schema):
    items: list[DriveOut]
    next_cursor: str | None


class TotalsOut(Schema):
    drive_id: int
    total: Decimal
    donors: int
    member_amount: Decimal
    member_donors: int
    unit_amount: Decimal
    unit_donors: int


@router.get("/", response=DrivePage, summary="捐款活动（本单位管辖范围内）")
def list_drives(request, q: str = "", status: str = "", cursor: str | None = None):
    request.actor.require("donations.view")
    page = keyset_page(selectors.drive_search(request.actor, q=q, status=status), order=("-starts_on", "-id"), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/{drive_id}/totals", response=TotalsOut, summary="捐款活动合计（可截至某日）")
def drive_totals(request, drive_id: int, end: dt.date | None = None):
    request.actor.require("donations.view")
    drive = selectors.drive_get(request.actor, drive_id)
    return {"drive_id": drive.pk, **selectors.drive_totals(request.actor, drive, end=end)}
