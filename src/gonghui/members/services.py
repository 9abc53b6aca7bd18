"""Writes to the roster: members, their dated status events and spells, transfers,
reveals of sensitive fields, and members' own change requests."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record, field_changes, snapshot
from gonghui.core.formats import add_years
from gonghui.core.services import audited
from gonghui.core.validators import mask_id, mask_phone, normalize_mobile, parse_resident_id
from gonghui.members.choices import EVENT_RULES, GOOD_STANDING, EventKind, Status, TransferState
from gonghui.members.models import (
    ChangeRequest,
    Member,
    MembershipEvent,
    MemberSpell,
    Transfer,
    id_hash,
    phone_hash,
)
from gonghui.members.pinyin import name_keys
from gonghui.orgs.models import Level, Org

EDITABLE = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "political", "hukou",
    "is_migrant_worker", "new_form", "employment", "position", "joined_on", "card_no", "remarks",
)
SENSITIVE = frozenset({"id_number", "phone"})
MIN_JOIN_AGE = 16  # the legal working age


def require_member_union(org: Org) -> None:
    if not org.is_active:
        raise ValidationError({"org": f"“{org.name}”已停用，不能登记会员。"})
    if org.level < Level.GRASSROOTS:
        raise ValidationError({"org": f"会员应登记在基层工会、分会或工会小组，“{org.name}”是{org.get_level_display()}。"})


def clean_member(data: dict, *, actor: Actor, instance: Member | None = None, today: dt.date | None = None) -> tuple[dict, list[str]]:
    """Validate and normalise member fields; returns (values incl. derived keys, warnings).

    Raises ValidationError({field: message}) with every problem found at once.
    """
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    warnings: list[str] = []
    values = {k: v for k, v in data.items() if k in EDITABLE}
    for key in ("name", "ethnicity", "position", "card_no", "remarks"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    if "name" in values and not values["name"]:
        errors["name"] = "请填写姓名。"
    if "id_number" in values:
        try:
            parsed = parse_resident_id(values["id_number"], today=today)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            values["id_number"] = parsed.number
            warnings += parsed.warnings
            if values.get("birth_date") and values["birth_date"] != parsed.birth_date:
                errors["birth_date"] = f"出生日期与身份证号不一致（身份证号中为{parsed.birth_date:%Y-%m-%d}）。"
            if values.get("gender") and values["gender"] != parsed.gender:
                errors["gender"] = f"性别与身份证号不一致（身份证号第17位表示{'男' if parsed.gender == 'M' else '女'}）。"
            values["birth_date"], values["gender"] = parsed.birth_date, parsed.gender
            values["id_hash"] = id_hash(parsed.number)
            values["id_masked"] = mask_id(parsed.number)
            clash = Member.objects.filter(id_hash=values["id_hash"]).exclude(pk=getattr(instance, "pk", None)).select_related("org").first()
            if clash is not None:
                if actor.covers(clash.org):
                    errors["id_number"] = f"该身份证号已登记为会员：{clash.name}（{clash.org.name}）。"
                else:
                    errors["id_number"] = "该身份证号已是其他工会的会员。如需转入，请由原工会办理转出。"
    if "phone" in values:
        if values["phone"]:
            try:
                values["phone"] = normalize_mobile(values["phone"])
            except ValidationError as exc:
                errors["phone"] = exc.messages[0]
            else:
                values["phone_hash"], values["phone_masked"] = phone_hash(values["phone"]), mask_phone(values["phone"])
        else:
            values["phone"], values["phone_hash"], values["phone_masked"] = "", "", ""
    if values.get("card_no") and Member.objects.filter(card_no=values["card_no"]).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["card_no"] = f"会员证号“{values['card_no']}”已被使用。"
    joined = values.get("joined_on", getattr(instance, "joined_on", None))
    birth = values.get("birth_date", getattr(instance, "birth_date", None))
    if "joined_on" in values:
        if not joined:
            errors["joined_on"] = "请填写入会时间。"
        elif joined > today:
            errors["joined_on"] = "入会时间不能晚于今天。"
        elif birth and joined < add_years(birth, MIN_JOIN_AGE):
            errors["joined_on"] = f"入会时间早于本人年满{MIN_JOIN_AGE}周岁，请核对。"
    if "name" in values and values["name"]:
        values["name_pinyin"], values["name_initials"] = name_keys(values["name"])
    if errors:
        raise ValidationError(errors)
    return values, warnings


def members_block_deactivation(org: Org) -> str:
    n = Member.objects.filter(org=org, status__in=GOOD_STANDING).count()
    if n:
        return f"该工会还有{n}名在册会员，请先为他们办理转会或会籍变动。"
    return ""


@audited("member.account", object_type="members.Member")
def member_account_create(*, actor: Actor, member: Member, username: str, password: str):
    """A self-service login for the member (role 会员 at their union)."""
    from gonghui.access.permissions import Role
    from gonghui.accounts.services import user_create

    actor.require("member.manage")
    actor.require_covers(member.org)
    if member.user_id:
        raise ValidationError({"username": "该会员已开通账号。"})
    if member.status not in GOOD_STANDING:
        raise ValidationError({"username": "只能为在册会员开通账号。"})
    # Granting the 会员 role is part of keeping the roster, not of account administration.
    account_actor = Actor(user=actor.user, org=actor.org, role=actor.role, ip=actor.ip, source=actor.source,
                          grant_id=actor.grant_id, perms=actor.perms | {"account.manage"}, operator=actor.operator)
    user = user_create(actor=account_actor, username=username, full_name=member.name, password=password, org=member.org, role=Role.MEMBER)
    Member.objects.filter(pk=member.pk).update(user=user)
    audit_record(actor=actor, action="member.account", obj=member, changes={"user": [None, user.username]})
    return user


def _open_spell(member: Member, org: Org, status: str, on: dt.date) -> None:
    MemberSpell.objects.create(member=member, org=org, org_path=org.path, status=status, starts_on=on)


def _close_spell(member: Member, on: dt.date) -> None:
    MemberSpell.objects.filter(member=member, ends_on__isnull=True).update(ends_on=on)


def _last_event_date(member: Member) -> dt.date | None:
    last = member.events.order_by("-on", "-id").first()
    return last.on if last else None


def _event(member: Member, kind: str, on: dt.date, org: Org, *, actor: Actor, other: Org | None = None, note: str = "") -> MembershipEvent:
    return MembershipEvent.objects.create(
        member=member, kind=kind, on=on, org=org, org_path=org.path, other_org=other, note=note[:200],
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )


@audited("member.create", object_type="members.Member")
def member_create(*, actor: Actor, org: Org, **fields) -> Member:
    actor.require("member.manage")
    actor.require_covers(org)
    require_member_union(org)
    for required in ("name", "id_number", "joined_on"):
        fields.setdefault(required, "" if required != "joined_on" else None)
    values, _warnings = clean_member(fields, actor=actor)
    member = Member(org=org, org_path=org.path, status=Status.ACTIVE, **values)
    member.full_clean(exclude=["id_hash", "id_masked", "org_path", "name_pinyin", "name_initials"])
    member.save()
    _event(member, EventKind.JOIN, member.joined_on, org, actor=actor)
    _open_spell(member, org, Status.ACTIVE, member.joined_on)
    audit_record(actor=actor, action="member.create", obj=member,
                 changes=field_changes({}, snapshot(member, EDITABLE), sensitive=SENSITIVE))
    return member


@audited("member.update", object_type="members.Member")
def member_update(*, actor: Actor, member: Member, **fields) -> Member:
    actor.require("member.manage")
    actor.require_covers(member.org)
    before = snapshot(member, EDITABLE)
    values, _warnings = clean_member(fields, actor=actor, instance=member)
    for key, value in values.items():
        setattr(member, key, value)
    changes = field_changes(before, snapshot(member, EDITABLE), sensitive=SENSITIVE)
    if not changes:
        return member
    if "joined_on" in changes:
        if member.events.exclude(kind=EventKind.JOIN).filter(on__lt=member.joined_on).exists():
            raise ValidationError({"joined_on": "入会时间不能晚于该会员之后的会籍变动日期。"})
        member.events.filter(kind=EventKind.JOIN).update(on=member.joined_on)
        first = member.spells.order_by("starts_on", "id").first()
        if first is not None:
            MemberSpell.objects.filter(pk=first.pk).update(starts_on=member.joined_on)
    member.full_clean(exclude=["id_hash", "id_masked", "org_path", "name_pinyin", "name_initials"])
    member.save()
    audit_record(actor=actor, action="member.update", obj=member, changes=changes)
    return member


@audited("member.event", object_type="members.Member")
def member_record_event(*, actor: Actor, member: Member, kind: str, on: dt.date, note: str = "") -> MembershipEvent:
    """退会, 退休, 保留会籍, 去世 or 恢复会籍, dated; the status follows from the event."""
    actor.require("member.manage")
    actor.require_covers(member.org)
    if kind not in EVENT_RULES:
        raise ValidationError({"kind": "请选择会籍变动事项。"})
    allowed_from, new_status = EVENT_RULES[kind]
    if member.status not in allowed_from:
        raise ValidationError({"kind": f"会籍状态为“{member.get_status_display()}”的会员不能办理“{EventKind(kind).label}”。"})
    if on > dt.date.today():
        raise ValidationError({"on": "日期不能晚于今天。"})
    last = _last_event_date(member)
    if last and on < last:
        raise ValidationError({"on": f"日期不能早于该会员上一次会籍变动（{last:%Y-%m-%d}）。"})
    if member.transfers.filter(state=TransferState.PENDING).exists():
        raise ValidationError({"kind": "该会员有待接收的转会申请，请先处理转会。"})
    _close_spell(member, on)
    _open_spell(member, member.org, new_status, on)
    event = _event(member, kind, on, member.org, actor=actor, note=note)
    old = member.status
    member.status = new_status
    if kind == EventKind.RETIRE:
        member.employment = "retired"
    member.save(update_fields=["status", "employment", "updated_at"])
    audit_record(actor=actor, action="member.event", obj=member, changes={"status": [old, new_status]},
                 message=f"{EventKind(kind).label} {on:%Y-%m-%d} {note}".strip())
    return event


# --- transfers ---------------------------------------------------------------------------


@audited("member.transfer.propose", object_type="members.Transfer")
def transfer_propose(*, actor: Actor, member: Member, to_org: Org, on: dt.date, note: str = "") -> Transfer:
    actor.require("member.manage")
    actor.require_covers(member.org)
    require_member_union(to_org)
    if member.status not in GOOD_STANDING:
        raise ValidationError({"to_org": f"会籍状态为“{member.get_status_display()}”的会员不能转会。"})
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": "转入工会与当前工会相同。"})
    if member.transfers.filter(state=TransferState.PENDING).exists():
        raise ValidationError({"to_org": "该会员已有一笔待接收的转会。"})
    last = _last_event_date(member)
    if on > dt.date.today() + dt.timedelta(days=60) or (last and on < last):
        raise ValidationError({"on": "转移日期应在上一次会籍变动之后，且不晚于60天后。"})
    transfer = Transfer.objects.create(
        member=member, from_org=member.org, to_org=to_org, from_path=member.org.path, to_path=to_org.path, on=on,
        note=note[:200], proposed_by=actor.user,
    )
    audit_record(actor=actor, action="member.transfer.propose", obj=transfer, org=member.org,
                 changes={"to_org": [member.org_id, to_org.pk]})
    return transfer


def _decide(actor: Actor, transfer: Transfer, state: str, reason: str) -> None:
    transfer.state, transfer.reason = state, reason[:200]
    transfer.decided_by = actor.user
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "reason", "decided_by", "decided_at"])


# Callables (*, actor, member, from_org, to_org, on) run inside the confirming transaction
# when a member changes union, for modules whose records follow the member (a hardship
# archive, …). Registered from AppConfig.ready().
MEMBER_MOVED_HOOKS: list = []


@audited("member.transfer.confirm", object_type="members.Transfer")
def transfer_confirm(*, actor: Actor, transfer: Transfer) -> Member:
    """The receiving union (or a union above both) accepts: the member moves."""
    actor.require("member.manage")
    actor.require_covers(transfer.to_org)
    if transfer.state != TransferState.PENDING:
        raise ValidationError("该转会已处理。")
    require_member_union(transfer.to_org)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    on = max(transfer.on, _last_event_date(member) or transfer.on)
    _close_spell(member, on)
    _open_spell(member, transfer.to_org, member.status, on)
    _event(member, EventKind.TRANSFER_OUT, on, transfer.from_org, actor=actor, other=transfer.to_org, note=transfer.note)
    _event(member, EventKind.TRANSFER_IN, on, transfer.to_org, actor=actor, other=transfer.from_org, note=transfer.note)
    member.org, member.org_path = transfer.to_org, transfer.to_org.path
    member.save(update_fields=["org", "org_path", "updated_at"])
    for hook in MEMBER_MOVED_HOOKS:
        hook(actor=actor, member=member, from_org=transfer.from_org, to_org=transfer.to_org, on=on)
    _decide(actor, transfer, TransferState.CONFIRMED, "")
    audit_record(actor=actor, action="member.transfer.confirm", obj=transfer, org=transfer.to_org,
                 changes={"org": [transfer.from_org_id, transfer.to_org_id]})
    return member


@audited("member.transfer.reject", object_type="members.Transfer")
def transfer_reject(*, actor: Actor, transfer: Transfer, reason: str) -> None:
    actor.require("member.manage")
    actor.require_covers(transfer.to_org)
    if transfer.state != TransferState.PENDING:
        raise ValidationError("该转会已处理。")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写不予接收的原因。"})
    _decide(actor, transfer, TransferState.REJECTED, reason.strip())
    audit_record(actor=actor, action="member.transfer.reject", obj=transfer, org=transfer.to_org, message=reason.strip())


@audited("member.transfer.cancel", object_type="members.Transfer")
def transfer_cancel(*, actor: Actor, transfer: Transfer) -> None:
    actor.require("member.manage")
    actor.require_covers(transfer.from_org)
    if transfer.state != TransferState.PENDING:
        raise ValidationError("该转会已处理。")
    _decide(actor, transfer, TransferState.CANCELLED, "")
    audit_record(actor=actor, action="member.transfer.cancel", obj=transfer, org=transfer.from_org)


# --- sensitive fields --------------------------------------------------------------------


@audited("member.reveal", object_type="members.Member")
def member_reveal(*, actor: Actor, member: Member, field: str) -> str:
    """The clear value of a sensitive field, for a role that may see it; always audited."""
    actor.require("member.reveal")
    actor.require_covers(member.org)
    if field not in SENSITIVE:
        raise ValidationError("该字段不能查看。")
    audit_record(actor=actor, action="member.reveal", obj=member, message={"id_number": "查看完整身份证号", "phone": "查看完整手机号"}[field])
    return getattr(member, field)


# --- self-service ------------------------------------------------------------------------


def change_request_check(*, member: Member, field: str, value: str) -> str:
    """The value a member's request for `field` would store, or ValidationError keyed by
    that field — so a page asking for several fields can say which ones it refuses."""
    if field not in ChangeRequest.FIELDS:
        raise ValidationError({"field": "只能申请修改手机号或学历。"})
    label = ChangeRequest.FIELDS[field]
    value = (value or "").strip()
    if field == "phone":
        try:
            value = normalize_mobile(value)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages[0]}) from None
        if member.phone_hash and phone_hash(value) == member.phone_hash:
            raise ValidationError({"phone": "新手机号与现在登记的相同。"})
    else:
        from gonghui.members.choices import Education

        if value not in Education.values:
            raise ValidationError({"education": "请选择学历。"})
        if value == member.education:
            raise ValidationError({"education": "新学历与现在登记的相同。"})
    if member.change_requests.filter(field=field, state="pending").exists():
        raise ValidationError({field: f"您已有一条“{label}”的修改申请在审核中，审核后才能再次申请。"})
    return value


@audited("member.request", object_type="members.ChangeRequest")
def change_request_create(*, actor: Actor, member: Member, field: str, value: str) -> ChangeRequest:
    if actor.user is None or member.user_id != actor.user.pk:
        raise PermissionDenied("只能为本人提出修改申请。")
    value = change_request_check(member=member, field=field, value=value)
    request = ChangeRequest.objects.create(member=member, org_path=member.org_path, field=field, new_value=value)
    audit_record(actor=actor, action="member.request", obj=request, org=member.org,
                 changes={field: ["******", "******"] if field == "phone" else [member.education, value]})
    return request


@audited("member.request.decide", object_type="members.ChangeRequest")
def change_request_decide(*, actor: Actor, request: ChangeRequest, approve: bool, reason: str = "") -> ChangeRequest:
    actor.require("member.manage")
    actor.require_covers(request.member.org)
    if request.state != "pending":
        raise ValidationError("该申请已处理。")
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": "请填写驳回原因。"})
    if approve:
        member_update(actor=actor, member=request.member, **{request.field: request.new_value})
    request.state = "approved" if approve else "rejected"
    request.reason, request.decided_by, request.decided_at = (reason or "").strip()[:200], actor.user, timezone.now()
    request.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action="member.request.decide", obj=request, org=request.member.org,
                 message=("同意" if approve else f"驳回：{reason.strip()}"))
    return request
