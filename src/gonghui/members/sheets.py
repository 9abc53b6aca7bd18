"""The roster as a spreadsheet: template, fast import, export.

The import checks every row (ID check character, birth date and gender against the
number, duplicates in the file and on the platform, union codes, dates, lengths) and
writes the new members, their 入会 events and spells set-wise in one transaction: all or
nothing by default, valid rows only when asked. Rows match existing members by ID
number, so a second import of the same file changes nothing and a corrected file
updates in place. A killed import leaves no partial batch.

On PostgreSQL the file goes through in chunks: a worker thread matches one chunk against
the platform and writes it (COPY) while the import's thread checks the next, and the
foreign keys are checked once per referenced union where the database role may
(core.db.set_wise_references). On SQLite every row is checked first, outside the
transaction, and then all are written.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import xlsxwriter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record
from gonghui.core import crypto
from gonghui.core.db import ReferenceGone, set_wise_references
from gonghui.core.formats import add_years
from gonghui.core.validators import normalize_mobile, parse_resident_id
from gonghui.exchange.files import export_path
from gonghui.exchange.sheets import (
    Column,
    ImportRefused,
    ImportReport,
    XlsxWriter,
    collector_paused,
    open_import,
    parse_row,
    write_template,
)
from gonghui.members.bulk import insert_members, member_row, member_values
from gonghui.members.choices import (
    Education,
    Employment,
    Ethnicity,
    EventKind,
    Gender,
    Hukou,
    NewForm,
    Political,
    Status,
)
from gonghui.members.models import Member, MemberSpell
from gonghui.members.services import MIN_JOIN_AGE
from gonghui.orgs.models import Level, Org

EXAMPLE_ID = "110105199003070017"  # a valid number (check digit 7), male, born 1990-03-07

COLUMNS = [
    Column("name", "姓名", required=True, max_length=50, example="张三", width=10),
    Column("id_number", "身份证号", required=True, max_length=30, example=EXAMPLE_ID, width=22,
           help="18位（旧式15位会自动转为18位），系统校验最后一位校验码。"),
    Column("gender", "性别", kind="choice", choices=Gender.choices, example="男", width=6, help="可不填，按身份证号自动判断；填写时须与身份证号一致。"),
    Column("ethnicity", "民族", kind="choice", choices=Ethnicity.choices, example="汉族", width=8),
    Column("birth_date", "出生日期", kind="date", example="", width=12, help="可不填，按身份证号自动填写；填写时须与身份证号一致。"),
    Column("phone", "手机号", max_length=20, example="13800000000", width=14),
    Column("education", "学历", kind="choice", choices=Education.choices, example="本科", width=12),
    Column("political", "政治面貌", kind="choice", choices=Political.choices, example="群众", width=10),
    Column("hukou", "户籍类型", kind="choice", choices=Hukou.choices, example="城镇户籍", width=10),
    Column("is_migrant_worker", "是否农民工", kind="bool", example="否", width=8),
    Column("new_form", "新就业形态", kind="choice", choices=NewForm.choices, example="否", width=12),
    Column("employment", "就业状态", kind="choice", choices=Employment.choices, example="在岗", width=10),
    Column("org_code", "所属工会编码", max_length=32, example="", width=14, help="留空则登记在导入时选择的工会；可填其下属分会的编码。"),
    Column("position", "职务", max_length=50, example="", width=12),
    Column("joined_on", "入会时间", required=True, kind="date", example="2020-05-01", width=12),
    Column("card_no", "会员证号", max_length=32, example="", width=14),
    Column("remarks", "备注", max_length=500, example="", width=20),
]
HEADERS = [c.header for c in COLUMNS]
NOTES = [
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。每行一名会员。",
    "2. 身份证号须真实有效：系统会校验校验码，并核对出生日期、性别与身份证号是否一致。",
    "3. 同一身份证号在全平台只能登记一次；已是其他工会会员的，请由原工会办理转会。",
    "4. 默认“全部正确才导入”；同一文件重复导入不会重复登记，修改后的文件会更新原有记录。",
]
FIELDS = [c.key for c in COLUMNS if c.key != "org_code"]
COMPARED = [f for f in FIELDS if f not in ("id_number", "phone")]




def members_template(path: Path | str | None = None) -> Path:
    return write_template(path or export_path("members-template"), COLUMNS, title="会员名册导入模板 填写说明", notes=NOTES)


def _unions(actor: Actor, target: Org) -> dict[str, Org]:
    """Codes of the unions rows may name: the target and its subtree, within scope."""
    qs = Org.objects.for_actor(actor).filter(path__startswith=target.path)
    return {o.code: o for o in qs.only("id", "code", "name", "path", "level", "is_active")}


def _check_union(org: Org) -> str:
    if not org.is_active:
        return f"“{org.name}”已停用，不能登记会员。"
    if org.level < Level.GRASSROOTS:
        return f"会员应登记在基层工会、分会或工会小组，“{org.name}”是{org.get_level_display()}。"
    return ""


def members_import(
    *,
    actor: Actor,
    path: Path | str,
    org: Org | None,
    mode: str = "all",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    today: dt.date | None = None,
    filename: str = "",
) -> ImportReport:
    today = today or dt.date.today()
    report = ImportReport(dry_run=dry_run, mode=mode, batch=secrets.token_hex(8))
    shown_name = filename or Path(path).name  # an upload is stored under a random name
    progress = progress or (lambda done, total: None)
    with collector_paused():
        try:
            org, table, index = open_import(actor=actor, perm="member.manage", org=org, path=path, columns=COLUMNS)
        except ImportRefused as exc:
            report.file_error = exc.message
            _audit(actor, exc.org, shown_name, report, failed=True)
            return report

        report.total = len(table.rows)
        errors: dict[int, list[str]] = {}
        checker = _Checker(table, index, org, _unions(actor, org), today, report, errors)
        if dry_run:
            for _chunk in _checked(actor, checker, report, progress):
                pass
            return _finish(report, errors, progress)
        if connection.vendor == "postgresql":
            _import_streaming(actor, checker, report, errors, mode, progress, org, shown_name)
        else:
            _import_at_end(actor, checker, report, errors, mode, progress, org, shown_name)
        return _finish(report, errors, progress)


def _finish(report: ImportReport, errors: dict[int, list[str]], progress) -> ImportReport:
    _collect(report, errors)
    progress(report.total, report.total)
    return report


def _collect(report: ImportReport, errors: dict[int, list[str]]) -> None:
    """The errors found so far into the report, by row (before it is audited: the audit
    message counts the rejected rows)."""
    report.errors = sorted((r, m) for r, msgs in errors.items() for m in msgs)


class _Rejected(Exception):
    """All-or-nothing import with bad rows: roll back what was streamed."""


def _import_streaming(actor, checker, report, errors, mode, progress, org, shown_name) -> None:
    """PostgreSQL: one transaction, in which a worker thread matches each checked chunk
    against the platform and writes its new members (COPY) while this thread checks the
    next chunk and builds its rows. With bad rows in "all" mode nothing more is written
    once the first shows up, the rest is still checked, and all is rolled back."""
    rows = checker.table.rows
    try:
        with transaction.atomic():
            with _Streamer(actor=actor, report=report, errors=errors, mode=mode) as streamer:
                for start in range(0, len(rows), CHUNK_ROWS):
                    checked = checker.check(rows[start : start + CHUNK_ROWS])
                    if mode == "valid" or not errors:
                        for row in checked:
                            row["_member"] = member_row(row, report.batch)  # encrypted etc., while the worker writes
                    streamer.wait()  # the connection is free again
                    progress(start, len(rows))
                    streamer.add(checked)
            _collect(report, errors)
            if errors and mode != "valid":
                raise _Rejected
            _update(streamer.changed)
            report.written = True
            _audit(actor, org, shown_name, report, failed=False)
    except (_Rejected, ReferenceGone, IntegrityError) as exc:
        if not isinstance(exc, _Rejected):
            report.file_error = _conflict_message(exc)
        _collect(report, errors)
        report.created = report.updated = report.unchanged = 0
        _audit(actor, org, shown_name, report, failed=True)


def _import_at_end(actor, checker, report, errors, mode, progress, org, shown_name) -> None:
    """SQLite: check everything first, outside any transaction (so a job's progress shows
    and the single writer lock is not held meanwhile), then write in one short one."""
    new_rows: list[dict] = []
    changed: list[tuple[Member, dict]] = []
    total = report.total
    for chunk_new, chunk_changed in _checked(actor, checker, report, lambda done, _: progress(done // 2, total)):
        new_rows += chunk_new
        changed += chunk_changed
    _collect(report, errors)
    if errors and mode != "valid":
        report.created = report.updated = report.unchanged = 0
        _audit(actor, org, shown_name, report, failed=True)
        return
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for start in range(0, len(new_rows), CHUNK_ROWS):
                    insert_members(cursor, new_rows[start : start + CHUNK_ROWS], actor=actor, batch=report.batch)
                    written = min(start + CHUNK_ROWS, len(new_rows))
                    progress(total // 2 + written * (total - total // 2) // len(new_rows), total)
            _update(changed)
            report.written = True
            _audit(actor, org, shown_name, report, failed=False)
    except IntegrityError as exc:
        report.file_error = _conflict_message(exc)
        report.created = report.updated = report.unchanged = 0
        _audit(actor, org, shown_name, report, failed=True)


def _conflict_message(exc: Exception) -> str:
    """What another session did between the check and the write, in Chinese: deleted a
    union (or the importing account), or registered one of the file's ID or card numbers.
    Anything else is not a conflict and is raised again."""
    cause = exc.__cause__ if isinstance(exc, IntegrityError) else exc
    state, text = getattr(cause, "sqlstate", None), str(cause)
    if isinstance(exc, ReferenceGone) or state == "23503" or "FOREIGN KEY constraint failed" in text:
        return "导入期间有工会或账号被删除，未写入任何数据，请重新导入。"
    if state == "23505" or "UNIQUE constraint failed" in text:
        return "导入期间另有操作登记了文件中的身份证号或会员证号，未写入任何数据，请重新导入。"
    raise exc


CHUNK_ROWS = 10_000


def _checked(actor: Actor, checker: _Checker, report: ImportReport, progress):
    """Check the file chunk by chunk and match each against the platform: yields (new rows,
    changed (member, row) pairs) and counts them in the report."""
    rows = checker.table.rows
    for start in range(0, len(rows), CHUNK_ROWS):
        # No other thread uses the connection here, so progress may be told as rows go.
        checked = checker.check(rows[start : start + CHUNK_ROWS], lambda n, start=start: progress(start + n, len(rows)))
        progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
        new_rows, updates = _match(actor, checked, checker.errors)
        changed = [(m, r) for m, r in updates if _differs(m, r)]
        report.created += len(new_rows)
        report.updated += len(changed)
        report.unchanged += len(updates) - len(changed)
        yield new_rows, changed


class _Checker:
    """Parses and checks rows on their own and against the rows above them (duplicate ID
    and card numbers), chunk after chunk; bad rows go to `errors` by row number."""

    def __init__(self, table, index, org: Org, unions: dict[str, Org], today: dt.date, report: ImportReport,
                 errors: dict[int, list[str]]):
        self.table, self.index, self.org, self.unions = table, index, org, unions
        self.today, self.report, self.errors = today, report, errors
        self.seen_ids: dict[str, int] = {}
        self.seen_cards: dict[str, int] = {}
        self.problems = {u.pk: _check_union(u) for u in (org, *unions.values())}

    def check(self, chunk, progress: Callable[[int], None] | None = None) -> list[dict]:
        """The rows of `chunk` that may be written: values plus `_row` and `_org`.
        `progress(rows of the chunk done)` runs every 1,000 rows."""
        table, index, org, unions, today = self.table, self.index, self.org, self.unions, self.today
        seen_ids, seen_cards, problems, errors = self.seen_ids, self.seen_cards, self.problems, self.errors
        rows: list[dict] = []
        for n, (rownum, cells) in enumerate(chunk):
            if progress is not None and n and n % 1000 == 0:
                progress(n)
            values, row_errors = parse_row(table, rownum, cells, COLUMNS, index)
            if values.get("id_number"):
                try:
                    parsed = parse_resident_id(values["id_number"], today=today)
                except ValidationError as exc:
                    row_errors.append(exc.messages[0])
                else:
                    values["id_number"] = parsed.number
                    if parsed.warnings:
                        self.report.warnings += [(rownum, w) for w in parsed.warnings]
                    if values.get("birth_date") and values["birth_date"] != parsed.birth_date:
                        row_errors.append(f"出生日期与身份证号不一致（身份证号中为{parsed.birth_date:%Y-%m-%d}）。")
                    if values.get("gender") and values["gender"] != parsed.gender:
                        row_errors.append("性别与身份证号不一致。")
                    values["birth_date"], values["gender"] = parsed.birth_date, parsed.gender
                    if parsed.number in seen_ids:
                        row_errors.append(f"身份证号与第{seen_ids[parsed.number]}行重复。")
                    else:
                        seen_ids[parsed.number] = rownum
            if values.get("phone"):
                try:
                    values["phone"] = normalize_mobile(values["phone"])
                except ValidationError as exc:
                    row_errors.append(exc.messages[0])
            joined = values.get("joined_on")
            if joined and joined > today:
                row_errors.append("入会时间不能晚于今天。")
            elif joined and values.get("birth_date") and joined < add_years(values["birth_date"], MIN_JOIN_AGE):
                row_errors.append(f"入会时间早于本人年满{MIN_JOIN_AGE}周岁，请核对。")
            code = (values.pop("org_code", "") or "").upper()
            target = unions.get(code) if code else org
            if target is None:
                row_errors.append(f"找不到工会编码“{code}”，或它不在“{org.name}”之下。")
            elif problems[target.pk]:
                row_errors.append(problems[target.pk])
            card = values.get("card_no") or ""
            if card:
                if card in seen_cards:
                    row_errors.append(f"会员证号与第{seen_cards[card]}行重复。")
                else:
                    seen_cards[card] = rownum
            if row_errors:
                errors[rownum] = row_errors
            else:
                values["_row"], values["_org"] = rownum, target
                values["id_hash"] = crypto.blind_index(values["id_number"], purpose="id")
                rows.append(values)
        return rows


def _match(actor: Actor, rows: list[dict], errors: dict[int, list[str]]) -> tuple[list[dict], list[tuple[Member, dict]]]:
    """Match the platform: a known ID is an update at the same union and an error
    elsewhere, a card number of someone else is an error. (new rows, (member, row) updates)"""
    existing = {m.id_hash: m for m in _where_in(Member.objects.select_related("org"), "id_hash", [r["id_hash"] for r in rows])}
    cards = [r["card_no"] for r in rows if r.get("card_no")]
    # exclude(card_no="") lets the partial unique index answer the lookup.
    card_owner = dict(_where_in(Member.objects.exclude(card_no="").values_list("card_no", "id_hash"), "card_no", cards))
    new_rows, updates = [], []
    for row in rows:
        current = existing.get(row["id_hash"])
        owner = card_owner.get(row.get("card_no") or "")
        problem = ""
        if owner and owner != row["id_hash"]:
            problem = f"会员证号“{row['card_no']}”已被其他会员使用。"
        elif current is not None and current.org_id != row["_org"].pk:
            if actor.covers(current.org):
                problem = f"该身份证号已是“{current.org.name}”的会员，调整所属工会请办理转会。"
            else:
                problem = "该身份证号已是其他工会的会员。如需转入，请由原工会办理转出。"
        if problem:
            errors.setdefault(row["_row"], []).append(problem)
        elif current is None:
            new_rows.append(row)
        else:
            updates.append((current, row))
    return new_rows, updates


UNIT_SEPARATOR = "\x1f"


def _where_in(qs, column: str, values: list) -> list:
    """The rows of `qs` whose member `column` is one of `values`."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        # One parameter: building and parsing 5,000-item IN lists took longer (about 2 s
        # per 100,000 values) than the index lookups they ask for, and one string split on
        # the server half as long again as an array parameter (10,000 hashes: 30 ms, 60 ms).
        # Names come from model metadata, the values travel as one bound parameter.
        q = connection.ops.quote_name
        column_sql = f"{q(Member._meta.db_table)}.{q(column)}"
        if any(UNIT_SEPARATOR in v for v in values):
            sql, params = f"{column_sql} = ANY(%s)", [values]
        else:
            sql, params = f"{column_sql} = ANY(string_to_array(%s, %s))", [UNIT_SEPARATOR.join(values), UNIT_SEPARATOR]
        return list(qs.filter(RawSQL(sql, params, output_field=BooleanField())))  # noqa: S611
    found = []
    for i in range(0, len(values), 5000):  # stays under SQLite's parameter limit
        found += qs.filter(**{f"{column}__in": values[i : i + 5000]})
    return found


def _differs(member: Member, row: dict) -> bool:
    if any(getattr(member, f) != row.get(f, getattr(member, f)) for f in COMPARED if f in row and row[f] not in (None, "")):
        return True
    new_phone = row.get("phone") or ""
    return bool(new_phone) and crypto.blind_index(new_phone, purpose="phone") != member.phone_hash


# How long a thread may hold the GIL while another waits for it (Python's default 5 ms).
# The worker needs it only briefly, between rows it sends and the server's replies, but
# then at once: waiting 5 ms each time left the server idle (100,000 rows: 10.9 s, 10.6 s
# at 0.5 ms). The interval is process-wide: it is shortened while any import streams.
SWITCH_INTERVAL = 0.0005


class _ShortSwitchInterval:
    """Shortens the GIL switch interval while at least one import streams in this process,
    and puts back what was there when the last one ends."""

    lock = threading.Lock()
    users = 0
    saved = 0.0

    def __enter__(self):
        with self.lock:
            if type(self).users == 0:
                type(self).saved = sys.getswitchinterval()
                sys.setswitchinterval(SWITCH_INTERVAL)
            type(self).users += 1

    def __exit__(self, *exc):
        with self.lock:
            type(self).users -= 1
            if type(self).users == 0:
                sys.setswitchinterval(type(self).saved)


class _Streamer:
    """PostgreSQL: matches and writes each chunk of checked rows from a worker thread that
    shares the import's connection (and so its transaction), while the import's thread
    checks the next chunk: the server inserts one chunk (and checks its foreign keys) while
    Python works on the next. One thread uses the connection at a time: the import's own
    thread touches it only after wait()."""

    def __init__(self, *, actor: Actor, report: ImportReport, errors: dict[int, list[str]], mode: str):
        self.actor, self.report, self.errors, self.mode = actor, report, errors, mode
        self.changed: list[tuple[Member, dict]] = []
        self.pending: Future | None = None

    def __enter__(self) -> _Streamer:
        self.set_wise = set_wise_references()
        self.references = self.set_wise.__enter__()
        with connection.cursor() as cursor:
            if self.references is None:
                # The same per-row checks, at the end of each statement rather than all at
                # COMMIT: they then run while the next chunk is being checked.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Member._meta.db_table])
            self.sequence = cursor.fetchone()[0]
        shared = connections[DEFAULT_DB_ALIAS]
        shared.inc_thread_sharing()

        def share() -> None:  # the worker's ORM queries run on this very connection
            connections[DEFAULT_DB_ALIAS] = shared

        self.shared = shared
        self.switch = _ShortSwitchInterval()
        self.switch.__enter__()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="members-import", initializer=share)
        return self

    def add(self, rows: list[dict]) -> None:
        self.wait()
        if rows:
            self.pending = self.pool.submit(self._write, rows)

    def _write(self, rows: list[dict]) -> None:
        new_rows, updates = _match(self.actor, rows, self.errors)
        changed = [(m, r) for m, r in updates if _differs(m, r)]
        self.changed += changed
        self.report.created += len(new_rows)
        self.report.updated += len(changed)
        self.report.unchanged += len(updates) - len(changed)
        if new_rows and (self.mode == "valid" or not self.errors):
            if self.references is not None:
                # What these rows point at besides the members written with them: their
                # unions and the importing user (the 入会 events' author).
                self.references.require(Org, {row["_org"].pk for row in new_rows})
                self.references.require(get_user_model(), [self.actor.user.pk if self.actor.user is not None else None])
            # COPY goes through the driver's own cursor; its errors become Django's here.
            with connection.wrap_database_errors, connection.cursor() as cursor:
                insert_members(cursor.cursor, new_rows, actor=self.actor, batch=self.report.batch, sequence=self.sequence)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            # A COPY still running ends before the transaction goes on or rolls back.
            self.pool.shutdown(wait=True)
            if exc_type is None:
                self.wait()
                if self.references is None:
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them
                self.set_wise.__exit__(None, None, None)  # triggers back on
            # On an error the transaction rolls back, which restores both settings.
        finally:
            self.shared.dec_thread_sharing()
            self.switch.__exit__()


def _update(changed: list[tuple[Member, dict]]) -> None:
    for member, row in changed:
        values = member_values(row)
        for key in ("name", "name_pinyin", "name_initials", "ethnicity", "education", "political", "hukou",
                    "is_migrant_worker", "new_form", "employment", "position", "card_no", "remarks"):
            if row.get(key) not in (None, "") or key in ("name_pinyin", "name_initials", "is_migrant_worker"):
                setattr(member, key, values[key])
        if row.get("phone"):
            member.phone, member.phone_hash, member.phone_masked = row["phone"], values["phone_hash"], values["phone_masked"]
        if row["joined_on"] != member.joined_on and not member.events.exclude(kind=EventKind.JOIN).filter(on__lt=row["joined_on"]).exists():
            member.joined_on = row["joined_on"]
            member.events.filter(kind=EventKind.JOIN).update(on=row["joined_on"])
            first = member.spells.order_by("starts_on", "id").first()
            if first is not None:
                MemberSpell.objects.filter(pk=first.pk).update(starts_on=row["joined_on"])
        member.save()


def _audit(actor: Actor, org: Org | None, filename: str, report: ImportReport, *, failed: bool) -> None:
    audit_record(
        actor=actor, action="member.import", object_type="members.Member", org=org,
        result="failure" if failed else "success",
        message=report.file_error or (
            f"有{report.rejected}行错误，未导入任何数据" if failed
            else f"新建{report.created}，更新{report.updated}，未变{report.unchanged}，拒绝{report.rejected}（批次{report.batch}）"
        ),
        changes={"file": [None, filename]},
    )


# --- export ------------------------------------------------------------------------------

EXPORT_EXTRA = [Column("org_name", "所属工会", width=24), Column("status", "会籍状态", kind="choice", choices=Status.choices, width=10)]


def members_export(*, actor: Actor, queryset, path: Path | str | None = None, label: str = "") -> tuple[Path, int]:
    """The (already filtered, scoped) roster to .xlsx in import format; sensitive fields
    in clear only for a role that may reveal them. Always audited."""
    actor.require("member.export")
    reveal = actor.can("member.reveal")
    path = Path(path or export_path("members"))
    columns = COLUMNS + EXPORT_EXTRA
    out = XlsxWriter(path)
    ws = out.sheet("会员名册", columns)
    n = 0
    for n, m in enumerate(queryset.select_related("org").order_by("org_path", "name_pinyin", "id").iterator(chunk_size=2000), start=1):
        values = {c.key: getattr(m, c.key, None) for c in COLUMNS}
        values["id_number"] = m.id_number if reveal else m.id_masked
        values["phone"] = m.phone if reveal else m.phone_masked
        values["org_code"], values["org_name"], values["status"] = m.org.code, m.org.name, m.status
        out.write_row(ws, n, columns, values)
    out.explain(columns, title="会员名册 导出说明", notes=["身份证号、手机号" + ("为完整信息，请妥善保管。" if reveal else "已按规定遮蔽。")])
    out.close()
    audit_record(actor=actor, action="member.export", object_type="members.Member", message=f"导出{n}名会员{label}"
                 + ("（含完整身份证号、手机号）" if reveal else "（敏感信息已遮蔽）"), changes={"rows": [None, n]})
    return path, n


def register_exchange() -> None:
    from gonghui.exchange.registry import Exchange, register

    def exporter(*, actor, org, path, subtree, start, end):
        from gonghui.members.selectors import member_search

        target = org or actor.org
        qs = member_search(actor, org=target, subtree=subtree, status="all", joined_from=start, joined_to=end)
        return members_export(actor=actor, queryset=qs, path=path, label=f"（{target.name}{'及下级' if subtree else ''}）")[0]

    register(Exchange(
        kind="members", label="会员名册", template=members_template,
        importer=lambda *, actor, path, org, mode, dry_run, progress=None, filename="": members_import(
            actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, progress=progress, filename=filename
        ),
        exporter=exporter, import_perm="member.manage", list_page="members:list", import_page="members:import",
    ))


def write_roster(path, rows: list[dict], headers=None, *, title=None):
    """Write `rows` ({header: value}) as a roster in the import's shape (the demo builds its
    roster through the real import this way; tests use it for their files)."""
    headers = headers or HEADERS
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("会员")
    start = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title)
        start = 1
    for i, h in enumerate(headers):
        ws.write_string(start, i, h)
    for r, row in enumerate(rows, start=start + 1):
        for c, h in enumerate(headers):
            value = row.get(h)
            if isinstance(value, dt.date):
                ws.write_string(r, c, value.isoformat())
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return path
