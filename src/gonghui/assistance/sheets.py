"""Spreadsheets: the payment list of a batch, and the `hardship` / `assistance` kinds of
`gonghui template|import|export`.

Imports check every row first and write in one transaction: all or nothing by default,
valid rows only with --mode valid. Rows name people by ID number (matched on the
members' blind index). Re-importing the same file changes nothing: archives match by
their head, records by a key made of beneficiary, date, occasion and amounts.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from gonghui.assistance import services
from gonghui.assistance.choices import Cause, Funding, Housing, Hukou, Insurance, Occasion, Status, Tier
from gonghui.assistance.models import AssistanceRecord, Household
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor
from gonghui.core.files import export_path
from gonghui.core.services import error_text
from gonghui.core.sheets import (
    Column,
    ImportRefused,
    ImportReport,
    XlsxWriter,
    open_import,
    parse_row,
    write_template,
)
from gonghui.members.models import Member
from gonghui.members.services import id_hash
from gonghui.orgs.models import Org

EXAMPLE_ID = "110105199003070017"

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
    Column("situation", "困难情况说明", max_length=1000, example="", width=30),
]
RECORD_COLUMNS = [
    Column("id_number", "受助人身份证号", required=True, max_length=30, example=EXAMPLE_ID, width=22),
    Column("name", "姓名", max_length=50, example="张三", width=10, help="用于核对，须与会员名册一致。"),
    Column("on", "日期", required=True, kind="date", example="2025-01-20", width=12),
    Column("occasion", "帮扶类型", required=True, kind="choice", choices=Occasion.choices, example="元旦春节送温暖", width=16),
    Column("cash", "现金", kind="decimal", example=500, width=10),
    Column("goods", "物品", max_length=30, example="", width=12),
    Column("goods_value", "物品价值", kind="decimal", example="", width=10),
    Column("funding", "资金来源", required=True, kind="choice", choices=Funding.choices, example="本级经费", width=10),
    Column("partner_name", "合作单位", max_length=100, example="", width=16),
    Column("handled_by", "经办人", max_length=50, example="", width=10),
]
NOTES = [
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。第二行是示例，填写前请删除。",
    "2. 人员按身份证号匹配会员名册，须是本工会或下级工会的会员。",
    "3. 默认“全部正确才导入”；同一文件重复导入不会重复登记。",
]




def hardship_template(path=None) -> Path:
    return write_template(path or export_path("hardship-template"), HARDSHIP_COLUMNS, title="困难职工档案导入模板 填写说明", notes=NOTES)


def assistance_template(path=None) -> Path:
    return write_template(path or export_path("assistance-template"), RECORD_COLUMNS, title="帮扶记录导入模板 填写说明", notes=NOTES)


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


def _run(*, kind: str, actor: Actor, path, org, mode, dry_run, filename, columns, check_row, write_row, progress) -> ImportReport:
    """The shared shape of both imports: read, check every row, write all (or valid) rows
    in one transaction, one audit summary."""
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
    good = []
    for rownum, values, errs in parsed:
        if not errs:
            errs += check_row(values, members)
        if errs:
            report.errors += [(rownum, e) for e in errs]
        else:
            good.append((rownum, values))
    if dry_run or (report.errors and mode != "valid"):
        if not dry_run:
            audit_record(actor=actor, action=action, org=org, result="failure", message=f"有{report.rejected}行错误，未导入任何数据",
                         changes={"file": [None, shown]})
        return report
    try:
        with transaction.atomic():
            for n, (rownum, values) in enumerate(good, start=1):
                try:
                    with transaction.atomic():
                        outcome = write_row(values)
                except ValidationError as exc:
                    report.errors.append((rownum, error_text(exc)))
                    if mode != "valid":
                        raise
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
                progress(n, len(good))
            report.written = True
            audit_record(actor=actor, action=action, org=org, changes={"file": [None, shown]},
                         message=f"新建{report.created}，更新{report.updated}，未变{report.unchanged}，拒绝{report.rejected}")
    except ValidationError:
        report.created = report.updated = report.unchanged = 0
        report.written = False
        audit_record(actor=actor, action=action, org=org, result="failure", message=f"有{report.rejected}行错误，未导入任何数据",
                     changes={"file": [None, shown]})
    return report


def _check_person(values: dict, members: dict) -> tuple[Member | None, list[str]]:
    from gonghui.core.validators import parse_resident_id

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


def hardship_import(*, actor, path, org, mode="all", dry_run=False, progress=None, filename="") -> ImportReport:
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

    return _run(kind="hardship", actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, filename=filename,
                columns=HARDSHIP_COLUMNS, check_row=check, write_row=write, progress=progress)


def _record_key(member: Member, values: dict) -> str:
    raw = "|".join(str(x) for x in (member.id_hash, values["on"], values["occasion"], values.get("cash") or 0,
                                    values.get("goods") or "", values.get("goods_value") or 0))
    return hashlib.sha256(raw.encode()).hexdigest()


def assistance_import(*, actor, path, org, mode="all", dry_run=False, progress=None, filename="") -> ImportReport:
    seen: set[str] = set()

    def check(values, members):
        m, errs = _check_person(values, members)
        if errs:
            return errs
        key = _record_key(m, values)
        if key in seen:
            return ["与文件中前面的一行完全相同。"]
        seen.add(key)
        values["_member"], values["_key"] = m, key
        return []

    def write(values):
        m, key = values["_member"], values["_key"]
        if AssistanceRecord.objects.filter(import_key=key, member=m).exists():
            return "unchanged"
        goods = [{"item": values["goods"], "quantity": 1, "unit": "份", "value": values.get("goods_value") or 0}] if values.get("goods") else []
        services.record_create(actor=actor, member=m, household=Household.objects.filter(head=m).first(), on=values["on"],
                               occasion=values["occasion"], cash=values.get("cash") or 0, goods=goods, funding=values["funding"],
                               partner_name=values.get("partner_name") or "", handled_by=values.get("handled_by") or "",
                               import_key=key)
        return "created"

    return _run(kind="assistance", actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, filename=filename,
                columns=RECORD_COLUMNS, check_row=check, write_row=write, progress=progress)


# --- exports -----------------------------------------------------------------------------

PAYMENT_COLUMNS = [
    Column("no", "序号", kind="int", width=6), Column("name", "姓名", width=10), Column("id_masked", "身份证号", width=22),
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
            "no": n, "name": r.member.name, "id_masked": r.member.id_masked, "org": r.org.name, "occasion": r.get_occasion_display(),
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
    out.explain(PAYMENT_COLUMNS, title="帮扶发放名单 说明", notes=["身份证号已按规定遮蔽。冲销记录以负数列示，合计为冲销后的净额。"])
    out.close()
    audit_record(actor=actor, action="assistance.export", object_type="assistance.AssistanceRecord",
                 message=f"导出发放名单{label}：{n}行，合计{total}元", changes={"rows": [None, n]})
    return path


def hardship_export(*, actor: Actor, org: Org, path, subtree: bool = True, start=None, end=None) -> Path:
    """Archives in import format; income and health only for a role that may see them."""
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
    out = XlsxWriter(path)
    ws = out.sheet("困难职工档案", columns)
    n = 0
    for n, h in enumerate(qs.select_related("head").order_by("org_path", "id"), start=1):
        values = {"id_number": h.head.id_number if reveal else h.head.id_masked, "name": h.head.name, "applied_on": h.applied_on,
                  "tier": h.tier, "status": h.status}
        if sensitive:
            values.update(size=h.size, causes=h.cause_labels, annual_income=h.income, rigid_expenses=h.expenses,
                          hardship_spending=Decimal(h.hardship_spending) if h.hardship_spending else None, housing=h.housing,
                          hukou=h.hukou, insurance=h.insurance, zero_employment=h.zero_employment, single_parent=h.single_parent,
                          health=h.health, situation=h.situation)
        out.write_row(ws, n, columns, values)
    out.explain(columns, title="困难职工档案 导出说明", notes=[
        "家庭人口、收入、健康等敏感信息" + ("为完整信息，请妥善保管。" if sensitive else "未导出（无权限）。"),
        "户主身份证号" + ("为完整号码。" if reveal else "已按规定遮蔽。"),
    ])
    out.close()
    audit_record(actor=actor, action="hardship.export", object_type="assistance.Household", org=org,
                 message=f"导出困难职工档案{n}户" + ("（含敏感信息）" if sensitive else "（不含敏感信息）"), changes={"rows": [None, n]})
    return Path(path)


def assistance_export(*, actor: Actor, org: Org, path, subtree: bool = True, start=None, end=None) -> Path:
    org = org or actor.org
    actor.require_covers(org)
    qs = AssistanceRecord.objects.for_actor(actor)
    qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    if start:
        qs = qs.filter(on__gte=start)
    if end:
        qs = qs.filter(on__lte=end)
    return payments_export(actor=actor, queryset=qs, path=path, label=f"（{org.name}）")


def register_exchange() -> None:
    from gonghui.core.exchange import Exchange, register

    register(Exchange(kind="hardship", label="困难职工档案", template=hardship_template, importer=hardship_import,
                      exporter=hardship_export))
    register(Exchange(kind="assistance", label="帮扶记录", template=assistance_template, importer=assistance_import,
                      exporter=assistance_export))


