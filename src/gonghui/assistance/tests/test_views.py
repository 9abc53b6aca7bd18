import datetime as dt
import re

import pytest

from gonghui.access.permissions import Role
from gonghui.assistance.models import AssistanceRecord, Household
from gonghui.assistance.tests.factories import SYSTEM, household, member
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import staff


@pytest.fixture
def home(tree):
    return household(tree.grassroots, name="王困难", status="assisting", health="尿毒症透析", annual_income="24000")


@pytest.fixture
def finance(tree):
    return staff(tree.grassroots, Role.FINANCE, username="finance_g1")


def test_it_shows_sensitive_details_only_with_permission_and_audits_each_view(login, personas, home, finance):
    client = login(personas.grassroots_chair)
    body = client.get(f"/assistance/{home.pk}/").content.decode()
    assert "尿毒症透析" in body and "24,000" in body
    assert AuditEvent.objects.filter(action="hardship.view", object_id=str(home.pk), username="grassroots_chair").count() == 1
    for user in (finance, personas.branch_lead):
        client = login(user)
        response = client.get(f"/assistance/{home.pk}/") if user is finance else None
        if response is not None:
            body = response.content.decode()
            assert response.status_code == 200 and "王困难" in body and "深度困难" in body
            assert "尿毒症" not in body and "24,000" not in body and "疾病" not in body
            assert client.get(f"/assistance/{home.pk}/edit/").status_code == 403
            listing = client.get("/assistance/").content.decode()
            assert "王困难" in listing and "疾病" not in listing


def test_it_hides_other_subtrees_archives(login, personas, home):
    client = login(personas.outsider)
    assert client.get(f"/assistance/{home.pk}/").status_code == 404
    assert "王困难" not in client.get("/assistance/").content.decode()
    assert "王困难" not in client.get("/assistance/records/").content.decode()


def test_it_creates_an_archive_from_the_form(login, personas, tree):
    head = member(tree.grassroots, "李四")
    client = login(personas.grassroots_chair)
    response = client.post("/assistance/new/", {"head_id_number": head.id_number, "applied_on": "2025-01-05", "causes": ["illness", "schooling"],
                                                "size": 3, "annual_income": "30000", "rigid_expenses": "5000"})
    assert response.status_code == 302
    h = Household.objects.get(head=head)
    assert h.cause_list == ["illness", "schooling"] and h.annual_income == "30000.00"


@pytest.mark.parametrize("data", [
    {"head_id_number": "110105199003070018", "applied_on": "2025-01-05", "causes": ["illness"], "size": 1},  # bad check digit/unknown
    {"head_id_number": "", "applied_on": "2025-01-05", "causes": ["illness"], "size": 1},
    {"applied_on": "2099-01-05", "causes": ["illness"], "size": 1},
    {"applied_on": "2025-01-05", "causes": [], "size": 1},
    {"applied_on": "2025-01-05", "causes": ["illness"], "size": 0},
    {"applied_on": "2025-01-05", "causes": ["illness"], "size": 1, "annual_income": "-3"},
])
def test_it_rejects_bad_archive_forms_without_writing(login, personas, tree, data):
    head = member(tree.grassroots, "李四")
    data = {"head_id_number": head.id_number, **data}
    response = login(personas.grassroots_chair).post("/assistance/new/", data)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Household.objects.exists()


def test_it_refuses_a_disallowed_step_from_the_page(login, personas, home):
    client = login(personas.grassroots_chair)
    response = client.post(f"/assistance/{home.pk}/step/", {"step": "return", "on": "2025-01-01", "reason": "x"}, follow=True)
    assert "不能办理“返困”" in response.content.decode()
    home.refresh_from_db()
    assert home.status == "assisting"


def test_it_runs_a_batch_through_to_the_sign_sheet(login, personas, tree):
    homes = [household(tree.grassroots, name=f"困难户{i}") for i in range(23)]
    household(tree.sibling_grassroots, name="外单位户")
    client = login(personas.grassroots_chair)
    form = {"title": "2025年元旦春节送温暖", "org_code": "G1", "on": "2025-01-20", "occasion": "new_year", "cash": "500",
            "funding": "own", "tier": ""}
    preview = client.post("/assistance/batches/new/", {**form, "action": "preview"})
    assert preview.status_code == 200 and not AssistanceRecord.objects.exists()  # a preview first, written on confirmation
    token = re.search(r'name="preview" value="([^"]+)"', preview.content.decode()).group(1)
    response = client.post("/assistance/batches/new/", {**form, "action": "confirm", "preview": token})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AssistanceRecord.objects.count() == 23
    batch_url = response["Location"]
    assert "11,500" in client.get(batch_url).content.decode()
    sheet = client.get(batch_url + "sign-sheet/").content.decode()
    assert sheet.count('<tr data-testid="sign-row">') == 23
    assert homes[0].head.id_masked in sheet and homes[0].head.id_number not in sheet
    assert "style=" not in sheet and "<script" not in sheet
    export = client.get(batch_url + "payments.xlsx")
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="assistance.export").exists()


def test_it_rejects_a_bad_batch_form_without_writing(login, personas, tree):
    household(tree.grassroots)
    client = login(personas.grassroots_chair)
    for data in ({"title": "", "cash": "500"}, {"title": "送温暖", "cash": ""}, {"title": "送温暖", "cash": "500", "org_code": "G2"},
                 {"title": "送温暖", "cash": "500", "funding": "partner"}):
        post = {"org_code": "G1", "on": "2025-01-20", "occasion": "new_year", "funding": "own", **data}
        assert client.post("/assistance/batches/new/", post).status_code == 200
    assert not AssistanceRecord.objects.exists()


def test_it_records_and_reverses_from_the_pages(login, personas, home):
    client = login(personas.grassroots_chair)
    assert client.post("/assistance/records/new/", {"id_number": home.head.id_number, "on": "2025-03-01", "occasion": "sick",
                                                    "cash": "abc", "funding": "own"}).status_code == 200
    assert not AssistanceRecord.objects.exists()
    assert client.post("/assistance/records/new/", {"id_number": home.head.id_number, "on": "2025-03-01", "occasion": "sick",
                                                    "cash": "300", "funding": "own"}).status_code == 302
    record = AssistanceRecord.objects.get()
    client.post(f"/assistance/records/{record.pk}/reverse/", {"reason": "重复登记"})
    body = client.get("/assistance/records/").content.decode()
    assert AssistanceRecord.objects.count() == 2 and "共 0 元" in body


def test_it_lets_a_member_apply_for_themselves(client, tree, personas):
    from gonghui.members.services import member_account_create
    from gonghui.testing.factories import actor_of

    m = member(tree.grassroots, "自助会员")
    user = member_account_create(actor=actor_of(personas.grassroots_chair), member=m, username="zizhu", password="Zz#Pass2025ok")
    user.must_change_password = False
    user.save()
    client.force_login(user)
    assert client.post("/assistance/apply/", {"causes": ["illness"], "size": 2, "annual_income": "20000"}).status_code == 302
    h = Household.objects.get(head=m)
    assert h.self_applied and h.status == "applied"
    assert "申请" in client.get("/assistance/apply/").content.decode()
    assert client.get(f"/assistance/{h.pk}/").status_code == 403


def test_it_renders_statistics_and_the_dashboard(login, personas, home):
    from gonghui.assistance import services

    services.batch_create(actor=SYSTEM, org=home.org, title="送温暖", on=dt.date.today(), occasion="new_year", households=[home],
                          cash="500", funding="own")
    client = login(personas.grassroots_chair)
    body = client.get("/assistance/stats/").content.decode()
    assert 'data-testid="managed-as-of">1<' in body
    assert "c-tiers" in body and "style=" not in body
    assert "困难帮扶" in client.get("/").content.decode()
    assert client.get("/assistance/due/").status_code == 200
    bad = client.get("/assistance/stats/?on=bad&year=x")  # refused at the edge (web/params.py), in Chinese
    assert bad.status_code == 400 and "统计日期格式应为 2025-10-31。" in bad.content.decode()
