"""Writes for donation drives: drives, donations, reversals and batch entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record, field_changes, snapshot
from gonghui.core.services import audited
from gonghui.donations.models import Donation, DonorKind, Drive, DriveStatus, Method
from gonghui.orgs.models import Org

DRIVE_FIELDS = ("name", "purpose", "starts_on", "ends_on", "notes")
MAX_AMOUNT = Decimal("1000000")


def _user(actor: Actor):
    return actor.user if actor.user is not None and actor.user.pk else None


def _clean_drive(values: dict, *, org: Org, instance: Drive | None = None) -> dict:
    errors: dict[str, str] = {}
    for key in ("name", "purpose", "notes"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    if "name" in values and not values["name"]:
        errors["name"] = "请填写活动名称。"
    if "purpose" in values and not values["purpose"]:
        errors["purpose"] = "请填写捐款用途。"
    starts = values.get("starts_on", getattr(instance, "starts_on", None))
    ends = values.get("ends_on", getattr(instance, "ends_on", None))
    if not starts:
        errors["starts_on"] = "请填写开始日期。"
    if not ends:
        errors["ends_on"] = "请填写结束日期。"
    if starts and ends and ends < starts:
        errors["ends_on"] = "结束日期不能早于开始日期。"
    name = values.get("name")
    if name and Drive.objects.filter(org=org, name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = f"本工会已有名为“{name}”的捐款活动。"
    if instance is not None and starts and ends and not errors:
        outside = instance.donations.filter(reversal_of__isnull=True).exclude(on__gte=starts, on__lte=ends)
        if outside.exists():
            errors["starts_on"] = "已有捐款的日期不在新的起止日期之内，请调整日期。"
    if errors:
        raise ValidationError(errors)
    return values


@audited("drive.create", object_type="donations.Drive")
def drive_create(*, actor: Actor, org: Org, name: str, purpose: str, starts_on: dt.date | None, ends_on: dt.date | None,
                 notes: str = "") -> Drive:
    actor.require("donations.manage")
    actor.require_covers(org)
    if not org.is_active:
        raise ValidationError({"org": f"“{org.name}”已停用，不能发起捐款活动。"})
    values = _clean_drive({"name": name, "purpose": purpose, "starts_on": starts_on, "ends_on": ends_on, "notes": notes or ""}, org=org)
    drive = Drive.objects.create(org=org, org_path=org.path, created_by=_user(actor), **values)
    audit_record(actor=actor, action="drive.create", obj=drive, org=org, changes=field_changes({}, snapshot(drive, DRIVE_FIELDS)))
    return drive


@audited("drive.update", object_type="donations.Drive")
def drive_update(*, actor: Actor, drive: Drive, **fields) -> Drive:
    actor.require("donations.manage")
    actor.require_covers(drive.org)
    before = snapshot(drive, DRIVE_FIELDS)
    values = _clean_drive({k: v for k, v in fields.items() if k in DRIVE_FIELDS}, org=drive.org, instance=drive)
    for key, value in values.items():
        setattr(drive, key, value)
    changes = field_changes(before, snapshot(drive, DRIVE_FIELDS))
    if changes:
        drive.save()
        audit_record(actor=actor, action="drive.update", obj=drive, org=drive.org, changes=changes)
    return drive


def _set_status(actor: Actor, drive: Drive, status: str, action: str) -> Drive:
    actor.require("donations.manage")
    actor.require_covers(drive.org)
    if drive.status == status:
        raise ValidationError({"status": f"该活动已经是“{DriveStatus(status).label}”状态。"})
    old = drive.status
    drive.status = status
    drive.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=action, obj=drive, org=drive.org, changes={"status": [old, status]})
    return drive


@audited("drive.close", object_type="donations.Drive")
def drive_close(*, actor: Actor, drive: Drive) -> Drive:
    return _set_status(actor, drive, DriveStatus.CLOSED, "drive.close")


@audited("drive.reopen", object_type="donations.Drive")
def drive_reopen(*, actor: Actor, drive: Drive) -> Drive:
    return _set_status(actor, drive, DriveStatus.OPEN, "drive.reopen")


# --- donations ------------------------------------------------------------------------------


def parse_amount(raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, Decimal):
        return raw
    try:
        return Decimal(str(raw).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise ValidationError({"amount": f"金额“{raw}”不是数字。"}) from None


def check_drive_open(drive: Drive) -> None:
    if drive.status != DriveStatus.OPEN:
        raise ValidationError({"drive": f"捐款活动“{drive.name}”已结束，不能再登记或更正捐款；如确需更正，请先重新开启活动。"})


def clean_donation(drive: Drive, *, actor: Actor, member=None, name: str = "", kind: str = "", amount=None,
                   on: dt.date | None = None, method: str = Method.CASH, note: str = "",
                   today: dt.date | None = None, pending: list[dict] | None = None,
                   taken: set[tuple[int, dt.date]] | None = None) -> dict:
    """Validate one donation to `drive`; returns model values or raises ValidationError({field: msg}).

    `pending` holds donations of the same batch not yet written (duplicate check);
    `taken`, when given, is the preloaded set of (member id, date) already standing in
    the drive (see same_day_taken), so a batch needs no query per entry."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    name = (name or "").strip()
    note = (note or "").strip()
    if member is not None:
        if name:
            errors["name"] = "捐款人只能是一名会员，或一个单位/个人名称，不能同时填写。"
        kind = DonorKind.MEMBER
        if not actor.covers(member.org) or not member.org_path.startswith(drive.org_path):
            errors["member"] = "该会员不属于发起本活动的工会（或其下级工会）。"
        name = member.name
    else:
        if not name:
            errors["name"] = "请选择捐款会员，或填写捐款单位/个人名称。"
        elif len(name) > 100:
            errors["name"] = "捐款人名称最多100个字。"
        kind = kind or DonorKind.UNIT
        if kind == DonorKind.MEMBER:
            errors["member"] = "请选择捐款会员。"
        elif kind not in (DonorKind.UNIT, DonorKind.PERSON):
            errors["kind"] = "非会员捐款请选择“单位”或“个人（非会员）”。"
    try:
        amount = parse_amount(amount)
    except ValidationError as exc:
        errors["amount"] = exc.messages[0]
        amount = None
    if "amount" not in errors:
        if amount is None:
            errors["amount"] = "请填写金额。"
        elif not amount.is_finite() or amount <= 0:
            errors["amount"] = "金额应大于0。"
        elif amount > MAX_AMOUNT:
            errors["amount"] = "单笔金额不能超过1,000,000元，请核对。"
        elif amount != amount.quantize(Decimal("0.01")):
            errors["amount"] = "金额最多保留两位小数。"
        else:
            amount = amount.quantize(Decimal("0.01"))
    if on is None:
        errors["on"] = "请填写捐款日期。"
    elif on < drive.starts_on or on > drive.ends_on:
        errors["on"] = f"捐款日期应在活动起止日期之内（{drive.starts_on:%Y-%m-%d} 至 {drive.ends_on:%Y-%m-%d}）。"
    elif on > today:
        errors["on"] = "捐款日期不能晚于今天。"
    if method not in Method.values:
        errors["method"] = "请选择捐款方式：现金、转账或其他。"
    if len(note) > 200:
        errors["note"] = "备注最多200个字。"
    if member is not None and on is not None and not note and "member" not in errors:
        if taken is not None:
            same_day = (member.pk, on) in taken
        else:
            same_day = Donation.objects.filter(drive=drive, member=member, on=on, reversal_of__isnull=True, reversal__isnull=True).exists()
        same_batch = any(p.get("member") is not None and p["member"].pk == member.pk and p["on"] == on for p in pending or [])
        if same_day or same_batch:
            errors["note"] = f"{member.name}当天已在本活动登记过捐款。如确为再次捐款，请在备注中说明。"
    if errors:
        raise ValidationError(errors)
    return {"drive": drive, "org_path": drive.org_path, "kind": kind, "member": member, "name": name, "amount": amount,
            "on": on, "method": method, "note": note}


def same_day_taken(drive: Drive, member_ids) -> set[tuple[int, dt.date]]:
    """(member id, date) pairs of standing donations in `drive` by these members, in one query."""
    ids = {pk for pk in member_ids if pk is not None}
    if not ids:
        return set()
    qs = Donation.objects.filter(drive=drive, member_id__in=ids, reversal_of__isnull=True, reversal__isnull=True)
    return set(qs.values_list("member_id", "on"))


def _write(values: dict, *, actor: Actor, import_key: str = "") -> Donation:
    return Donation.objects.create(recorded_by=_user(actor), import_key=import_key, **values)


@audited("donation.record", object_type="donations.Donation")
def donation_record(*, actor: Actor, drive: Drive, member=None, name: str = "", kind: str = "", amount=None,
                    on: dt.date | None = None, method: str = Method.CASH, note: str = "") -> Donation:
    actor.require("donations.manage")
    actor.require_covers(drive.org)
    drive = Drive.objects.select_for_update().get(pk=drive.pk)
    check_drive_open(drive)
    values = clean_donation(drive, actor=actor, member=member, name=name, kind=kind, amount=amount, on=on, method=method, note=note)
    donation = _write(values, actor=actor)
    audit_record(actor=actor, action="donation.record", obj=donation, org=drive.org,
                 changes={"drive": [None, drive.pk], "donor": [None, donation.name], "amount": [None, str(donation.amount)]})
    return donation


@audited("donation.batch", object_type="donations.Donation")
def donation_batch(*, actor: Actor, drive: Drive, entries: list[dict], on: dt.date | None = None,
                   method: str = Method.CASH) -> list[Donation]:
    """Many donations to one drive at once (e.g. a list of members and amounts): every
    entry is checked first, and nothing is written unless all are valid."""
    actor.require("donations.manage")
    actor.require_covers(drive.org)
    drive = Drive.objects.select_for_update().get(pk=drive.pk)
    check_drive_open(drive)
    if not entries:
        raise ValidationError({"entries": "请至少填写一笔捐款。"})
    problems, pending = [], []
    taken = same_day_taken(drive, [getattr(e.get("member"), "pk", None) for e in entries])
    for i, entry in enumerate(entries, start=1):
        label = entry.get("label") or f"第{i}条"
        try:
            pending.append(clean_donation(
                drive, actor=actor, member=entry.get("member"), name=entry.get("name", ""), kind=entry.get("kind", ""),
                amount=entry.get("amount"), on=entry.get("on") or on, method=entry.get("method") or method,
                note=entry.get("note", ""), pending=pending, taken=taken,
            ))
        except ValidationError as exc:
            problems.append(f"{label}：{'；'.join(exc.messages)}")
    if problems:
        raise ValidationError({"entries": problems})
    created = [_write(v, actor=actor) for v in pending]
    total = sum((d.amount for d in created), Decimal(0))
    audit_record(actor=actor, action="donation.batch", obj=drive, org=drive.org,
                 message=f"批量登记{len(created)}笔捐款，共{total}元", changes={"count": [None, len(created)], "total": [None, str(total)]})
    return created


BATCH_PREFIXES = (("单位：", DonorKind.UNIT), ("单位:", DonorKind.UNIT), ("个人：", DonorKind.PERSON), ("个人:", DonorKind.PERSON))


def batch_entries(*, actor: Actor, drive: Drive, text: str, default_amount: str = "") -> tuple[list[dict], list[str]]:
    """Lines of a batch entry → entries for donation_batch, and the lines that could not be read.

    Each line is "姓名或身份证号 [金额] [备注]"; "单位：" / "个人：" mark a unit / non-member
    donor; a line without an amount takes `default_amount`. Members are resolved in one
    query (exact name or ID number, see selectors.resolve_members)."""
    from gonghui.donations import selectors

    lines = []
    for i, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        kind = DonorKind.MEMBER
        for prefix, k in BATCH_PREFIXES:
            if line.startswith(prefix):
                kind, line = k, line[len(prefix):].strip()
                break
        parts = line.replace("\u3000", " ").replace("\t", " ").split(None, 2)
        who = parts[0] if parts else ""
        amount = parts[1] if len(parts) > 1 else (default_amount or "")
        note = parts[2] if len(parts) > 2 else ""
        lines.append((f"第{i}行", kind, who, amount, note))
    members = selectors.resolve_members(actor, drive, [who for _, kind, who, amount, _ in lines
                                                       if kind == DonorKind.MEMBER and amount])
    entries, problems = [], []
    for label, kind, who, amount, note in lines:
        if not amount:
            problems.append(f"{label}：请填写金额，或填写统一金额。")
            continue
        entry = {"label": label, "amount": amount.removesuffix("元"), "note": note, "kind": kind}
        if kind == DonorKind.MEMBER:
            found = members[who]
            if isinstance(found, str):
                problems.append(f"{label}：{found}")
                continue
            entry["member"] = found
        else:
            entry["name"] = who
        entries.append(entry)
    return entries, problems


@audited("donation.import", object_type="donations.Donation")
def donation_import_write(*, actor: Actor, org: Org, rows: list[tuple[int, dict, str]], filename: str = "",
                          batch: str = "", rejected: int = 0, known: int = 0) -> tuple[int, int]:
    """Write the checked rows of an import, each under its content key: a key already
    written (say by a concurrent import of the same file) counts as unchanged. Returns
    (created, unchanged); `known` rows were found unchanged before (for the audit message)."""
    actor.require("donations.manage")
    actor.require_covers(org)
    # of=("self",): lock the drives, not the joined unions (a roster import holds those).
    drives = {d.pk: d for d in Drive.objects.select_for_update(of=("self",)).select_related("org")
              .filter(pk__in={values["drive"].pk for _, values, _ in rows}).order_by("pk")}
    for drive in drives.values():
        actor.require_covers(drive.org)
        check_drive_open(drive)
    created = unchanged = 0
    for rownum, values, key in rows:
        try:
            with transaction.atomic():
                _write({**values, "drive": drives[values["drive"].pk]}, actor=actor, import_key=key)
        except IntegrityError:
            if not Donation.objects.filter(import_key=key).exists():
                raise ValidationError({"entries": f"第{rownum}行无法保存，请核对后重新导入。"}) from None
            unchanged += 1
        else:
            created += 1
    audit_record(actor=actor, action="donation.import", object_type="donations.Donation", org=org,
                 message=f"新建{created}，未变{unchanged + known}，拒绝{rejected}（批次{batch}）", changes={"file": [None, filename]})
    return created, unchanged


@audited("donation.reverse", object_type="donations.Donation")
def donation_reverse(*, actor: Actor, donation: Donation, reason: str) -> Donation:
    """Cancel a recorded donation with its negative mirror; the original stays as it was."""
    actor.require("donations.manage")
    drive = Drive.objects.select_for_update(of=("self",)).select_related("org").get(pk=donation.drive_id)
    actor.require_covers(drive.org)
    check_drive_open(drive)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写更正原因。"})
    if len(reason) > 200:
        raise ValidationError({"reason": "更正原因最多200个字。"})
    if donation.reversal_of_id is not None:
        raise ValidationError({"reason": "这是一笔冲正记录，不能再冲正。"})
    if Donation.objects.filter(reversal_of=donation).exists():
        raise ValidationError({"reason": "这笔捐款已经冲正过了。"})
    mirror = Donation.objects.create(
        drive=drive, org_path=donation.org_path, kind=donation.kind, member=donation.member, name=donation.name,
        amount=-donation.amount, on=donation.on, method=donation.method, note=f"冲正：{reason}"[:200],
        recorded_by=_user(actor), reversal_of=donation,
    )
    audit_record(actor=actor, action="donation.reverse", obj=donation, org=drive.org, message=reason,
                 changes={"amount": [str(donation.amount), "0"], "reversal": [None, mirror.pk]})
    return mirror
