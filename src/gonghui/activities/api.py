"""Activities, sign-up, check-in, attendance and study assignments as JSON (mounted at
/api/activities).

Scoped like the pages: another union's ids answer 404, a missing permission 403, and a
service's refusal 422 with its Chinese message (the site's ValidationError handler).
Participants leave only with masked ID numbers; a session's check-in key never leaves.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count
from ninja import Field, Router, Schema
from ninja import Status as Created

from gonghui.activities import attendance, selectors, services, study_figures
from gonghui.activities.models import Funding, RegStatus, Status, Target
from gonghui.members.selectors import member_get, member_of_user, member_search
from gonghui.orgs.selectors import org_get, org_get_by_code
from gonghui.web.paging import keyset_page

router = Router(tags=["活动与培训"])


# --- schemas ----------------------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    code: str | None
    title: str
    kind: str
    kind_name: str
    org_id: int
    org_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    target: str
    target_label: str
    target_org_id: int | None
    capacity: int | None
    signup_ends_at: dt.datetime | None
    status: str
    status_label: str
    is_training: bool
    quiz_name: str

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj):
        return obj.kind.name

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_target_label(obj):
        return obj.get_target_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class SessionOut(Schema):
    """A sitting of the activity, without its check-in key (that is what a QR code holds)."""

    id: int
    seq: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    topic: str
    teacher: str
    teacher_title: str
    checkins: int

    @staticmethod
    def resolve_checkins(obj):
        return obj.checkins_n


class AttendanceOut(Schema):
    activity_id: int
    registered: int = Field(description="已报名（占名额）")
    waitlist: int = Field(description="候补")
    cancelled: int = Field(description="已取消")
    attended: int = Field(description="签到人数（至少签到一场）")
    absent: int = Field(description="缺席（已报名、未签到且活动已结束）")
    person_times: int = Field(description="人次：各场签到次数之和")
    members: int = Field(description="签到者中的会员")
    non_members: int = Field(description="签到者中的非会员")
    beneficiaries: int = Field(description="未逐一登记的其他受益人数")
    hours: Decimal = Field(description="学时合计：每次签到所在场次的学时之和")


class ActivityDetailOut(ActivityOut):
    cost: Decimal
    funding: str
    beneficiaries: int
    quiz_pass: Decimal | None
    report: str
    cancel_reason: str
    co_org_ids: list[int]
    partner_names: list[str]
    sessions: list[SessionOut]
    attendance: AttendanceOut

    @staticmethod
    def resolve_co_org_ids(obj):
        return sorted(obj.co_orgs.values_list("pk", flat=True))

    @staticmethod
    def resolve_partner_names(obj):
        return sorted(obj.partners.values_list("name", flat=True))

    @staticmethod
    def resolve_sessions(obj):
        return obj.session_rows

    @staticmethod
    def resolve_attendance(obj):
        return obj.attendance_figures


class ActivityIn(Schema):
    org_id: int
    kind: str = Field(description="活动类型编码，如 sports、training、reading")
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = ""
    target: str = Target.ALL
    target_org_id: int | None = None
    capacity: int | None = None
    signup_ends_at: dt.datetime | None = None
    cost: Decimal = Decimal(0)
    funding: str = Funding.UNION
    beneficiaries: int = 0
    is_training: bool = False
    quiz_name: str = ""
    quiz_pass: Decimal | None = None
    report: str = ""
    co_org_ids: list[int] = Field(default_factory=list, max_length=200)
    partner_ids: list[int] = Field(default_factory=list, max_length=200)
    status: str = Status.PLANNED
    hours: Decimal | None = Field(None, description="第一场的学时；不填时按时长计算（最多8学时）")


class RegistrationOut(Schema):
    id: int
    activity_id: int
    member_id: int | None
    name: str
    id_masked: str
    unit_id: int
    unit_name: str
    affiliation: str
    status: str
    status_label: str
    source: str
    queued_at: dt.datetime
    attended: int
    hours: Decimal
    score: Decimal | None
    passed: bool | None

    @staticmethod
    def resolve_id_masked(obj):
        return obj.member.id_masked if obj.member_id else ""

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_attended(obj):
        return getattr(obj, "attended", None) or 0

    @staticmethod
    def resolve_hours(obj):
        return getattr(obj, "hours", None) or Decimal(0)


class RegistrationPage(Schema):
    items: list[RegistrationOut]
    next_cursor: str | None


class RegistrationIn(Schema):
    """A member named by ID number (or id), or a non-member by name."""

    id_number: str = ""
    member_id: int | None = None
    name: str = ""
    affiliation: str = ""
    gender: str = ""


class PlaceOut(Schema):
    registration_id: int
    status: str
    status_label: str
    waitlist_position: int
    message: str


class CheckinIn(Schema):
    token: str = Field(max_length=200)


class StaffCheckinIn(Schema):
    """Exactly one of: a registration, a member (by id), a non-member's name."""

    registration_id: int | None = None
    member_id: int | None = None
    name: str = ""


class CheckinOut(Schema):
    created: bool
    already: bool
    message: str
    checkin_id: int
    registration_id: int
    activity_id: int
    session_id: int
    session_seq: int
    name: str
    at: dt.datetime


class AssignmentOut(Schema):
    id: int
    org_id: int
    org_name: str
    target_org_id: int | None
    title: str
    noun: str
    per_member: int
    starts_on: dt.date
    due_on: dt.date
    expected: int
    submitted: int
    rate: float | None


class AssignmentPage(Schema):
    items: list[AssignmentOut]
    next_cursor: str | None


class BranchOut(Schema):
    org_id: int | None
    name: str
    own_level: bool
    members: int
    expected: int
    submitted: int
    rate: float | None


class ProgressOut(Schema):
    assignment_id: int
    title: str
    noun: str
    per_member: int
    starts_on: dt.date
    due_on: dt.date
    target_org_id: int
    members: int
    expected: int
    submitted: int
    submitters: int
    complete: int
    rate: float | None
    overdue: bool
    overdue_members: int | None = Field(description="截止后未交齐的会员人数（截止前为空）")
    branches: list[BranchOut]


# --- helpers --------------------------------------------------------------------------------


def _kind(code: str):
    found = selectors.kind_by_ref(code)
    if found is None:
        raise ValidationError({"kind": f"没有编码为“{code[:20]}”的活动类型。"})
    return found


def _detail(activity):
    """The activity with what ActivityDetailOut resolves from it, read once."""
    activity.session_rows = list(selectors.sessions_of(activity).annotate(checkins_n=Count("checkins")))
    activity.attendance_figures = _attendance(activity)
    return activity


def _attendance(activity) -> dict:
    figures = selectors.attendance_of(activity)
    return {"activity_id": activity.pk, **vars(figures)}


def _place(reg) -> dict:
    position = attendance.waitlist_position(reg)
    message = f"已进入候补名单第{position}位。" if reg.status == RegStatus.WAITLIST else "报名成功。"
    return {"registration_id": reg.pk, "status": reg.status, "status_label": reg.get_status_display(),
            "waitlist_position": position, "message": message}


def _checkin_out(result) -> dict:
    ci = result.checkin
    return {"created": result.created, "already": not result.created, "message": result.message, "checkin_id": ci.pk,
            "registration_id": result.registration.pk, "activity_id": ci.activity_id, "session_id": ci.session_id,
            "session_seq": ci.session.seq, "name": result.registration.name, "at": ci.at}


def _payload(request, schema):
    """The JSON body read as `schema`, only once the route has found its record in scope:
    a body ninja parsed itself would be refused (400) before another union's id gets its
    404. Refusals take the shape of ninja's own (a 422 in Chinese)."""
    import pydantic
    from ninja.errors import ValidationError as RequestInvalid

    from gonghui.web.params import param_json_body

    data = param_json_body(request, max_bytes=64 * 1024, max_depth=8)
    if not isinstance(data, dict):
        raise RequestInvalid([{"type": "dict_type", "loc": ("body",), "msg": ""}])
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise RequestInvalid([{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]) from None


def _documented_body(schema) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema.model_json_schema()}}}}


def _own_member(request):
    member = member_of_user(request.user)
    if member is None:
        raise ValidationError({"member": "您的账号没有关联会员信息，请联系工会工作人员。"})
    return member


def _member_by_id_number(actor, raw: str):
    """A member in scope named by an ID number, matched by its blind index."""
    from gonghui.core.validators import parse_resident_id

    try:
        number = parse_resident_id(raw).number
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    found = member_search(actor, q=number, status="all").first()
    if found is None:
        raise ValidationError({"id_number": "找不到该身份证号的会员，或其不在您的管辖范围内。"})
    return found


# --- activities -----------------------------------------------------------------------------


@router.get("/", response=ActivityPage, summary="活动列表（本单位管辖范围内，可按名称、工会、类型、状态、日期筛选）")
def list_activities(request, q: str = "", org: str = "", kind: str = "", status: str = "",
                    start: dt.date | None = None, end: dt.date | None = None, cursor: str | None = None):
    actor = request.actor
    actor.require("activities.view")
    errors = {}
    if status and status not in Status.values:
        errors["status"] = "状态应为 " + "、".join(Status.values) + " 之一。"
    if start and end and end < start:
        errors["end"] = "结束日期不能早于开始日期。"
    if errors:
        raise ValidationError(errors)
    qs = selectors.activity_search(actor, q=q, org=org_get_by_code(actor, org) if org else None,
                                   kind=_kind(kind) if kind else None, status=status, start=start, end=end)
    page = keyset_page(qs, order=("-starts_at", "-id"), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/{int:activity_id}", response=ActivityDetailOut, summary="活动详情：场次与参加情况")
def get_activity(request, activity_id: int):
    request.actor.require("activities.view")
    return _detail(selectors.activity_get(request.actor, activity_id))


@router.post("/", response={201: ActivityDetailOut}, summary="新建活动（须有组织活动权限）")
def create_activity(request, payload: ActivityIn):
    actor = request.actor
    actor.require("activities.manage")
    data = payload.dict()
    org = org_get(actor, data.pop("org_id"))
    target_org_id = data.pop("target_org_id")
    co_orgs = [org_get(actor, pk) for pk in dict.fromkeys(data.pop("co_org_ids"))]
    partners = [selectors.partner_get(actor, pk) for pk in dict.fromkeys(data.pop("partner_ids"))]
    activity = services.activity_create(actor=actor, org=org, kind=_kind(data.pop("kind")),
                                        target_org=org_get(actor, target_org_id) if target_org_id is not None else None,
                                        co_orgs=co_orgs, partners=partners, **data)
    return Created(201, _detail(selectors.activity_get(actor, activity.pk)))


# --- registrations --------------------------------------------------------------------------


@router.get("/{int:activity_id}/registrations", response=RegistrationPage, summary="报名名单（身份证号已遮蔽）")
def list_registrations(request, activity_id: int, status: str = "", q: str = "", cursor: str | None = None):
    actor = request.actor
    actor.require("activities.view")
    if status and status not in RegStatus.values:
        raise ValidationError({"status": "状态应为 " + "、".join(RegStatus.values) + " 之一。"})
    activity = selectors.activity_get(actor, activity_id)
    page = keyset_page(selectors.registrations_of(activity, status=status, q=q), order=("id",), cursor=cursor, size=100)
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.post("/{int:activity_id}/registrations", response={201: PlaceOut}, summary="代为报名：会员（按身份证号）或非会员（按姓名）",
             openapi_extra=_documented_body(RegistrationIn))
def add_registration(request, activity_id: int):
    actor = request.actor
    actor.require("activities.manage")
    activity = selectors.activity_get(actor, activity_id)
    payload = _payload(request, RegistrationIn)
    member = None
    if payload.id_number.strip():
        member = _member_by_id_number(actor, payload.id_number)
    elif payload.member_id is not None:
        member = member_get(actor, payload.member_id)
    elif not payload.name.strip():
        raise ValidationError({"id_number": "请填写会员的身份证号，或非会员参加人的姓名。"})
    reg = attendance.registration_add(actor=actor, activity=activity, member=member,
                                      name="" if member else payload.name, affiliation=payload.affiliation, gender=payload.gender)
    return Created(201, _place(reg))


@router.delete("/registrations/{int:registration_id}", response=PlaceOut, summary="取消报名（候补名单第一位自动递补）")
def cancel_registration(request, registration_id: int):
    actor = request.actor
    if actor.can("activities.manage"):
        reg = selectors.registration_get(actor, registration_id)
    else:
        actor.require("self.member")
        reg = selectors.member_registrations(_own_member(request)).filter(pk=registration_id).first()
        if reg is None:
            from django.http import Http404

            raise Http404
    reg = attendance.registration_cancel(actor=actor, registration=reg)
    return {**_place(reg), "message": "已取消报名。"}


@router.post("/{int:activity_id}/signup", response={201: PlaceOut}, summary="会员本人报名")
def signup(request, activity_id: int):
    actor = request.actor
    actor.require("self.member")
    member = _own_member(request)
    activity = selectors.member_activity_get(member, activity_id)
    reg = attendance.registration_signup(actor=actor, activity=activity, member=member)
    return Created(201, _place(reg))


# --- check-in -------------------------------------------------------------------------------


@router.post("/checkin", response=CheckinOut, summary="会员扫码签到（提交二维码中的签到码）")
def checkin(request, payload: CheckinIn):
    actor = request.actor
    actor.require("self.member")
    result = attendance.checkin_by_link(actor=actor, token=payload.token, member=member_of_user(request.user))
    return _checkin_out(result)


@router.post("/sessions/{int:session_id}/checkins", response=CheckinOut, summary="工作人员签到：报名记录、会员或非会员姓名",
             openapi_extra=_documented_body(StaffCheckinIn))
def staff_checkin(request, session_id: int):
    actor = request.actor
    actor.require("activities.manage")
    session = selectors.session_get(actor, session_id)
    payload = _payload(request, StaffCheckinIn)
    given = [payload.registration_id is not None, payload.member_id is not None, bool(payload.name.strip())]
    if sum(given) != 1:
        raise ValidationError({"registration_id": "请只填写一项：报名记录编号、会员编号或非会员姓名。"})
    registration = selectors.registration_get(actor, payload.registration_id) if payload.registration_id is not None else None
    member = member_get(actor, payload.member_id) if payload.member_id is not None else None
    result = attendance.checkin_record(actor=actor, session=session, registration=registration, member=member, name=payload.name)
    return _checkin_out(result)


@router.get("/{int:activity_id}/attendance", response=AttendanceOut, summary="参加情况：报名、候补、签到、缺席、人次、学时")
def activity_attendance(request, activity_id: int):
    request.actor.require("activities.view")
    return _attendance(selectors.activity_get(request.actor, activity_id))


# --- study assignments ----------------------------------------------------------------------


@router.get("/study/", response=AssignmentPage, summary="学习任务（应交与实交篇数）")
def list_study(request, q: str = "", org: str = "", cursor: str | None = None):
    actor = request.actor
    actor.require("activities.view")
    qs = study_figures.assignment_search(actor, q=q, org=org_get_by_code(actor, org) if org else None)
    page = keyset_page(qs, order=("-due_on", "-id"), cursor=cursor, size=100)
    figures = study_figures.list_figures(actor, page.rows)
    items = [{"id": a.pk, "org_id": a.org_id, "org_name": a.org.name, "target_org_id": a.target_org_id, "title": a.title,
              "noun": a.noun, "per_member": a.per_member, "starts_on": a.starts_on, "due_on": a.due_on, **figures[a.pk]}
             for a in page.rows]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/study/{int:assignment_id}/progress", response=ProgressOut, summary="学习任务完成情况：各分会应交、实交与逾期人数")
def study_progress(request, assignment_id: int):
    actor = request.actor
    actor.require("activities.view")
    assignment = selectors.assignment_get(actor, assignment_id)
    p = study_figures.assignment_progress(actor, assignment)
    return {
        "assignment_id": assignment.pk, "title": assignment.title, "noun": assignment.noun, "per_member": assignment.per_member,
        "starts_on": assignment.starts_on, "due_on": assignment.due_on, "target_org_id": p.target.pk, "members": p.members,
        "expected": p.expected, "submitted": p.submitted, "submitters": p.submitters, "complete": p.complete, "rate": p.rate,
        "overdue": p.overdue,
        "overdue_members": study_figures.overdue_members(actor, assignment).count() if p.overdue else None,
        "branches": [{"org_id": r.org.pk if r.org else None, "name": r.label, "own_level": r.own_level, "members": r.members,
                      "expected": r.expected, "submitted": r.submitted, "rate": r.rate} for r in p.rows],
    }
