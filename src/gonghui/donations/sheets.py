"""Donations as a spreadsheet: template, import, export.

Rows name the drive by its id or exact name and the donor by a member's ID number
(matched on its blind index, never stored here) or a unit / person name. Every row is
checked first; nothing is written unless all rows are valid (default), or only the
valid ones with mode="valid". Each written row carries a key derived from its content,
so importing the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record
from gonghui.core.validators import parse_resident_id
from gonghui.donations import selectors, services
from gonghui.donations.models import Donation, DonorKind, DriveStatus, Method
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
from gonghui.orgs.models import Org

COLUMNS = [
    Column("drive", "捐款活动", required=True, max_length=100, example="抗震救灾爱心捐款", width=22, help="填活动编号或活动名称（须与系统中一致）。"),
    Column("kind", "捐款人类型", kind="choice", choices=DonorKind.choices, example="会员", width=12, help="可不填：填了身份证号即为会员，否则为单位。"),
    Column("id_number", "会员身份证号", max_length=30, example="110105199003070017", width=22, help="会员捐款填写，用于核对会员，不会出现在芳名录上。"),
    Column("name", "单位或个人名称", max_length=100, example="", width=22, help="单位或非会员个人捐款时填写。"),
    Column("amount", "金额", required=True, kind="decimal", example="100", width=12, help="单位：元，大于0，最多两位小数。"),
    Column("on", "捐款日期", required=True, kind="date", example="2025-05-20", width=12),
    Column("method", "方式", kind="choice", choices=Method.choices, example="现金", width=8),
    Column("note", "备注", max_length=200, example="", width=20),
]
HEADERS = [c.header for c in COLUMNS]
NOTES = [
    "1. 第一行为表头，请勿修改；带 * 的列必须填写。每行一笔捐款。",
    "2. 会员捐款填写身份证号；单位或非会员个人捐款填写名称（二者只填一项）。",
    "3. 捐款日期须在活动起止日期之内；已结束的活动不能再导入捐款。",
    "4. 默认“全部正确才导入”；同一文件重复导入不会重复登记。",
]




def donations_template(path: Path | str | None = None) -> Path:
    return write_template(path or export_path("donations-template"), COLUMNS, title="捐款导入模板 填写说明", notes=NOTES)


def _key(values: dict, occurrence: int) -> str:
    donor = f"m{values['member'].pk}" if values["member"] is not None else f"{values['kind']}:{values['name']}"
    raw = "|".join([str(values["drive"].pk), donor, str(values["amount"]), values["on"].isoformat(), values["method"],
                    values["note"], str(occurrence)])
    return hashlib.sha256(raw.encode()).hexdigest()


def donations_import(*, actor: Actor, path: Path | str, org: Org | None, mode: str = "all", dry_run: bool = False,
                     progress: Callable[[int, int], None] | None = None, filename: str = "") -> ImportReport:
    from gonghui.members.models import Member, id_hash

    report = ImportReport(dry_run=dry_run, mode=mode, batch=secrets.token_hex(8))
    shown = filename or Path(path).name
    progress = progress or (lambda done, total: None)
    try:
        org, table, index = open_import(actor=actor, perm="donations.manage", org=org, path=path, columns=COLUMNS)
    except ImportRefused as exc:
        report.file_error = exc.message
        _audit(actor, exc.org, shown, report, failed=True)
        return report

    report.total = total = len(table.rows)
    errors: dict[int, list[str]] = {}
    drives: dict[str, object] = {}
    parsed_rows = []
    hashes: set[str] = set()
    for rownum, cells in table.rows:
        values, row_errors = parse_row(table, rownum, cells, COLUMNS, index)
        ref = values.get("drive") or ""
        if ref not in drives:
            drives[ref] = selectors.drive_by_ref(actor, ref, under=org) if ref else None
        drive = drives[ref]
        if ref and drive is None:
            row_errors.append(f"找不到捐款活动“{ref}”（须为“{org.name}”或其下级工会的活动；同名活动请填活动编号）。")
        elif drive is not None and drive.status != DriveStatus.OPEN:
            row_errors.append(f"捐款活动“{drive.name}”已结束，不能导入捐款。")
        number, name, number_hash = values.get("id_number") or "", values.get("name") or "", ""
        if number and name:
            row_errors.append("“会员身份证号”和“单位或个人名称”只能填一项。")
        elif number:
            try:
                number_hash = id_hash(parse_resident_id(number).number)
            except ValidationError as exc:
                row_errors.append(exc.messages[0])
            else:
                hashes.add(number_hash)
        elif not name:
            row_errors.append("请填写会员身份证号，或单位/个人名称。")
        parsed_rows.append((rownum, values, row_errors, drive, number, name, number_hash))

    # one query for every member named by an ID number, one for the keys already imported
    members = {m.id_hash: m for m in Member.objects.for_actor(actor).filter(id_hash__in=hashes).select_related("org")} if hashes else {}
    candidates: list[tuple[int, dict, str, dict]] = []
    seen: dict[str, int] = {}
    for rownum, values, row_errors, drive, number, name, number_hash in parsed_rows:
        member = members.get(number_hash) if number_hash else None
        if number_hash and member is None:
            row_errors.append("找不到该身份证号的会员（须为本工会或下级工会的会员）。")
        kind = values.get("kind") or (DonorKind.MEMBER if number else DonorKind.UNIT)
        if member is None and kind == DonorKind.MEMBER and name:
            row_errors.append("捐款人类型为“会员”时请填写身份证号。")
        if drive is not None and not row_errors and values.get("amount") is not None and values.get("on"):
            raw = {"drive": drive, "member": member, "kind": DonorKind.MEMBER if member else kind, "name": name,
                   "amount": values["amount"], "on": values["on"], "method": values.get("method") or Method.CASH,
                   "note": values.get("note") or ""}
            base = _key(raw, 0)
            seen[base] = seen.get(base, 0) + 1
            candidates.append((rownum, raw, _key(raw, seen[base] - 1), values))
        elif row_errors:
            errors[rownum] = row_errors
    existing = _existing_keys([key for _, _, key, _ in candidates])
    taken: dict[int, set] = {}
    for drive_pk in {raw["drive"].pk for _, raw, _, _ in candidates}:
        drive = next(raw["drive"] for _, raw, _, _ in candidates if raw["drive"].pk == drive_pk)
        taken[drive_pk] = services.same_day_taken(drive, [raw["member"].pk for _, raw, _, _ in candidates
                                                          if raw["member"] is not None and raw["drive"].pk == drive_pk])
    ready: list[tuple[int, dict, str]] = []
    for rownum, raw, key, values in candidates:
        if key in existing:
            report.unchanged += 1  # imported before: nothing to do
            continue
        drive, member = raw["drive"], raw["member"]
        pending = [v for _, v, _ in ready if v["drive"].pk == drive.pk]
        try:
            cleaned = services.clean_donation(drive, actor=actor, member=member, name="" if member else raw["name"],
                                              kind=raw["kind"], amount=values["amount"], on=values["on"],
                                              method=raw["method"], note=raw["note"], pending=pending,
                                              taken=taken[drive.pk])
        except ValidationError as exc:
            errors.setdefault(rownum, []).extend(exc.messages)
        else:
            ready.append((rownum, cleaned, key))

    report.errors = sorted((r, m) for r, msgs in errors.items() for m in msgs)
    report.created = len(ready)
    if dry_run or (report.errors and mode != "valid"):
        if not dry_run:
            report.created = report.unchanged = 0
            _audit(actor, org, shown, report, failed=True)
        progress(total, total)
        return report
    try:
        created, unchanged = services.donation_import_write(actor=actor, org=org, rows=ready, filename=shown,
                                                            batch=report.batch, rejected=report.rejected,
                                                            known=report.unchanged)
    except (PermissionDenied, ValidationError) as exc:
        report.file_error = "；".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or "您没有导入捐款的权限。")
        report.created = report.unchanged = 0
        progress(total, total)
        return report
    report.created = created
    report.unchanged += unchanged
    report.written = True
    progress(total, total)
    return report


def _existing_keys(keys: list[str]) -> set[str]:
    """The import keys among `keys` already written, in one query per thousand."""
    found: set[str] = set()
    for i in range(0, len(keys), 1000):
        found.update(Donation.objects.filter(import_key__in=keys[i:i + 1000]).values_list("import_key", flat=True))
    return found


def _audit(actor: Actor, org: Org | None, filename: str, report: ImportReport, *, failed: bool) -> None:
    audit_record(
        actor=actor, action="donation.import", object_type="donations.Donation", org=org,
        result="failure" if failed else "success",
        message=report.file_error or (
            f"有{report.rejected}行错误，未导入任何数据" if failed
            else f"新建{report.created}，未变{report.unchanged}，拒绝{report.rejected}（批次{report.batch}）"
        ),
        changes={"file": [None, filename]},
    )


EXPORT_COLUMNS = [
    Column("drive_id", "活动编号", kind="int", width=10), Column("drive", "捐款活动", width=22), Column("org", "组织工会", width=22),
    Column("kind", "捐款人类型", kind="choice", choices=DonorKind.choices, width=12), Column("name", "捐款人", width=20),
    Column("amount", "金额", kind="decimal", width=12), Column("on", "捐款日期", kind="date", width=12),
    Column("method", "方式", kind="choice", choices=Method.choices, width=8), Column("note", "备注", width=24),
]


def donations_export(*, actor: Actor, org: Org | None, path: Path | str | None = None, subtree: bool = True,
                     start=None, end=None) -> Path:
    """Donation rows (reversals as negative rows) of a union, without any ID number."""
    actor.require("donations.view")
    target = org or actor.org
    actor.require_covers(target)
    qs = selectors.records(actor, org=target, start=start, end=end)
    if not subtree:
        qs = qs.filter(drive__org=target)
    path = Path(path or export_path("donations"))
    out = XlsxWriter(path)
    ws = out.sheet("捐款明细", EXPORT_COLUMNS)
    n = 0
    for n, d in enumerate(qs.order_by("drive__starts_on", "drive_id", "on", "id").iterator(chunk_size=2000), start=1):
        out.write_row(ws, n, EXPORT_COLUMNS, {"drive_id": d.drive_id, "drive": d.drive.name, "org": d.drive.org.name, "kind": d.kind,
                                              "name": d.name, "amount": d.amount, "on": d.on, "method": d.method, "note": d.note})
    out.close()
    audit_record(actor=actor, action="donation.export", object_type="donations.Donation", org=target,
                 message=f"导出{n}笔捐款（{target.name}{'及下级' if subtree else ''}）", changes={"rows": [None, n]})
    return path


def register_exchange() -> None:
    from gonghui.exchange.registry import Exchange, register

    register(Exchange(
        kind="donations", label="捐款", template=donations_template,
        importer=lambda *, actor, path, org, mode, dry_run, progress=None, filename="": donations_import(
            actor=actor, path=path, org=org, mode=mode, dry_run=dry_run, progress=progress, filename=filename),
        exporter=lambda *, actor, org, path, subtree, start, end: donations_export(
            actor=actor, org=org, path=path, subtree=subtree, start=start, end=end),
        import_perm="donations.manage", list_page="donations:home",
        import_help="每行一笔捐款：写明捐款活动（编号或名称，须是所选工会或其下级工会正在进行的活动），会员捐款填身份证号，"
                    "单位或非会员个人捐款填名称。同一文件重复导入不会重复登记。",
    ))
