"""Study assignment pages (学习任务): staff set assignments, follow progress by branch, see
who is overdue and record pieces handed in on paper; a member sees their own assignments
and hands in a piece from the phone. Input and display only: rules live in `study.py`,
reads in `selectors.py` and `study_figures.py`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.activities import selectors, study, study_figures
from gonghui.members.selectors import member_of_user
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.forms import DateInput, StyledForm
from gonghui.web.http import flash_service, staff_view
from gonghui.web.paging import keyset_page
from gonghui.web.params import param_str

UPLOAD_HELP = "可选。图片（JPG、PNG）或PDF文件，如手写心得的照片或扫描件。"


# --- forms ------------------------------------------------------------------------------------


class AssignmentForm(StyledForm):
    title = forms.CharField(label="学习任务名称", max_length=100, help_text="如：2025年第三季度读书学习心得。")
    noun = forms.CharField(label="提交物", max_length=20, required=False, initial="学习心得",
                           help_text="总结中的称呼，如：学习心得、读书笔记、答题卡。")
    per_member = forms.IntegerField(label="每人应交篇数", min_value=1, max_value=50, initial=1)
    starts_on = forms.DateField(label="开始日期", widget=DateInput(),
                                help_text="应交人数按这一天在册的会员（正常、保留会籍）计算。")
    due_on = forms.DateField(label="截止日期", widget=DateInput())
    description = forms.CharField(label="要求", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    books = forms.CharField(label="书目/学习材料", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="每行一本（一项）。")


class AssignmentCreateForm(AssignmentForm):
    org_code = forms.CharField(label="布置工会编码", max_length=32, help_text="默认为当前工作单位；也可填下级工会的编码。")
    target_code = forms.CharField(label="指定分会编码", max_length=32, required=False,
                                  help_text="留空：布置工会及其全部下级工会的会员；填写后只面向该工会（含其下级）的会员。")

    field_order = ["org_code", "target_code"]


class PieceForm(StyledForm):
    title = forms.CharField(label="题目", max_length=100, required=False)
    text = forms.CharField(label="内容", max_length=50000, required=False, widget=forms.Textarea(attrs={"rows": 8}))
    # A plain file input: the clearable one's "clear" box would hand the view False.
    file = forms.FileField(label="上传文件", required=False, help_text=UPLOAD_HELP,
                           widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}))


class PaperPieceForm(PieceForm):
    member = forms.CharField(label="会员（姓名或身份证号）", max_length=30, help_text="同名时请填身份证号。")
    submitted_on = forms.DateField(label="提交日期", widget=DateInput())

    field_order = ["member", "submitted_on", "title", "text", "file"]


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    org = forms.CharField(required=False, max_length=32)


# --- staff ------------------------------------------------------------------------------------


def _org_or_error(actor, form, field, code):
    try:
        return org_get_by_code(actor, code)
    except Http404:
        form.add_error(field, ORG_NOT_IN_SCOPE)
        return None


@staff_view("activities.view")
def study_list(request):
    actor = request.actor
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = _org_or_error(actor, form, "org", data["org"]) if data.get("org") else None
    qs = study_figures.assignment_search(actor, q=data.get("q", ""), org=org)
    page = keyset_page(qs, order=("-due_on", "-id"), cursor=request.GET.get("cursor"), size=20)
    figures = study_figures.list_figures(actor, page.rows)
    rows = [{"a": a, **figures[a.pk]} for a in page.rows]
    return render(request, "activities/study_list.html", {"form": form, "page": page, "rows": rows, "today": dt.date.today(),
                                                          "can_manage": actor.can("activities.manage")})


@staff_view("activities.manage")
def study_create(request):
    actor = request.actor
    form = AssignmentCreateForm(request.POST or None, initial={"org_code": actor.org.code if actor.org else ""})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = _org_or_error(actor, form, "org_code", data.pop("org_code"))
        code = data.pop("target_code")
        target = _org_or_error(actor, form, "target_code", code) if code else None
        if org is not None and not (code and target is None):
            try:
                assignment = study.assignment_create(actor=actor, org=org, target_org=target, **data)
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已布置学习任务“{assignment.title}”。")
                return redirect("activities:study_detail", assignment.pk)
    return render(request, "activities/study_form.html", {
        "form": form, "title": "布置学习任务",
        "purpose": "为本工会及下级工会（或指定分会）的会员布置学习任务，如每人每季度写一篇学习心得；截止后可查看各分会应交、实交和逾期未交的会员。"})


@staff_view("activities.manage")
def study_edit(request, assignment_id):
    actor = request.actor
    assignment = selectors.assignment_get(actor, assignment_id)
    initial = {f: getattr(assignment, f) for f in study.ASSIGNMENT_FIELDS}
    form = AssignmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            study.assignment_update(actor=actor, assignment=assignment, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已保存。")
            return redirect("activities:study_detail", assignment.pk)
    return render(request, "activities/study_form.html", {
        "form": form, "title": f"修改学习任务：{assignment.title}", "assignment": assignment,
        "purpose": "修改名称、要求、篇数和日期；改动开始日期会按新日期重新计算应交人数。"})


@staff_view("activities.view")
def study_detail(request, assignment_id):
    actor = request.actor
    assignment = selectors.assignment_get(actor, assignment_id)
    progress = study_figures.assignment_progress(actor, assignment)
    overdue = study_figures.overdue_members(actor, assignment)
    page = keyset_page(overdue, order=("name_pinyin", "id"), cursor=request.GET.get("cursor"), size=50) if progress.overdue else None
    return render(request, "activities/study_detail.html", {
        "a": assignment, "progress": progress, "page": page, "can_manage": actor.can("activities.manage"),
        "books": [line.strip() for line in assignment.books.splitlines() if line.strip()]})


@staff_view("activities.view")
def study_pieces(request, assignment_id):
    actor = request.actor
    assignment = selectors.assignment_get(actor, assignment_id)
    q = param_str(request, "q", max_length=30, label="会员")
    qs = study_figures.submissions_of(actor, assignment, q=q)
    page = keyset_page(qs, order=("-id",), cursor=request.GET.get("cursor"), size=50)
    return render(request, "activities/study_pieces.html", {"a": assignment, "page": page, "q": q,
                                                            "can_manage": actor.can("activities.manage")})


@staff_view("activities.manage")
def study_record(request, assignment_id):
    """A piece handed in on paper, recorded by staff for the member."""
    actor = request.actor
    assignment = selectors.assignment_get(actor, assignment_id)
    today = dt.date.today()
    form = PaperPieceForm(request.POST or None, request.FILES or None,
                          initial={"submitted_on": min(today, assignment.due_on)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = study_figures.member_for_assignment(actor, assignment, data["member"])
            piece = study.submission_add(actor=actor, assignment=assignment, member=member, title=data["title"], text=data["text"],
                                         upload=data.get("file") or None, submitted_on=data["submitted_on"])
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已登记{member.name}的第{piece.seq}篇{assignment.noun}。")
            return redirect("activities:study_record", assignment.pk)
    return render(request, "activities/study_record.html", {"a": assignment, "form": form})


@staff_view()
def study_submission(request, submission_id):
    """One piece: for staff within their scope, or for the member who handed it in."""
    actor = request.actor
    piece = study_figures.submission_for(actor, request.user, submission_id)
    staff = actor.can("activities.view")
    return render(request, "activities/study_submission.html", {
        "p": piece, "a": piece.assignment, "staff": staff,
        "can_remove": actor.can("activities.manage") and study_figures.is_latest(piece)})


@staff_view()
def study_file(request, submission_id):
    """The file of a piece, sent only to those who may see the piece."""
    piece = study_figures.submission_for(request.actor, request.user, submission_id)
    if not piece.file_token:
        raise Http404("该篇没有上传文件。")
    from gonghui.activities.attachments import CONTENT_TYPES, open_file

    handle = open_file(piece.file_token, folder=f"study/{piece.assignment_id}")
    # Only a type the upload check recognised is shown in the browser; anything else (an
    # older row, a hand-edited one) is offered as a download of opaque bytes.
    known = piece.content_type in CONTENT_TYPES
    response = FileResponse(handle, as_attachment=not known, filename=piece.filename or "附件",
                            content_type=piece.content_type if known else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    # A member's upload opened on its own is a document of this site: like an activity's
    # attachment (views.attachment) it may run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@require_POST
@staff_view("activities.manage")
def study_remove(request, submission_id):
    piece = selectors.submission_get(request.actor, submission_id)
    done = flash_service(request, lambda: study.submission_remove(actor=request.actor, submission=piece),
                         f"已删除{piece.member.name}的第{piece.seq}篇。")
    if done:
        return redirect("activities:study_pieces", piece.assignment_id)
    return redirect("activities:study_submission", piece.pk)


# --- the member ---------------------------------------------------------------------------------


def _own_member(request):
    member = member_of_user(request.user)
    if member is None:
        raise Http404("您的账号没有关联会员信息。")
    return member


@staff_view("self.member")
def study_mine(request):
    member = _own_member(request)
    return render(request, "activities/study_mine.html", {"m": member, "rows": study_figures.member_progress(member)})


@staff_view("self.member")
def study_submit(request, assignment_id):
    member = _own_member(request)
    assignment = study_figures.member_assignment_get(member, assignment_id)
    handed = study_figures.member_handed(member, assignment)
    form = PieceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            piece = study.submission_add(actor=request.actor, assignment=assignment, member=member, title=data["title"],
                                         text=data["text"], upload=data.get("file") or None)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已提交第{piece.seq}篇{assignment.noun}，共需{assignment.per_member}篇。")
            return redirect("activities:study_mine")
    return render(request, "activities/study_submit.html", {
        "a": assignment, "form": form, "handed": handed, "done": len(handed) >= assignment.per_member,
        "overdue": dt.date.today() > assignment.due_on,
        "books": [line.strip() for line in assignment.books.splitlines() if line.strip()]})


urlpatterns = [
    path("study/", study_list, name="study"),
    path("study/new/", study_create, name="study_create"),
    path("study/mine/", study_mine, name="study_mine"),
    path("study/<int:assignment_id>/", study_detail, name="study_detail"),
    path("study/<int:assignment_id>/edit/", study_edit, name="study_edit"),
    path("study/<int:assignment_id>/pieces/", study_pieces, name="study_pieces"),
    path("study/<int:assignment_id>/record/", study_record, name="study_record"),
    path("study/<int:assignment_id>/submit/", study_submit, name="study_submit"),
    path("study/pieces/<int:submission_id>/", study_submission, name="study_submission"),
    path("study/pieces/<int:submission_id>/file/", study_file, name="study_file"),
    path("study/pieces/<int:submission_id>/remove/", study_remove, name="study_remove"),
]
