"""Study assignments (学习任务): progress by branch, overdue members, the member's own pages,
paper submissions recorded by staff, files, period totals and another union kept out."""

import datetime as dt
import struct
import zlib
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.access.permissions import Role
from gonghui.activities import study, study_figures
from gonghui.activities.models import StudyAssignment, StudySubmission
from gonghui.audit.models import AuditEvent
from gonghui.members.models import Member
from gonghui.members.selectors import count_as_of
from gonghui.members.services import member_create, member_record_event
from gonghui.orgs.models import Kind
from gonghui.testing.factories import OrgFactory, actor_of, staff
from gonghui.testing.members import make_id

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=30)


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@dataclass
class World:
    b2: object
    own: list  # expected at the grassroots union itself
    b1: list  # expected in 一车间分会
    b2m: list  # expected in 二车间分会
    late: Member  # joined 二车间分会 after the start: may hand in, not expected
    gone_before: Member  # left before the start: not expected


@pytest.fixture
def world(tree, chair, people) -> World:
    b2 = OrgFactory(parent=tree.grassroots, code="B2", name="二车间分会", kind=Kind.BRANCH, employee_count=40)

    def new(org, name, joined=dt.date(2020, 1, 1)):
        return member_create(actor=chair, org=org, name=name, id_number=make_id(), joined_on=joined)

    b1 = [people.woman, new(tree.branch, "赵一"), new(tree.branch, "赵二")]
    left_after = new(tree.branch, "赵三")
    member_record_event(actor=chair, member=left_after, kind="withdraw", on=START + dt.timedelta(days=10))
    gone_before = new(tree.branch, "赵四")
    member_record_event(actor=chair, member=gone_before, kind="withdraw", on=START - dt.timedelta(days=10))
    b2m = [new(b2, "钱一"), new(b2, "钱二"), new(b2, "钱三")]
    late = new(b2, "钱新", joined=TODAY - dt.timedelta(days=5))
    return World(b2=b2, own=[people.man, *people.others], b1=[*b1, left_after], b2m=b2m, late=late, gone_before=gone_before)


def assignment(chair, org, *, title="读书心得", per_member=2, starts=START, due=TODAY - dt.timedelta(days=1), target=None):
    return study.assignment_create(actor=chair, org=org, title=title, per_member=per_member, starts_on=starts, due_on=due,
                                   target_org=target)


def hand_in(actor, a, member, n=1, on=None):
    for _ in range(n):
        study.submission_add(actor=actor, assignment=a, member=member, text="学习体会", submitted_on=on)


def test_it_counts_expected_and_submitted_pieces_by_branch_exactly(tree, chair, world, login, personas):
    a = assignment(chair, tree.grassroots)
    hand_in(chair, a, world.own[0], 2)
    hand_in(chair, a, world.own[1], 1)
    hand_in(chair, a, world.b1[0], 2)
    hand_in(chair, a, world.b2m[0], 1)
    hand_in(chair, a, world.late, 1)  # handed in, but not one of those expected

    p = study_figures.assignment_progress(chair, a)
    rows = {r.label: (r.members, r.expected, r.submitted) for r in p.rows}
    assert rows == {"本级": (6, 12, 3), tree.branch.display_name: (4, 8, 2), world.b2.display_name: (3, 6, 2)}
    assert (p.members, p.expected, p.submitted, p.submitters, p.complete) == (13, 26, 7, 5, 2)
    assert p.members == count_as_of(chair, tree.grassroots, START)
    assert p.rate == round(7 * 100 / 26, 1) and p.overdue

    page = login(personas.grassroots_chair).get(f"/activities/study/{a.pk}/")
    assert page.status_code == 200
    assert [(r.members, r.expected, r.submitted) for r in page.context["progress"].rows] == [(6, 12, 3), (4, 8, 2), (3, 6, 2)]
    listing = login(personas.grassroots_chair).get("/activities/study/")
    assert listing.context["rows"][0]["expected"] == 26 and listing.context["rows"][0]["submitted"] == 7


def test_it_lists_the_members_who_are_overdue_only_after_the_due_date(tree, chair, world, login, personas):
    a = assignment(chair, tree.grassroots)
    hand_in(chair, a, world.own[0], 2)
    hand_in(chair, a, world.own[1], 1)
    hand_in(chair, a, world.b1[0], 2)
    hand_in(chair, a, world.b2m[0], 1)
    overdue = {m.name: m.handed for m in study_figures.overdue_members(chair, a)}
    expected = {m.name for m in [*world.own, *world.b1, *world.b2m]} - {world.own[0].name, world.b1[0].name}
    assert set(overdue) == expected and len(overdue) == 11
    assert overdue[world.own[1].name] == 1 and overdue[world.b2m[0].name] == 1 and overdue["赵三"] == 0
    assert world.late.name not in overdue and world.gone_before.name not in overdue

    text = login(personas.grassroots_chair).get(f"/activities/study/{a.pk}/").content.decode()
    assert "逾期未交齐的会员" in text and "赵三" in text and world.own[0].id_number not in text

    running = assignment(chair, tree.grassroots, title="本季度心得", due=TODAY + dt.timedelta(days=10))
    assert not study_figures.overdue_members(chair, running).exists()
    page = login(personas.grassroots_chair).get(f"/activities/study/{running.pk}/")
    assert page.context["page"] is None and "截止日期" in page.content.decode()


def test_a_member_of_another_branch_cannot_submit_to_a_branch_assignment(tree, chair, world, people, login):
    a = assignment(chair, tree.grassroots, target=world.b2, due=TODAY + dt.timedelta(days=10))
    assert study_figures.assignment_progress(chair, a).members == 3
    client = login(people.woman.user)
    assert client.get(f"/activities/study/{a.pk}/submit/").status_code == 404
    assert client.post(f"/activities/study/{a.pk}/submit/", {"text": "我的心得"}).status_code == 404
    assert a.title not in client.get("/activities/study/mine/").content.decode()
    with pytest.raises(ValidationError, match="该学习任务不面向您所在的工会"):
        study.submission_add(actor=people.woman_actor, assignment=a, member=people.woman, text="我的心得")
    with pytest.raises(ValidationError, match="不面向李芳所在的工会"):
        study.submission_add(actor=chair, assignment=a, member=people.woman, text="代交")
    assert not StudySubmission.objects.exists()


def test_a_member_hands_in_from_the_phone_up_to_the_required_number(tree, chair, people, login):
    a = assignment(chair, tree.grassroots, per_member=2, due=TODAY + dt.timedelta(days=10))
    client = login(people.man.user)
    mine = client.get("/activities/study/mine/").content.decode()
    assert a.title in mine and "已交0篇 / 应交2篇" in mine
    bad = client.post(f"/activities/study/{a.pk}/submit/", {"title": "无内容", "text": "  "})
    assert "请填写内容或上传文件" in bad.content.decode() and not StudySubmission.objects.exists()
    for n in (1, 2):
        response = client.post(f"/activities/study/{a.pk}/submit/", {"title": f"第{n}篇", "text": "读《工会法》有感"})
        assert response.status_code == 302
    assert "已交2篇 / 应交2篇" in client.get("/activities/study/mine/").content.decode()
    # the page no longer offers the form, and the service refuses a third piece
    assert "无需再提交" in client.get(f"/activities/study/{a.pk}/submit/").content.decode()
    third = client.post(f"/activities/study/{a.pk}/submit/", {"text": "第三篇"})
    assert "已提交2篇，达到本任务的要求" in third.content.decode()
    assert StudySubmission.objects.filter(member=people.man).count() == 2
    assert list(StudySubmission.objects.order_by("seq").values_list("seq", "recorded_by")) == [(1, people.man.user.pk),
                                                                                                (2, people.man.user.pk)]


def test_the_member_sees_an_overdue_flag(tree, chair, people, login):
    assignment(chair, tree.grassroots, per_member=1)
    done = assignment(chair, tree.grassroots, title="已交的", per_member=1)
    hand_in(chair, done, people.man, on=START)
    rows = {r.assignment.title: r for r in study_figures.member_progress(people.man)}
    assert rows["读书心得"].overdue and not rows["已交的"].overdue and rows["已交的"].done
    text = login(people.man.user).get("/activities/study/mine/").content.decode()
    assert text.count('data-testid="overdue"') == 1


def test_files_are_checked_and_served_only_within_scope(tree, chair, people, login, personas, settings):
    settings.GONGHUI_ACTIVITY_FILE_MB = 1
    a = assignment(chair, tree.grassroots, due=TODAY + dt.timedelta(days=10))
    client = login(people.man.user)
    big_pdf = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\nstartxref\n0\n%%EOF\n"
    for upload, fragment in (
        (SimpleUploadedFile("扫描件.pdf", big_pdf, content_type="application/pdf"), "文件超过1MB"),
        (SimpleUploadedFile("心得.jpg", b"just some text, not a picture", content_type="image/jpeg"), "文件内容与扩展名不符"),
        (SimpleUploadedFile("心得.exe", b"MZ\x90\x00", content_type="application/octet-stream"), "只能上传图片"),
        (SimpleUploadedFile("心得.png", png_bytes()[:30], content_type="image/png"), "PNG图片不完整"),
    ):
        text = client.post(f"/activities/study/{a.pk}/submit/", {"text": "", "file": upload}).content.decode()
        assert fragment in text, fragment
    assert not StudySubmission.objects.exists()
    good = SimpleUploadedFile("手写心得.png", png_bytes(), content_type="image/png")
    assert client.post(f"/activities/study/{a.pk}/submit/", {"title": "手写稿", "file": good}).status_code == 302
    piece = StudySubmission.objects.get()
    assert piece.filename == "手写心得.png" and piece.content_type == "image/png" and len(piece.file_token) == 32

    own = client.get(f"/activities/study/pieces/{piece.pk}/file/")
    assert own.status_code == 200 and b"".join(own.streaming_content) == png_bytes() and own["Content-Type"] == "image/png"
    staff_client = login(personas.grassroots_chair)
    assert staff_client.get(f"/activities/study/pieces/{piece.pk}/file/").status_code == 200
    assert "手写稿" in staff_client.get(f"/activities/study/pieces/{piece.pk}/").content.decode()
    assert login(people.woman.user).get(f"/activities/study/pieces/{piece.pk}/file/").status_code == 404
    assert login(people.woman.user).get(f"/activities/study/pieces/{piece.pk}/").status_code == 404
    for who in (personas.outsider, personas.branch_lead):
        assert login(who).get(f"/activities/study/pieces/{piece.pk}/file/").status_code == 404


def test_staff_record_a_paper_piece_found_by_name_or_id(tree, chair, world, people, login, personas):
    a = assignment(chair, tree.grassroots, due=TODAY + dt.timedelta(days=10))
    twin = member_create(actor=chair, org=world.b2, name="王一", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    client = login(personas.grassroots_chair)
    url = f"/activities/study/{a.pk}/record/"
    base = {"member": "王一", "submitted_on": TODAY.isoformat(), "title": "纸质心得", "text": "手写稿已录入"}
    for change, fragment in (({}, "有2位名为“王一”的会员"), ({"member": "查无此人"}, "找不到会员“查无此人”"),
                             ({"member": "钱一", "submitted_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "不能晚于今天"),
                             ({"member": "钱一", "submitted_on": (START - dt.timedelta(days=1)).isoformat()}, "不能早于学习任务的开始日期"),
                             ({"member": "钱一", "text": ""}, "请填写内容或上传文件"),
                             ({"member": world.gone_before.name}, "不能提交")):
        text = client.post(url, {**base, **change}).content.decode()
        assert fragment in text, fragment
    assert not StudySubmission.objects.exists()
    assert client.post(url, {**base, "member": twin.id_number}).status_code == 302
    piece = StudySubmission.objects.get()
    assert piece.member == twin and piece.unit == world.b2 and piece.recorded_by == personas.grassroots_chair
    # a member outside the assignment's target is not found, even when in the staff's scope
    branch_only = assignment(chair, tree.grassroots, title="分会任务", target=tree.branch, due=TODAY + dt.timedelta(days=10))
    text = client.post(f"/activities/study/{branch_only.pk}/record/", {**base, "member": "钱一"}).content.decode()
    assert "找不到会员“钱一”" in text and StudySubmission.objects.count() == 1


def test_staff_remove_only_the_latest_piece_after_confirming(tree, chair, people, login, personas):
    a = assignment(chair, tree.grassroots, due=TODAY + dt.timedelta(days=10))
    hand_in(chair, a, people.man, 2)
    first, second = StudySubmission.objects.order_by("seq")
    client = login(personas.grassroots_chair)
    page = client.get(f"/activities/study/pieces/{second.pk}/").content.decode()
    assert "data-confirm=" in page and f"/activities/study/pieces/{second.pk}/remove/" in page
    assert f"/activities/study/pieces/{first.pk}/remove/" not in client.get(f"/activities/study/pieces/{first.pk}/").content.decode()
    response = client.post(f"/activities/study/pieces/{first.pk}/remove/", follow=True)
    assert "请先删除该会员后提交的篇目" in response.content.decode() and StudySubmission.objects.count() == 2
    assert client.get(f"/activities/study/pieces/{first.pk}/remove/").status_code == 405
    assert client.post(f"/activities/study/pieces/{second.pk}/remove/").status_code == 302
    assert list(StudySubmission.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditEvent.objects.filter(action="study.remove", result="success").count() == 1
    # a member cannot remove a piece, not even their own
    assert login(people.man.user).post(f"/activities/study/pieces/{first.pk}/remove/").status_code == 403
    assert StudySubmission.objects.count() == 1


def test_it_creates_and_edits_assignments_and_explains_bad_input(tree, chair, people, login, personas):
    client = login(personas.grassroots_chair)
    bad = {"org_code": "G1", "target_code": "", "title": "季度心得", "noun": "", "per_member": "1",
           "starts_on": "2025-09-10", "due_on": "2025-09-01", "description": "", "books": "《工会法》"}
    assert "截止日期不能早于开始日期" in client.post("/activities/study/new/", bad).content.decode()
    assert "不在您的管辖范围内" in client.post("/activities/study/new/", {**bad, "target_code": "G2"}).content.decode()
    assert "不在您的管辖范围内" in client.post("/activities/study/new/", {**bad, "org_code": "G2"}).content.decode()
    assert "指定分会须是布置工会本身或其下级工会" in client.post(
        "/activities/study/new/", {**bad, "org_code": "B1", "target_code": "G1", "due_on": "2025-09-30"}).content.decode()
    assert not StudyAssignment.objects.exists()
    response = client.post("/activities/study/new/", {**bad, "target_code": "B1", "due_on": "2025-09-30"})
    a = StudyAssignment.objects.get()
    assert response.status_code == 302 and (a.target_org, a.target_path, a.noun) == (tree.branch, tree.branch.path, "学习心得")
    edit = {k: v for k, v in bad.items() if k not in ("org_code", "target_code")}
    edit.update(starts_on=START.isoformat(), due_on=TODAY.isoformat(), per_member="2")
    assert client.post(f"/activities/study/{a.pk}/edit/", edit).status_code == 302
    a.refresh_from_db()
    hand_in(chair, a, people.woman, 2)
    text = client.post(f"/activities/study/{a.pk}/edit/", {**edit, "per_member": "1", "title": "改名"}).content.decode()
    assert "已有会员提交了第2篇，每人应交篇数不能少于2" in text
    a.refresh_from_db()
    assert (a.per_member, a.title) == (2, "季度心得")
    # a member and a view-only role cannot set assignments
    assert login(people.man.user).get("/activities/study/new/").status_code == 403
    finance = staff(tree.grassroots, Role.FINANCE, username="finance_g1")
    assert login(finance).get("/activities/study/new/").status_code == 403
    assert login(finance).get(f"/activities/study/{a.pk}/").status_code == 200


def test_another_union_gets_404_on_every_study_route(tree, chair, people, login, personas):
    a = assignment(chair, tree.grassroots, due=TODAY + dt.timedelta(days=10))
    hand_in(chair, a, people.man, 1)
    piece = StudySubmission.objects.get()
    client = login(personas.outsider)
    for url in (f"/activities/study/{a.pk}/", f"/activities/study/{a.pk}/edit/", f"/activities/study/{a.pk}/pieces/",
                f"/activities/study/{a.pk}/record/", f"/activities/study/pieces/{piece.pk}/",
                f"/activities/study/pieces/{piece.pk}/file/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/activities/study/pieces/{piece.pk}/remove/").status_code == 404
    assert client.post(f"/activities/study/{a.pk}/edit/", {"title": "改名"}).status_code == 404
    assert client.post(f"/activities/study/{a.pk}/record/", {"member": "张伟", "text": "x"}).status_code == 404
    listing = client.get("/activities/study/").content.decode()
    assert a.title not in listing and "不在您的管辖范围内" in client.get("/activities/study/?org=G1").content.decode()
    assert StudySubmission.objects.count() == 1 and StudyAssignment.objects.get().title == "读书心得"
    outsider = actor_of(personas.outsider)
    with pytest.raises(PermissionDenied):
        study_figures.assignment_progress(outsider, a)
    with pytest.raises(PermissionDenied):
        study_figures.study_totals(outsider, tree.grassroots, START, TODAY)


def test_study_totals_count_assignments_due_in_the_period(tree, chair, world, personas):
    first = assignment(chair, tree.grassroots, title="上半年读书心得", per_member=1, due=TODAY - dt.timedelta(days=2))
    branch = study.assignment_create(actor=chair, org=tree.branch, title="分会读书笔记", noun="读书笔记", per_member=2,
                                     starts_on=START, due_on=TODAY - dt.timedelta(days=1))
    later = assignment(chair, tree.grassroots, title="下季度", per_member=1, due=TODAY + dt.timedelta(days=60))
    hand_in(chair, first, world.own[0], on=START)
    hand_in(chair, first, world.b2m[0], on=TODAY)  # after the period's end below
    hand_in(chair, branch, world.b1[0], 2, on=START)
    hand_in(chair, later, world.own[1], on=START)

    totals = study_figures.study_totals(chair, tree.grassroots, START, TODAY - dt.timedelta(days=1))
    assert (totals.assignments, totals.expected, totals.submitted) == (2, 13 * 1 + 4 * 2, 1 + 2)
    assert {(n.noun, n.assignments, n.expected, n.submitted) for n in totals.by_noun} == {("学习心得", 1, 13, 1), ("读书笔记", 1, 8, 2)}
    whole = study_figures.study_totals(chair, tree.grassroots, START, TODAY)
    assert (whole.expected, whole.submitted) == (21, 4)
    own = study_figures.study_totals(chair, tree.grassroots, START, TODAY, subtree=False)
    assert (own.assignments, own.expected, own.submitted) == (1, 13, 2)
    lead = actor_of(personas.branch_lead)
    mine = study_figures.study_totals(lead, tree.branch, START, TODAY)
    assert (mine.assignments, mine.expected, mine.submitted) == (1, 8, 2)
