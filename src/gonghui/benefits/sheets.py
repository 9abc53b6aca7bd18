"""Member benefits as a spreadsheet: template, import, export.

Rows name the member by ID number (matched on its blind index, within the union's
subtree). Every row is checked first, field by field and then against the spending
rules together with earlier records and earlier rows; the write is all or nothing by
default. A row identical to a record already on the platform (same member, kind,
festival, date, form, amount and illness) is counted as unchanged, so importing the
same file twice writes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record
from gonghui.benefits import services
from gonghui.benefits.models import BenefitRecord, Festival, Form, Kind
from gonghui.core.formats import yuan
from gonghui.core.validators import parse_resident_id
from gonghui.exchange.files import export_path
from gonghui.exchange.sheets import (
    Column,
    ImportRefused,
    ImportReport,
    XlsxWriter,
    open_import,
    parse_row,
    write_template,
)
from gonghui.members.models import Member, id_hash
from gonghui.orgs.models import Org

COLUMNS = [
    Column("id_number", "身份证号", required=True, max_length=30, example="110105199003070017", width=22),
    Column("name", "姓名", max_length=50, example="张三", width=10, help="可不填；填写时须与身份证号对应的会员一致。"),
    Column("kind", "慰问类别", required=True, kind="choice", choices=Kind.choices, example="节日慰问", width=16),
    Column("festival", "节日", kind="choice", choices=Festival.choices, example="中秋", width=8, help="节日慰问必填。"),
    Column("on", "发放日期", required=True, kind="date", example="2025-09-30", width=12),
    Column("form", "形式", required=True, kind="choice", choices=Form.choices, example="实物", width=8),
    Column("amount", "金额（元）", required=True, kind="decimal", example="300", width=12),
    Column("goods", "物品/说明", max_length=200, example="月饼、食用油", width=20),
    Column("illness", "病情/住院事由", max_length=100, example="", width=16, help="生病住院慰问必填，用于核对同一病情每年一次。"),
    Column("override_reason", "超标准说明", max_length=500, example="", width=24,
           help="超出慰问标准时填写，仅有“批准超标准慰问”权限的人员导入时有效。"),
]
HEADERS = [c.header for c in COLUMNS]
NOTES = [
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。每行为一名会员的一次慰问。",
    "2. 按身份证号找到会员，会员须属于导入时选择的工会或其下级工会。",
    "3. 系统按本单位适用的慰问标准逐行核对（每次上限、全年累计、只发实物、同一病情每年一次、未缴会费不发放）。",
    "4. 默认“全部正确才导入”；同一文件重复导入不会重复登记。已发放的记录不能通过导入修改，请在系统中冲销后重新登记。",
]




def benefits_template(path: Path | str | None = None) -> Path:
    return write_template(path or export_path("benefits-template"), COLUMNS, title="会员慰问导入模板 填写说明", notes=NOTES, sheet="会员慰问")


def _same(record: BenefitRecord, p: services.Planned) -> bool:
    return (record.kind == p.kind and record.festival == (p.festival or "") and record.on == p.on and record.form == p.form
            and record.amount == Decimal(p.amount) and services.illness_key(record.illness) == services.illness_key(p.illness))


def benefits_import(
    *, actor: Actor, path: Path | str, org: Org | None, mode: str = "all", dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None, filename: str = "",
) -> ImportReport:
    report = ImportReport(dry_run=dry_run, mode=mode)
    shown = filename or Path(path).name
    progress = progress or (lambda done, total: None)
    try:
        org, table, index = open_import(actor=actor, perm="benefits.manage", org=org, path=path, columns=COLUMNS)
    except ImportRefused as exc:
        report.file_error = exc.message
        _audit(actor, exc.org, shown, report, failed=True)
        return report

    report.total = len(table.rows)
    errors: dict[int, list[str]] = defaultdict(list)
    parsed: list[tuple[int, dict]] = []
    for rownum, cells in table.rows:
        values, row_errors = parse_row(table, rownum, cells, COLUMNS, index)
        if values.get("id_number"):
            try:
                values["id_number"] = parse_resident_id(values["id_number"]).number
            except ValidationError as exc:
                row_errors.append(exc.messages[0])
        if row_errors:
            errors[rownum] += row_errors
        else:
            parsed.append((rownum, values))
    # Members by ID, within the chosen union's subtree only.
    hashes = {id_hash(v["id_number"]) for _, v in parsed}
    found: dict[str, Member] = {}
    hash_list = list(hashes)
    for i in range(0, len(hash_list), 2000):
        for m in Member.objects.for_actor(actor).filter(id_hash__in=hash_list[i : i + 2000], org_path__startswith=org.path).select_related("org"):
            found[m.id_hash] = m
    plan: list[services.Planned] = []
    reasons: list[str] = []
    for rownum, v in parsed:
        member = found.get(id_hash(v["id_number"]))
        if member is None:
            errors[rownum].append(f"找不到身份证号对应的会员，或该会员不在“{org.name}”之下。")
            continue
        if v.get("name") and v["name"] != member.name:
            errors[rownum].append(f"姓名“{v['name']}”与该身份证号登记的会员姓名不一致。")
            continue
        p = services.Planned(member=member, kind=v["kind"], on=v["on"], form=v["form"], amount=v["amount"],
                             festival=v.get("festival") or "", goods=v.get("goods") or "", illness=v.get("illness") or "", row=rownum)
        problems = services.clean_planned(p)
        if problems:
            errors[rownum] += list(problems.values())
            continue
        plan.append(p)
        reasons.append((v.get("override_reason") or "").strip())
    # Rows already on the platform are unchanged (idempotent re-import).
    existing = defaultdict(list)
    ids = list({p.member.pk for p in plan})
    for i in range(0, len(ids), 2000):
        for r in BenefitRecord.objects.filter(member_id__in=ids[i : i + 2000], reversal_of__isnull=True, is_reversed=False):
            existing[r.member_id].append(r)
    fresh, fresh_reasons, seen = [], [], set()
    for p, reason in zip(plan, reasons, strict=True):
        key = (p.member.pk, p.kind, p.festival, p.on, p.form, Decimal(p.amount), services.illness_key(p.illness))
        if key in seen:
            errors[p.row].append("与前面一行重复（同一会员、类别、日期、金额）。")
            continue
        seen.add(key)
        match = next((r for r in existing[p.member.pk] if _same(r, p)), None)
        if match is not None:
            existing[p.member.pk].remove(match)
            report.unchanged += 1
            continue
        fresh.append(p)
        fresh_reasons.append(reason)
    progress(len(table.rows) // 2, len(table.rows))
    check = services.check_plan(fresh)
    broken = defaultdict(list)
    for v in check.violations:
        broken[v.index].append(v.message)
    can_override = actor.can("benefits.override")
    for i, p in enumerate(fresh):
        if broken.get(i) and not (fresh_reasons[i] and can_override):
            hint = "（超标准发放须由有“批准超标准慰问”权限的人员导入并填写超标准说明）"
            errors[p.row] += [m + hint for m in broken[i]]
    report.errors = sorted((r, m) for r, msgs in errors.items() for m in msgs)
    good = [i for i, p in enumerate(fresh) if p.row not in errors]
    report.created = len(good)
    if dry_run or (report.errors and mode != "valid"):
        if not dry_run:
            report.created = 0
            _audit(actor, org, shown, report, failed=True)
        progress(len(table.rows), len(table.rows))
        return report
    rows = [fresh[i] for i in good]
    try:
        services.benefit_import_write(
            actor=actor, org=org, plan=rows, reasons=[fresh_reasons[i] for i in good], filename=shown,
            summary=f"新增{report.created}，未变{report.unchanged}，拒绝{report.rejected}")
    except (ValidationError, PermissionDenied) as exc:  # the service audited the failure
        report.created = 0
        report.errors = sorted(report.errors + [(0, m) for m in (exc.messages if isinstance(exc, ValidationError) else [str(exc)])])
    else:
        report.written = True
    progress(len(table.rows), len(table.rows))
    return report


def _audit(actor: Actor, org: Org | None, filename: str, report: ImportReport, *, failed: bool) -> None:
    audit_record(
        actor=actor, action="benefit.import", object_type="benefits.BenefitRecord", org=org,
        result="failure" if failed else "success",
        message=report.file_error or (f"有{report.rejected}行错误，未导入任何数据" if failed
                                      else f"新增{report.created}，未变{report.unchanged}，拒绝{report.rejected}"),
        changes={"file": [None, filename]},
    )


EXPORT_COLUMNS = [
    Column("org_name", "所属工会", width=24),
    Column("kind_label", "慰问类别（含节日）", width=18),
    Column("ruleset", "适用标准", width=16),
    Column("state", "状态", width=10),
]


def benefits_export(*, actor: Actor, queryset, path: Path | str | None = None, label: str = "") -> tuple[Path, int]:
    """Records to .xlsx in import format. ID numbers are masked unless the role may reveal
    them; illness details only go to roles with "benefits.sensitive" (masked otherwise).
    Always audited, saying whether illness was included."""
    actor.require("benefits.view")
    reveal = actor.can("member.reveal")
    sick = actor.can("benefits.sensitive")
    path = Path(path or export_path("benefits"))
    columns = COLUMNS[:-1] + EXPORT_COLUMNS
    out = XlsxWriter(path)
    ws = out.sheet("会员慰问", columns)
    n, total = 0, Decimal(0)
    qs = queryset.select_related("member", "org", "ruleset").order_by("on", "id")
    for n, r in enumerate(qs.iterator(chunk_size=2000), start=1):
        total += r.amount
        out.write_row(ws, n, columns, {
            "id_number": r.member.id_number if reveal else r.member.id_masked, "name": r.member.name, "kind": r.kind,
            "festival": r.festival, "on": r.on, "form": r.form, "amount": r.amount, "goods": r.goods,
            "illness": r.illness if sick else ("******" if r.illness else ""), "org_name": r.org.name,
            "kind_label": r.kind_label, "ruleset": r.ruleset.name if r.ruleset else "",
            "state": "冲销" if r.is_reversal else ("已冲销" if r.is_reversed else ("超标准" if r.override_reason else "正常")),
        })
    out.explain(columns, title="会员慰问 导出说明", notes=[
        f"共{n}条，合计{yuan(total)}元（冲销记录为负数，合计已扣除）。",
        "身份证号" + ("为完整信息，请妥善保管。" if reveal else "已按规定遮蔽。"),
        "病情/住院事由" + ("为个人健康信息，请妥善保管。" if sick else "已遮蔽。"),
    ])
    out.close()
    audit_record(actor=actor, action="benefit.export", object_type="benefits.BenefitRecord",
                 message=f"导出{n}条会员慰问记录{label}" + ("（含完整身份证号）" if reveal else "（身份证号已遮蔽）")
                 + ("（含病情信息）" if sick else "（病情已遮蔽）"),
                 changes={"rows": [None, n], "illness": [None, sick]})
    return path, n


def register_exchange() -> None:
    from gonghui.exchange.registry import Exchange, register

    def exporter(*, actor, org, path, subtree, start, end):
        from gonghui.benefits.selectors import record_search

        target = org or actor.org
        qs = record_search(actor, org=target, subtree=subtree, start=start, end=end)
        return benefits_export(actor=actor, queryset=qs, path=path, label=f"（{target.name}{'及下级' if subtree else ''}）")[0]

    register(Exchange(
        kind="benefits", label="会员慰问", template=benefits_template,
        importer=lambda *, actor, path, org, mode, dry_run, progress=None, filename="": benefits_import(
            actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, progress=progress, filename=filename),
        exporter=exporter, import_perm="benefits.manage", list_page="benefits:home",
        import_help="每行为一名会员的一次慰问，会员按身份证号匹配所选工会或其下级工会的会员，并按本单位适用的慰问标准逐行核对；"
                    "超标准的须由有“批准超标准慰问”权限的人员导入并填写超标准说明。同一文件重复导入不会重复登记。",
    ))
