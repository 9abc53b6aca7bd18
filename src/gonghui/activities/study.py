"""Writes for study assignments (学习任务) and what members hand in for them.

An assignment targets the members of the setting union's subtree, or of one union below it
(`target_org`). A member hands in pieces numbered 1..per_member; staff may record a piece
handed in on paper. Files go through `attachments.store_file` (images and PDF only)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.access.actor import Actor
from gonghui.activities.models import StudyAssignment, StudySubmission
from gonghui.activities.services import user_of
from gonghui.audit.services import audit_record, field_changes, snapshot
from gonghui.core.services import audited
from gonghui.members.choices import GOOD_STANDING
from gonghui.orgs.models import Org

ASSIGNMENT_FIELDS = ("title", "noun", "description", "books", "per_member", "starts_on", "due_on")


def _clean(values: dict, *, org: Org, instance: StudyAssignment | None = None) -> dict:
    errors = {}
    for key in ("title", "noun", "description", "books"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    if "title" in values:
        if not values["title"]:
            errors["title"] = "请填写学习任务名称。"
        elif len(values["title"]) > 100:
            errors["title"] = "学习任务名称最多100个字。"
        elif StudyAssignment.objects.filter(org=org, title=values["title"]).exclude(pk=getattr(instance, "pk", None)).exists():
            errors["title"] = f"本工会已有名为“{values['title']}”的学习任务。"
    if "noun" in values and not values["noun"]:
        values["noun"] = "学习心得"
    if len(values.get("noun") or "") > 20:
        errors["noun"] = "提交物名称最多20个字。"
    if "per_member" in values:
        try:
            values["per_member"] = int(values["per_member"] or 1)
        except (TypeError, ValueError):
            values["per_member"] = 0
        if not 1 <= values["per_member"] <= 50:
            errors["per_member"] = "每人应交篇数应为1至50。"
    starts = values.get("starts_on", getattr(instance, "starts_on", None))
    due = values.get("due_on", getattr(instance, "due_on", None))
    if not starts:
        errors["starts_on"] = "请填写开始日期。"
    if not due:
        errors["due_on"] = "请填写截止日期。"
    if starts and due and due < starts:
        errors["due_on"] = "截止日期不能早于开始日期。"
    for key, limit in (("description", 5000), ("books", 5000)):
        if len(values.get(key) or "") > limit:
            errors[key] = f"最多{limit}个字。"
    if errors:
        raise ValidationError(errors)
    return values


@audited("study.create", object_type="activities.StudyAssignment")
def assignment_create(*, actor: Actor, org: Org, title: str, starts_on: dt.date, due_on: dt.date, per_member: int = 1,
                      noun: str = "学习心得", description: str = "", books: str = "", target_org: Org | None = None) -> StudyAssignment:
    actor.require("activities.manage")
    actor.require_covers(org)
    if not org.is_active:
        raise ValidationError({"org": f"“{org.name}”已停用，不能布置学习任务。"})
    if target_org is not None and not target_org.path.startswith(org.path):
        raise ValidationError({"target_org": "指定分会须是布置工会本身或其下级工会。"})
    values = _clean({"title": title, "starts_on": starts_on, "due_on": due_on, "per_member": per_member, "noun": noun,
                     "description": description or "", "books": books or ""}, org=org)
    target = target_org or org
    assignment = StudyAssignment.objects.create(org=org, org_path=org.path, target_org=target_org, target_path=target.path,
                                                created_by=user_of(actor), **values)
    audit_record(actor=actor, action="study.create", obj=assignment, org=org,
                 changes=field_changes({}, snapshot(assignment, ASSIGNMENT_FIELDS)))
    return assignment


@audited("study.update", object_type="activities.StudyAssignment")
def assignment_update(*, actor: Actor, assignment: StudyAssignment, **fields) -> StudyAssignment:
    actor.require("activities.manage")
    actor.require_covers(assignment.org)
    before = snapshot(assignment, ASSIGNMENT_FIELDS)
    values = _clean({k: v for k, v in fields.items() if k in ASSIGNMENT_FIELDS}, org=assignment.org, instance=assignment)
    if "per_member" in values and values["per_member"] < assignment.per_member:
        top = assignment.submissions.order_by("-seq").values_list("seq", flat=True).first() or 0
        if top > values["per_member"]:
            raise ValidationError({"per_member": f"已有会员提交了第{top}篇，每人应交篇数不能少于{top}。"})
    for key, value in values.items():
        setattr(assignment, key, value)
    changes = field_changes(before, snapshot(assignment, ASSIGNMENT_FIELDS))
    if changes:
        assignment.save()
        audit_record(actor=actor, action="study.update", obj=assignment, org=assignment.org, changes=changes)
    return assignment


@audited("study.submit", object_type="activities.StudySubmission")
def submission_add(*, actor: Actor, assignment: StudyAssignment, member, title: str = "", text: str = "", upload=None,
                   submitted_on: dt.date | None = None) -> StudySubmission:
    """A member hands in their next piece (or staff record one handed in on paper)."""
    own = member is not None and actor.user is not None and member.user_id == actor.user.pk
    if own and not actor.can("activities.manage"):
        actor.require("self.member")
    else:
        actor.require("activities.manage")
        actor.require_covers(assignment.org)
        if not actor.covers(member.org):
            raise ValidationError({"member": "该会员不在您的管辖范围内。"})
    if not member.org_path.startswith(assignment.target_path):
        raise ValidationError({"member": "该学习任务不面向您所在的工会。" if own else f"学习任务不面向{member.name}所在的工会。"})
    if member.status not in GOOD_STANDING:
        raise ValidationError({"member": "会籍状态不是“正常”或“保留会籍”，不能提交。"})
    today = dt.date.today()
    submitted_on = submitted_on or today
    if submitted_on > today:
        raise ValidationError({"submitted_on": "提交日期不能晚于今天。"})
    if submitted_on < assignment.starts_on:
        raise ValidationError({"submitted_on": "提交日期不能早于学习任务的开始日期。"})
    title, text = (title or "").strip(), (text or "").strip()
    if len(title) > 100:
        raise ValidationError({"title": "题目最多100个字。"})
    if len(text) > 50000:
        raise ValidationError({"text": "内容最多50000个字；篇幅较长时请上传文件。"})
    if not text and upload is None:
        raise ValidationError({"text": "请填写内容或上传文件。"})
    # Locked so that two pieces sent at once (a double tap) are numbered one after the other
    # instead of both taking the same number (PostgreSQL; SQLite writes one at a time anyway).
    StudyAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    seq = (assignment.submissions.filter(member=member).order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    if seq > assignment.per_member:
        raise ValidationError({"text": f"已提交{assignment.per_member}篇，达到本任务的要求。"})
    stored = None
    if upload is not None:
        from gonghui.activities.attachments import store_file

        stored = store_file(upload, folder=f"study/{assignment.pk}")
    try:
        with transaction.atomic():
            sub = StudySubmission.objects.create(
                assignment=assignment, org_path=assignment.org_path, member=member, unit_id=member.org_id,
                unit_path=member.org_path, seq=seq, title=title, text=text, submitted_on=submitted_on,
                recorded_by=user_of(actor), file_token=stored.token if stored else "",
                filename=stored.filename if stored else "", content_type=stored.content_type if stored else "")
    except BaseException as exc:
        # Nothing half-saved: no row, so no file either.
        if stored is not None:
            from gonghui.activities.attachments import delete_file

            delete_file(stored.token, folder=f"study/{assignment.pk}")
        if isinstance(exc, IntegrityError):
            raise ValidationError({"text": f"第{seq}篇刚刚已经提交，请刷新页面查看。"}) from None
        raise
    audit_record(actor=actor, action="study.submit", obj=sub, org=assignment.org, message=f"{assignment.title}：{member.name} 第{seq}篇")
    return sub


@audited("study.remove", object_type="activities.StudySubmission")
def submission_remove(*, actor: Actor, submission: StudySubmission) -> None:
    actor.require("activities.manage")
    actor.require_covers(submission.assignment.org)
    top = submission.assignment.submissions.filter(member_id=submission.member_id).order_by("-seq").values_list("seq", flat=True).first()
    if top != submission.seq:
        raise ValidationError({"submission": "请先删除该会员后提交的篇目。"})
    audit_record(actor=actor, action="study.remove", obj=submission, org=submission.assignment.org,
                 message=f"{submission.assignment.title}：{submission.member.name} 第{submission.seq}篇")
    token = submission.file_token
    submission.delete()
    if token:
        from gonghui.activities.attachments import delete_file

        transaction.on_commit(lambda: delete_file(token, folder=f"study/{submission.assignment_id}"))
