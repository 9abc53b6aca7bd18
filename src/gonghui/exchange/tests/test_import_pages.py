"""The generic web import pages (/imports/<kind>/) for every module kind: upload, a
background check, the preview with each rejected row's Chinese error, the .xlsx error
report, confirmation (all or nothing, or valid rows only), scope and permissions.

Background jobs run inline once the request's transaction commits
(django_capture_on_commit_callbacks(execute=True)), as in members/tests/test_views.py.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.access.actor import Actor
from gonghui.assistance import sheets as assistance_sheets
from gonghui.assistance.models import AssistanceRecord, Household
from gonghui.assistance.tests.factories import member as assistance_member
from gonghui.benefits import sheets as benefits_sheets
from gonghui.benefits.models import BenefitRecord, RuleSet
from gonghui.benefits.services import ruleset_choose
from gonghui.donations import services as donation_services
from gonghui.donations import sheets as donations_sheets
from gonghui.donations.models import Donation
from gonghui.exchange import files
from gonghui.exchange.models import ImportJob
from gonghui.exchange.registry import EXCHANGES
from gonghui.exchange.sheets import read_table
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster

TODAY = dt.date.today()
YEAR = TODAY.year
KINDS = ["hardship", "assistance", "benefits", "donations"]
LIST_PAGES = {"hardship": "/assistance/", "assistance": "/assistance/records/", "benefits": "/benefits/", "donations": "/donations/"}


@dataclass
class Case:
    """One kind's import files: two good rows, and the same with the second row broken."""

    kind: str
    headers: list[str]
    good: list[dict]
    bad: list[dict]
    fragment: str  # in the Chinese error of the broken row
    written: Callable[[], int]


def _hardship(tree, personas) -> Case:
    people = [assistance_member(tree.grassroots, f"困难{i}") for i in range(2)]
    rows = [{"户主身份证号": m.id_number, "户主姓名": m.name, "申请日期": "2025-01-05", "致困原因": "疾病、子女上学",
             "家庭人口": 3, "家庭年收入": 24000, "刚性支出": 6000} for m in people]
    return Case("hardship", [c.header for c in assistance_sheets.HARDSHIP_COLUMNS], rows,
                [rows[0], {**rows[1], "家庭人口": 0}], "家庭人口", Household.objects.count)


def _assistance(tree, personas) -> Case:
    people = [assistance_member(tree.grassroots, f"受助{i}") for i in range(2)]
    rows = [{"受助人身份证号": m.id_number, "日期": "2025-01-20", "帮扶类型": "元旦春节送温暖", "现金": 500, "资金来源": "本级经费"}
            for m in people]
    return Case("assistance", [c.header for c in assistance_sheets.RECORD_COLUMNS], rows,
                [rows[0], {**rows[1], "受助人身份证号": "110105199003070018"}], "校验", AssistanceRecord.objects.count)


def _benefits(tree, personas) -> Case:
    ruleset_choose(actor=Actor.system(), org=tree.district, ruleset=RuleSet.objects.get(name="安徽2025标准"))
    a, b = (member_create(actor=Actor.system(), org=tree.grassroots, name=name, id_number=make_id(dt.date(1985, 6, 15), male=male),
                          joined_on=dt.date(2015, 5, 1)) for name, male in (("王芳", False), ("李四", True)))
    rows = [{"身份证号": m.id_number, "姓名": m.name, "慰问类别": "节日慰问", "节日": "春节", "发放日期": f"{YEAR}-01-20",
             "形式": "实物", "金额（元）": "300", "物品/说明": "大米"} for m in (a, b)]
    return Case("benefits", benefits_sheets.HEADERS, rows, [rows[0], {**rows[1], "形式": "现金"}], "只能发放实物",
                BenefitRecord.objects.count)


def _donations(tree, personas) -> Case:
    chair = actor_of(personas.grassroots_chair)
    drive = donation_services.drive_create(actor=chair, org=tree.grassroots, name="抗震救灾爱心捐款", purpose="灾区",
                                           starts_on=TODAY - dt.timedelta(days=5), ends_on=TODAY + dt.timedelta(days=5))
    number = make_id()
    member_create(actor=chair, org=tree.branch, name="张三", id_number=number, joined_on=dt.date(2020, 1, 1))
    rows = [{"捐款活动": drive.name, "会员身份证号": number, "金额": "100", "捐款日期": TODAY.isoformat()},
            {"捐款活动": str(drive.pk), "单位或个人名称": "临江机械厂", "金额": "2000", "捐款日期": TODAY.isoformat(), "方式": "转账"}]
    return Case("donations", donations_sheets.HEADERS, rows, [rows[0], {**rows[1], "金额": "-10"}], "金额应大于0",
                Donation.objects.count)


BUILD = {"hardship": _hardship, "assistance": _assistance, "benefits": _benefits, "donations": _donations}


@pytest.fixture(params=KINDS)
def case(request, tree, personas) -> Case:
    return BUILD[request.param](tree, personas)


def upload(client, case, path, capture, org_code="G1"):
    with open(path, "rb") as fh, capture(execute=True):
        return client.post(f"/imports/{case.kind}/", {"file": fh, "org_code": org_code})


def test_a_good_file_is_checked_then_imported(case, personas, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(personas.grassroots_chair)
    start = client.get(f"/imports/{case.kind}/").content.decode()
    label = EXCHANGES[case.kind].label
    assert f"批量导入{label}" in start and f"/imports/{case.kind}/template.xlsx" in start and EXCHANGES[case.kind].import_help in start
    template = client.get(f"/imports/{case.kind}/template.xlsx")
    assert template.status_code == 200 and template["Content-Disposition"].startswith("attachment")

    response = upload(client, case, write_roster(tmp_path / "好文件.xlsx", case.good, case.headers), django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{case.kind}/{check.pk}/"
    assert (check.kind, check.state, check.dry_run, check.created, check.rejected) == (case.kind, "done", True, 2, 0)
    assert case.written() == 0  # a check writes nothing
    page = client.get(response.url).content.decode()
    assert "将新增 <strong>2</strong> 条" in page and "确认导入" in page and "好文件.xlsx" in page
    part = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-job"' in part and "<html" not in part and "hx-trigger" not in part  # finished: no polling
    assert "好文件.xlsx" in client.get(f"/imports/{case.kind}/").content.decode()  # 我最近的导入: come back later

    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(f"/imports/{case.kind}/{check.pk}/confirm/")
    final = ImportJob.objects.latest("id")
    assert confirm.url == f"/imports/{case.kind}/{final.pk}/"
    assert (final.dry_run, final.mode, final.written, final.created) == (False, "all", True, 2)
    assert case.written() == 2
    assert "导入完成：新增 2 条" in client.get(confirm.url).content.decode()


def test_a_bad_row_is_explained_and_nothing_is_written_unless_asked(case, personas, login, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    client = login(personas.grassroots_chair)
    upload(client, case, write_roster(tmp_path / "有错.xlsx", case.bad, case.headers), django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    assert (check.state, check.created, check.rejected) == ("done", 1, 1)
    page = client.get(f"/imports/{case.kind}/{check.pk}/").content.decode()
    assert "第3行" in page and case.fragment in page and 'data-testid="rejected-count">1<' in page
    assert "全部正确才导入" in page and "只导入正确的行" in page

    report = client.get(f"/imports/{case.kind}/{check.pk}/errors.xlsx")
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    saved = tmp_path / "errors.xlsx"
    saved.write_bytes(b"".join(report.streaming_content))
    table = read_table(saved, expected_headers=["行号", "错误说明"])
    assert [(int(cells[0]), case.fragment in cells[1]) for _, cells in table.rows] == [(3, True)] * len(table.rows)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{case.kind}/{check.pk}/confirm/", {"mode": "all"})
    refused = ImportJob.objects.latest("id")
    assert (refused.dry_run, refused.mode, refused.written) == (False, "all", False) and case.written() == 0
    assert "没有导入任何数据" in client.get(f"/imports/{case.kind}/{refused.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{case.kind}/{check.pk}/confirm/", {"mode": "valid"})
    partial = ImportJob.objects.latest("id")
    assert (partial.mode, partial.written, partial.created, partial.rejected) == ("valid", True, 1, 1) and case.written() == 1


def test_another_unions_job_and_another_kinds_job_are_not_found(case, tree, personas, login):
    theirs = ImportJob.objects.create(kind=case.kind, org=tree.sibling_grassroots, org_path=tree.sibling_grassroots.path,
                                      filename="隔壁文件.xlsx", token="0" * 32, state="done", error_count=1, errors=[[2, "隔壁错误"]])
    other_kind = next(k for k in KINDS if k != case.kind)
    ours = ImportJob.objects.create(kind=other_kind, org=tree.grassroots, org_path=tree.grassroots.path, filename="别的.xlsx",
                                    token="0" * 32, state="done")
    client = login(personas.grassroots_chair)
    for job in (theirs, ours):
        for suffix in ("", "errors.xlsx"):
            response = client.get(f"/imports/{case.kind}/{job.pk}/{suffix}")
            assert response.status_code == 404 and "隔壁" not in response.content.decode()
        assert client.post(f"/imports/{case.kind}/{job.pk}/confirm/", {"mode": "valid"}).status_code == 404
    assert ImportJob.objects.count() == 2
    assert "隔壁文件" not in client.get(f"/imports/{case.kind}/").content.decode()
    # the other union's own staff see it
    assert login(personas.outsider).get(f"/imports/{case.kind}/{theirs.pk}/").status_code == 200


def test_a_role_without_the_permission_is_refused(case, tree, personas, login):
    job = ImportJob.objects.create(kind=case.kind, org=tree.branch, org_path=tree.branch.path, filename="x.xlsx",
                                   token="0" * 32, state="done")
    lead = login(personas.branch_lead)  # 分会负责人: may view the module, not import into it
    for url in (f"/imports/{case.kind}/", f"/imports/{case.kind}/template.xlsx", f"/imports/{case.kind}/{job.pk}/",
                f"/imports/{case.kind}/{job.pk}/errors.xlsx"):
        assert lead.get(url).status_code == 403, url
    assert lead.post(f"/imports/{case.kind}/{job.pk}/confirm/").status_code == 403
    assert ImportJob.objects.count() == 1
    link = f'href="/imports/{case.kind}/"'
    assert link not in lead.get(LIST_PAGES[case.kind]).content.decode()
    assert link in login(personas.grassroots_chair).get(LIST_PAGES[case.kind]).content.decode()


def test_a_union_outside_the_scope_is_refused_in_chinese(case, personas, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(personas.grassroots_chair)
    response = upload(client, case, write_roster(tmp_path / "f.xlsx", case.good, case.headers), django_capture_on_commit_callbacks,
                      org_code="G2")
    assert response.status_code == 200 and "找不到该编码的工会，或它不在您的管辖范围内。" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        missing = client.post(f"/imports/{case.kind}/", {"org_code": "G1"})
    assert "请选择要导入的文件。" in missing.content.decode()
    assert not ImportJob.objects.exists() and case.written() == 0


def test_an_unfinished_check_cannot_be_confirmed(tree, personas, login):
    job = ImportJob.objects.create(kind="donations", org=tree.grassroots, org_path=tree.grassroots.path, filename="x.xlsx",
                                   token="0" * 32, state="running", progress=40, total=1000)
    client = login(personas.grassroots_chair)
    part = client.get(f"/imports/donations/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in part and f'hx-get="/imports/donations/{job.pk}/"' in part and 'value="40"' in part
    response = client.post(f"/imports/donations/{job.pk}/confirm/", follow=True)
    assert "该文件不能再导入，请重新上传。" in response.content.decode() and ImportJob.objects.count() == 1


def test_kinds_with_their_own_pages_are_not_served_here(personas, login):
    client = login(personas.district_admin)
    for kind in ("members", "nonsense"):
        assert client.get(f"/imports/{kind}/").status_code == 404
    # The tree's import runs here too (in the worker, like every kind); /orgs/import/ leads here.
    # (activities and attendance: their flow is tested in activities/tests/test_import.py)
    assert {k for k, e in EXCHANGES.items() if e.web_import} == set(KINDS) | {"orgs", "activities", "attendance"}
    assert {k: e.import_perm for k, e in EXCHANGES.items()} == {
        "orgs": "org.manage", "members": "member.manage", "hardship": "assistance.manage", "assistance": "assistance.manage",
        "benefits": "benefits.manage", "donations": "donations.manage", "activities": "activities.manage",
        "attendance": "activities.manage"}


# --- after an all-or-nothing refusal ----------------------------------------------------------


def refused_import(client, case, tmp_path, capture) -> ImportJob:
    """Upload the file with one bad row, confirm it all-or-nothing: the refused import."""
    upload(client, case, write_roster(tmp_path / "有错.xlsx", case.bad, case.headers), capture)
    check = ImportJob.objects.get()
    with capture(execute=True):
        client.post(f"/imports/{case.kind}/{check.pk}/confirm/", {"mode": "all"})
    return ImportJob.objects.latest("id")


def test_a_refused_import_says_so_and_imports_the_good_rows_in_one_click(case, personas, login, tmp_path,
                                                                         django_capture_on_commit_callbacks):
    client = login(personas.grassroots_chair)
    refused = refused_import(client, case, tmp_path, django_capture_on_commit_callbacks)
    assert (refused.mode, refused.written, refused.rejected) == ("all", False, 1)
    page = client.get(f"/imports/{case.kind}/{refused.pk}/").content.decode()
    assert "未导入：1行有错误（全部正确才导入）" in page and "第3行" in page
    assert f'action="/imports/{case.kind}/{refused.pk}/confirm/"' in page and "只导入正确的行（1行）" in page
    listed = client.get(f"/imports/{case.kind}/").content.decode()
    assert "未导入：1行有错误（全部正确才导入）" in listed and "检查完成：可导入1行，1行有错误" in listed
    assert "已完成" not in listed

    with django_capture_on_commit_callbacks(execute=True):
        retry = client.post(f"/imports/{case.kind}/{refused.pk}/confirm/")  # the one button: no choice to make
    partial = ImportJob.objects.latest("id")
    assert retry.url == f"/imports/{case.kind}/{partial.pk}/"
    assert (partial.token, partial.dry_run, partial.mode, partial.written, partial.created, partial.rejected) == (
        refused.token, False, "valid", True, 1, 1)
    assert case.written() == 1
    assert "已导入1行，跳过1行有错误" in client.get(f"/imports/{case.kind}/").content.decode()
    # The file went with the import that wrote it: no second retry.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/imports/{case.kind}/{refused.pk}/confirm/", follow=True)
    assert "该文件不能再导入，请重新上传。" in again.content.decode() and ImportJob.objects.latest("id") == partial


def test_a_refused_import_whose_file_expired_explains_it(case, personas, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(personas.grassroots_chair)
    refused = refused_import(client, case, tmp_path, django_capture_on_commit_callbacks)
    files.discard_upload(refused.token)  # what the work folder's sweep does after 24 hours
    page = client.get(f"/imports/{case.kind}/{refused.pk}/").content.decode()
    assert "上传的文件已过期" in page and "只导入正确的行（" not in page
    response = client.post(f"/imports/{case.kind}/{refused.pk}/confirm/", follow=True)
    assert "该文件不能再导入，请重新上传。" in response.content.decode()
    assert ImportJob.objects.latest("id") == refused and case.written() == 0


def test_a_second_click_while_the_good_rows_are_importing_is_refused(tree, personas, login):
    token = files.stash_upload(SimpleUploadedFile("x.xlsx", b"-"))
    refused = ImportJob.objects.create(kind="donations", org=tree.grassroots, org_path=tree.grassroots.path, filename="x.xlsx",
                                       token=token, state="done", dry_run=False, mode="all", total=3, rejected=1,
                                       error_count=1, errors=[[3, "金额应大于0"]])
    ImportJob.objects.create(kind="donations", org=tree.grassroots, org_path=tree.grassroots.path, filename="x.xlsx",
                             token=token, state="queued", dry_run=False, mode="valid")
    response = login(personas.grassroots_chair).post(f"/imports/donations/{refused.pk}/confirm/", follow=True)
    assert "这个文件正在导入" in response.content.decode() and ImportJob.objects.count() == 2


def test_only_a_check_or_an_import_refused_for_bad_rows_can_be_confirmed(tree, personas, login):
    token = files.stash_upload(SimpleUploadedFile("x.xlsx", b"-"))
    common = {"kind": "donations", "org": tree.grassroots, "org_path": tree.grassroots.path, "filename": "x.xlsx",
              "token": token, "state": "done", "dry_run": False, "total": 3}
    not_retried = [
        ImportJob.objects.create(**common, mode="valid", rejected=1, written=True, created=2),  # wrote
        ImportJob.objects.create(**common, mode="all", file_error="文件中只有表头，没有数据行。"),  # unreadable
        ImportJob.objects.create(**common, mode="valid", rejected=3),  # nothing valid, nothing refused
        ImportJob.objects.create(**common, mode="all", rejected=3),  # refused, but no row is right
    ]
    client = login(personas.grassroots_chair)
    for job in not_retried:
        assert "只导入正确的行（" not in client.get(f"/imports/donations/{job.pk}/").content.decode()
        client.post(f"/imports/donations/{job.pk}/confirm/")
    assert ImportJob.objects.count() == len(not_retried)
    assert "没有正确的行可以导入" in client.get(f"/imports/donations/{not_retried[-1].pk}/").content.decode()


def test_the_recent_list_says_what_each_job_came_to(tree, personas, login):
    user = personas.grassroots_chair
    common = {"org": tree.grassroots, "org_path": tree.grassroots.path, "created_by": user, "token": "0" * 32}
    jobs = {
        "检查完成：可导入2行，1行有错误": {"dry_run": True, "state": "done", "total": 3, "created": 1, "updated": 1, "rejected": 1},
        "检查完成：可导入0行，没有错误，4行无变化": {"dry_run": True, "state": "done", "total": 4, "unchanged": 4},
        "未导入：2行有错误（全部正确才导入）": {"dry_run": False, "mode": "all", "state": "done", "total": 5, "rejected": 2},
        "已导入3行，1行无变化，跳过1行有错误": {"dry_run": False, "mode": "valid", "state": "done", "written": True, "total": 5,
                                  "created": 2, "updated": 1, "unchanged": 1, "rejected": 1},
        "出错：上传的文件已过期，请重新上传。": {"dry_run": False, "state": "failed", "file_error": "上传的文件已过期，请重新上传。"},
        "检查中（40%）": {"dry_run": True, "state": "running", "progress": 40},
        "排队中": {"dry_run": False, "state": "queued"},
    }
    for n, fields in enumerate(jobs.values()):
        for kind in ("donations", "members"):
            ImportJob.objects.create(**common, **fields, kind=kind, filename=f"文件{n}.xlsx")
    client = login(user)
    for page in ("/imports/donations/", "/members/import/"):
        listed = client.get(page).content.decode()
        for text in jobs:
            assert text in listed, (page, text)
        assert "已完成" not in listed


def test_the_rosters_own_pages_offer_the_same_retry(tree, personas, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(personas.grassroots_chair)
    rows = [{"姓名": "王五", "身份证号": make_id(), "入会时间": "2021-01-01"},
            {"姓名": "赵六", "身份证号": "110105199001010000", "入会时间": "2021-01-01"}]
    with open(write_roster(tmp_path / "r.xlsx", rows), "rb") as fh, django_capture_on_commit_callbacks(execute=True):
        client.post("/members/import/", {"file": fh, "org_code": "G1"})
    check = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/members/import/{check.pk}/confirm/")
    refused = ImportJob.objects.latest("id")
    page = client.get(f"/members/import/{refused.pk}/").content.decode()
    assert "未导入：1行有错误（全部正确才导入）" in page and "只导入正确的行（1行）" in page
    assert f'action="/members/import/{refused.pk}/confirm/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/members/import/{refused.pk}/confirm/")
    assert list(Member.objects.values_list("name", flat=True)) == ["王五"]
    listed = client.get("/members/import/").content.decode()
    for text in ("检查完成：可导入1行，1行有错误", "未导入：1行有错误（全部正确才导入）", "已导入1行，跳过1行有错误"):
        assert text in listed, text
