"""The union tree as a spreadsheet: template, import (all-or-nothing or valid rows
only, idempotent) and export. Web, API and CLI all come through here."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record
from gonghui.core.services import error_text
from gonghui.exchange.files import export_path
from gonghui.exchange.sheets import (
    Column,
    ImportReport,
    SheetError,
    XlsxWriter,
    map_columns,
    parse_row,
    read_table,
    sheet_names,
    write_template,
)
from gonghui.orgs import services
from gonghui.orgs.models import HomeLevel, HomeLevelAward, Kind, Org

COLUMNS = [
    Column("code", "工会编码", required=True, max_length=32, example="JN-GH-001", help="本平台内唯一；同一编码再次导入即更新该工会。"),
    Column("name", "工会名称", required=True, max_length=100, example="某某科技有限公司工会委员会", width=30),
    Column("short_name", "简称", max_length=30, example="某某科技工会"),
    Column("kind", "类型", required=True, kind="choice", choices=Kind.choices, example="企业工会"),
    Column("parent_code", "上级工会编码", max_length=32, example="JN-JD-01",
           help="上级工会的工会编码，可以是本文件中的其他行。留空则作为顶级工会（仅限命令行导入新的总工会）。"),
    Column("uscc", "统一社会信用代码", max_length=30, example="", width=22, help="工会法人的18位代码（以81开头），没有可不填。"),
    Column("employee_count", "职工人数", kind="int", example=120, width=10),
    Column("address", "地址", max_length=200, example="", width=30),
    Column("contact_name", "联系人", max_length=50, example="王芳", width=10),
    Column("contact_phone", "联系电话", max_length=30, example="13800000000", width=16),
    Column("founded_on", "成立日期", kind="date", example="", width=12),
    Column("has_separate_account", "独立开设银行账户", kind="bool", example="是", width=10),
    Column("home_level", "职工之家等级", kind="choice", choices=HomeLevel.choices, example="市级模范职工之家",
           help="当前等级，由“职工之家评定”工作表中最近的一次评定决定；可留空。填写的须与评定记录一致。"),
    Column("has_women_committee", "设立女职工委员会", kind="bool", example="是", width=10),
    Column("has_audit_committee", "设立经费审查委员会", kind="bool", example="是", width=10),
]
HEADERS = [c.header for c in COLUMNS]
HOME_SHEET = "职工之家评定"
HOME_COLUMNS = [
    Column("code", "工会编码", required=True, max_length=32, example="JN-GH-001", help="获评工会的编码：本文件“数据”工作表中的，或已有的工会。"),
    Column("level", "评定等级", required=True, kind="choice", choices=[c for c in HomeLevel.choices if c[0] != HomeLevel.NONE],
           example="市级模范职工之家", width=20),
    Column("conferred_on", "评定日期", required=True, kind="date", example="2025-06-18", width=12, help="不能晚于今天。"),
    Column("conferred_by", "评定机关", required=True, max_length=100, example="杭州市总工会", width=20),
    Column("document_no", "文号", max_length=60, example="杭工〔2025〕18号", width=20),
]
NOTES = [
    "1. 第一行为表头，请勿修改表头文字；带 * 的列必须填写。",
    "2. 上级工会编码可以指向本文件中的其他行，行的先后顺序不限。",
    "3. 默认“全部正确才导入”：任何一行有错误，则整个文件都不导入，并列出每行的错误。",
    "4. 同一文件可以重复导入：编码已存在的工会会按文件内容更新，内容相同的不做改动。",
    f"5. “{HOME_SHEET}”工作表每行一次职工之家评定（等级、日期、评定机关、文号）；同一工会、等级和日期的评定已登记的不重复登记，"
    "导入不会删除评定记录。工会的当前职工之家等级为最近一次评定的等级。",
]




def orgs_template(path: Path | str | None = None) -> Path:
    path = path or export_path("orgs-template")
    return write_template(path, COLUMNS, title="组织架构导入模板 填写说明", notes=NOTES, more=[(HOME_SHEET, HOME_COLUMNS)])


def _ordered(rows: list[dict], errors: dict[int, list[str]]) -> list[dict]:
    """Parents before children (within the file); rows in a cycle get an error."""
    by_code = {r["code"]: r for r in rows}
    ordered, state = [], {}

    def visit(row, trail):
        code = row["code"]
        if state.get(code) == "done":
            return
        if code in trail:
            for c in trail[trail.index(code):]:
                errors.setdefault(by_code[c]["_row"], []).append("上级工会编码形成了循环（某工会成了自己的下级）。")
                state[c] = "done"
            return
        parent = by_code.get(row.get("parent_code") or "")
        if parent is not None and parent is not row:
            visit(parent, trail + [code])
        elif parent is row:
            errors.setdefault(row["_row"], []).append("上级工会编码不能是本工会自己的编码。")
        if state.get(code) != "done":
            state[code] = "done"
            ordered.append(row)

    for row in rows:
        visit(row, [])
    return ordered


def orgs_import(
    *, actor: Actor, path: Path | str, mode: str = "all", dry_run: bool = False, default_parent: Org | None = None
) -> ImportReport:
    """Import the tree from a file. Nothing is written unless every row is right, or
    mode="valid" asks for the valid rows only. Rows whose code exists are updated."""
    report = ImportReport(dry_run=dry_run, mode=mode)
    try:
        actor.require("org.manage")
        table = read_table(path, expected_headers=HEADERS)
        index = map_columns(table, COLUMNS)
    except (SheetError, PermissionDenied) as exc:
        report.file_error = str(exc)
        _audit_refused(actor, path, report)
        return report

    report.total = len(table.rows)
    errors: dict[int, list[str]] = {}
    rows: list[dict] = []
    seen_codes: dict[str, int] = {}
    for rownum, cells in table.rows:
        values, row_errors = parse_row(table, rownum, cells, COLUMNS, index)
        code = (values.get("code") or "").upper()
        values["code"] = code
        values["parent_code"] = (values.get("parent_code") or "").upper()
        if code and code in seen_codes:
            row_errors.append(f"工会编码“{code}”与第{seen_codes[code]}行重复。")
        elif code:
            seen_codes[code] = rownum
        if row_errors:
            errors[rownum] = row_errors
            continue
        values["_row"] = rownum
        rows.append(values)

    failed_codes = {c for c, r in seen_codes.items() if r in errors}
    with transaction.atomic():
        for row in _ordered(rows, errors):
            rownum = row["_row"]
            if rownum in errors:
                failed_codes.add(row["code"])
                continue
            if row["parent_code"] in failed_codes:
                errors.setdefault(rownum, []).append(f"上级工会“{row['parent_code']}”所在的行有错误，本行无法导入。")
                failed_codes.add(row["code"])
                continue
            try:
                with transaction.atomic():
                    outcome = _apply_row(actor, row, default_parent)
            except (ValidationError, PermissionDenied, Http404) as exc:
                errors.setdefault(rownum, []).append(error_text(exc) if not isinstance(exc, Http404) else str(exc))
                failed_codes.add(row["code"])
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
        home_errors = _import_home_levels(actor, path, report)
        wanted_codes = {row["code"] for row in rows if row.get("_home_level")}
        by_code = {o.code: o for o in Org.objects.for_actor(actor).filter(code__in=wanted_codes)} if wanted_codes else {}
        for row in rows:
            wanted = row.get("_home_level")
            if wanted and row["_row"] not in errors and row["code"] not in failed_codes:
                org = by_code.get(row["code"])
                if org is not None and org.home_level != wanted:
                    errors.setdefault(row["_row"], []).append(
                        f"职工之家等级“{HomeLevel(wanted).label}”与评定记录不一致（按评定记录为“{org.get_home_level_display()}”）："
                        f"请在“{HOME_SHEET}”工作表中填写该等级的评定日期和评定机关，或将本列留空。")
        report.errors = sorted([(r, m) for r, msgs in errors.items() for m in msgs] + home_errors)
        if dry_run or (report.errors and mode != "valid"):
            transaction.set_rollback(True)
            if report.errors and not dry_run:
                report.created = report.updated = report.unchanged = 0
        else:
            report.written = True
            audit_record(
                actor=actor,
                action="org.import",
                object_type="orgs.Org",
                message=f"新建{report.created}，更新{report.updated}，未变{report.unchanged}，拒绝{report.rejected}",
                changes={"file": [None, Path(path).name]},
            )
    if not report.written and not dry_run:
        _audit_refused(actor, path, report)
    return report


def _audit_refused(actor: Actor, path, report: ImportReport) -> None:
    """An import that wrote nothing is still a (failed) write attempt worth recording."""
    audit_record(
        actor=actor,
        action="org.import",
        object_type="orgs.Org",
        result="failure",
        message=report.file_error or f"有{report.rejected}行错误，未导入任何数据",
        changes={"file": [None, Path(path).name]},
    )


def _apply_row(actor: Actor, row: dict, default_parent: Org | None) -> str:
    fields = {k: v for k, v in row.items() if k in services.EDITABLE_FIELDS}
    for key in ("employee_count",):
        if fields.get(key) is None:
            fields[key] = 0
    # the current 职工之家 level follows the dated history (the 职工之家评定 sheet): the
    # column is compared with it once that sheet has been applied
    row["_home_level"] = fields.pop("home_level", None) or ""
    parent = None
    if row["parent_code"]:
        parent = Org.objects.for_actor(actor).filter(code=row["parent_code"]).first()
        if parent is None:
            raise ValidationError(f"找不到上级工会编码“{row['parent_code']}”（或不在您的管辖范围内）。")
    existing = Org.objects.filter(code=row["code"]).first()
    if existing is None:
        parent = parent or default_parent
        services.org_create(actor=actor, parent=parent, **fields)
        return "created"
    if not actor.covers(existing):
        raise ValidationError(f"工会编码“{row['code']}”已被您管辖范围以外的工会使用。")
    changed = False
    if parent is not None and existing.parent_id != parent.pk:
        services.org_move(actor=actor, org=existing, new_parent=parent)
        existing.refresh_from_db()
        changed = True
    before = existing.updated_at
    services.org_update(actor=actor, org=existing, **fields)
    existing.refresh_from_db()
    changed = changed or existing.updated_at != before
    return "updated" if changed else "unchanged"


def _import_home_levels(actor: Actor, path, report: ImportReport) -> list[tuple[int, str]]:
    """Apply the 职工之家评定 sheet (if the file has one) after the unions: one conferral per
    row, matched by union, level and date (already on file: unchanged). Returns the errors,
    each naming the sheet."""
    prefix = f"“{HOME_SHEET}”工作表："
    if HOME_SHEET not in sheet_names(path):
        return []
    try:
        table = read_table(path, sheet=HOME_SHEET, expected_headers=[c.header for c in HOME_COLUMNS], allow_empty=True)
        if not table.rows:
            return []
        index = map_columns(table, HOME_COLUMNS)
    except SheetError as exc:
        return [(0, f"{prefix}{exc}")]
    errors: list[tuple[int, str]] = []
    report.total += len(table.rows)
    parsed = [(rownum, *parse_row(table, rownum, cells, HOME_COLUMNS, index)) for rownum, cells in table.rows]
    # one query for the unions the rows name (within the actor's scope), one for their
    # conferrals already on file
    codes = {(values.get("code") or "").upper() for _, values, row_errors in parsed if not row_errors}
    by_code = {o.code: o for o in Org.objects.for_actor(actor).filter(code__in=codes)} if codes else {}
    on_file = set(HomeLevelAward.objects.filter(org__in=list(by_code.values()))
                  .values_list("org_id", "level", "conferred_on")) if by_code else set()
    for rownum, values, row_errors in parsed:
        if not row_errors:
            code = (values.get("code") or "").upper()
            org = by_code.get(code)
            if org is None:
                row_errors.append(f"找不到工会编码“{code}”（或不在您的管辖范围内）。")
            elif (org.pk, values["level"], values["conferred_on"]) in on_file:
                report.unchanged += 1
                continue
            else:
                try:
                    with transaction.atomic():
                        services.home_level_add(actor=actor, org=org, level=values["level"], conferred_on=values["conferred_on"],
                                                conferred_by=values.get("conferred_by") or "",
                                                document_no=values.get("document_no") or "")
                except (ValidationError, PermissionDenied) as exc:
                    row_errors.append(error_text(exc) if isinstance(exc, ValidationError) else str(exc))
                else:
                    on_file.add((org.pk, values["level"], values["conferred_on"]))
                    report.created += 1
                    continue
        errors += [(rownum, prefix + e) for e in row_errors]
    return errors


def orgs_export(*, actor: Actor, root: Org, path: Path | str | None = None) -> Path:
    """The subtree under `root` in import format (re-importing it changes nothing)."""
    actor.require("org.view")
    actor.require_covers(root)
    path = Path(path or export_path(f"orgs-{root.code}"))
    out = XlsxWriter(path)
    ws = out.sheet("数据", COLUMNS)
    qs = Org.objects.for_actor(actor).filter(path__startswith=root.path).select_related("parent").order_by("depth", "code")
    n = 0
    status_col = len(COLUMNS)
    ws.write_string(0, status_col, "状态（仅供查看）", out.header)
    for n, org in enumerate(qs.iterator(chunk_size=2000), start=1):
        values = {c.key: getattr(org, c.key, None) for c in COLUMNS}
        # The exported union's own parent may lie outside the reader's scope: left blank,
        # re-importing the file leaves that union where it is.
        values["parent_code"] = org.parent.code if org.parent_id and actor.covers(org.parent) else ""
        out.write_row(ws, n, COLUMNS, values)
        ws.write_string(n, status_col, "在用" if org.is_active else f"已停用（{org.deactivation_reason}）")
    out.add_dropdowns(ws, COLUMNS, last_row=max(n + 500, 1000))
    home_ws = out.sheet(HOME_SHEET, HOME_COLUMNS)
    awards = (HomeLevelAward.objects.for_actor(actor).filter(org__path__startswith=root.path).select_related("org")
              .order_by("org__code", "conferred_on", "id"))
    k = 0
    for k, a in enumerate(awards.iterator(chunk_size=2000), start=1):
        out.write_row(home_ws, k, HOME_COLUMNS, {"code": a.org.code, "level": a.level, "conferred_on": a.conferred_on,
                                                  "conferred_by": a.conferred_by, "document_no": a.document_no})
    out.add_dropdowns(home_ws, HOME_COLUMNS)
    out.explain(COLUMNS, title="组织架构 导出说明", notes=NOTES, sheet="数据", more=[(HOME_SHEET, HOME_COLUMNS)])
    out.close()
    audit_record(actor=actor, action="org.export", obj=root, message=f"导出{n}个组织", changes={"rows": [None, n]})
    return path


def register_exchange() -> None:
    from gonghui.exchange.registry import Exchange, register

    register(
        Exchange(
            kind="orgs",
            label="组织架构",
            template=orgs_template,
            importer=lambda *, actor, path, org, mode, dry_run, progress=None, filename="": orgs_import(
                actor=actor, path=path, mode=mode, dry_run=dry_run, default_parent=org
            ),
            exporter=lambda *, actor, org, path, subtree, start, end: orgs_export(actor=actor, root=_export_root(actor, org), path=path),
            by_period=False,
            always_subtree=True,
            import_perm="org.manage",
            import_help=(
                "每行一个工会，按“工会编码”对应：编码已存在的更新，不存在的新建；“上级工会编码”为空的行，"
                "建在上面填写的工会之下。上级工会可以是同一文件中前面或后面的行。"
            ),
            list_page="orgs:tree",
        )
    )


def _export_root(actor: Actor, org: Org | None) -> Org:
    if org is not None:
        return org
    if actor.org is None:
        raise ValidationError("请用 --org 指定要导出的工会。")
    return actor.org
