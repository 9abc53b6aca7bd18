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
50,000 rows (a district's year) would take most of an hour (bench/activities_import.py). So
rows are checked in Python against state read set-wise (activities, sessions, members by
blind index, the registrations and check-ins already there), the outcome of each row is
planned from that state, and the new registrations and check-ins are inserted as plain
column values (binary COPY on PostgreSQL, members/bulk.copy_rows elsewhere, registration
ids taken from the sequence up front), changed registrations updated in bulk, with one
`attendance.import` audit event, all in one transaction:

* PostgreSQL (`_import_streaming`): the transaction spans the run; the activities are
  locked as the rows first name them, and a worker thread sharing the connection looks up
  and writes chunk by chunk while the import's thread parses and checks the next, so the
  server inserts while Python checks.
* SQLite (`_import_at_end`): every row is checked outside any transaction, then the state
  is read again under the database's write lock, the rows planned again, and written.

A dry run checks and plans from the current state and writes nothing. Importing the same
file again finds every registration and check-in in place and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connection, connections, transaction
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
from gonghui.members.sheets import _ShortSwitchInterval
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
    report.total = len(table.rows)
    run = _Run(actor, org, table, index, mode=mode, report=report)
    with collector_paused():
        if dry_run:
            run.check_all(progress)
            run.plan.count(report)
        elif connection.vendor == "postgresql":
            _import_streaming(run, shown, progress)
        else:
            _import_at_end(run, shown, progress)
    progress(report.total, report.total)
    return report


CHUNK_ROWS = 10_000


def _chunks(total: int) -> list[tuple[int, int]]:
    """(start, end) of each chunk: CHUNK_ROWS each, but a quarter of that first, so that the
    PostgreSQL worker starts soon, and last, so that little is left for it to write after
    the last check."""
    small = max(CHUNK_ROWS // 4, 1)
    if total <= 2 * small:
        return [(0, total)]
    out, start = [(0, small)], small
    while total - start > CHUNK_ROWS + small:
        out.append((start, start + CHUNK_ROWS))
        start += CHUNK_ROWS
    if total - start > small:
        out.append((start, total - small))
        start = total - small
    out.append((start, total))
    return out


class _Run:
    """One import, chunk by chunk: `parse` (pure Python: cells, activity references, ID
    numbers and their blind indexes), `resolve` (the database: the activities, sessions and
    members the chunk names that earlier chunks did not, and the registrations and
    check-ins already on those activities), `check` (the rules, pure Python) and `plan`
    (what each row does to the registrations and check-ins, pure Python)."""

    def __init__(self, actor: Actor, org: Org, table, index, *, mode: str, report: ImportReport):
        self.actor, self.org, self.table, self.mode, self.report = actor, org, table, mode, report
        self.parse_row = _row_parser(table, index)
        self.now = timezone.now()
        self.today = dt.date.today()
        self.lock = False  # lock the activities as they are first found (the streaming import)
        self.errors: dict[int, list[str]] = {}
        self.activities: dict[tuple, Activity | str] = {}  # reference → activity, or why none
        self.sessions: dict[int, dict[int, Session]] = {}  # activity id → 场次 → session
        self.hashes: dict[str, str] = {}  # ID cell → blind index, "!why" or "*masked"
        self.members: dict[str, _Person] = {}  # blind index → member in scope
        self.asked: set[str] = set()  # blind indexes looked up, found or not
        self.masked: dict[tuple, _Person] = {}  # (activity id, masked ID, name) → member on its list
        self.masked_for: set[int] = set()
        self.chosen: dict[tuple, tuple] = {}  # (activity id, 场次) → (sessions, refusals, count)
        self.seen: dict[tuple, object] = {}  # duplicates within the file
        self.state = _State()
        self.plan = _Plan()

    # -- the steps ------------------------------------------------------------------------------

    def parse(self, rows) -> list[tuple[int, dict]]:
        parsed, hashes = [], self.hashes
        for rownum, cells in rows:
            values, errs = self.parse_row(rownum, cells)
            if errs:
                self.errors[rownum] = errs
                continue
            code = values.get("code")
            values["ref"] = ("code", code.upper()) if code else ("title", values.get("title") or "", values.get("day"))
            raw = values.get("id_number")
            if raw and raw not in hashes:
                hashes[raw] = _id_key(raw, self.today)
            parsed.append((rownum, values))
        return parsed

    def resolve(self, parsed: list[tuple[int, dict]]) -> None:
        new = self._activities({values["ref"] for _, values in parsed} - set(self.activities))
        if new:
            self._sessions(new)
            self.state.add(new, lock=False)  # the activities themselves are locked by _activities
        wanted = {self.hashes[v["id_number"]] for _, v in parsed if v.get("id_number")}
        wanted = {h for h in wanted if h[0] not in "!*"} - self.asked
        if wanted:
            self.asked |= wanted
            rows = _where_in(Member.objects.for_actor(self.actor), "id_hash", sorted(wanted), ("id_hash", *PERSON_FIELDS))
            self.members.update((h, _Person(*rest)) for h, *rest in rows)
        masked = {a.id for _, v in parsed if self.hashes.get(v.get("id_number") or "", " ")[0] == "*"
                  for a in [self.activities.get(v["ref"])] if isinstance(a, Activity)} - self.masked_for
        if masked:
            self._masked(sorted(masked))

    def check(self, parsed: list[tuple[int, dict]]) -> list[_Line]:
        lines = []
        for rownum, values in parsed:
            errs: list[str] = []
            activity = self.activities[values["ref"]]
            if isinstance(activity, str):
                errs.append(activity)
                activity = None
            elif activity.status == Status.CANCELLED:
                errs.append(f"活动“{activity.title}”已取消，不能导入参加人员。")
            elif activity.status == Status.PLANNED:
                errs.append(f"活动“{activity.title}”还在计划中，请先将活动改为报名中、进行中或已结束，再导入参加人员。")
            member = self._member(values, activity, errs)
            line = self._line(rownum, values, activity, member, errs) if activity is not None and not errs else None
            if line is not None:
                self._duplicates(line, values, errs)
            if errs:
                self.errors[rownum] = errs
            else:
                lines.append(line)
        return lines

    def check_all(self, progress) -> list[_Line]:
        """Every row checked and planned against the state on file, nothing locked: a dry
        run's prediction, and on SQLite the check before the write."""
        rows, lines = self.table.rows, []
        for start, end in _chunks(len(rows)):
            parsed = self.parse(rows[start:end])
            self.resolve(parsed)
            chunk = self.check(parsed)
            _plan(chunk, self.state, self.plan)
            lines += chunk
            progress(end // 2, len(rows))
        self.report.errors = self.sorted_errors()
        return lines

    def sorted_errors(self) -> list[tuple[int, str]]:
        return sorted((n, m) for n, msgs in self.errors.items() for m in msgs)

    # -- lookups --------------------------------------------------------------------------------

    def _activities(self, refs: set[tuple]) -> list[int]:
        """Each new activity reference → the activity (in scope, under the import's union), or
        why it names none. Returns the ids of the activities found. With `lock`, they are
        locked as they are read, so what the rows are checked against stays as read."""
        if not refs:
            return []
        scoped = selectors.activities_for(self.actor).filter(org_path__startswith=self.org.path).select_related(
            "org", "target_org").order_by("pk")
        if self.lock:
            scoped = scoped.select_for_update(of=("self",))
        found_ids = []
        codes = sorted(r[1] for r in refs if r[0] == "code")
        found = {}
        for i in range(0, len(codes), 2000):
            found.update((a.code, a) for a in scoped.filter(code__in=codes[i:i + 2000]))
        where = f"（须为“{self.org.name}”或其下级工会组织的活动）"
        for ref in refs:
            if ref[0] == "code":
                self.activities[ref] = found.get(ref[1]) or f"找不到活动编号“{ref[1]}”{where}。"
        named = [r for r in refs if r[0] == "title"]
        complete = [(title, day) for _, title, day in named if title and day]
        by_day: dict[tuple, list[Activity]] = {}
        if complete:
            days = [day for _, day in complete]
            first = timezone.make_aware(dt.datetime.combine(min(days), dt.time()))
            last = timezone.make_aware(dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time()))
            for a in scoped.filter(title__in={title for title, _ in complete}, starts_at__gte=first, starts_at__lt=last):
                by_day.setdefault((a.title, timezone.localtime(a.starts_at).date()), []).append(a)
        for ref in named:
            _, title, day = ref
            matches = by_day.get((title, day), [])
            if not title or not day:
                self.activities[ref] = "请填写活动编号，或同时填写活动名称和开始日期。"
            elif not matches:
                self.activities[ref] = f"找不到{day:%Y-%m-%d}开始的活动“{title}”{where}。"
            elif len(matches) > 1:
                self.activities[ref] = (f"{day:%Y-%m-%d}开始的活动“{title}”有{len(matches)}项（编号"
                                        f"{'、'.join(sorted(a.code for a in matches))}），请填写活动编号。")
            else:
                self.activities[ref] = matches[0]
        for ref in refs:
            a = self.activities[ref]
            if isinstance(a, Activity) and a.id not in self.sessions:
                self.sessions[a.id] = {}
                found_ids.append(a.id)
        return found_ids

    def _sessions(self, ids: list[int]) -> None:
        for i in range(0, len(ids), 2000):
            for s in Session.objects.filter(activity_id__in=ids[i:i + 2000]).order_by("activity_id", "seq"):
                self.sessions[s.activity_id][s.seq] = s

    def _masked(self, aids: list[int]) -> None:
        """(activity id, masked ID, name) → the member already on that activity's list: an
        exported file (IDs masked) re-imports without the full numbers."""
        self.masked_for.update(aids)
        for i in range(0, len(aids), 2000):
            regs = Registration.objects.filter(activity_id__in=aids[i:i + 2000], member__isnull=False,
                                               member__org_path__startswith=self.org.path)
            if not self.actor.is_operator:
                regs = regs.filter(member__org_path__startswith=self.actor.org.path)
            for aid, masked, *rest in regs.values_list("activity_id", "member__id_masked", *(f"member__{f}" for f in PERSON_FIELDS)):
                self.masked[(aid, masked, rest[1])] = _Person(*rest)

    # -- the rules ------------------------------------------------------------------------------

    def _member(self, values, activity, errs) -> _Person | None:
        raw = values.get("id_number") or ""
        if not raw:
            return None
        key = self.hashes[raw]
        if key[0] == "!":
            errs.append(f"“身份证号”有误：{key[1:]}")
            return None
        if key[0] == "*":
            if activity is None:
                return None
            member = self.masked.get((activity.id, key[1:], values["name"]))
            if member is None:
                errs.append("身份证号已遮蔽，只能对应该活动已登记的同名会员；新增人员请填写完整的身份证号。")
            return member
        member = self.members.get(key)
        if member is None:
            errs.append("找不到该身份证号的会员（须为您管辖范围内的会员）。")
        elif not member.org_path.startswith(self.org.path):
            errs.append(f"会员{member.name}不属于“{self.org.name}”或其下级工会。")
            member = None
        elif member.name != values["name"]:
            errs.append(f"姓名与会员名册不一致（名册中为“{member.name}”）。")
            member = None
        return member

    def _line(self, rownum, values, activity: Activity, member: _Person | None, errs) -> _Line | None:
        if member is not None:
            why = staff_refusal(activity, member)
            if why:
                errs.append(f"{member.name}：{why}")
        seq = values.get("session")
        known = self.chosen.get((activity.id, seq))
        if known is None:
            own = self.sessions[activity.id]
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

    def _duplicates(self, line: _Line, values: dict, errs: list[str]) -> None:
        """A person appears once per activity and 场次; two rows may split the sessions
        between them, but not name one twice, nor give two scores."""
        seen, who = self.seen, (line.activity.id, line.person)
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


def _id_key(raw: str, today: dt.date) -> str:
    """An ID cell → the blind index of the normalised number, "*" + a masked number as an
    export writes it (looked up among the activity's people instead), or "!" + why it is
    refused (a wrong length, birth date or check digit, as the roster checks it)."""
    text = raw.replace(" ", "").upper()
    if MASKED_ID.match(text):
        return "*" + text
    try:
        number = parse_resident_id(raw, today=today).number
    except ValidationError as exc:
        return "!" + exc.messages[0]
    return crypto.blind_index(number, purpose="id")


def _row_parser(table, index) -> Callable:
    """exchange.sheets.parse_row for a file of tens of thousands of rows, most of whose
    cells are blank or repeat (the same 活动编号 on hundreds of rows): a blank cell costs a
    dict lookup here, a repeated one another (Column.parse is called once per distinct
    value, and its answers are immutable), where parse_row calls Column.parse for every
    cell — half of the checking time of 50,000 rows. Filled cells, formulas and the
    template's example row are handled exactly as parse_row does; 签到 is None when blank
    (a bool column reads blank as 否, and blank means "yes if the session has started")."""
    plan = [(col, index[col.key], col.parse(None) if not col.required else None, {})
            for col in ATTENDANCE_COLUMNS if col.key in index]
    formulas = table.formulas
    example = example_values(ATTENDANCE_COLUMNS)

    def parse(rownum: int, cells: list) -> tuple[dict, list[str]]:
        values, errors = {"checked": None}, []
        width = len(cells)
        for col, i, blank, memo in plan:
            raw = cells[i] if i < width else None
            formula = bool(formulas) and (rownum, i) in formulas
            if (raw is None or raw == "") and not formula:
                if col.required:
                    errors.append(f"“{col.header}”不能为空。")
                elif col.key != "checked":
                    values[col.key] = blank
                continue
            if not formula:
                try:
                    values[col.key] = memo[raw]
                    continue
                except (KeyError, TypeError):
                    pass
            try:
                value = values[col.key] = col.parse(raw, formula=formula)
            except CellError as exc:
                message = str(exc)
                errors.append(message if message.startswith("“") else f"“{col.header}”{message}")
            else:
                if not formula and len(memo) < MEMO_SIZE:
                    memo[raw] = value
        if not errors and example is not None and all(example[k] == v for k, v in values.items() if k in example):
            errors.append(EXAMPLE_ROW)
        return values, errors

    return parse


MEMO_SIZE = 20_000  # distinct values remembered per column


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

    __slots__ = ("id", "status", "score", "passed", "new", "reopened", "line")

    def __init__(self, id=None, status=RegStatus.REGISTERED, score=None, passed=None, new=False, line=None):
        self.id, self.status, self.score, self.passed, self.new, self.line = id, status, score, passed, new, line
        self.reopened = False


class _State:
    """The registrations and check-ins on the activities a file names, as the plan moves on."""

    def __init__(self):
        self.regs: dict[tuple, _Reg] = {}  # (activity id, person) → registration
        self.checkins: set[tuple] = set()  # (_Reg, session id)
        self.taken: dict[int, int] = {}  # activity id → registrations holding a place
        self.activities: dict[int, tuple] = {}  # activity id → (status, capacity) as read

    def add(self, aids: list[int], *, lock: bool) -> None:
        by_id = {}
        for i in range(0, len(aids), 2000):
            chunk = aids[i:i + 2000]
            qs = Activity.objects.filter(pk__in=chunk).order_by("pk")
            if lock:  # sign-ups and check-ins through the services take the same lock
                qs = qs.select_for_update()
            self.activities.update((pk, (status, cap)) for pk, status, cap in qs.values_list("pk", "status", "capacity"))
            for pk, aid, member_id, name, status, score, passed in Registration.objects.filter(activity_id__in=chunk).values_list(
                    "id", "activity_id", "member_id", "name", "status", "score", "passed"):
                reg = by_id[pk] = _Reg(pk, status, score, passed)
                self.regs[(aid, ("m", member_id) if member_id is not None else ("g", name))] = reg
                if status == RegStatus.REGISTERED:
                    self.taken[aid] = self.taken.get(aid, 0) + 1
            self.checkins.update((by_id[r], s) for r, s in CheckIn.objects.filter(activity_id__in=chunk).values_list(
                "registration_id", "session_id"))


class _Plan:
    """What rows do: counted per outcome, and the rows to write."""

    def __init__(self):
        self.outcomes = {"created": 0, "updated": 0, "unchanged": 0}
        self.new_regs: list[_Reg] = []  # with their .line
        self.changed: list[_Reg] = []  # on file, status or score changing
        self.new_checkins: list[tuple] = []  # (_Reg, Session)
        self.warnings: list[tuple[int, str]] = []
        self.checkin_count = 0

    def count(self, report: ImportReport) -> None:
        report.created, report.updated, report.unchanged = (self.outcomes[k] for k in ("created", "updated", "unchanged"))
        report.warnings = sorted(self.warnings)

    def written(self) -> None:
        """The new registrations are on file now: a later row that changes one updates it."""
        for reg in self.new_regs:
            reg.new = False


def _plan(lines: list[_Line], state: _State, plan: _Plan) -> _Plan:
    """What each row does to the registrations and check-ins `state` holds, in file order;
    added to `plan`, whose rows to write are then those of these lines: registrations not
    yet written (`new`: a streaming import writes each chunk's, see written()) and changes
    to those written before."""
    plan.new_regs, plan.changed, plan.new_checkins = [], [], []
    outcomes, changed = plan.outcomes, set()
    for line in lines:
        activity = line.activity
        aid = activity.id
        key = (aid, line.person)
        reg = state.regs.get(key)
        created = touched = False
        if reg is None or reg.status == RegStatus.CANCELLED:
            status, capacity = state.activities[aid]
            taken = state.taken.get(aid, 0)
            free = line.sessions or status in HELD or capacity is None or taken < capacity
            place = RegStatus.REGISTERED if free else RegStatus.WAITLIST
            if reg is None:
                reg = state.regs[key] = _Reg(status=place, new=True, line=line)
                plan.new_regs.append(reg)
                created = True
            else:
                reg.status, reg.reopened, touched = place, True, True
            if place == RegStatus.REGISTERED:
                state.taken[aid] = taken + 1
            else:
                plan.warnings.append((line.rownum, f"“{activity.title}”名额已满，{line.name}列入候补名单。"))
        elif reg.status == RegStatus.WAITLIST and line.sessions:
            reg.status, touched = RegStatus.REGISTERED, True  # they came: a place, as at the door
            state.taken[aid] = state.taken.get(aid, 0) + 1
        for session in line.sessions:
            if (reg, session.id) not in state.checkins:
                state.checkins.add((reg, session.id))
                plan.new_checkins.append((reg, session))
                touched = True
        if line.score_given and line.score != reg.score:
            reg.score, reg.passed, touched = line.score, passed_for(activity, line.score), True
        if touched and not reg.new and reg not in changed:
            changed.add(reg)
            plan.changed.append(reg)
        outcomes["created" if created else "updated" if touched else "unchanged"] += 1
    plan.checkin_count += len(plan.new_checkins)
    return plan


# --- writing ----------------------------------------------------------------------------------


REG_COLUMNS = ["id", "activity_id", "org_path", "member_id", "name", "unit_id", "unit_path", "affiliation", "gender", "status",
               "source", "queued_at", "score", "passed", "cancelled_at", "created_by_id", "created_at", "updated_at"]
CHECKIN_COLUMNS = ["registration_id", "session_id", "activity_id", "org_path", "at", "method", "by_id"]


class _Rejected(Exception):
    """Bad rows in an all-or-nothing import: everything written so far rolls back."""


class _Moved(Exception):
    def __init__(self, activity):
        super().__init__(activity.id)
        self.activity = activity


def _import_at_end(run: _Run, shown: str, progress) -> None:
    """SQLite: every row checked first, outside any transaction (the database's one write
    lock is not held meanwhile, and a job's progress, written on this connection, shows),
    then the outcome planned again from the state read under that lock, and written in one
    short transaction."""
    report, actor, org = run.report, run.actor, run.org
    lines = run.check_all(progress)
    if report.errors and run.mode != "valid":
        _audit(actor, org, shown, report, failed=True)
        return
    try:
        with transaction.atomic():
            state = _State()
            state.add(sorted({line.activity.id for line in lines}), lock=True)
            for line in lines:
                if state.activities.get(line.activity.id, (None,))[0] in (None, Status.CANCELLED, Status.PLANNED):
                    raise _Moved(line.activity)
            plan = _plan(lines, state, _Plan())
            _insert(actor, plan.new_regs, plan.new_checkins, _next_ids)
            _update(plan.changed)
            plan.count(report)
            report.written = True
            _audit(actor, org, shown, report, failed=False, checkins=plan.checkin_count)
    except _Moved as exc:
        report.file_error = f"导入期间活动“{exc.activity.title}”的状态已改变，未写入任何数据，请重新导入。"
    except (IntegrityError, ReferenceGone) as exc:
        report.file_error = _conflict_message(exc)
    if not report.written:
        report.created = report.updated = report.unchanged = 0
        _audit(actor, org, shown, report, failed=True)


def _import_streaming(run: _Run, shown: str, progress) -> None:
    """PostgreSQL: one transaction and two threads sharing its connection, so that the
    server works while Python does (as the roster import does, members.sheets._Streamer).
    This thread parses each chunk (cells, ID numbers, blind indexes) and then checks and
    plans it; a worker looks up what each parsed chunk names (its activities, locked as
    they are first read; sessions; members; the registrations and check-ins already there)
    and writes each planned chunk (COPY). The worker's steps run one after another in the
    order given: lookup 1, lookup 2, write 1, lookup 3, write 2 …, so while this thread
    parses chunk n + 1 and checks chunk n, the server writes chunk n - 1. Only the worker
    uses the connection. Its lookups add to the dictionaries the checks read, never under
    a key a check of an earlier chunk reads. With a bad row in "all" mode nothing more is
    written, the rest is still checked for the report, and all is rolled back."""
    report, actor, org, mode = run.report, run.actor, run.org, run.mode
    rows, total = run.table.rows, len(run.table.rows)
    chunks = _chunks(total)
    run.lock = True
    try:
        with transaction.atomic(), _Worker() as worker:
            ids = _IdPool(Registration._meta.db_table)
            parsed = run.parse(rows[chunks[0][0]:chunks[0][1]])
            looked_up = worker.submit(run.resolve, parsed)
            for n, (_, end) in enumerate(chunks):
                following = run.parse(rows[chunks[n + 1][0]:chunks[n + 1][1]]) if n + 1 < len(chunks) else None
                next_lookup = worker.submit(run.resolve, following) if following is not None else None
                looked_up.result()
                plan = _plan(run.check(parsed), run.state, run.plan)
                if mode == "valid" or not run.errors:
                    worker.submit(_write_chunk, actor, plan.new_regs, plan.new_checkins, plan.changed, ids)
                    plan.written()  # the worker writes them before any later step: later rows update them
                progress(end, total)
                parsed, looked_up = following, next_lookup
            worker.wait()
            report.errors = run.sorted_errors()
            if report.errors and mode != "valid":
                raise _Rejected
            run.plan.count(report)
            report.written = True
            _audit(actor, org, shown, report, failed=False, checkins=run.plan.checkin_count)
    except _Rejected:
        pass
    except (IntegrityError, ReferenceGone, OperationalError) as exc:
        report.errors = run.sorted_errors()
        report.file_error = _conflict_message(exc)
    if not report.written:
        report.created = report.updated = report.unchanged = 0
        _audit(actor, org, shown, report, failed=True)


def _write_chunk(actor: Actor, new_regs: list, new_checkins: list, changed: list, ids: _IdPool) -> None:
    _insert(actor, new_regs, new_checkins, ids.take)
    _update(changed)


class _Worker:
    """A thread that uses the import's connection (and so its transaction) for the steps
    given to it, one after another in order. The GIL switch interval is shortened meanwhile,
    as for the roster import (members.sheets._ShortSwitchInterval): the worker, woken by the
    server, needs the interpreter at once or the server sits idle."""

    def __enter__(self) -> _Worker:
        shared = self.shared = connections[DEFAULT_DB_ALIAS]
        shared.inc_thread_sharing()

        def share() -> None:
            connections[DEFAULT_DB_ALIAS] = shared

        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="attendance-import", initializer=share)
        self.steps: list[Future] = []
        self.failed: BaseException | None = None
        # Process-wide and counted: another import streaming in this process keeps it short.
        self.switch = _ShortSwitchInterval()
        self.switch.__enter__()
        return self

    def submit(self, fn, *args) -> Future:
        """fn(*args) as the worker's next step. After a step fails, the later ones do not run
        (the transaction is aborted): each raises the first failure again."""

        def step():
            if self.failed is not None:
                raise self.failed
            try:
                return fn(*args)
            except BaseException as exc:
                self.failed = exc
                raise

        future = self.pool.submit(step)
        self.steps.append(future)
        return future

    def wait(self) -> None:
        """Every step done; the first failure of a step is raised here."""
        for step in self.steps:
            step.result()
        self.steps = []

    def __exit__(self, *exc) -> None:
        try:
            for step in self.steps:
                step.cancel()  # after an error: what has not started never will
            self.pool.shutdown(wait=True)  # a COPY still running ends before the transaction does
        finally:
            self.shared.dec_thread_sharing()
            self.switch.__exit__()


class _IdPool:
    """Registration ids for the streaming import, taken from the sequence in blocks."""

    def __init__(self, table: str):
        self.table, self.free = table, []

    def take(self, cursor, table: str, n: int) -> list[int]:
        if len(self.free) < n:
            self.free += _next_ids(cursor, table, max(n - len(self.free), 2000))
        taken, self.free = self.free[:n], self.free[n:]
        return taken


def _conflict_message(exc: Exception) -> str:
    """What another session did between the check and the write, in Chinese. Anything else
    is raised again."""
    cause = exc.__cause__ if isinstance(exc, IntegrityError | OperationalError) else exc
    state, text = getattr(cause, "sqlstate", None), str(cause)
    if isinstance(exc, ReferenceGone) or state == "23503" or "FOREIGN KEY constraint failed" in text:
        return "导入期间有活动、场次、会员或账号被删除，未写入任何数据，请重新导入。"
    if state == "23505" or "UNIQUE constraint failed" in text:
        return "导入期间另有人为文件中的人员报名或签到，未写入任何数据，请重新导入。"
    if state == "40P01":
        return "导入与同时进行的另一项导入相互等待，未写入任何数据，请稍后重新导入。"
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


def _insert(actor: Actor, new_regs: list[_Reg], new_checkins: list[tuple], next_ids: Callable) -> None:
    if not new_regs and not new_checkins:
        return
    now = timezone.now()
    when = connection.ops.adapt_datetimefield_value  # raw rows skip the field's own conversion (SQLite: naive UTC)
    user_id = getattr(user_of(actor), "pk", None)
    reg_table, checkin_table = Registration._meta.db_table, CheckIn._meta.db_table
    with set_wise_references() as refs, connection.wrap_database_errors, connection.cursor() as cursor:
        if refs is not None:
            # What the new rows point at besides each other: checked and locked once each
            # rather than by PostgreSQL's per-row trigger (core.db.set_wise_references).
            fresh = set(new_regs)
            refs.require(Activity, {r.line.activity.id for r in new_regs} | {s.activity_id for _, s in new_checkins})
            refs.require(Member, {r.line.member.id for r in new_regs if r.line.member is not None})
            refs.require(Org, {r.line.member.org_id if r.line.member is not None else r.line.activity.org_id for r in new_regs})
            refs.require(Session, {s.id for _, s in new_checkins})
            refs.require(Registration, {r.id for r, _ in new_checkins if r not in fresh})
            refs.require(get_user_model(), [user_id])
        for reg, pk in zip(new_regs, next_ids(cursor, reg_table, len(new_regs)), strict=True):
            reg.id = pk
        write = _copy_binary if connection.vendor == "postgresql" else copy_rows
        write(cursor, reg_table, REG_COLUMNS, (_reg_row(r, user_id, when(now)) for r in new_regs))
        write(cursor, checkin_table, CHECKIN_COLUMNS, (
            (reg.id, s.id, s.activity_id, s.org_path, when(min(s.starts_at, now)), Method.IMPORT, user_id)
            for reg, s in new_checkins))


_COLUMN_TYPES: dict[str, dict[str, int]] = {}


def _copy_binary(cursor, table: str, columns: list[str], rows) -> None:
    """COPY in PostgreSQL's binary format: the values go as they are, without being
    written out as text and parsed back (for 50,000 registrations the import's thread
    spends 0.1 s on them instead of 0.5 s, time the checking thread then has). Binary
    COPY needs each column's exact type, read once from the catalogue."""
    types = _COLUMN_TYPES.get(table)
    if types is None:
        cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [table])
        types = _COLUMN_TYPES[table] = dict(cursor.fetchall())
    q = connection.ops.quote_name
    # Table and column names come from model metadata, never from input.
    with cursor.cursor.copy(f"COPY {q(table)} ({', '.join(q(c) for c in columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([types[c] for c in columns])
        for row in rows:
            copy.write_row(row)


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
