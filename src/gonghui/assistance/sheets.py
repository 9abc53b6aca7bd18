"""Spreadsheets: the payment list of a batch, and the `hardship` / `assistance` kinds of
`gonghui template|import|export`.

Imports check every row first and write in one transaction: all or nothing by default,
valid rows only with --mode valid. Rows name people by ID number (matched on the
members' blind index). Re-importing the same file changes nothing: archives match by
their head, records by a key made of beneficiary, date, occasion and amounts.

The hardship workbook has two data sheets: 困难职工档案 (one row per archive) and
家庭成员 (one row per family member, naming its archive by the head's ID number). Both
are checked together; family members match by archive and ID number, or by archive,
relation and name when the row has no ID number, and are never deleted by an import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from gonghui.access.actor import Actor
from gonghui.assistance import services
from gonghui.assistance.choices import (
    Cause,
    Funding,
    Housing,
    Hukou,
    Insurance,
    Occasion,
    Recipient,
    Relation,
    Status,
    Tier,
)
from gonghui.assistance.models import AssistanceRecord, Household
from gonghui.audit.services import audit_record, snapshot
from gonghui.core.services import error_text
from gonghui.core.validators import parse_resident_id
from gonghui.exchange.files import export_path
from gonghui.exchange.sheets import (
    Column,
    ImportRefused,
    ImportReport,
    SheetError,
    XlsxWriter,
    map_columns,
    open_import,
    parse_row,
    read_table,
    sheet_names,
    write_template,
)
from gonghui.members.models import Member, id_hash
from gonghui.orgs.models import Org

EXAMPLE_ID = "110105199003070017"
EXAMPLE_SPOUSE_ID = "110105199205120027"
HARDSHIP_SHEET = "困难职工档案"
FAMILY_SHEET = "家庭成员"

HARDSHIP_COLUMNS = [
    Column("id_number", "户主身份证号", required=True, max_length=30, example=EXAMPLE_ID, width=22, help="户主须是本工会或下级工会的会员。"),
    Column("name", "户主姓名", max_length=50, example="张三", width=10, help="用于核对，须与会员名册一致。"),
    Column("applied_on", "申请日期", required=True, kind="date", example="2025-01-05", width=12),
    Column("causes", "致困原因", required=True, max_length=100, example="疾病、子女上学", width=20,
           help="可填多项，用顿号或逗号分隔：" + "、".join(Cause.labels)),
    Column("size", "家庭人口", required=True, kind="int", example=3, width=8),
    Column("annual_income", "家庭年收入", kind="decimal", example=24000, width=12),
    Column("rigid_expenses", "刚性支出", kind="decimal", example=6000, width=12),
    Column("hardship_spending", "致困支出", kind="decimal", example="", width=12),
    Column("housing", "住房情况", kind="choice", choices=Housing.choices, example="租房", width=12),
    Column("hukou", "户口类型", kind="choice", choices=Hukou.choices, example="城镇户籍", width=10),
    Column("insurance", "医保", kind="choice", choices=Insurance.choices, example="职工医保", width=12),
    Column("zero_employment", "零就业家庭", kind="bool", example="否", width=8),
    Column("single_parent", "单亲家庭", kind="bool", example="否", width=8),
    Column("health", "健康状况", max_length=500, example="", width=20),
    Column("disability", "残疾情况", max_length=500, example="", width=16, help="户主本人的残疾情况，如“肢体残疾三级”。"),
    Column("situation", "困难情况说明", max_length=1000, example="", width=30),
]
FAMILY_COLUMNS = [
    Column("head_id_number", "户主身份证号", required=True, max_length=30, example=EXAMPLE_ID, width=22,
           help="该家庭成员所属档案的户主：须在“困难职工档案”工作表中，或已有本工会或下级工会的困难职工档案。"),
    Column("head_name", "户主姓名", max_length=50, example="张三", width=10, help="用于核对，须与会员名册一致。"),
    Column("relation", "与户主关系", required=True, kind="choice", choices=Relation.choices, example="配偶", width=10),
    Column("name", "姓名", required=True, max_length=50, example="李四", width=10, help="家庭成员的姓名（户主本人不用填写）。"),
    Column("id_number", "身份证号", max_length=30, example=EXAMPLE_SPOUSE_ID, width=22,
           help="家庭成员的身份证号。填写的，按户主和身份证号匹配已登记的家庭成员；未填写的，按户主、与户主关系和姓名匹配。"),
    Column("income", "年收入", kind="decimal", example=12000, width=12, help="元/年，不小于0。"),
    Column("school_or_work", "就学/就业情况", max_length=100, example="灵活就业", width=16),
    Column("health", "健康状况", max_length=500, example="慢性病", width=20),
    Column("disability", "残疾情况", max_length=500, example="", width=16, help="如“肢体残疾三级”；无残疾的留空。"),
]
RECORD_COLUMNS = [
    Column("id_number", "受助人身份证号", max_length=30, example=EXAMPLE_ID, width=22,
           help="会员和非会员居民必填；包联村、群众户组不填。"),
    Column("name", "姓名", max_length=100, example="张三", width=10,
           help="会员：用于核对，须与会员名册一致；非会员居民：必填，居民姓名；包联村、群众户组：必填，如“包联村红星村”。"),
    Column("on", "日期", required=True, kind="date", example="2025-01-20", width=12),
    Column("occasion", "帮扶类型", required=True, kind="choice", choices=Occasion.choices, example="元旦春节送温暖", width=16),
    Column("cash", "现金", kind="decimal", example=500, width=10),
    Column("goods", "物品", max_length=30, example="", width=12),
    Column("goods_value", "物品价值", kind="decimal", example="", width=10),
    Column("funding", "资金来源", required=True, kind="choice", choices=Funding.choices, example="本级经费", width=10),
    Column("partner_name", "合作单位", max_length=100, example="", width=16),
    Column("handled_by", "经办人", max_length=50, example="", width=10),
    Column("batch", "批次名称", max_length=100, example="", width=20,
           help="选填。同一批次名称的各行建为一个发放批次（同一份帮扶发给多户），这些行的日期、帮扶类型、资金来源、"
                "现金、物品、物品价值、合作单位和经办人须完全一致；受助人须是在管的困难职工档案户主，或非会员居民。"),
    Column("recipient", "受助对象", kind="choice", choices=Recipient.choices, example="会员", width=16,
           help="留空为会员。非会员居民（社区帮扶的居民）、包联村/群众户组（机关工会包联的村等）与会员分开统计。"),
    Column("households", "受助户数", kind="int", example="", width=10, help="包联村/群众户组必填：本次走访慰问的户数。"),
    Column("people", "受助人数", kind="int", example="", width=10, help="包联村/群众户组选填，不少于户数。"),
]
NOTES = [
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。",
    "2. 人员按身份证号匹配会员名册，须是本工会或下级工会的会员（帮扶记录中受助对象为非会员居民、包联村/群众户组的行除外，"
    "它们登记在导入的工会，与会员分开统计）。",
    "3. 默认“全部正确才导入”；同一文件重复导入不会重复登记。",
]




FAMILY_NOTES = [
    "“家庭成员”工作表每行填写一位家庭成员（户主本人不用填写），用“户主身份证号”指明所属档案：户主须在“困难职工档案”"
    "工作表中，或已有本工会或下级工会的困难职工档案。两个工作表一起检查，默认任何一行有错误都不导入。",
    "家庭成员填了身份证号的，按户主和身份证号匹配已登记的家庭成员，未填的按户主、与户主关系和姓名匹配；匹配到的按文件"
    "更新（身份证号留空不会清除已登记的号码），匹配不到的新增。",
    "系统中已登记、但文件中没有列出的家庭成员保留不动，导入不会删除家庭成员；如需删除，请在档案页面操作。",
]
HARDSHIP_NOTES = [*NOTES, *(f"{i}. {note}" for i, note in enumerate(FAMILY_NOTES, start=len(NOTES) + 1))]


def hardship_template(path=None) -> Path:
    return write_template(path or export_path("hardship-template"), HARDSHIP_COLUMNS, title="困难职工档案导入模板 填写说明",
                          notes=HARDSHIP_NOTES, sheet=HARDSHIP_SHEET, more=[(FAMILY_SHEET, FAMILY_COLUMNS)])


RECORD_NOTES = [*NOTES, "4. 填写“批次名称”的行按批次导入：同名的行建为一个发放批次，每位受助人一条记录；"
                       "批次已存在时（同一工会、同名、同日期、同帮扶类型）不会重复登记，也不能通过导入向已有批次追加人员。"]


def assistance_template(path=None) -> Path:
    return write_template(path or export_path("assistance-template"), RECORD_COLUMNS, title="帮扶记录导入模板 填写说明",
                          notes=RECORD_NOTES)


def _causes(text: str) -> list[str]:
    by_label = {label: value for value, label in Cause.choices}
    parts = [p.strip() for p in text.replace("，", "、").replace(",", "、").split("、") if p.strip()]
    bad = [p for p in parts if p not in by_label and p not in Cause.values]
    if bad:
        raise ValidationError(f"致困原因“{'、'.join(bad)}”无效，应为：{'、'.join(Cause.labels)}。")
    return [by_label.get(p, p) for p in parts]


def _members(actor: Actor, org: Org, rows: list[dict]) -> dict[str, Member]:
    hashes = list({id_hash(r["id_number"]) for r in rows if r.get("id_number")})
    qs = Member.objects.for_actor(actor).filter(org_path__startswith=org.path, id_hash__in=hashes).select_related("org")
    return {m.id_hash: m for m in qs}


@dataclass
class _Part:
    """The checked rows of a further sheet, written after those of the first sheet."""

    label: str  # for the audit summary
    prefix: str  # starts each error of this sheet
    first_prefix: str  # starts each error of the first sheet
    write: Callable
    total: int = 0
    good: list = field(default_factory=list)
    errors: list = field(default_factory=list)


class _Rehearsed(Exception):
    """Raised at the end of a dry run's rehearsal to roll it back."""


def _counts(counts: dict) -> str:
    return f"新建{counts['created']}，更新{counts['updated']}，未变{counts['unchanged']}"


def _run(*, kind: str, actor: Actor, path, org, mode, dry_run, filename, columns, check_row, write_row, progress,
         check_rows=None, more=None) -> ImportReport:
    """The shared shape of both imports: read, check every row, write all (or valid) rows
    in one transaction, one audit summary. `check_rows(org, good, bad)` checks rows that
    belong together (a batch) after each row on its own; it returns (row number, error).
    `more(org, good, bad)` reads and checks a further sheet whose rows refer to those of
    the first one; it returns a _Part (or None when the file has no such sheet) and may
    raise ImportRefused. A dry run rehearses the write of the valid rows in a transaction
    it then rolls back, so that its counts are those of the real import."""
    # Rows of two sheets share row numbers: each error then starts with its sheet's name, which
    # ImportReport.rejected counts by (a rejected row is a row of one sheet).
    report = ImportReport(dry_run=dry_run, mode=mode)
    shown = filename or Path(path).name
    progress = progress or (lambda done, total: None)
    action = f"{kind}.import"
    try:
        org, table, index = open_import(actor=actor, perm="assistance.manage", org=org, path=path, columns=columns)
    except ImportRefused as exc:
        report.file_error = exc.message
        audit_record(actor=actor, action=action, org=exc.org, result="failure", message=report.file_error, changes={"file": [None, shown]})
        return report
    report.total = len(table.rows)
    parsed = []
    for rownum, cells in table.rows:
        values, errs = parse_row(table, rownum, cells, columns, index)
        parsed.append((rownum, values, errs))
    members = _members(actor, org, [v for _, v, e in parsed if not e])
    good, bad = [], []
    for rownum, values, errs in parsed:
        if not errs:
            errs += check_row(values, members)
        if errs:
            report.errors += [(rownum, e) for e in errs]
            bad.append((rownum, values))
        else:
            good.append((rownum, values))
    if check_rows is not None:
        extra = check_rows(org, good, bad)
        report.errors = sorted(report.errors + extra, key=lambda e: e[0])
        refused = {rownum for rownum, _ in extra}
        good = [(rownum, values) for rownum, values in good if rownum not in refused]
    part = None
    if more is not None:
        try:
            part = more(org, good, bad)
        except ImportRefused as exc:
            report.file_error = exc.message
            audit_record(actor=actor, action=action, org=org, result="failure", message=report.file_error,
                         changes={"file": [None, shown]})
            return report
    items = [("", rownum, values, write_row) for rownum, values in good]
    part_counts = {"created": 0, "updated": 0, "unchanged": 0}
    if part is not None:
        report.total += part.total
        report.errors = ([(n, part.first_prefix + e) for n, e in report.errors]
                         + [(n, part.prefix + e) for n, e in sorted(part.errors, key=lambda e: e[0])])
        items = [(part.first_prefix, rownum, values, write_row) for rownum, values in good]
        items += [(part.prefix, rownum, values, part.write) for rownum, values in part.good]
    if not dry_run and report.errors and mode != "valid":
        audit_record(actor=actor, action=action, org=org, result="failure", message=f"有{report.rejected}行错误，未导入任何数据",
                     changes={"file": [None, shown]})
        return report
    try:
        with transaction.atomic():
            for n, (prefix, rownum, values, write) in enumerate(items, start=1):
                try:
                    with transaction.atomic():
                        outcome = write(values)
                except ValidationError as exc:
                    report.errors.append((rownum, prefix + error_text(exc)))
                    if mode != "valid" and not dry_run:
                        raise
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
                if part is not None and write is part.write:
                    part_counts[outcome] += 1
                progress(n, len(items))
            if dry_run:
                # A check rehearses the write of the valid rows, so that it can say how many
                # would be created, updated or left unchanged (and what the services would
                # refuse), then undoes all of it, audit events included.
                raise _Rehearsed
            report.written = True
            counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
            detail = f"（其中{part.label}{_counts(part_counts)}）" if part is not None else ""
            audit_record(actor=actor, action=action, org=org, changes={"file": [None, shown]},
                         message=f"{_counts(counts)}，拒绝{report.rejected}{detail}")
    except _Rehearsed:
        pass
    except ValidationError:
        report.created = report.updated = report.unchanged = 0
        report.written = False
        audit_record(actor=actor, action=action, org=org, result="failure", message=f"有{report.rejected}行错误，未导入任何数据",
                     changes={"file": [None, shown]})
    return report


def _check_person(values: dict, members: dict) -> tuple[Member | None, list[str]]:
    try:
        number = parse_resident_id(values["id_number"]).number
    except ValidationError as exc:
        return None, [exc.messages[0]]
    values["id_number"] = number
    m = members.get(id_hash(number))
    if m is None:
        return None, ["找不到该身份证号的会员，或不在导入的工会之下。"]
    if values.get("name") and values["name"] != m.name:
        return None, [f"姓名与会员名册不一致（名册中为“{m.name}”）。"]
    return m, []


def _amount_errors(values: dict, columns) -> list[str]:
    """Amounts the services would refuse, found while checking (so that a dry run reports
    them too)."""
    errors = []
    for col in columns:
        amount = values.get(col.key) if col.kind == "decimal" else None
        if amount is not None and not Decimal(0) <= amount < services.MAX_MONEY:
            errors.append(f"“{col.header}”应为不小于0的金额。")
    return errors


def _normal_id(raw) -> str:
    """The 18-digit form of an ID number, or "" when it is not a valid one."""
    try:
        return parse_resident_id(raw).number
    except ValidationError:
        return ""


def _family_part(*, actor: Actor, path, org: Org, good: list, bad: list) -> _Part | None:
    """Read and check the 家庭成员 sheet against the archives of the first sheet (`good`
    and `bad` rows) and those already on file in the actor's scope under `org`."""
    sheets = sheet_names(path)
    if FAMILY_SHEET not in sheets:
        return None
    first = sheets[0]
    part = _Part(label="家庭成员", prefix=f"“{FAMILY_SHEET}”工作表：", first_prefix=f"“{first}”工作表：",
                 write=lambda values: "unchanged")
    try:
        table = read_table(path, sheet=FAMILY_SHEET, expected_headers=[c.header for c in FAMILY_COLUMNS], allow_empty=True)
        if not table.rows:
            return part  # a family sheet with its header only (as exported without the family)
        index = map_columns(table, FAMILY_COLUMNS)
    except SheetError as exc:
        raise ImportRefused(f"{part.prefix}{exc}", org) from None
    if not actor.can("assistance.sensitive"):
        raise ImportRefused(f"{part.prefix}家庭成员是困难家庭的敏感信息，您当前的角色没有“查看困难家庭收入、健康等敏感信息”权限，"
                            "不能导入。请删除该工作表中的数据行后再导入档案。", org)
    in_file = {values["id_number"]: values["_head"] for _, values in good}
    broken = {_normal_id(values.get("id_number")) for _, values in bad} - set(in_file) - {""}
    part.total = len(table.rows)
    parsed = []
    for rownum, cells in table.rows:
        values, errs = parse_row(table, rownum, cells, FAMILY_COLUMNS, index)
        if not errs:
            try:
                values["head_id_number"] = parse_resident_id(values["head_id_number"]).number
            except ValidationError as exc:
                errs.append(f"“户主身份证号”有误：{exc.messages[0]}")
        parsed.append((rownum, values, errs))
    wanted = {id_hash(v["head_id_number"]) for _, v, e in parsed if not e and v["head_id_number"] not in in_file}
    on_file = {h.head.id_hash: h for h in Household.objects.for_actor(actor).filter(
        org_path__startswith=org.path, head__id_hash__in=wanted).select_related("head", "org")}
    seen: dict[tuple, int] = {}
    for rownum, values, errs in parsed:
        if not errs:
            errs += _check_family_row(values, in_file=in_file, broken=broken, on_file=on_file, seen=seen, rownum=rownum)
        if errs:
            part.errors += [(rownum, e) for e in errs]
        else:
            part.good.append((rownum, values))

    claimed: set[int] = set()

    def write(values):
        household = values.get("_household") or Household.objects.filter(head=values["_head"]).first()
        if household is None:
            raise ValidationError("户主的困难职工档案未能导入，该家庭成员未导入。")
        fields = {k: values[k] for k in ("relation", "name", "id_number", "income", "school_or_work", "health", "disability")
                  if k in values}
        if "income" in fields:
            fields["income"] = "" if fields["income"] is None else str(fields["income"])
        if not fields.get("id_number"):
            fields.pop("id_number", None)  # a blank cell does not clear a number on file
        person = _match_family(household, values, claimed)
        if person is None:
            person = services.family_member_add(actor=actor, household=household, **fields)
            claimed.add(person.pk)
            return "created"
        claimed.add(person.pk)
        before = snapshot(person, services.FAMILY_FIELDS)
        services.family_member_update(actor=actor, person=person, **fields)
        return "unchanged" if snapshot(person, services.FAMILY_FIELDS) == before else "updated"

    part.write = write
    return part


def _check_family_row(values: dict, *, in_file: dict, broken: set, on_file: dict, seen: dict, rownum: int) -> list[str]:
    head_number = values["head_id_number"]
    if head_number in in_file:
        head = values["_head"] = in_file[head_number]
    elif head_number in broken:
        return [f"户主在“{HARDSHIP_SHEET}”工作表中的行有错误，该家庭成员未导入。"]
    else:
        household = on_file.get(id_hash(head_number))
        if household is None:
            # The same words whether the archive does not exist or lies outside the actor's scope.
            return [f"找不到该户主的困难职工档案：“{HARDSHIP_SHEET}”工作表中没有该户主，导入的工会及其下级也没有以其为户主的档案。"]
        head = household.head
        values["_household"] = household
    errors = []
    if values.get("head_name") and values["head_name"] != head.name:
        errors.append(f"户主姓名与会员名册不一致（名册中为“{head.name}”）。")
    if values.get("id_number"):
        try:
            values["id_number"] = parse_resident_id(values["id_number"]).number
        except ValidationError as exc:
            errors.append(f"“身份证号”有误：{exc.messages[0]}")
        else:
            if values["id_number"] == head_number:
                errors.append("家庭成员的身份证号与户主相同；户主本人不用填在“家庭成员”工作表中。")
    errors += _amount_errors(values, FAMILY_COLUMNS)
    if errors:
        return errors
    keys = [(head_number, "name", values["relation"], values["name"])]
    if values.get("id_number"):
        keys.append((head_number, "id", values["id_number"]))
    earlier = next((seen[k] for k in keys if k in seen), None)
    if earlier is not None:
        return [f"与本工作表第{earlier}行重复（同一户主的同一家庭成员）。"]
    for k in keys:
        seen[k] = rownum
    return []


def _match_family(household: Household, values: dict, claimed: set[int]):
    """The family member on file that a row describes: by ID number when the row has one
    (else one without a number, of the same relation and name); by relation and name
    when it has none. A member already matched by another row is not matched again."""
    people = [p for p in household.family.all() if p.pk not in claimed]
    number = values.get("id_number")
    if number:
        same = next((p for p in people if p.id_number == number), None)
        if same is not None:
            return same
        people = [p for p in people if not p.id_number]
    return next((p for p in people if p.relation == values["relation"] and p.name == values["name"]), None)


def hardship_import(*, actor, path, org, mode="all", dry_run=False, progress=None, filename="") -> ImportReport:
    """Archives from the first sheet, with their family members from the 家庭成员 sheet
    when the workbook has one; both sheets are checked before anything is written."""
    seen: dict[str, bool] = {}

    def check(values, members):
        m, errs = _check_person(values, members)
        if errs:
            return errs
        if values["id_number"] in seen:
            return ["户主身份证号在文件中重复。"]
        seen[values["id_number"]] = True
        try:
            values["causes"] = _causes(values["causes"])
        except ValidationError as exc:
            return exc.messages
        try:  # what the archive services would refuse, found now so that a dry run reports it too
            services._clean_archive({k: v for k, v in values.items() if k in services.ARCHIVE_FIELDS})
        except ValidationError as exc:
            return exc.messages
        values["_head"] = m
        return []

    def write(values):
        head = values.pop("_head")
        fields = {k: v for k, v in values.items() if k not in ("id_number", "name", "applied_on")}
        for k in ("annual_income", "rigid_expenses", "hardship_spending"):
            fields[k] = "" if fields.get(k) is None else str(fields[k])
        existing = Household.objects.filter(head=head).first()
        if existing is None:
            services.household_create(actor=actor, head=head, on=values["applied_on"], **fields)
            return "created"
        before = (existing.updated_at,)
        services.household_update(actor=actor, household=existing, **fields)
        existing.refresh_from_db()
        return "unchanged" if (existing.updated_at,) == before else "updated"

    def family(org, good, bad):
        try:
            return _family_part(actor=actor, path=path, org=org, good=good, bad=bad)
        except SheetError as exc:
            raise ImportRefused(str(exc), org) from None

    return _run(kind="hardship", actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, filename=filename,
                columns=HARDSHIP_COLUMNS, check_row=check, write_row=write, progress=progress, more=family)


def _record_key(member: Member, values: dict) -> str:
    raw = "|".join(str(x) for x in (member.id_hash, values["on"], values["occasion"], values.get("cash") or 0,
                                    values.get("goods") or "", values.get("goods_value") or 0))
    return hashlib.sha256(raw.encode()).hexdigest()


PACKAGE_FIELDS = ("on", "occasion", "funding", "cash", "goods", "goods_value", "partner_name", "handled_by")


def _same_record(member: Member, values: dict) -> bool:
    """A record of the file already on file: by its import key, or (for one entered or
    exported elsewhere) by the same beneficiary, date, occasion and amounts outside a batch."""
    if AssistanceRecord.objects.filter(import_key=values["_key"], member=member).exists():
        return True
    return AssistanceRecord.objects.filter(
        member=member, on=values["on"], occasion=values["occasion"], cash=values.get("cash") or 0,
        goods_value=values.get("goods_value") or 0, batch__isnull=True, reversal_of__isnull=True, reversal__isnull=True,
    ).exists()


def _check_batches(actor: Actor, org: Org, good: list, bad: list) -> list[tuple[int, str]]:
    """Rows sharing a 批次名称 form one batch: the same package, managed archives, and
    (when the batch is already on file) exactly its beneficiaries. A bad row refuses its batch."""
    from gonghui.assistance.choices import MANAGED
    from gonghui.assistance.models import AssistanceBatch

    errors: list[tuple[int, str]] = []
    groups: dict[str, list] = {}
    for rownum, values in good:
        if values.get("batch"):
            groups.setdefault(values["batch"], []).append((rownum, values))
    broken = {values.get("batch") for _, values in bad if values.get("batch")}
    labels = {c.key: c.header for c in RECORD_COLUMNS}
    for title, rows in groups.items():
        if title in broken:
            errors += [(n, f"批次“{title}”中有错误行，整批未导入。") for n, _ in rows]
            continue
        first_row, first = rows[0]
        group_errors = []
        for rownum, values in rows[1:]:
            differ = [labels[k] for k in PACKAGE_FIELDS if (values.get(k) or None) != (first.get(k) or None)]
            if differ:
                group_errors.append((rownum, f"与同一批次“{title}”第{first_row}行的{'、'.join(differ)}不一致。"))
        existing = AssistanceBatch.objects.for_actor(actor).filter(
            org_path__startswith=org.path, title=title, on=first["on"], occasion=first["occasion"]).first()
        if existing is not None:
            standing = existing.records.filter(reversal_of__isnull=True)
            on_file = set(standing.values_list("member_id", flat=True)) | set(standing.exclude(id_hash="").values_list("id_hash", flat=True))
            for rownum, values in rows:
                if (values["_member"].pk if values["_member"] else values["_beneficiary"]["id_hash"]) not in on_file:
                    group_errors.append((rownum, f"批次“{title}”已存在且不含该受助人，不能通过导入向已有批次追加人员。"))
        else:
            for rownum, values in rows:
                h = values["_household"]
                if values["_member"] is None:
                    continue  # a non-member resident of the batch (checked on its own)
                if h is None:
                    group_errors.append((rownum, "按批次发放的会员须有困难职工档案（非会员居民请在“受助对象”列注明）。"))
                elif h.status not in MANAGED:
                    group_errors.append((rownum, f"该受助人的困难档案状态为“{h.get_status_display()}”，不在帮扶范围内。"))
        if group_errors:
            bad_rows = {n for n, _ in group_errors}
            errors += group_errors
            errors += [(n, f"批次“{title}”中有错误行，整批未导入。") for n, _ in rows if n not in bad_rows]
            continue
        state = {"batch": existing, "created": False, "rows": rows}
        for _, values in rows:
            values["_group"] = state
    return errors


def _nonmember_key(who: dict, values: dict) -> str:
    raw = "|".join(str(x) for x in (who["recipient"], who["id_hash"] or who["recipient_name"], values["on"], values["occasion"],
                                    values.get("cash") or 0, values.get("goods") or "", values.get("goods_value") or 0,
                                    who["households_reached"] or ""))
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_nonmember(values: dict, members: dict) -> list[str]:
    """A row for a resident or a village / group: the beneficiary's fields, checked as the
    service does (a resident who is a member of the union must be entered as a member)."""
    try:
        who = services.clean_beneficiary(recipient=values["recipient"], name=values.get("name") or "",
                                         id_number=values.get("id_number") or "", households=values.get("households"),
                                         people=values.get("people"))
    except ValidationError as exc:
        labels = {"name": "姓名", "id_number": "受助人身份证号", "households": "受助户数", "people": "受助人数"}
        return [f"“{labels.get(k, k)}”：{v[0]}" for k, v in exc.message_dict.items()]
    if who["id_hash"] and who["id_hash"] in members:
        return [services.MEMBER_NOT_RESIDENT]
    if values.get("batch") and who["recipient"] == Recipient.GROUP:
        return ["包联村、群众户组不能按批次发放，请清空该行的“批次名称”。"]
    values["_beneficiary"], values["_member"], values["_household"] = who, None, None
    return []


def _nonmember_match(recipient, on, occasion, cash, goods_value, id_hash: str, name: str, households) -> tuple:
    """What makes a non-member row the same as a record already on file (outside a batch,
    neither reversed nor a reversal): a resident by ID number, a village / group by name and
    households reached."""
    who = ("id", id_hash) if id_hash else ("name", name, households)
    return (recipient, on, occasion, cash or 0, goods_value or 0, *who)


class _NonmembersOnFile:
    """The non-member records already on file for the rows of one import, and the members
    among the rows' residents, loaded once (three queries) when the first row is written;
    each record the import writes is added."""

    def __init__(self, org: Org, rows: list[dict]):
        self.org, self.rows, self.keys, self.same, self.members = org, rows, None, None, set()

    def _load(self) -> None:
        self.members = services.members_among(self.org, [v["_beneficiary"]["id_hash"] for v in self.rows])
        keys = [v["_key"] for v in self.rows]
        self.keys = set(AssistanceRecord.objects.filter(import_key__in=keys, org=self.org, member__isnull=True)
                        .values_list("import_key", flat=True)) if keys else set()
        self.same = set()
        if self.rows:
            standing = AssistanceRecord.objects.filter(
                org=self.org, recipient__in={v["_beneficiary"]["recipient"] for v in self.rows},
                on__in={v["on"] for v in self.rows}, batch__isnull=True, reversal_of__isnull=True, reversal__isnull=True)
            for r in standing.only("recipient", "on", "occasion", "cash", "goods_value", "id_hash", "recipient_name",
                                   "households_reached", "import_key"):
                self.add(r)

    def add(self, r: AssistanceRecord) -> None:
        if self.same is None:
            self._load()
        if r.import_key:
            self.keys.add(r.import_key)
        base = (r.recipient, r.on, r.occasion, r.cash, r.goods_value)
        if r.id_hash:
            self.same.add(_nonmember_match(*base, r.id_hash, "", None))
        self.same.add(_nonmember_match(*base, "", r.recipient_name, r.households_reached))

    def has(self, values: dict) -> bool:
        if self.same is None:
            self._load()
        who = values["_beneficiary"]
        return values["_key"] in self.keys or _nonmember_match(
            who["recipient"], values["on"], values["occasion"], values.get("cash"), values.get("goods_value"),
            who["id_hash"], who["recipient_name"], who["households_reached"]) in self.same


def assistance_import(*, actor, path, org, mode="all", dry_run=False, progress=None, filename="") -> ImportReport:
    seen: set[str] = set()
    nonmember_rows: list[dict] = []
    loaded: dict = {}

    def check(values, members):
        values["recipient"] = values.get("recipient") or Recipient.MEMBER
        if values["recipient"] != Recipient.MEMBER:
            errs = _check_nonmember(values, members)
            if errs:
                return errs
            key = _nonmember_key(values["_beneficiary"], values)
            if key in seen:
                return ["与文件中前面的一行完全相同。"]
            seen.add(key)
            values["_key"] = key
            nonmember_rows.append(values)
            return []
        if values.get("households") or values.get("people"):
            return ["受助户数、受助人数只用于包联村/群众户组，会员的行请留空。"]
        m, errs = _check_person(values, members)
        if errs:
            return errs
        key = _record_key(m, values)
        if key in seen:
            return ["与文件中前面的一行完全相同。"]
        seen.add(key)
        values["_member"], values["_key"] = m, key
        values["_household"] = Household.objects.filter(head=m).first()
        return []

    def goods_of(values):
        return [{"item": values["goods"], "quantity": 1, "unit": "份", "value": values.get("goods_value") or 0}] if values.get("goods") else []

    def write_batch(values):
        group = values["_group"]
        if group["batch"] is not None:
            return "unchanged"
        if group.get("failed"):
            raise ValidationError(f"批次“{values['batch']}”未能建立，整批未导入。")
        if not group["created"]:
            group["failed"] = True
            services.batch_create(actor=actor, org=org, title=values["batch"], on=values["on"], occasion=values["occasion"],
                                  households=[v["_household"] for _, v in group["rows"] if v["_member"] is not None],
                                  residents=[{"name": v["_beneficiary"]["recipient_name"], "id_number": v["_beneficiary"]["id_number"]}
                                             for _, v in group["rows"] if v["_member"] is None],
                                  funding=values["funding"],
                                  cash=values.get("cash") or 0, goods=goods_of(values),
                                  partner_name=values.get("partner_name") or "", handled_by=values.get("handled_by") or "")
            group["failed"], group["created"] = False, True
        return "created"

    def write(values):
        if values.get("batch"):
            return write_batch(values)
        if values["recipient"] != Recipient.MEMBER:
            on_file = loaded.setdefault("on_file", _NonmembersOnFile(org, nonmember_rows))
            if on_file.has(values):
                return "unchanged"
            who = values["_beneficiary"]
            # the members among the file's residents are loaded once: the service checks
            # the resident against them rather than querying again for each row
            record = services.nonmember_record_create(
                actor=actor, org=org, recipient=who["recipient"], name=who["recipient_name"], id_number=who["id_number"],
                households=who["households_reached"], people=who["people_reached"], on=values["on"],
                occasion=values["occasion"], cash=values.get("cash") or 0, goods=goods_of(values), funding=values["funding"],
                partner_name=values.get("partner_name") or "", handled_by=values.get("handled_by") or "", import_key=values["_key"],
                member_hashes=on_file.members)
            on_file.add(record)
            return "created"
        m, key = values["_member"], values["_key"]
        if _same_record(m, values):
            return "unchanged"
        services.record_create(actor=actor, member=m, household=values["_household"], on=values["on"],
                               occasion=values["occasion"], cash=values.get("cash") or 0, goods=goods_of(values),
                               funding=values["funding"], partner_name=values.get("partner_name") or "",
                               handled_by=values.get("handled_by") or "", import_key=key)
        return "created"

    return _run(kind="assistance", actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, filename=filename,
                columns=RECORD_COLUMNS, check_row=check, write_row=write, progress=progress,
                check_rows=lambda org, good, bad: _check_batches(actor, org, good, bad))


# --- exports -----------------------------------------------------------------------------

PAYMENT_COLUMNS = [
    Column("no", "序号", kind="int", width=6), Column("name", "姓名（名称）", width=14),
    Column("recipient", "受助对象", width=14), Column("id_masked", "身份证号", width=22),
    Column("org", "所属工会", width=24), Column("occasion", "帮扶类型", width=16), Column("on", "日期", kind="date", width=12),
    Column("cash", "现金（元）", kind="decimal", width=12), Column("goods", "物品", width=16),
    Column("goods_value", "物品价值（元）", kind="decimal", width=12), Column("funding", "资金来源", width=12),
    Column("signed", "已签收", kind="bool", width=8), Column("note", "说明", width=24),
]


def payments_export(*, actor: Actor, queryset, path=None, label: str = "") -> Path:
    """The payment list (发放名单) with masked ID numbers; always audited."""
    actor.require("assistance.view")
    path = Path(path or export_path("assistance-payments"))
    out = XlsxWriter(path)
    ws = out.sheet("发放名单", PAYMENT_COLUMNS)
    cash, goods, n = Decimal(0), Decimal(0), 0
    for n, r in enumerate(queryset.select_related("member", "org").order_by("on", "id"), start=1):
        cash += r.cash or 0
        goods += r.goods_value or 0
        out.write_row(ws, n, PAYMENT_COLUMNS, {
            "no": n, "name": r.beneficiary_name, "recipient": r.get_recipient_display(), "id_masked": r.beneficiary_id_masked,
            "org": r.org.name, "occasion": r.get_occasion_display(),
            "on": r.on, "cash": r.cash, "goods": r.goods_text, "goods_value": r.goods_value, "funding": r.get_funding_display(),
            "signed": r.signed, "note": r.note,
        })
    total = cash + goods
    cash_col = next(i for i, c in enumerate(PAYMENT_COLUMNS) if c.key == "cash")
    goods_col = next(i for i, c in enumerate(PAYMENT_COLUMNS) if c.key == "goods_value")
    ws.write_string(n + 1, 0, "合计")
    ws.write_number(n + 1, cash_col, float(cash), out.money)
    ws.write_number(n + 1, goods_col, float(goods), out.money)
    ws.write_string(n + 2, 0, "现金与物品价值总计（元）")
    ws.write_number(n + 2, goods_col, float(total), out.money)
    out.explain(PAYMENT_COLUMNS, title="帮扶发放名单 说明", notes=["身份证号已按规定遮蔽。冲销记录以负数列示，合计为冲销后的净额。",
                                                                "受助对象为非会员居民、包联村/群众户组的，与会员分开统计。"])
    out.close()
    audit_record(actor=actor, action="assistance.export", object_type="assistance.AssistanceRecord",
                 message=f"导出发放名单{label}：{n}行，合计{total}元", changes={"rows": [None, n]})
    return path


def hardship_export(*, actor: Actor, org: Org, path, subtree: bool = True, start=None, end=None) -> Path:
    """Archives in import format, with their family members on the 家庭成员 sheet; income,
    health, disability and the family only for a role that may see them (assistance.sensitive),
    full ID numbers only for one that may also reveal them (member.reveal)."""
    actor.require("assistance.view")
    org = org or actor.org
    actor.require_covers(org)
    sensitive = actor.can("assistance.sensitive")
    reveal = actor.can("member.reveal")  # the head's full ID number is a member detail, not a hardship one
    columns = HARDSHIP_COLUMNS + [Column("tier", "困难类别", kind="choice", choices=Tier.choices, width=10),
                                  Column("status", "状态", kind="choice", choices=Status.choices, width=8)]
    qs = Household.objects.for_actor(actor).filter(org_path__startswith=org.path) if subtree else Household.objects.for_actor(actor).filter(org=org)
    if start:
        qs = qs.filter(applied_on__gte=start)
    if end:
        qs = qs.filter(applied_on__lte=end)
    qs = qs.select_related("head").order_by("org_path", "id")
    if sensitive:
        qs = qs.prefetch_related("family")
    out = XlsxWriter(path)
    ws = out.sheet(HARDSHIP_SHEET, columns)
    family_ws = out.sheet(FAMILY_SHEET, FAMILY_COLUMNS)
    n = people = 0
    for n, h in enumerate(qs, start=1):
        head_number = h.head.id_number if reveal else h.head.id_masked
        values = {"id_number": head_number, "name": h.head.name, "applied_on": h.applied_on,
                  "tier": h.tier, "status": h.status}
        if sensitive:
            values.update(size=h.size, causes=h.cause_labels, annual_income=h.income, rigid_expenses=h.expenses,
                          hardship_spending=Decimal(h.hardship_spending) if h.hardship_spending else None, housing=h.housing,
                          hukou=h.hukou, insurance=h.insurance, zero_employment=h.zero_employment, single_parent=h.single_parent,
                          health=h.health, disability=h.disability, situation=h.situation)
            for p in h.family.all():
                people += 1
                out.write_row(family_ws, people, FAMILY_COLUMNS, {
                    "head_id_number": head_number, "head_name": h.head.name, "relation": p.relation, "name": p.name,
                    "id_number": p.id_number if reveal else p.id_masked, "income": Decimal(p.income) if p.income else None,
                    "school_or_work": p.school_or_work, "health": p.health, "disability": p.disability,
                })
        out.write_row(ws, n, columns, values)
    out.add_dropdowns(family_ws, FAMILY_COLUMNS)
    out.explain(columns, title="困难职工档案 导出说明", sheet=HARDSHIP_SHEET, more=[(FAMILY_SHEET, FAMILY_COLUMNS)], notes=[
        "格式与导入模板相同（“困难类别”“状态”两列仅供查看，导入时不起作用）。",
        "家庭人口、收入、健康、残疾等敏感信息" + ("为完整信息，请妥善保管。" if sensitive else "未导出（无权限）。"),
        ("家庭成员见“家庭成员”工作表；重新导入时，系统中已登记、但文件中没有列出的家庭成员保留不动，不会删除。"
         if sensitive else "家庭成员属于敏感信息，未导出（无权限），“家庭成员”工作表为空。"),
        "户主和家庭成员的身份证号" + ("为完整号码。" if reveal else "已按规定遮蔽；遮蔽的文件不能再用于导入。"),
    ])
    out.close()
    audit_record(actor=actor, action="hardship.export", object_type="assistance.Household", org=org,
                 message=f"导出困难职工档案{n}户" + (f"、家庭成员{people}人（含敏感信息）" if sensitive else "（不含敏感信息）"),
                 changes={"rows": [None, n], "family": [None, people]})
    return Path(path)


def assistance_export(*, actor: Actor, org: Org, path, subtree: bool = True, start=None, end=None) -> Path:
    """Records in import format, with the batch name, so that export → import changes
    nothing. Reversals and the records they cancel are left out (a correction's new record
    stays). ID numbers are full only for a role that may reveal them."""
    actor.require("assistance.view")
    org = org or actor.org
    actor.require_covers(org)
    reveal = actor.can("member.reveal")
    qs = AssistanceRecord.objects.for_actor(actor)
    qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    qs = qs.filter(reversal_of__isnull=True, reversal__isnull=True)
    if start:
        qs = qs.filter(on__gte=start)
    if end:
        qs = qs.filter(on__lte=end)
    out = XlsxWriter(path)
    ws = out.sheet("帮扶记录", RECORD_COLUMNS)
    n = 0
    for n, r in enumerate(qs.select_related("member", "batch").order_by("on", "id"), start=1):
        goods = r.goods or []
        single = len(goods) == 1 and Decimal(str(goods[0].get("quantity") or "1")) == 1
        person = r.member if r.member_id else r
        out.write_row(ws, n, RECORD_COLUMNS, {
            "id_number": person.id_number if reveal else person.id_masked, "name": r.beneficiary_name, "on": r.on,
            "recipient": r.recipient, "households": r.households_reached, "people": r.people_reached,
            "occasion": r.occasion, "cash": r.cash or None, "goods": goods[0].get("item", "") if single else r.goods_text,
            "goods_value": r.goods_value or None, "funding": r.funding, "partner_name": r.partner_name,
            "handled_by": r.handled_by, "batch": r.batch.title if r.batch_id else "",
        })
    out.explain(RECORD_COLUMNS, title="帮扶记录 导出说明", notes=[
        "格式与导入模板相同；同一批次的记录带有批次名称。冲销记录及被冲销的原记录未导出。",
        "受助人身份证号" + ("为完整号码，请妥善保管。" if reveal else "已按规定遮蔽。"),
    ])
    out.close()
    audit_record(actor=actor, action="assistance.export", object_type="assistance.AssistanceRecord", org=org,
                 message=f"导出帮扶记录（{org.name}）：{n}行" + ("（含完整身份证号）" if reveal else "（身份证号已遮蔽）"),
                 changes={"rows": [None, n]})
    return Path(path)


def register_exchange() -> None:
    from gonghui.exchange.registry import Exchange, register

    register(Exchange(kind="hardship", label="困难职工档案", template=hardship_template, importer=hardship_import,
                      exporter=hardship_export, import_perm="assistance.manage", list_page="assistance:home",
                      import_help="“困难职工档案”工作表每行一户档案，户主按身份证号匹配本工会或下级工会的会员；“家庭成员”工作表"
                                  "每行一位家庭成员，两张表一起检查。同一户主的档案再次导入即按文件更新，家庭成员不会被删除。"))
    register(Exchange(kind="assistance", label="帮扶记录", template=assistance_template, importer=assistance_import,
                      exporter=assistance_export, import_perm="assistance.manage", list_page="assistance:records",
                      import_help="每行一笔帮扶（送温暖、金秋助学、医疗救助等），受助人按身份证号匹配本工会或下级工会的会员；"
                                  "填写了“批次名称”的各行建为一个发放批次。同一文件重复导入不会重复登记。"))


