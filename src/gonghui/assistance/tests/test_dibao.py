"""低保 lines (shared, edited by the installation's top administrators only) and each
union's 低保 region, from their pages."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.assistance import services
from gonghui.assistance.models import DibaoLine, RegionSetting
from gonghui.assistance.tests.factories import SYSTEM, household, region
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import actor_of

NEXT_YEAR = dt.date.today().year + 1


@pytest.fixture
def admin(personas, tree):
    """The district (root) 系统管理员, past the second-factor check for page tests."""
    user = personas.district_admin
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled"])
    return user


def test_it_lists_lines_marking_samples_and_filters_by_region_and_year(login, personas, tree):
    client = login(personas.grassroots_chair)
    body = client.get("/assistance/dibao/").content.decode()
    assert "杭州市" in body and "合肥市" in body and 'data-testid="sample-badge">示例<' in body
    assert "/assistance/dibao/new/" not in body and "修改</a>" not in body  # a chair sees, never edits
    hz = client.get("/assistance/dibao/?region=杭州").content.decode()
    assert "杭州市" in hz and "合肥市" not in hz
    one = client.get("/assistance/dibao/?region=340100&year=2024").content.decode()
    assert "880" in one and "910" not in one and "杭州市" not in one
    assert client.get("/assistance/dibao/?year=abc").status_code == 200


def test_the_top_administrator_adds_and_confirms_a_line(login, admin):
    client = login(admin)
    assert "/assistance/dibao/new/" in client.get("/assistance/dibao/").content.decode()
    response = client.post("/assistance/dibao/new/", {"region_code": "320100", "region_name": "南京市", "year": "2025",
                                                      "monthly_amount": "1,070", "note": "宁政发〔2025〕1号"})
    assert response.status_code == 302
    line = DibaoLine.objects.get(region_code="320100", year=2025)
    assert (line.monthly_amount, line.is_sample, line.note) == (Decimal("1070.00"), False, "宁政发〔2025〕1号")
    sample = DibaoLine.objects.get(region_code="330100", year=2025)
    assert sample.is_sample
    page = client.get(f"/assistance/dibao/{sample.pk}/edit/").content.decode()
    assert "这是示例数据" in page and 'value="330100"' in page and "disabled" in page
    # the region and year of a saved line stay as they are even if the post says otherwise
    response = client.post(f"/assistance/dibao/{sample.pk}/edit/", {"region_code": "999999", "year": "2001",
                                                                   "region_name": "杭州市", "monthly_amount": "1190"})
    assert response.status_code == 302
    sample.refresh_from_db()
    assert (sample.region_code, sample.year, sample.monthly_amount, sample.is_sample) == ("330100", 2025, Decimal("1190.00"), False)
    event = AuditEvent.objects.filter(action="assistance.dibao", object_id=str(sample.pk)).get()
    assert event.changes["is_sample"] == [True, False]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"year": "1999"}, "year", "年度应为2000年至"),
    ({"year": str(NEXT_YEAR + 1)}, "year", f"至{NEXT_YEAR}年之间"),
    ({"year": "二〇二五"}, "year", ""),
    ({"monthly_amount": "0"}, "monthly_amount", "低保标准应大于0"),
    ({"monthly_amount": "-5"}, "monthly_amount", "低保标准应大于0"),
    ({"monthly_amount": "abc"}, "monthly_amount", "低保标准应为金额"),
    ({"monthly_amount": "14220"}, "monthly_amount", ""),  # fine: below the ceiling
    ({"monthly_amount": "142200"}, "monthly_amount", "请检查是否填成了年标准"),
    ({"region_code": "33A100"}, "region_code", "6位（或12位）数字"),
    ({"region_code": "３３０１００"}, "region_code", "6位（或12位）数字"),  # full-width digits
    ({"region_name": "  "}, "region_name", ""),
    ({"region_code": "330100", "year": "2025"}, "year", "已有2025年的低保标准"),
])
def test_it_explains_bad_lines_in_chinese_without_writing(login, admin, data, field, message):
    before = list(DibaoLine.objects.order_by("pk").values_list("pk", "monthly_amount", "is_sample"))
    post = {"region_code": "320100", "region_name": "南京市", "year": "2025", "monthly_amount": "1070", **data}
    response = login(admin).post("/assistance/dibao/new/", post)
    if data == {"monthly_amount": "14220"}:
        assert response.status_code == 302
        return
    body = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in body
    assert message in body
    assert list(DibaoLine.objects.order_by("pk").values_list("pk", "monthly_amount", "is_sample")) == before


def test_only_the_top_administrator_may_edit_lines(login, personas, tree):
    line = DibaoLine.objects.get(region_code="330100", year=2025)
    for user in (personas.grassroots_chair, personas.street_chair, personas.branch_lead):
        client = login(user)
        assert client.get("/assistance/dibao/new/").status_code == 403
        assert client.post(f"/assistance/dibao/{line.pk}/edit/", {"region_name": "x", "monthly_amount": "1"}).status_code == 403
    with pytest.raises(Exception, match="最高一级的系统管理员"):
        services.dibao_line_save(actor=actor_of(personas.street_admin), region_code="320100", region_name="南京市", year=2025,
                                 monthly_amount="1070")
    line.refresh_from_db()
    assert line.monthly_amount == Decimal("1185.00") and line.is_sample


def test_a_chair_sets_the_region_for_the_union_and_the_tier_follows(login, personas, tree):
    client = login(personas.grassroots_chair)
    body = client.get("/assistance/region/").content.decode()
    assert "还没有设置低保地区" in body
    response = client.post("/assistance/region/", {"org_code": "G1", "region_code": "330100"})
    assert response.status_code == 302
    assert RegionSetting.objects.get(org=tree.grassroots).region_code == "330100"
    body = client.get("/assistance/region/").content.decode()
    assert "杭州市（330100）" in body and "临江精机工会" in body and "示例" in body
    # a branch below uses its parent's region
    assert services.region_of(tree.branch) == "330100"
    h = household(tree.branch, status="applied", annual_income="24000", rigid_expenses="0", size=3)
    assert (h.region_code, h.suggested_tier) == ("330100", "deep")
    assert AuditEvent.objects.filter(action="assistance.region", username="grassroots_chair").count() == 1


@pytest.mark.parametrize("data", [{"org_code": "G1", "region_code": ""}, {"org_code": "G1", "region_code": "123456"},
                                  {"org_code": "", "region_code": "330100"}, {"org_code": "NOPE", "region_code": "330100"}])
def test_it_rejects_a_bad_region_without_writing(login, personas, tree, data):
    response = login(personas.grassroots_chair).post("/assistance/region/", data)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not RegionSetting.objects.exists()


def test_another_union_cannot_see_or_set_the_region(login, personas, tree):
    region(tree.grassroots, code="990100")
    client = login(personas.outsider)
    body = client.get("/assistance/region/").content.decode()
    assert "临江精机工会" not in body and "990100" not in body.split("data-testid=\"region-table\"")[1]
    response = client.post("/assistance/region/", {"org_code": "G1", "region_code": "330100"})
    assert response.status_code == 200 and "不在您的管辖范围内" in response.content.decode()
    assert RegionSetting.objects.get(org=tree.grassroots).region_code == "990100"
    with pytest.raises(Exception, match="管辖范围"):
        services.region_set(actor=actor_of(personas.outsider), org=tree.grassroots, region_code="330100")
    # a role without assistance.manage may look but not set
    lead = login(personas.branch_lead)
    assert lead.get("/assistance/region/").status_code == 200
    assert lead.post("/assistance/region/", {"org_code": "B1", "region_code": "330100"}).status_code == 403
    assert not RegionSetting.objects.filter(org=tree.branch).exists()


def test_the_pages_are_linked_from_the_home_and_statistics_pages(login, personas, tree):
    client = login(personas.grassroots_chair)
    for url in ("/assistance/", "/assistance/stats/"):
        body = client.get(url).content.decode()
        assert "/assistance/dibao/" in body and "/assistance/region/" in body


def test_the_service_guards_its_input(tree):
    with pytest.raises(Exception, match="年度应为"):
        services.dibao_line_save(actor=SYSTEM, region_code="320100", region_name="南京市", year=True, monthly_amount="1")
    with pytest.raises(Exception, match="低保标准应为金额"):
        services.dibao_line_save(actor=SYSTEM, region_code="320100", region_name="南京市", year=2025, monthly_amount="NaN")
