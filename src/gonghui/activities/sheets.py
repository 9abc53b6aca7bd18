"""Activities and their attendance as spreadsheets: the `activities` and `attendance` kinds
of `gonghui template|import|export` and of the generic web import pages (/imports/<kind>/).

`activities` (this module) has one row per activity. A row with an 活动编号 updates that
activity. A row without one creates an activity — unless the same union already has one of
that name starting at the same minute, or this row was imported before: that activity is
then updated, so importing a file twice changes nothing. Cells left blank keep what is on
file. Rows go through the services (activity_create, activity_update, session_update for
the hours, activity_set_status, partner_create for a partner not yet in the directory) one
by one, each in a savepoint: a district imports hundreds of activities a year, not tens of
thousands, and each keeps its own audit trail. A check (dry run) rehearses that write in a
transaction it rolls back, so its counts and refusals are those of the real import.

`attendance` (one row per participant per activity, written set-wise) lives in
sheets_attendance.py; `register_exchange` below registers both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.activities import selectors, services
from gonghui.activities.models import (
    Activity,
    CheckIn,
    Funding,
    Registration,
    RegStatus,
    Session,
    Status,
    Target,
)
from gonghui.audit.services import audit_record
from gonghui.core.services import error_text
from gonghui.exchange.files import export_path
from gonghui.exchange.sheets import (
    CellError,
    Column,
    ImportRefused,
    ImportReport,
    XlsxWriter,
    collector_paused,
    open_import,
    parse_row,
    to_text,
    write_template,
)
from gonghui.orgs.models import Org

READ_ONLY = "（仅供查看）"

ACTIVITY_COLUMNS = [
    Column("code", "活动编号", max_length=16, example="", width=12,
           help="新活动留空；填写已有活动的编号（如HD0000042）即更新该活动。"),
    Column("org_code", "组织工会编码", max_length=32, example="", width=14,
           help="留空为导入时选定的工会；填写的须是该工会或其下级工会。已有活动的组织工会不能通过导入更改。"),
    Column("kind", "活动类型", required=True, max_length=20, example="文体活动", width=12,
           help="活动类型的名称或编码，如学习教育、读书活动、培训讲座、文体活动、竞赛答题、志愿服务、节日活动、参观学习、"
                "健康义诊/体检、女职工活动、疗休养、普法宣传、其他。"),
    Column("title", "活动名称", required=True, max_length=100, example="庆五一职工趣味运动会", width=26),
    Column("starts_at", "开始时间", required=True, max_length=30, example="2026-05-01 09:00", width=17,
           help="日期和时间，如 2026-05-01 09:00；只填日期表示全天。"),
    Column("ends_at", "结束时间", max_length=30, example="2026-05-01 11:30", width=17,
           help="日期和时间；只填日期表示到当天结束。开始时间只填了日期时可留空（当天全天）。"),
    Column("place", "地点", max_length=100, example="厂区体育场", width=16),
    Column("target", "参加对象", kind="choice", choices=Target.choices, example="全体会员", width=14,
           help="留空为全体会员。"),
    Column("target_org_code", "指定分会编码", max_length=32, example="", width=14,
           help="参加对象为“指定分会”时填写该分会的工会编码。"),
    Column("capacity", "名额", kind="int", example=200, width=8, help="不限名额留空。"),
    Column("cost", "费用", kind="decimal", example="5000", width=10, help="单位：元。"),
    Column("funding", "经费来源", kind="choice", choices=Funding.choices, example="工会经费", width=12,
           help="留空为工会经费。"),
    Column("beneficiaries", "其他受益人数", kind="int", example="", width=10,
           help="未逐一登记的受益群众人数，如义诊服务的群众。"),
    Column("is_training", "培训班", kind="bool", example="否", width=8),
    Column("hours", "学时", max_length=10, example="", width=8,
           help="0到24，最多一位小数；留空按活动时长计算（同一天内，最多8学时）。有多个场次的活动请在场次中修改学时。"),
    Column("quiz_name", "答卷名称", max_length=100, example="", width=18, help="有答卷或考试时填写，如“妇女权益保障法知识答卷”。"),
    Column("quiz_pass", "及格分", max_length=10, example="", width=8),
    Column("partners", "合作单位", max_length=500, example="", width=22,
           help="多个单位用顿号或逗号分隔；尚未登记的单位会登记到组织工会的合作单位名录中。"),
    Column("status", "状态", kind="choice", choices=Status.choices, example="计划", width=10,
           help="新活动留空时：已结束的活动为“已结束”，正在进行的为“进行中”，其余为“计划”。取消活动请在活动页面操作并填写原因。"),
    Column("report", "活动报道", max_length=20000, example="", width=40),
]
ACTIVITY_FIGURES = [
    Column("registered", "报名人数" + READ_ONLY, kind="int", width=10),
    Column("attended", "签到人数" + READ_ONLY, kind="int", width=10),
    Column("person_times", "人次" + READ_ONLY, kind="int", width=10),
]
ACTIVITY_NOTES = [
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。每行一项活动。",
    "2. “活动编号”留空为新建活动；同一工会、同名且开始时间相同的活动视为同一活动，重复导入同一文件不会重复新建。",
    "3. 更新已有活动时，留空的列保持原值不变。",
    "4. 默认“全部正确才导入”；也可选择只导入正确的行。",
    "5. 活动状态：计划 → 报名中 → 进行中 → 已结束；尚未开始的活动不能标记为“已结束”。",
]

_WHEN = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|T|\s*日\s*)(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
PARTNER_SPLIT = re.compile(r"[、,，;；]")


def parse_when(text: str, header: str) -> tuple[dt.datetime, bool] | None:
    """A date and time typed or formatted in a cell, as (naive local datetime, whether a
    time was given); None for a blank cell. Accepts 2026-05-01 09:00, 2026/5/1 9:00,
    2026年5月1日 9:00, an Excel date-time cell (read back as 2026-05-01 09:00:00) or its
    serial number (46143.375); a date alone has no time."""
    text = (text or "").strip()
    if not text:
        return None
    m = _WHEN.match(text)
    try:
        if m:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            if m[4] is None:
                return dt.datetime.combine(day, dt.time()), False
            return dt.datetime.combine(day, dt.time(int(m[4]), int(m[5]), int(m[6] or 0))), True
        m = _COMPACT.match(text)
        if m:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3])), False
    except ValueError:
        raise CellError(f"“{header}”的“{text}”不是存在的日期或时间。") from None
    if _SERIAL.match(text):
        days = float(text)
        value = EXCEL_EPOCH + dt.timedelta(minutes=round(days * 24 * 60))
        return value, value.time() != dt.time()
    raise CellError(f"“{header}”的“{text}”无法识别，请写成 2026-05-01 09:00 或 2026-05-01 的形式。")


def activity_times(start_text: str, end_text: str) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of a row: a date alone starts at 00:00 and ends at 23:59,
    and a blank end after a date alone is that day's end."""
    start = parse_when(start_text, "开始时间")
    end = parse_when(end_text, "结束时间")
    if start is None:
        raise CellError("“开始时间”不能为空。")
    if end is None:
        if start[1]:
            raise CellError("请填写“结束时间”（开始时间写了时刻时，结束时间不能留空）。")
        end = (start[0], False)
    begins = start[0]
    finishes = end[0] if end[1] else end[0].replace(hour=23, minute=59)
    return timezone.make_aware(begins), timezone.make_aware(finishes)


def format_times(starts: dt.datetime, ends: dt.datetime) -> tuple[str, str]:
    """The cells an export writes: dates alone for an all-day activity (00:00 to 23:59)."""
    s, e = timezone.localtime(starts), timezone.localtime(ends)
    if (s.hour, s.minute) == (0, 0) and (e.hour, e.minute) == (23, 59):
        return s.date().isoformat(), e.date().isoformat()
    return s.strftime("%Y-%m-%d %H:%M"), e.strftime("%Y-%m-%d %H:%M")


def _minute(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(second=0, microsecond=0)


def _multiline(raw) -> str:
    """A long text cell with its line breaks (Column.parse turns them into spaces, which
    would make an exported report come back changed)."""
    if not isinstance(raw, str):
        return to_text(raw)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def _blank(cells: list, index: dict, key: str) -> bool:
    i = index.get(key)
    if i is None or i >= len(cells):
        return True
    raw = cells[i]
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _import_key(org: Org, title: str, starts: dt.datetime) -> str:
    raw = f"activity|{org.pk}|{title}|{_minute(starts):%Y-%m-%dT%H:%M}"
    return hashlib.sha256(raw.encode()).hexdigest()


def activities_template(path: Path | str | None = None) -> Path:
    return write_template(path or export_path("activities-template"), ACTIVITY_COLUMNS, title="活动导入模板 填写说明",
                          notes=ACTIVITY_NOTES, sheet="活动")


# --- import -----------------------------------------------------------------------------------


@dataclass
class _Row:
    rownum: int
    values: dict
    given: set[str]  # keys whose cell is filled (a blank cell keeps the stored value)
    org: Org | None = None
    activity: Activity | None = None
    fields: dict = field(default_factory=dict)  # service keyword values
    partner_names: list[str] | None = None
    status: str = ""
    hours: object = None
    key: str = ""


def activities_import(*, actor: Actor, path: Path | str, org: Org | None, mode: str = "all", dry_run: bool = False,
                      progress: Callable[[int, int], None] | None = None, filename: str = "") -> ImportReport:
    report = ImportReport(dry_run=dry_run, mode=mode)
    shown = filename or Path(path).name
    progress = progress or (lambda done, total: None)
    try:
        org, table, index = open_import(actor=actor, perm="activities.manage", org=org, path=path, columns=ACTIVITY_COLUMNS)
    except ImportRefused as exc:
        report.file_error = exc.message
        _audit_activities(actor, exc.org, shown, report, failed=True)
        return report
    report.total = total = len(table.rows)
    with collector_paused():
        rows, errors = _check_activities(actor, org, table, index)
    report.errors = sorted((n, m) for n, msgs in errors.items() for m in msgs)
    progress(total // 2, total)
    if not dry_run and report.errors and mode != "valid":
        _audit_activities(actor, org, shown, report, failed=True)
        progress(total, total)
        return report
    try:
        with transaction.atomic():
            for n, row in enumerate(rows, start=1):
                try:
                    with transaction.atomic():
                        outcome = _write_activity(actor, row)
                except (ValidationError, PermissionDenied) as exc:
                    report.errors.append((row.rownum, error_text(exc) if isinstance(exc, ValidationError) else str(exc)))
                    if mode != "valid" and not dry_run:
                        raise _Refused from None
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
                progress(total // 2 + n * (total - total // 2) // max(len(rows), 1), total)
            if dry_run:
                raise _Rehearsed  # undo the rehearsal, audit events included
            report.written = True
            _audit_activities(actor, org, shown, report, failed=False)
    except _Rehearsed:
        pass
    except _Refused:
        report.created = report.updated = report.unchanged = 0
        _audit_activities(actor, org, shown, report, failed=True)
    report.errors.sort()
    progress(total, total)
    return report


class _Rehearsed(Exception):
    """Ends a check's rehearsal so that its transaction rolls back."""


class _Refused(Exception):
    """A row refused by a service in an all-or-nothing import: everything rolls back."""


def _check_activities(actor: Actor, org: Org, table, index) -> tuple[list[_Row], dict[int, list[str]]]:
    parsed: list[_Row] = []
    errors: dict[int, list[str]] = {}
    for rownum, cells in table.rows:
        values, errs = parse_row(table, rownum, cells, ACTIVITY_COLUMNS, index)
        given = {c.key for c in ACTIVITY_COLUMNS if not _blank(cells, index, c.key)}
        if "report" in given and not errs:
            values["report"] = _multiline(cells[index["report"]])
        parsed.append(_Row(rownum, values, given))
        if errs:
            errors[rownum] = errs

    codes = {r.values["code"].upper() for r in parsed if r.values.get("code")}
    found = {a.code: a for a in selectors.activities_for(actor).filter(code__in=codes, org_path__startswith=org.path)
             .select_related("org", "kind", "target_org").prefetch_related("partners")} if codes else {}
    union_codes = {r.values[k].upper() for r in parsed for k in ("org_code", "target_org_code") if r.values.get(k)}
    unions = {o.code: o for o in Org.objects.for_actor(actor).filter(code__in=union_codes, path__startswith=org.path)}
    kinds = {}
    now = timezone.now()
    rows: list[_Row] = []
    seen_codes: dict[str, int] = {}
    seen_new: dict[str, int] = {}
    for row in parsed:
        if row.rownum in errors:
            continue
        errs = errors.setdefault(row.rownum, [])
        v = row.values
        code = (v.get("code") or "").upper()
        if code:
            row.activity = found.get(code)
            if row.activity is None:
                errs.append(f"找不到活动编号“{code}”（须为“{org.name}”或其下级工会的活动）。")
            elif code in seen_codes:
                errs.append(f"活动编号“{code}”与第{seen_codes[code]}行重复。")
            seen_codes.setdefault(code, row.rownum)
        org_code = (v.get("org_code") or "").upper()
        if org_code:
            row.org = unions.get(org_code)
            if row.org is None:
                errs.append(f"找不到工会编码“{org_code}”，或它不是“{org.name}”及其下级工会。")
        else:
            row.org = row.activity.org if row.activity is not None else org
        if row.activity is not None and row.org is not None and row.activity.org_id != row.org.pk:
            errs.append(f"活动“{row.activity.title}”由“{row.activity.org.name}”组织，组织工会不能通过导入更改。")
        ref = v.get("kind") or ""
        if ref not in kinds:
            kinds[ref] = selectors.kind_by_ref(ref)
        kind = kinds[ref]
        if kind is None:
            errs.append(f"活动类型“{ref}”不存在，应为：{'、'.join(k.name for k in selectors.kinds())}。")
        try:
            starts, ends = activity_times(v.get("starts_at") or "", v.get("ends_at") or "")
        except CellError as exc:
            errs.append(str(exc))
            starts = ends = None
        target_org = None
        target_code = (v.get("target_org_code") or "").upper()
        if target_code:
            target_org = unions.get(target_code)
            if target_org is None:
                errs.append(f"找不到指定分会编码“{target_code}”，或它不是“{org.name}”及其下级工会。")
        if v.get("target") == Target.BRANCH and not target_code and (row.activity is None or row.activity.target_org_id is None):
            errs.append("参加对象为“指定分会”时，请填写“指定分会编码”。")
        if target_code and v.get("target") not in (Target.BRANCH, "") and "target" in row.given:
            errs.append("填写了“指定分会编码”时，参加对象应为“指定分会”。")
        status = v.get("status") or ""
        if status == Status.CANCELLED and (row.activity is None or row.activity.status != Status.CANCELLED):
            errs.append("不能通过导入取消活动，请在活动页面操作并填写取消原因。")
        if status == Status.DONE and starts is not None and starts > now and (row.activity is None or "starts_at" in row.given):
            errs.append("活动尚未开始，不能标记为已结束。")
        if errs:
            continue
        if "partners" in row.given:
            row.partner_names = _partner_names(v.get("partners") or "")
        row.fields = _fields(v, row.given, kind, starts, ends, target_org)
        row.hours = v.get("hours") if "hours" in row.given else None
        if row.activity is None:
            if not status:
                status = Status.DONE if ends <= now else Status.RUNNING if starts <= now else Status.PLANNED
            row.key = _import_key(row.org, v["title"], starts)
            earlier = seen_new.get(row.key)
            if earlier:
                errs.append(f"与第{earlier}行是同一活动（同一组织工会、同名、开始时间相同）。")
                continue
            seen_new[row.key] = row.rownum
        row.status = status
        rows.append(row)
    _match_known(rows, errors, seen_codes)
    return rows, {n: e for n, e in errors.items() if e}


def _partner_names(text: str) -> list[str]:
    names = []
    for part in PARTNER_SPLIT.split(text):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names


def _fields(v: dict, given: set[str], kind, starts, ends, target_org) -> dict:
    """The service keywords a row sets: every column for a new activity, the filled ones
    for an update."""
    out = {"kind": kind, "title": v["title"], "starts_at": starts, "ends_at": ends}
    simple = ("place", "target", "capacity", "cost", "funding", "beneficiaries", "is_training", "quiz_name", "quiz_pass", "report")
    for key in simple:
        if key in given:
            out[key] = v.get(key)
    if "target_org_code" in given:
        out["target_org"] = target_org
        out.setdefault("target", Target.BRANCH)
    if "ends_at" not in given and "starts_at" in given:
        out["ends_at"] = ends
    return out


def _match_known(rows: list[_Row], errors: dict[int, list[str]], seen_codes: dict[str, int]) -> None:
    """Rows without an 活动编号 that name an activity already on file (imported before, or
    the same union, name and starting minute) update it instead of creating a twin."""
    new = [r for r in rows if r.activity is None]
    if not new:
        return
    by_key = {a.import_key: a for a in Activity.objects.filter(import_key__in=[r.key for r in new])
              .select_related("org", "kind", "target_org").prefetch_related("partners")}
    titles = {r.values["title"] for r in new}
    first = min(r.fields["starts_at"] for r in new) - dt.timedelta(minutes=1)
    last = max(r.fields["starts_at"] for r in new) + dt.timedelta(minutes=1)
    same: dict[tuple, list[Activity]] = {}
    for a in (Activity.objects.filter(org__in={r.org.pk for r in new}, title__in=titles, starts_at__gte=first, starts_at__lte=last)
              .select_related("org", "kind", "target_org").prefetch_related("partners")):
        same.setdefault((a.org_id, a.title, _minute(a.starts_at)), []).append(a)
    for row in new:
        match = by_key.get(row.key)
        if match is None:
            twins = same.get((row.org.pk, row.values["title"], _minute(row.fields["starts_at"])), [])
            match = twins[0] if len(twins) == 1 else None
        if match is None:
            continue
        if match.code in seen_codes:
            errors.setdefault(row.rownum, []).append(f"与第{seen_codes[match.code]}行（活动编号{match.code}）是同一活动。")
            rows.remove(row)
            continue
        seen_codes[match.code] = row.rownum
        row.activity = match
        if "status" not in row.given:
            row.status = ""  # the default status is for new activities only


def _write_activity(actor: Actor, row: _Row) -> str:
    partners = None
    if row.partner_names is not None:
        partners = [selectors.partner_by_name(actor, row.org, name)
                    or services.partner_create(actor=actor, org=row.org, name=name) for name in row.partner_names]
    if row.activity is None:
        services.activity_create(actor=actor, org=row.org, status=row.status, hours=row.hours, import_key=row.key,
                                 partners=partners or (), **row.fields)
        return "created"
    activity = row.activity
    changed = _changed_fields(activity, row.fields)
    if partners is not None and {p.pk for p in partners} == {p.pk for p in activity.partners.all()}:
        partners = None
    touched = False
    if changed or partners is not None:
        services.activity_update(actor=actor, activity=activity, partners=partners, **changed)
        touched = True
    if row.hours is not None:
        touched |= _set_hours(actor, activity, row.hours)
    if row.status and row.status != activity.status:
        services.activity_set_status(actor=actor, activity=activity, status=row.status)
        touched = True
    return "updated" if touched else "unchanged"


def _changed_fields(activity: Activity, fields: dict) -> dict:
    changed = {}
    for key, value in fields.items():
        current = getattr(activity, key)
        if key in ("starts_at", "ends_at"):
            if _minute(current) != _minute(value):
                changed[key] = value
        elif key == "kind":
            if activity.kind_id != value.pk:
                changed[key] = value
        elif key == "target_org":
            if activity.target_org_id != (value.pk if value is not None else None):
                changed[key] = value
        elif key in ("cost", "quiz_pass"):
            new = services._decimal(value, key, "费用" if key == "cost" else "及格分") if value not in (None, "") else None
            if key == "cost":
                new = new or Decimal(0)
            if new != current:
                changed[key] = value
        elif key == "capacity":
            if (value or None) != current:
                changed[key] = value
        elif key == "beneficiaries":
            if (value or 0) != current:
                changed[key] = value
        elif (value if value is not None else "") != current:
            changed[key] = value
    if "target" in changed and "target_org" not in changed and changed["target"] == Target.BRANCH:
        changed["target_org"] = activity.target_org
    return changed


def _set_hours(actor: Actor, activity: Activity, raw) -> bool:
    sessions = list(Session.objects.filter(activity=activity).order_by("seq"))
    value = services._hours(raw, None, None)
    if len(sessions) == 1:
        if sessions[0].hours == value:
            return False
        services.session_update(actor=actor, session=sessions[0], hours=value)
        return True
    if sum((s.hours for s in sessions), Decimal(0)) != value:
        raise ValidationError({"hours": f"该活动有{len(sessions)}个场次，学时请在各场次中修改（导入的学时须等于各场次合计）。"})
    return False


def _audit_activities(actor: Actor, org: Org | None, filename: str, report: ImportReport, *, failed: bool) -> None:
    audit_record(
        actor=actor, action="activity.import", object_type="activities.Activity", org=org,
        result="failure" if failed else "success",
        message=report.file_error or (f"有{report.rejected}行错误，未导入任何数据" if failed else
                                      f"新建{report.created}，更新{report.updated}，未变{report.unchanged}，拒绝{report.rejected}"),
        changes={"file": [None, filename]},
    )


# --- export -----------------------------------------------------------------------------------


def scoped_activities(actor: Actor, org: Org, *, subtree: bool, start=None, end=None):
    """The activities an export covers: organised by `org` (and its subtree), starting within
    the period."""
    qs = selectors.activity_search(actor, org=org, start=start, end=end)
    if not subtree:
        qs = qs.filter(org=org)
    return qs


def activities_export(*, actor: Actor, org: Org | None, path: Path | str | None = None, subtree: bool = True,
                      start=None, end=None) -> Path:
    """The activities in import format (so that the file re-imports unchanged) plus the
    read-only figures 报名人数, 签到人数 and 人次."""
    actor.require("activities.view")
    target = org or actor.org
    if target is None:
        raise ValidationError("请用 --org 指定导出哪个工会的活动。")
    actor.require_covers(target)
    qs = scoped_activities(actor, target, subtree=subtree, start=start, end=end)
    ids = list(qs.values_list("pk", flat=True))
    registered, attended, hours = {}, {}, {}
    for i in range(0, len(ids), 5000):
        chunk = ids[i:i + 5000]
        registered.update(Registration.objects.filter(activity_id__in=chunk, status=RegStatus.REGISTERED)
                          .values_list("activity_id").annotate(n=Count("id")))
        attended.update((a, (p, t)) for a, p, t in CheckIn.objects.filter(activity_id__in=chunk).values_list("activity_id")
                        .annotate(p=Count("registration_id", distinct=True), t=Count("id")))
        hours.update((a, (h, n)) for a, h, n in Session.objects.filter(activity_id__in=chunk).values_list("activity_id")
                     .annotate(h=Sum("hours"), n=Count("id")))
    columns = ACTIVITY_COLUMNS + ACTIVITY_FIGURES
    path = Path(path or export_path("activities"))
    out = XlsxWriter(path)
    ws = out.sheet("活动", columns)
    n = 0
    rows = qs.select_related("org", "kind", "target_org").prefetch_related("partners").order_by("starts_at", "id")
    for n, a in enumerate(rows.iterator(chunk_size=1000), start=1):
        starts, ends = format_times(a.starts_at, a.ends_at)
        people, times = attended.get(a.pk, (0, 0))
        out.write_row(ws, n, columns, {
            "code": a.code, "org_code": a.org.code, "kind": a.kind.name, "title": a.title, "starts_at": starts, "ends_at": ends,
            "place": a.place, "target": a.target, "target_org_code": a.target_org.code if a.target_org_id else "",
            "capacity": a.capacity, "cost": a.cost, "funding": a.funding, "beneficiaries": a.beneficiaries,
            "is_training": a.is_training, "hours": _plain(hours.get(a.pk, (None, 0))[0]), "quiz_name": a.quiz_name,
            "quiz_pass": _plain(a.quiz_pass), "partners": "、".join(sorted(p.name for p in a.partners.all())),
            "status": a.status, "report": a.report, "registered": registered.get(a.pk, 0), "attended": people,
            "person_times": times,
        })
    out.explain(columns, title="活动 导出说明", notes=[
        *ACTIVITY_NOTES, f"{len(ACTIVITY_NOTES) + 1}. 标有“{READ_ONLY}”的列是导出时的统计，导入时不读取。"])
    out.close()
    audit_record(actor=actor, action="activity.export", object_type="activities.Activity", org=target,
                 message=f"导出{n}项活动（{target.name}{'及下级' if subtree else ''}）", changes={"rows": [None, n]})
    return path


def _plain(value) -> str:
    """A decimal as a person writes it: 60, 2.5 (not 60.0, 2.50)."""
    return "" if value is None else format(Decimal(value).normalize(), "f")


# --- registration -----------------------------------------------------------------------------


def register_exchange() -> None:
    from gonghui.activities.sheets_attendance import attendance_export, attendance_import, attendance_template
    from gonghui.exchange.registry import Exchange, register

    register(Exchange(
        kind="activities", label="活动", template=activities_template,
        importer=lambda *, actor, path, org, mode, dry_run, progress=None, filename="": activities_import(
            actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, progress=progress, filename=filename),
        exporter=lambda *, actor, org, path, subtree, start, end: activities_export(
            actor=actor, org=org, path=path, subtree=subtree, start=start, end=end),
        import_perm="activities.manage", list_page="activities:home",
        import_help="每行一项活动：活动编号留空为新建，填写则更新该活动；组织工会须是所选工会或其下级工会。"
                    "同一工会、同名且开始时间相同的活动视为同一活动，同一文件重复导入不会重复新建。",
    ))
    register(Exchange(
        kind="attendance", label="活动参加人员", template=attendance_template,
        importer=lambda *, actor, path, org, mode, dry_run, progress=None, filename="": attendance_import(
            actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, progress=progress, filename=filename),
        exporter=lambda *, actor, org, path, subtree, start, end: attendance_export(
            actor=actor, org=org, path=path, subtree=subtree, start=start, end=end),
        import_perm="activities.manage", list_page="activities:home",
        import_help="每行一人参加一项活动：活动填活动编号，或活动名称和开始日期；会员填身份证号，非会员只填姓名（不会新建会员）。"
                    "场次留空为全部场次，签到留空时已开始的场次记为已签到。同一文件重复导入不会重复登记。",
    ))
