import datetime as dt
import io

import pytest

from gonghui.access.permissions import Role
from gonghui.audit.models import AuditEvent
from gonghui.exchange.models import ImportJob
from gonghui.members.models import Member
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import make_id, write_roster


def test_the_list_shows_masked_values_and_finds_by_pinyin(member, personas, login):
    client = login(personas.street_chair)
    page = client.get("/members/?q=zs").content.decode()
    assert "张三" in page and member.id_masked in page and member.id_number not in page and "13812345678" not in page
    assert "张三" not in client.get("/members/?q=ls").content.decode()


def test_the_list_filters_by_union_status_and_flags(member, tree, personas, login):
    client = login(personas.street_chair)
    assert "张三" not in client.get(f"/members/?org={tree.branch.code}").content.decode()
    assert "张三" in client.get(f"/members/?org={tree.grassroots.code}&subtree=1").content.decode()
    assert "张三" not in client.get("/members/?migrant=1").content.decode()
    assert "张三" not in client.get("/members/?status=withdrawn").content.decode()


def test_it_registers_a_member_and_explains_bad_input(tree, personas, login):
    client = login(personas.grassroots_chair)
    valid = make_id()
    wrong = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    data = {"org_code": "G1", "name": "李四", "id_number": wrong, "ethnicity": "汉族", "political": "masses",
            "employment": "employed", "joined_on": "2021-03-01"}
    text = client.post("/members/new/", data).content.decode()
    assert "校验位不符" in text and not Member.objects.exists()
    data["id_number"] = make_id(dt.date(1991, 2, 3), male=False)
    response = client.post("/members/new/", data)
    li = Member.objects.get(name="李四")
    assert response.url == f"/members/{li.pk}/" and li.gender == "F" and li.birth_date == dt.date(1991, 2, 3)


def test_revealing_an_id_is_audited(member, personas, login):
    client = login(personas.grassroots_chair)
    detail = client.get(f"/members/{member.pk}/").content.decode()
    assert member.id_number not in detail and "查看完整" in detail
    response = client.post(f"/members/{member.pk}/reveal/id_number/")
    assert member.id_number in response.content.decode()
    assert AuditEvent.objects.filter(action="member.reveal", object_id=str(member.pk)).exists()


def test_a_role_without_reveal_permission_cannot(member, tree, login):
    officer = staff(tree.grassroots, Role.OFFICER, username="officer7")
    client = login(officer)
    assert "查看完整" not in client.get(f"/members/{member.pk}/").content.decode()
    assert client.post(f"/members/{member.pk}/reveal/id_number/").status_code == 403


def test_an_export_is_masked_unless_the_role_may_reveal(member, tree, personas, login):
    from python_calamine import CalamineWorkbook

    officer = staff(tree.grassroots, Role.OFFICER, username="officer8")
    for user, clear in ((officer, False), (personas.grassroots_chair, True)):
        response = login(user).get("/members/export.xlsx")
        data = b"".join(response.streaming_content)
        cells = [c for r in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python() for c in r]
        assert (member.id_number in cells) is clear and (member.id_masked in cells) is not clear
    assert AuditEvent.objects.filter(action="member.export").count() == 2


def test_status_events_and_transfers_through_the_pages(member, tree, personas, login):
    client = login(personas.grassroots_chair)
    client.post(f"/members/{member.pk}/transfer/", {"to_code": "G2", "on": "2025-06-01"})
    transfer = member.transfers.get()
    assert transfer.state == "pending"
    other = login(personas.outsider)
    assert "张三" in other.get("/members/transfers/").content.decode()
    other.post(f"/members/transfers/{transfer.pk}/confirm/")
    member.refresh_from_db()
    assert member.org == tree.sibling_grassroots
    other.post(f"/members/{member.pk}/event/", {"kind": "retire", "on": dt.date.today().isoformat()})
    member.refresh_from_db()
    assert member.status == "retired"


def test_an_unknown_transfer_code_is_explained(member, personas, login):
    response = login(personas.grassroots_chair).post(f"/members/{member.pk}/transfer/", {"to_code": "NOPE", "on": "2025-06-01"}, follow=True)
    assert "找不到该编码的基层工会" in response.content.decode()


def test_the_import_runs_as_a_job_checks_then_imports(tree, personas, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(personas.grassroots_chair)
    rows = [{"姓名": "王五", "身份证号": make_id(), "入会时间": "2021-01-01"},
            {"姓名": "赵六", "身份证号": "110105199001010000", "入会时间": "2021-01-01"}]
    path = write_roster(tmp_path / "r.xlsx", rows)
    with open(path, "rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/import/", {"file": fh, "org_code": "G1"})
    job = ImportJob.objects.get()
    job.refresh_from_db()
    assert response.url == f"/members/import/{job.pk}/" and job.state == "done" and job.dry_run
    page = client.get(response.url).content.decode()
    assert "第3行" in page and "校验位不符" in page and Member.objects.count() == 0
    errors = client.get(f"/members/import/{job.pk}/errors.xlsx")
    assert errors.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(f"/members/import/{job.pk}/confirm/", {"mode": "valid"})
    final = ImportJob.objects.latest("id")
    assert confirm.url == f"/members/import/{final.pk}/" and final.written and final.created == 1
    assert list(Member.objects.values_list("name", flat=True)) == ["王五"]


def test_the_job_page_polls_while_running(tree, personas, login):
    job = ImportJob.objects.create(kind="members", org=tree.grassroots, org_path=tree.grassroots.path, filename="x.xlsx",
                                   token="0" * 32, state="running", progress=40, total=1000)
    part = login(personas.grassroots_chair).get(f"/members/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in part and 'value="40"' in part and "<html" not in part


def test_the_rate_page_shows_the_figures(member, personas, login):
    page = login(personas.street_chair).get("/members/stats/").content.decode()
    assert "0.3%" in page  # 1 member ÷ 300 employees


def test_a_member_sees_their_own_record_and_asks_for_a_change(member, tree, client):
    user = staff(tree.grassroots, Role.MEMBER, username="zhangsan")
    Member.objects.filter(pk=member.pk).update(user=user)
    client.force_login(user)
    page = client.get("/members/me/").content.decode()
    assert "张三" in page and member.id_masked in page and member.id_number not in page
    assert "手机号" in client.post("/members/me/", {"phone": "123"}).content.decode()
    client.post("/members/me/", {"phone": "13700001111"})
    assert member.change_requests.get().state == "pending"
    assert client.get("/members/").status_code == 403


def test_a_user_without_a_member_record_gets_404_on_me(personas, login):
    assert login(personas.street_chair).get("/members/me/").status_code == 404


def test_the_api_lists_masked_and_reveals_with_audit(member, tree, personas, login):
    client = login(personas.grassroots_chair)
    items = client.get("/api/members/?q=zs").json()["items"]
    assert [i["name"] for i in items] == ["张三"] and "id_number" not in items[0] and items[0]["id_masked"] == member.id_masked
    assert client.post(f"/api/members/{member.pk}/reveal/id_number").json()["value"] == member.id_number
    assert AuditEvent.objects.filter(action="member.reveal", source="api").exists()
    rate = client.get("/api/members/rate").json()
    assert rate["members"] == 1 and rate["employees"] == 300


def test_the_api_creates_and_explains_bad_input(tree, personas, login):
    client = login(personas.grassroots_chair)
    bad = client.post("/api/members/", {"org_id": tree.grassroots.pk, "name": "王五", "id_number": "110105199001010000", "joined_on": "2021-01-01"},
                      content_type="application/json")
    assert bad.status_code == 422 and "校验位不符" in bad.json()["detail"]
    good = client.post("/api/members/", {"org_id": tree.grassroots.pk, "name": "王五", "id_number": make_id(), "joined_on": "2021-01-01"},
                       content_type="application/json")
    assert good.status_code == 201 and "*" in good.json()["id_masked"]
    other = client.post("/api/members/", {"org_id": tree.sibling_grassroots.pk, "name": "越权", "id_number": make_id(), "joined_on": "2021-01-01"},
                        content_type="application/json")
    assert other.status_code == 404


def test_the_dashboard_panel_shows_the_roster(member, personas, login):
    response = login(personas.street_chair).get("/")
    panel = next(p for p in response.context["panels"] if p["template"] == "members/_panel.html")
    assert panel["members"] == 1 and panel["rate"] == "0.3%" and panel["joined"] in (0, 1)
    assert ["男", 1, "?gender=M"] in [list(r) for r in panel["figures"]["gender"]] or panel["figures"]["total"] == 1
    assert 'id="m-gender"' in response.content.decode()


def test_staff_open_a_members_own_account(member, tree, personas, login, client):
    staff_client = login(personas.grassroots_chair)
    staff_client.post(f"/members/{member.pk}/account/", {"username": "zhangsan1", "password": "weak"})
    member.refresh_from_db()
    assert member.user is None
    staff_client.post(f"/members/{member.pk}/account/", {"username": "zhangsan1", "password": "Member#Pass2025"})
    member.refresh_from_db()
    assert member.user.username == "zhangsan1" and member.user.grants.get().role == "member"
    client.force_login(member.user)
    assert client.get("/members/me/").url == "/accounts/password/"  # first login: own password first


def test_a_union_with_members_cannot_be_deactivated(member, tree, personas):
    from django.core.exceptions import ValidationError

    from gonghui.orgs.services import org_deactivate

    with pytest.raises(ValidationError, match="在册会员"):
        org_deactivate(actor=actor_of(personas.district_admin), org=tree.branch if member.org == tree.branch else tree.grassroots, reason="x")


def test_the_administrator_has_no_member_self_service_menu(personas, login):
    page = login(personas.street_admin).get("/").content.decode()
    assert "我的会员信息" not in page


def test_export_without_permission_is_a_clean_cli_error(member, tree, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    officer = staff(tree.grassroots, Role.BRANCH_LEAD, username="lead5")
    with pytest.raises(CommandError, match="导出会员"):
        call_command("export", "members", org="G1", out=str(tmp_path / "x.xlsx"), as_user=officer.username)


def test_the_rate_api_counts_a_grassroots_unions_branches_and_asks_a_federation_which_it_means(member, tree, personas, login):
    from gonghui.members.services import member_create

    member_create(actor=actor_of(personas.grassroots_chair), org=tree.branch, name="李四", id_number=make_id(),
                  joined_on=dt.date(2021, 3, 1))
    client = login(personas.street_chair)
    for subtree in ("true", "false"):  # a 基层工会's 分会 is part of it either way
        own = client.get(f"/api/members/rate?org=G1&subtree={subtree}").json()
        assert (own["members"], own["employees"], own["subtree"]) == (2, 300, True)
    office = client.get("/api/members/rate?org=S1&subtree=false").json()
    assert (office["members"], office["subtree"]) == (0, False)  # the street federation's own office
    whole = client.get("/api/members/rate?org=S1").json()
    assert (whole["members"], whole["subtree"]) == (2, True)
    assert client.get("/api/members/rate?org=G2").status_code == 404  # a sibling's union
    assert client.get("/api/members/rate?org=G1&subtree=maybe").status_code in (400, 422)
