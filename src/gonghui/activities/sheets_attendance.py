"""Who took part in activities, as a spreadsheet (kind `attendance`): one row per participant
per activity.

A row names the activity by its code (HD0000042) or by its exact title and start date, and
the person by ID number (a member, matched on the roster's blind index, never stored here)
or by name alone (anyone else: counted, never made a member). 场次 names one session (blank:
every session); 签到 says whether they came (blank: yes when the session has started); 成绩
records a quiz score.

The rules are those of the per-row services in attendance.py, through the same helpers:
`staff_refusal` (who may be on an activity's list: open_to, delegates left to the staff),
`checkin_refusal` (no attendance at a planned or cancelled activity, nor at a session that
has not started), `score_value` / `passed_for`. Planned and cancelled activities are refused
outright. Capacity: a held activity's list is the record of who came, so nothing is turned
away; on an activity still taking sign-ups, a row without attendance beyond the free places
goes on the waiting list, in file order, as registration_add would put it.

The per-row services write an audit event per person and lock the activity once per row;
50,000 rows (a district's year) would take minutes. So every row is checked first, in
Python, against state read set-wise (activities, sessions, members by blind index), and the
writes happen in one short transaction: the activities locked, the current registrations
and check-ins read again under the lock and the outcome planned from them, then new
registrations and check-ins inserted as plain column values (members/bulk.copy_rows: COPY on
PostgreSQL, executemany elsewhere, their ids taken up front), changed registrations updated
in bulk, and one `attendance.import` audit event. A dry run plans from the current state and
writes nothing. Importing the same file again finds every registration and check-in in place
and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.activities import selectors
from gonghui.activities.attendance import checkin_refusal, passed_for, score_value, staff_refusal
from gonghui.activities.models import (
    HELD,
    Activity,
    CheckIn,
    Method,
    Registration,
    RegStatus,
    Session,
    Source,
    Status,
)
from gonghui.activities.services import user_of
from gonghui.activities.sheets import READ_ONLY, _plain, scoped_activities
from gonghui.audit.services import audit_record
from gonghui.core import crypto
from gonghui.core.db import ReferenceGone, set_wise_references
from gonghui.core.services import error_text
from gonghui.core.validators import parse_resident_id
from gonghui.exchange.files import export_path
from gonghui.exchange.sheets import (
    EXAMPLE_ROW,
    CellError,
    Column,
    ImportRefused,
    ImportReport,
    XlsxWriter,
    collector_paused,
    example_values,
    open_import,
    write_template,
)
from gonghui.members.bulk import copy_rows
from gonghui.members.choices import Gender
from gonghui.members.models import Member
from gonghui.orgs.models import Org

ATTENDANCE_COLUMNS = [
    Column("code", "活动编号", max_length=16, example="HD0000042", width=12,
           help="填写活动编号；或不填编号，填写活动名称和开始日期。填了编号的以编号为准。"),
    Column("title", "活动名称", max_length=100, example="", width=24, help="须与系统中的活动名称完全一致。"),
    Column("day", "开始日期", kind="date", example="", width=12, help="活动的开始日期，与活动名称一起确定活动。"),
    Column("id_number", "身份证号", max_length=30, example="110105199003070017", width=22,
           help="会员填写，按身份证号匹配会员名册（须是导入的工会或其下级工会的会员）；非会员不填。"),
    Column("name", "姓名", required=True, max_length=50, example="张三", width=10, help="会员的姓名须与会员名册一致。"),
    Column("affiliation", "单位/身份", max_length=100, example="", width=16, help="非会员选填，如“社区居民”“市第一人民医院”。"),
    Column("gender", "性别", kind="choice", choices=Gender.choices, example="", width=6, help="非会员选填；会员以名册为准。"),
    Column("session", "场次", kind="int", example="", width=6, help="第几场；留空为活动的全部场次（只有一场的活动即第1场）。"),
    Column("checked", "签到", kind="bool", example="是", width=6,
           help="是否到场参加。留空时：所填场次都已开始的记为“是”，否则为“否”（只报名）。"),
    Column("score", "成绩", max_length=10, example="", width=8, help="设有答卷或考试的活动填写，0到1000，最多一位小数；留空不改变已登记的成绩。"),
]
EXPORT_COLUMNS = ATTENDANCE_COLUMNS + [
    Column("reg_status", "报名状态" + READ_ONLY, kind="choice", choices=RegStatus.choices, width=12),
]
NOTES = [
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。每行一人参加一项活动（或其中一个场次）。",
    "2. 活动填活动编号，或活动名称和开始日期；须是导入的工会或其下级工会组织的活动。计划中和已取消的活动不能导入参加人员。",
    "3. 会员填身份证号，按会员名册匹配，须符合活动的参加对象（如女职工、指定分会）；非会员只填姓名（可填单位/身份、性别），"
    "只计入参加人数，不会新建会员。",
    "4. 签到只能登记已开始的场次；尚未开始的场次只能报名（签到填“否”或留空）。",
    "5. 名额：进行中、已结束的活动，导入的是实际到场人员的记录，不受名额限制；报名中的活动，签到的人员照常登记，"
    "只报名未签到的超出剩余名额时，按文件顺序列入候补名单。",
    "6. 默认“全部正确才导入”；同一文件重复导入不会重复报名或签到。",
]
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
UNIT_SEPARATOR = "\x1f"


def attendance_template(path: Path | str | None = None) -> Path:
    return write_template(path or export_path("attendance-template"), ATTENDANCE_COLUMNS, title="活动参加人员导入模板 填写说明",
                          notes=NOTES, sheet="参加人员")


# --- checking ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    """The roster fields the rules read (open_to), without decrypting anything."""

    id: int
    name: str
    org_id: int
    org_path: str
    status: str
    gender: str
    joined_on: dt.date


PERSON_FIELDS = ("id", "name", "org_id", "org_path", "status", "gender", "joined_on")


@dataclass(slots=True)
class _Line:
    rownum: int
    activity: Activity
    member: _Person | None
    name: str
    affiliation: str
    gender: str
    sessions: list  # the sessions attended ([] when only signing up)
    score: Decimal | None
    score_given: bool
    person: tuple  # ("m", member id) or ("g", name): whom a registration is for


def attendance_import(*, actor: Actor, path: Path | str, org: Org | None, mode: str = "all", dry_run: bool = False,
                      progress: Callable[[int, int], None] | None = None, filename: str = "") -> ImportReport:
    report = ImportReport(dry_run=dry_run, mode=mode, batch=secrets.token_hex(8))
    shown = filename or Path(path).name
    progress = progress or (lambda done, total: None)
    try:
        org, table, index = open_import(actor=actor, perm="activities.manage", org=org, path=path, columns=ATTENDANCE_COLUMNS)
    except ImportRefused as exc:
        report.file_error = exc.message
        _audit(actor, exc.org, shown, report, failed=True)
        return report
    report.total = total = len(table.rows)
    with collector_paused():
        lines, errors = _Checker(actor, org, table, index).run()
        report.errors = sorted((n, m) for n, msgs in errors.items() for m in msgs)
        progress(total // 2, total)
        if not dry_run and report.errors and mode != "valid":
            _audit(actor, org, shown, report, failed=True)
            progress(total, total)
            return report
        if dry_run:
            plan = _plan(lines, _State.load(lines))
            plan.count(report)
        else:
            _write(actor, org, lines, report, shown)
    progress(total, total)
    return report


class _Checker:
    """Every row against the activities, sessions and members it names, read set-wise."""

    def __init__(self, actor: Actor, org: Org, table, index):
        self.actor, self.org, self.table, self.index = actor, org, table, index
        self.now = timezone.now()
        self.errors: dict[int, list[str]] = {}
        self.chosen: dict[tuple, tuple] = {}  # (activity id, 场次) → (sessions, why check-in is refused)

    def run(self) -> tuple[list[_Line], dict[int, list[str]]]:
        parsed = []
        parse = _row_parser(self.table, self.index)
        for rownum, cells in self.table.rows:
            values, errs = parse(rownum, cells)
            if errs:
                self.errors[rownum] = errs
                continue
            values["ref"] = self._ref(values)
            parsed.append((rownum, values))
        activities = self._activities(parsed)
        sessions = self._sessions(activities)
        ids = self._ids(parsed)
        members = self._members({h for h in ids.values() if h[0] not in "!*"})
        masked = self._masked(parsed, activities)
        lines: list[_Line] = []
        seen: dict[tuple, dict] = {}
        for rownum, values in parsed:
            errs: list[str] = []
            activity = activities.get(values["ref"])
            if isinstance(activity, str):
                errs.append(activity)
                activity = None
            elif activity is not None:
                if activity.status == Status.CANCELLED:
                    errs.append(f"活动“{activity.title}”已取消，不能导入参加人员。")
                elif activity.status == Status.PLANNED:
                    errs.append(f"活动“{activity.title}”还在计划中，请先将活动改为报名中、进行中或已结束，再导入参加人员。")
            member = self._member(values, ids, members, masked, activity, errs)
            line = self._line(rownum, values, activity, member, sessions, errs) if activity is not None and not errs else None
            if line is not None:
                self._duplicates(line, values, seen, errs)
            if errs:
                self.errors[rownum] = errs
            elif line is not None:
                lines.append(line)
        return lines, self.errors

    @staticmethod
    def _ref(values: dict) -> tuple:
        code = (values.get("code") or "").upper()
        if code:
            return ("code", code)
        return ("title", values.get("title") or "", values.get("day"))

    def _activities(self, parsed) -> dict[tuple, Activity | str]:
        """Each activity reference of the file → the activity, or why it names none."""
        scoped = selectors.activities_for(self.actor).filter(org_path__startswith=self.org.path).select_related("org", "target_org")
        refs = {values["ref"] for _, values in parsed}
        codes = [r[1] for r in refs if r[0] == "code"]
        out: dict[tuple, Activity | str] = {}
        found = {}
        for i in range(0, len(codes), 2000):
            found.update((a.code, a) for a in scoped.filter(code__in=codes[i:i + 2000]))
        where = f"（须为“{self.org.name}”或其下级工会组织的活动）"
        for ref in refs:
            if ref[0] == "code":
                out[ref] = found.get(ref[1]) or f"找不到活动编号“{ref[1]}”{where}。"
        named = [r for r in refs if r[0] == "title"]
        titles = {title for _, title, day in named if title and day}
        by_day: dict[tuple, list[Activity]] = {}
        if titles:
            days = [day for _, title, day in named if title and day]
            first = timezone.make_aware(dt.datetime.combine(min(days), dt.time()))
            last = timezone.make_aware(dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time()))
            for a in scoped.filter(title__in=titles, starts_at__gte=first, starts_at__lt=last):
                by_day.setdefault((a.title, timezone.localtime(a.starts_at).date()), []).append(a)
        for ref in named:
            _, title, day = ref
            if not title or not day:
                out[ref] = "请填写活动编号，或同时填写活动名称和开始日期。"
                continue
            matches = by_day.get((title, day), [])
            if not matches:
                out[ref] = f"找不到{day:%Y-%m-%d}开始的活动“{title}”{where}。"
            elif len(matches) > 1:
                out[ref] = (f"{day:%Y-%m-%d}开始的活动“{title}”有{len(matches)}项（编号"
                            f"{'、'.join(sorted(a.code for a in matches))}），请填写活动编号。")
            else:
                out[ref] = matches[0]
        return out

    @staticmethod
    def _sessions(activities: dict) -> dict[int, dict[int, Session]]:
        ids = sorted({a.id for a in activities.values() if isinstance(a, Activity)})
        out: dict[int, dict[int, Session]] = {pk: {} for pk in ids}
        for i in range(0, len(ids), 2000):
            for s in Session.objects.filter(activity_id__in=ids[i:i + 2000]).order_by("activity_id", "seq"):
                out[s.activity_id][s.seq] = s
        return out

    def _ids(self, parsed) -> dict[str, str]:
        """Each ID cell → its blind index, or "!" + why it is refused. Masked ones (as an
        export writes them) are looked up among the activity's people instead."""
        out: dict[str, str] = {}
        for _, values in parsed:
            raw = values.get("id_number") or ""
            if not raw or raw in out:
                continue
            text = raw.replace(" ", "").upper()
            if MASKED_ID.match(text):
                out[raw] = "*" + text
                continue
            try:
                number = parse_resident_id(raw).number
            except ValidationError as exc:
                out[raw] = "!" + exc.messages[0]
            else:
                out[raw] = crypto.blind_index(number, purpose="id")
        return out

    def _members(self, hashes: set[str]) -> dict[str, _Person]:
        """Members in the actor's scope named by these blind indexes (outside it they do not
        exist, for this import)."""
        if not hashes:
            return {}
        qs = Member.objects.for_actor(self.actor)
        rows = _where_in(qs, "id_hash", sorted(hashes), ("id_hash", *PERSON_FIELDS))
        return {h: _Person(*rest) for h, *rest in rows}

    def _masked(self, parsed, activities) -> dict[tuple, _Person]:
        """(activity id, masked ID, name) → the member already on that activity's list: an
        exported file (IDs masked) re-imports without the full numbers."""
        wanted = {v["ref"] for _, v in parsed if "*" in (v.get("id_number") or "")}
        aids = sorted({a.id for r, a in activities.items() if r in wanted and isinstance(a, Activity)})
        out: dict[tuple, _Person] = {}
        for i in range(0, len(aids), 2000):
            regs = Registration.objects.filter(activity_id__in=aids[i:i + 2000], member__isnull=False,
                                               member__org_path__startswith=self.org.path)
            if not self.actor.is_operator:
                regs = regs.filter(member__org_path__startswith=self.actor.org.path)
            for aid, masked, *rest in regs.values_list("activity_id", "member__id_masked", *(f"member__{f}" for f in PERSON_FIELDS)):
                out[(aid, masked, rest[1])] = _Person(*rest)
        return out

    def _member(self, values, ids, members, masked, activity, errs) -> _Person | None:
        raw = values.get("id_number") or ""
        if not raw:
            return None
        key = ids[raw]
        if key.startswith("!"):
            errs.append(f"“身份证号”有误：{key[1:]}")
            return None
        if key.startswith("*"):
            if activity is None:
                return None
            member = masked.get((activity.id, key[1:], values["name"]))
            if member is None:
                errs.append("身份证号已遮蔽，只能对应该活动已登记的同名会员；新增人员请填写完整的身份证号。")
            return member
        member = members.get(key)
        if member is None:
            errs.append("找不到该身份证号的会员（须为您管辖范围内的会员）。")
        elif not member.org_path.startswith(self.org.path):
            errs.append(f"会员{member.name}不属于“{self.org.name}”或其下级工会。")
            member = None
        elif member.name != values["name"]:
            errs.append(f"姓名与会员名册不一致（名册中为“{member.name}”）。")
            member = None
        return member

    def _line(self, rownum, values, activity: Activity, member: _Person | None, sessions, errs) -> _Line | None:
        if member is not None:
            why = staff_refusal(activity, member)
            if why:
                errs.append(f"{member.name}：{why}")
        seq = values.get("session")
        known = self.chosen.get((activity.id, seq))
        if known is None:
            own = sessions[activity.id]
            chosen = list(own.values()) if seq is None else [own[seq]] if seq in own else None
            refusals = [why for why in (checkin_refusal(activity, s, self.now) for s in chosen or ()) if why]
            known = self.chosen[(activity.id, seq)] = (chosen, refusals, len(own))
        chosen, refusals, count = known
        if chosen is None:
            errs.append(f"活动“{activity.title}”没有第{seq}场（共{count}场）。")
            return None
        checked = values["checked"]
        if checked is None:
            checked = not refusals
        elif checked and refusals:
            errs.append(f"“{activity.title}”{refusals[0]}")
        score, score_given = None, bool(values.get("score"))
        if score_given:
            try:
                score = score_value(activity, values["score"])
            except ValidationError as exc:
                errs.append(error_text(exc))
        if errs:
            return None
        if member is not None:
            return _Line(rownum, activity, member, member.name, "", "", chosen if checked else [], score, score_given,
                         ("m", member.id))
        name = values["name"]
        return _Line(rownum, activity, None, name, values.get("affiliation") or "", values.get("gender") or "",
                     chosen if checked else [], score, score_given, ("g", name))

    @staticmethod
    def _duplicates(line: _Line, values: dict, seen: dict, errs: list[str]) -> None:
        """A person appears once per activity and 场次; two rows may split the sessions
        between them, but not name one twice, nor give two scores."""
        who = (line.activity.id, line.person)
        earlier = seen.get((who, "row", values.get("session")))
        if earlier:
            errs.append(f"与第{earlier}行重复（同一活动、同一人、同一场次）。")
            return
        for s in line.sessions:
            earlier = seen.get((who, "session", s.id))
            if earlier:
                errs.append(f"第{s.seq}场与第{earlier}行重复（同一人、同一场次）。")
                return
        if line.score_given:
            earlier = seen.get((who, "score"))
            if earlier and earlier[0] != line.score:
                errs.append(f"成绩与第{earlier[1]}行不一致。")
                return
            seen.setdefault((who, "score"), (line.score, line.rownum))
        seen[(who, "row", values.get("session"))] = line.rownum
        for s in line.sessions:
            seen[(who, "session", s.id)] = line.rownum


def _row_parser(table, index) -> Callable:
    """exchange.sheets.parse_row for a file of tens of thousands of rows, most of whose
    cells are blank (a blank cell costs a dict lookup here, a Column.parse call there:
    half of the checking time of 50,000 rows). Filled cells, formulas and the template's
    example row are handled exactly as parse_row does; 签到 is None when blank (a bool
    column reads blank as 否, and blank means "yes if the session has started")."""
    plan = [(col, index[col.key], col.parse(None) if not col.required else None)
            for col in ATTENDANCE_COLUMNS if col.key in index]
    formulas = table.formulas
    example = example_values(ATTENDANCE_COLUMNS)

    def parse(rownum: int, cells: list) -> tuple[dict, list[str]]:
        values, errors = {"checked": None}, []
        width = len(cells)
        for col, i, blank in plan:
            raw = cells[i] if i < width else None
            formula = bool(formulas) and (rownum, i) in formulas
            if (raw is None or raw == "") and not formula:
                if col.required:
                    errors.append(f"“{col.header}”不能为空。")
                elif col.key != "checked":
                    values[col.key] = blank
                continue
            try:
                values[col.key] = col.parse(raw, formula=formula)
            except CellError as exc:
                message = str(exc)
                errors.append(message if message.startswith("“") else f"“{col.header}”{message}")
        if not errors and example is not None and all(example[k] == v for k, v in values.items() if k in example):
            errors.append(EXAMPLE_ROW)
        return values, errors

    return parse


def _where_in(qs, column: str, values: list, fields: tuple) -> list:
    """values_list(*fields) of the rows of `qs` whose `column` is one of `values`: on
    PostgreSQL one parameter split on the server (as members.sheets does: a 50,000-item IN
    list costs more to build and parse than the lookups it asks for), in chunks elsewhere."""
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        column_sql = f"{q(qs.model._meta.db_table)}.{q(column)}"  # names from model metadata only
        sql = f"{column_sql} = ANY(string_to_array(%s, %s))"
        return list(qs.filter(RawSQL(sql, [UNIT_SEPARATOR.join(values), UNIT_SEPARATOR],  # noqa: S611
                                     output_field=BooleanField())).values_list(*fields))
    found = []
    for i in range(0, len(values), 5000):
        found += qs.filter(**{f"{column}__in": values[i:i + 5000]}).values_list(*fields)
    return found


# --- planning ---------------------------------------------------------------------------------


class _Reg:
    """A registration as the plan sees it: on file (`id`) or to be written (`new`)."""

    __slots__ = ("id", "status", "score", "passed", "new", "dirty", "reopened", "line")

    def __init__(self, id=None, status=RegStatus.REGISTERED, score=None, passed=None, new=False, line=None):
        self.id, self.status, self.score, self.passed, self.new, self.line = id, status, score, passed, new, line
        self.dirty = self.reopened = False


@dataclass
class _State:
    regs: dict  # (activity id, person) → _Reg
    checkins: set  # (_Reg, session id)
    taken: dict  # activity id → registrations holding a place
    activities: dict  # activity id → (status, capacity) as now on file

    @classmethod
    def load(cls, lines: list[_Line], *, lock: bool = False) -> _State:
        aids = sorted({line.activity.id for line in lines})
        regs, by_id, taken, checkins, activities = {}, {}, {}, set(), {}
        for i in range(0, len(aids), 2000):
            chunk = aids[i:i + 2000]
            qs = Activity.objects.filter(pk__in=chunk).order_by("pk")
            if lock:  # sign-ups and check-ins through the services take the same lock
                qs = qs.select_for_update()
            activities.update((pk, (status, cap)) for pk, status, cap in qs.values_list("pk", "status", "capacity"))
            for pk, aid, member_id, name, status, score, passed in Registration.objects.filter(activity_id__in=chunk).values_list(
                    "id", "activity_id", "member_id", "name", "status", "score", "passed"):
                reg = by_id[pk] = _Reg(pk, status, score, passed)
                regs[(aid, ("m", member_id) if member_id is not None else ("g", name))] = reg
                if status == RegStatus.REGISTERED:
                    taken[aid] = taken.get(aid, 0) + 1
            checkins.update((by_id[r], s) for r, s in CheckIn.objects.filter(activity_id__in=chunk).values_list(
                "registration_id", "session_id"))
        return cls(regs, checkins, taken, activities)


@dataclass
class _Plan:
    outcomes: dict  # outcome → rows
    new_regs: list  # _Reg (with .line)
    changed: list  # _Reg on file whose status or score changes
    new_checkins: list  # (_Reg, Session)
    warnings: list

    def count(self, report: ImportReport) -> None:
        report.created, report.updated, report.unchanged = (self.outcomes[k] for k in ("created", "updated", "unchanged"))
        report.warnings = self.warnings


def _plan(lines: list[_Line], state: _State) -> _Plan:
    """What each row does to the registrations and check-ins `state` holds, in file order."""
    outcomes = {"created": 0, "updated": 0, "unchanged": 0}
    new_regs, changed, new_checkins, warnings = [], [], [], []
    for line in lines:
        activity = line.activity
        key = (activity.id, line.person)
        reg = state.regs.get(key)
        status, capacity = state.activities.get(activity.id, (activity.status, activity.capacity))
        created = touched = False
        if reg is None or reg.status == RegStatus.CANCELLED:
            taken = state.taken.get(activity.id, 0)
            free = line.sessions or status in HELD or capacity is None or taken < capacity
            place = RegStatus.REGISTERED if free else RegStatus.WAITLIST
            if reg is None:
                reg = state.regs[key] = _Reg(status=place, new=True, line=line)
                new_regs.append(reg)
                created = True
            else:
                reg.status, reg.reopened, touched = place, True, True
            if place == RegStatus.REGISTERED:
                state.taken[activity.id] = taken + 1
            else:
                warnings.append((line.rownum, f"“{activity.title}”名额已满，{line.name}列入候补名单。"))
        elif reg.status == RegStatus.WAITLIST and line.sessions:
            reg.status, touched = RegStatus.REGISTERED, True  # they came: a place, as at the door
            state.taken[activity.id] = state.taken.get(activity.id, 0) + 1
        for session in line.sessions:
            if (reg, session.id) not in state.checkins:
                state.checkins.add((reg, session.id))
                new_checkins.append((reg, session))
                touched = True
        if line.score_given and line.score != reg.score:
            reg.score, reg.passed, touched = line.score, passed_for(activity, line.score), True
        if touched and not reg.new and not reg.dirty:
            reg.dirty = True
            changed.append(reg)
        outcomes["created" if created else "updated" if touched else "unchanged"] += 1
    return _Plan(outcomes, new_regs, changed, new_checkins, warnings)


# --- writing ----------------------------------------------------------------------------------


REG_COLUMNS = ["id", "activity_id", "org_path", "member_id", "name", "unit_id", "unit_path", "affiliation", "gender", "status",
               "source", "queued_at", "score", "passed", "cancelled_at", "created_by_id", "created_at", "updated_at"]
CHECKIN_COLUMNS = ["registration_id", "session_id", "activity_id", "org_path", "at", "method", "by_id"]


def _write(actor: Actor, org: Org, lines: list[_Line], report: ImportReport, shown: str) -> None:
    try:
        with transaction.atomic():
            state = _State.load(lines, lock=True)
            moved = [line.activity for line in lines
                     if state.activities.get(line.activity.id, (None,))[0] in (None, Status.CANCELLED, Status.PLANNED)]
            if moved:
                raise _Moved(moved[0])
            plan = _plan(lines, state)
            _insert(actor, plan)
            _update(plan.changed)
            plan.count(report)
            report.written = True
            _audit(actor, org, shown, report, failed=False, checkins=len(plan.new_checkins))
    except _Moved as exc:
        report.file_error = f"导入期间活动“{exc.activity.title}”的状态已改变，未写入任何数据，请重新导入。"
    except (IntegrityError, ReferenceGone) as exc:
        report.file_error = _conflict_message(exc)
    if not report.written:
        report.created = report.updated = report.unchanged = 0
        _audit(actor, org, shown, report, failed=True)


class _Moved(Exception):
    def __init__(self, activity):
        super().__init__(activity.id)
        self.activity = activity


def _conflict_message(exc: Exception) -> str:
    cause = exc.__cause__ if isinstance(exc, IntegrityError) else exc
    state, text = getattr(cause, "sqlstate", None), str(cause)
    if isinstance(exc, ReferenceGone) or state == "23503" or "FOREIGN KEY constraint failed" in text:
        return "导入期间有活动、场次、会员或账号被删除，未写入任何数据，请重新导入。"
    if state == "23505" or "UNIQUE constraint failed" in text:
        return "导入期间另有人为文件中的人员报名或签到，未写入任何数据，请重新导入。"
    raise exc


def _next_ids(cursor, table: str, n: int) -> list[int]:
    """Primary keys for n new rows, taken before writing so that the check-ins can point at
    the registrations without reading them back."""
    if not n:
        return []
    if connection.vendor == "postgresql":
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
        return [pk for (pk,) in cursor.fetchall()]
    # SQLite: this transaction holds the database's only write lock, so nobody takes these.
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (model metadata)
    top = cursor.fetchone()[0]
    return list(range(top + 1, top + 1 + n))


def _insert(actor: Actor, plan: _Plan) -> None:
    now = timezone.now()
    when = connection.ops.adapt_datetimefield_value  # raw rows skip the field's own conversion (SQLite: naive UTC)
    user_id = getattr(user_of(actor), "pk", None)
    reg_table, checkin_table = Registration._meta.db_table, CheckIn._meta.db_table
    with set_wise_references() as refs, connection.wrap_database_errors, connection.cursor() as cursor:
        if refs is not None:
            # What the new rows point at besides each other: checked and locked once each
            # rather than by PostgreSQL's per-row trigger (core.db.set_wise_references).
            refs.require(Activity, {r.line.activity.id for r in plan.new_regs} | {s.activity_id for _, s in plan.new_checkins})
            refs.require(Member, {r.line.member.id for r in plan.new_regs if r.line.member is not None})
            refs.require(Org, {r.line.member.org_id if r.line.member is not None else r.line.activity.org_id for r in plan.new_regs})
            refs.require(Session, {s.id for _, s in plan.new_checkins})
            refs.require(Registration, {r.id for r, _ in plan.new_checkins if not r.new})
            refs.require(get_user_model(), [user_id])
        for reg, pk in zip(plan.new_regs, _next_ids(cursor, reg_table, len(plan.new_regs)), strict=True):
            reg.id = pk
        raw = cursor.cursor if connection.vendor == "postgresql" else cursor
        copy_rows(raw, reg_table, REG_COLUMNS, (_reg_row(r, user_id, when(now)) for r in plan.new_regs))
        copy_rows(raw, checkin_table, CHECKIN_COLUMNS, (
            (reg.id, s.id, s.activity_id, s.org_path, when(min(s.starts_at, now)), Method.IMPORT, user_id)
            for reg, s in plan.new_checkins))


def _reg_row(reg: _Reg, user_id, now) -> tuple:
    line, activity = reg.line, reg.line.activity
    member = line.member
    unit_id, unit_path = (member.org_id, member.org_path) if member is not None else (activity.org_id, activity.org_path)
    return (reg.id, activity.id, activity.org_path, member.id if member is not None else None, line.name, unit_id, unit_path,
            line.affiliation, member.gender if member is not None else line.gender, reg.status, Source.IMPORT, now,
            reg.score, reg.passed, None, user_id, now, now)


def _update(changed: list[_Reg]) -> None:
    """Registrations on file that change: a place taken (again), a score. One reopened after
    a cancellation joins the queue now, as _enrol does."""
    now = timezone.now()
    fields = ["status", "score", "passed", "cancelled_at", "updated_at"]
    for reopened in (False, True):
        objs = [Registration(pk=r.id, status=r.status, score=r.score, passed=r.passed, cancelled_at=None, updated_at=now,
                             queued_at=now, source=Source.IMPORT) for r in changed if r.reopened is reopened]
        if objs:
            Registration.objects.bulk_update(objs, fields + ["queued_at", "source"] if reopened else fields, batch_size=1000)


def _audit(actor: Actor, org: Org | None, filename: str, report: ImportReport, *, failed: bool, checkins: int = 0) -> None:
    audit_record(
        actor=actor, action="attendance.import", object_type="activities.Registration", org=org,
        result="failure" if failed else "success",
        message=report.file_error or (
            f"有{report.rejected}行错误，未导入任何数据" if failed else
            f"新建{report.created}，更新{report.updated}，未变{report.unchanged}，拒绝{report.rejected}，"
            f"签到{checkins}人次（批次{report.batch}）"),
        changes={"file": [None, filename]},
    )


# --- export -----------------------------------------------------------------------------------


def attendance_export(*, actor: Actor, org: Org | None, path: Path | str | None = None, subtree: bool = True, start=None,
                      end=None, activity: Activity | None = None, reveal: bool = False) -> Path:
    """The people of the activities (or of one `activity`) in import format: one row per
    registration, or one per session attended when they came to some sessions only.
    Cancelled registrations are left out. ID numbers are masked unless `reveal` is asked
    for by a role that may see and export them in full; a masked file still re-imports
    unchanged (masked numbers match the activity's people by name). Always audited."""
    actor.require("activities.view")
    if reveal:
        actor.require("member.export")
        actor.require("member.reveal")
    if activity is not None:
        target = activity.org
        actor.require_covers(target)
        activity_ids = [activity.pk]
    else:
        target = org or actor.org
        if target is None:
            raise ValidationError("请用 --org 指定导出哪个工会的活动。")
        actor.require_covers(target)
        activity_ids = list(scoped_activities(actor, target, subtree=subtree, start=start, end=end)
                            .order_by("starts_at", "id").values_list("pk", flat=True))
    path = Path(path or export_path("attendance"))
    out = XlsxWriter(path)
    ws = out.sheet("参加人员", EXPORT_COLUMNS)
    n = 0
    for i in range(0, len(activity_ids), 200):
        chunk = activity_ids[i:i + 200]
        acts = {a.pk: a for a in Activity.objects.filter(pk__in=chunk)}
        seqs: dict[int, dict[int, int]] = {}
        for pk, aid, seq in Session.objects.filter(activity_id__in=chunk).values_list("pk", "activity_id", "seq"):
            seqs.setdefault(aid, {})[pk] = seq
        came: dict[int, list[int]] = {}
        for reg_id, session_id in CheckIn.objects.filter(activity_id__in=chunk).values_list("registration_id", "session_id"):
            came.setdefault(reg_id, []).append(session_id)
        regs = list(Registration.objects.filter(activity_id__in=chunk).exclude(status=RegStatus.CANCELLED).values_list(
            "id", "activity_id", "member_id", "member__id_masked", "name", "affiliation", "gender", "status", "score"))
        full = {}
        if reveal:
            full = {m.pk: m.id_number for m in Member.objects.filter(pk__in={r[2] for r in regs if r[2]}).only("id", "id_number")}
        order = {pk: n for n, pk in enumerate(chunk)}
        regs.sort(key=lambda r: (order[r[1]], r[0]))
        for reg_id, aid, member_id, masked, name, affiliation, gender, status, score in regs:
            a = acts[aid]
            sessions = seqs.get(aid, {})
            attended = sorted(sessions[s] for s in came.get(reg_id, []))
            base = {"code": a.code, "title": a.title, "day": timezone.localtime(a.starts_at).date(),
                    "id_number": (full.get(member_id) if reveal else masked) if member_id else "",
                    "name": name, "affiliation": "" if member_id else affiliation, "gender": "" if member_id else gender,
                    "score": _plain(score), "reg_status": status}
            if not attended or len(attended) == len(sessions):
                rows = [{**base, "session": None, "checked": bool(attended)}]
            else:
                rows = [{**base, "session": seq, "checked": True} for seq in attended]
            for row in rows:
                n += 1
                out.write_row(ws, n, EXPORT_COLUMNS, row)
    out.explain(EXPORT_COLUMNS, title="活动参加人员 导出说明", notes=[
        *NOTES, f"{len(NOTES) + 1}. 身份证号" + ("为完整号码，请妥善保管。" if reveal else "已遮蔽；重新导入时按活动中已登记的同名会员对应。"),
        f"{len(NOTES) + 2}. 标有“{READ_ONLY}”的列导入时不读取；已取消的报名不导出。"])
    out.close()
    label = f"“{activity.title}”" if activity is not None else f"{target.name}{'及下级' if subtree else ''}"
    audit_record(actor=actor, action="attendance.export", object_type="activities.Registration", org=target,
                 message=f"导出{n}条参加记录（{label}）" + ("（含完整身份证号）" if reveal else "（身份证号已遮蔽）"),
                 changes={"rows": [None, n]})
    return path
