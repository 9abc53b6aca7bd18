"""The roster as a spreadsheet: template, fast import, export.

The import checks every row first (ID check character, birth date and gender against the
number, duplicates in the file and on the platform, union codes, dates, lengths), then
writes all new members, their 入会 events and spells set-wise (COPY on PostgreSQL) in
one transaction: all or nothing by default, valid rows only when asked. Rows match
existing members by ID number, so a second import of the same file changes nothing and
a corrected file updates in place. A killed import leaves no partial batch.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from itertools import chain, islice
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gonghui.audit.services import audit_record
from gonghui.core import crypto
from gonghui.core.actor import Actor
from gonghui.core.files import export_path
from gonghui.core.formats import add_years
from gonghui.core.sheets import (
    Column,
    ImportRefused,
    ImportReport,
    XlsxWriter,
    collector_paused,
    open_import,
    parse_row,
    write_template,
)
from gonghui.core.validators import mask_id, mask_phone, normalize_mobile, parse_resident_id
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
from gonghui.members.models import Member, MembershipEvent, MemberSpell
from gonghui.members.pinyin import name_keys
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
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。每行一名会员。第二行是示例，填写前请删除。",
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

        total = report.total = len(table.rows)
        rows, errors = _check(table, index, org, _unions(actor, org), today, report, progress)
        new_rows, updates = _match(actor, rows, errors)
        report.errors = sorted((r, m) for r, msgs in errors.items() for m in msgs)
        report.created = len(new_rows)
        changed = [(m, r) for m, r in updates if _differs(m, r)]
        report.updated, report.unchanged = len(changed), len(updates) - len(changed)
        if dry_run or (report.errors and mode != "valid"):
            if not dry_run:
                report.created = report.updated = report.unchanged = 0
                _audit(actor, org, shown_name, report, failed=True)
            progress(total, total)
            return report

        with transaction.atomic():
            share = max(len(new_rows), 1)
            _insert(new_rows, actor=actor, batch=report.batch,
                    progress=lambda written: progress(total // 2 + written * (total - total // 2) // share, total))
            _update(changed)
            report.written = True
            _audit(actor, org, shown_name, report, failed=False)
        progress(total, total)
        return report


def _check(table, index, org: Org, unions: dict[str, Org], today: dt.date, report: ImportReport, progress):
    """Parse and check every row on its own and against the rows above it: the rows
    that may be written (values plus `_row` and `_org`), and the errors by row number."""
    errors: dict[int, list[str]] = {}
    rows: list[dict] = []
    seen_ids: dict[str, int] = {}
    seen_cards: dict[str, int] = {}
    problems = {u.pk: _check_union(u) for u in (org, *unions.values())}
    total = len(table.rows)
    for n, (rownum, cells) in enumerate(table.rows, start=1):
        values, row_errors = parse_row(table, rownum, cells, COLUMNS, index)
        if values.get("id_number"):
            try:
                parsed = parse_resident_id(values["id_number"], today=today)
            except ValidationError as exc:
                row_errors.append(exc.messages[0])
            else:
                values["id_number"] = parsed.number
                if parsed.warnings:
                    report.warnings += [(rownum, w) for w in parsed.warnings]
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
            rows.append(values)
        if n % 5000 == 0:
            progress(n // 2, total)
    return rows, errors


def _match(actor: Actor, rows: list[dict], errors: dict[int, list[str]]) -> tuple[list[dict], list[tuple[Member, dict]]]:
    """Match the platform: a known ID is an update at the same union and an error
    elsewhere, a card number of someone else is an error. (new rows, (member, row) updates)"""
    for row in rows:
        row["id_hash"] = crypto.blind_index(row["id_number"], purpose="id")
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


def _where_in(qs, column: str, values: list) -> list:
    """The rows of `qs` whose member `column` is one of `values`."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        # One array parameter: building and parsing 5,000-item IN lists took longer (about
        # 2 s per 100,000 values) than the index lookups they ask for. Names come from
        # model metadata, the values travel as one bound parameter.
        q = connection.ops.quote_name
        sql = f"{q(Member._meta.db_table)}.{q(column)} = ANY(%s)"
        return list(qs.filter(RawSQL(sql, [values], output_field=BooleanField())))  # noqa: S611
    found = []
    for i in range(0, len(values), 5000):  # stays under SQLite's parameter limit
        found += qs.filter(**{f"{column}__in": values[i : i + 5000]})
    return found


def _differs(member: Member, row: dict) -> bool:
    if any(getattr(member, f) != row.get(f, getattr(member, f)) for f in COMPARED if f in row and row[f] not in (None, "")):
        return True
    new_phone = row.get("phone") or ""
    return bool(new_phone) and crypto.blind_index(new_phone, purpose="phone") != member.phone_hash


def _member_values(row: dict) -> dict:
    full, initials = name_keys(row["name"])
    phone = row.get("phone") or ""
    return {
        "name": row["name"], "name_pinyin": full, "name_initials": initials,
        "gender": row["gender"], "ethnicity": row.get("ethnicity") or "汉族", "birth_date": row["birth_date"],
        "id_number": crypto.encrypt(row["id_number"]), "id_hash": row["id_hash"], "id_masked": mask_id(row["id_number"]),
        "phone": crypto.encrypt(phone) if phone else "", "phone_hash": crypto.blind_index(phone, purpose="phone") if phone else "",
        "phone_masked": mask_phone(phone) if phone else "",
        "education": row.get("education") or "", "political": row.get("political") or Political.MASSES,
        "hukou": row.get("hukou") or "", "is_migrant_worker": bool(row.get("is_migrant_worker")),
        "new_form": row.get("new_form") or "", "employment": row.get("employment") or Employment.EMPLOYED,
        "position": row.get("position") or "", "joined_on": row["joined_on"], "card_no": row.get("card_no") or "",
        "status": Status.ACTIVE, "remarks": row.get("remarks") or "",
    }


# The columns COPY writes, in order: _member_values' keys and what _insert adds to them.
MEMBER_COLUMNS = ["name", "name_pinyin", "name_initials", "gender", "ethnicity", "birth_date",
                  "id_number", "id_hash", "id_masked", "phone", "phone_hash", "phone_masked", "education", "political",
                  "hukou", "is_migrant_worker", "new_form", "employment", "position", "joined_on", "card_no", "status",
                  "remarks", "org_id", "org_path", "import_batch", "created_at", "updated_at", "user_id"]
EVENT_COLUMNS = ["member_id", "kind", "on", "org_id", "org_path", "other_org_id", "note", "created_by_id", "created_at"]
SPELL_COLUMNS = ["member_id", "org_id", "org_path", "status", "starts_on", "ends_on"]


def _insert(rows: list[dict], *, actor: Actor, batch: str, progress) -> None:
    """New members, their 入会 events and first spells, as plain column values: the ID
    number and phone are encrypted here (_member_values). Each member row is built while
    the ones before it stream, so on PostgreSQL the encryption overlaps the inserts."""
    if not rows:
        return
    now = timezone.now()
    user_id = actor.user.pk if actor.user is not None and actor.user.pk else None
    pg = connection.vendor == "postgresql"
    if pg:
        # Ids from the sequence up front: no read-back of the new rows afterwards. The
        # sequence is looked up once: pg_get_serial_sequence() per row took 0.3 s.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Member._meta.db_table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]

    def members():
        for n, row in enumerate(rows):
            values = _member_values(row)
            values.update(org_id=row["_org"].pk, org_path=row["_org"].path, import_batch=batch, created_at=now, updated_at=now, user_id=None)
            if pg:
                values["id"] = ids[n]
            yield values

    _copy(Member._meta.db_table, MEMBER_COLUMNS + (["id"] if pg else []), members(), progress=progress)
    if not pg:
        by_hash = dict(Member.objects.filter(import_batch=batch).values_list("id_hash", "id"))
        ids = [by_hash[row["id_hash"]] for row in rows]
    _copy(MembershipEvent._meta.db_table, EVENT_COLUMNS, (
        (pk, EventKind.JOIN, row["joined_on"], row["_org"].pk, row["_org"].path, None, "批量导入", user_id, now)
        for pk, row in zip(ids, rows, strict=True)))
    _copy(MemberSpell._meta.db_table, SPELL_COLUMNS, (
        (pk, row["_org"].pk, row["_org"].path, Status.ACTIVE, row["joined_on"], None)
        for pk, row in zip(ids, rows, strict=True)))


def _copy(table: str, columns: list[str], rows: Iterable, progress=None) -> None:
    """Insert rows (dicts keyed by column, or tuples in column order): COPY on PostgreSQL,
    executemany elsewhere, 10,000 rows a statement. Rows are built while the ones before
    them stream, so the server inserts while Python builds. progress(rows written) runs
    between statements, where the connection is free for a job's own progress update."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    # Table and column names come from model metadata, never from input.
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    step, written = 10_000, 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        for first in rows:
            chunk = ([row[c] for c in columns] if type(row) is dict else row for row in chain([first], islice(rows, step - 1)))
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                    for values in chunk:
                        copy.write_row(values)
                        written += 1
            else:
                batch = list(chunk)
                cursor.executemany(sql, batch)
                written += len(batch)
            if progress:
                progress(written)


def _update(changed: list[tuple[Member, dict]]) -> None:
    for member, row in changed:
        values = _member_values(row)
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
    from gonghui.core.exchange import Exchange, register

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
