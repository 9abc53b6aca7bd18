import datetime as dt

from gonghui.access.permissions import Role
from gonghui.benefits.models import BenefitBatch, BenefitRecord, RuleChoice
from gonghui.benefits.tests.conftest import YEAR
from gonghui.testing.factories import staff

ON = f"{YEAR}-01-05"


def test_it_walks_every_page(tree, personas, login, anhui, add_member, chair):
    m = add_member("王芳", card_no="G1-0001")
    client = login(personas.grassroots_chair)
    r = client.post("/benefits/new/", {"member": "G1-0001", "kind": "birthday", "on": ON, "form": "goods", "amount": "300"})
    record = BenefitRecord.objects.get()
    assert r.status_code == 302 and record.member == m
    for url in ("/benefits/", "/benefits/compliance/", "/benefits/stats/", "/benefits/rules/", f"/benefits/{record.pk}/",
                f"/benefits/rules/{anhui.pk}/", "/benefits/batch/", f"/benefits/{record.pk}/correct/", "/benefits/export.xlsx",
                "/benefits/template.xlsx"):
        assert client.get(url).status_code == 200, url
    page = client.get("/benefits/").content.decode()
    assert "王芳" in page and 'style="' not in page and "<script>" not in page
    # The dashboard panel (rendered alone: the dashboard holds other modules' panels too).
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from gonghui.benefits.panels import dashboard_panel

    request = RequestFactory().get("/")
    request.actor = chair
    panel = dashboard_panel(request)
    assert "慰问金额" in render_to_string(panel["template"], {"panel": panel})


def test_bad_input_on_the_record_form_writes_nothing(tree, personas, login, anhui, add_member):
    add_member("王芳", card_no="G1-0001")
    client = login(personas.grassroots_chair)
    for data, fragment in (
        ({"member": "G1-9999", "kind": "birthday", "on": ON, "form": "goods", "amount": "300"}, "找不到"),
        ({"member": "G1-0001", "kind": "birthday", "on": ON, "form": "goods", "amount": "-5"}, "金额"),
        ({"member": "G1-0001", "kind": "festival", "on": ON, "form": "goods", "amount": "300"}, "请选择节日"),
        ({"member": "G1-0001", "kind": "birthday", "on": ON, "form": "goods", "amount": "900"}, "超过安徽2025标准每次500元"),
        ({"member": "G1-0001", "kind": "hospital", "on": ON, "form": "cash", "amount": "900"}, "病情"),
        ({"member": "G1-0001", "kind": "", "on": "", "form": "x", "amount": "abc"}, "必填"),
    ):
        r = client.post("/benefits/new/", data)
        assert r.status_code == 200 and fragment in r.content.decode(), fragment
    assert not BenefitRecord.objects.exists()


def test_an_officer_cannot_override_on_the_form(tree, login, anhui, add_member):
    add_member("王芳", card_no="G1-0001")
    officer = staff(tree.grassroots, Role.OFFICER, username="officer")
    r = login(officer).post("/benefits/new/", {"member": "G1-0001", "kind": "birthday", "on": ON, "form": "goods", "amount": "900",
                                               "override_reason": "领导口头同意"})
    assert r.status_code == 200 and "批准超标准慰问" in r.content.decode()
    assert not BenefitRecord.objects.exists()


def test_a_batch_is_previewed_then_confirmed(tree, personas, login, anhui, add_member):
    add_member("王芳")
    add_member("李四", female=False, org=tree.branch)
    add_member("赵六", pays_dues=False)
    client = login(personas.grassroots_chair)
    data = {"title": "中秋慰问", "org_code": "G1", "subtree": "on", "selection": "all", "kind": "festival", "festival": "zhongqiu",
            "on": ON, "form": "goods", "amount": "300", "goods": "月饼"}
    r = client.post("/benefits/batch/", {**data, "action": "preview"})
    text = r.content.decode()
    assert "预览：2人，共600元" in text and "赵六" in text and "未按时缴纳会费" in text
    assert not BenefitRecord.objects.exists()
    r = client.post("/benefits/batch/", {**data, "action": "confirm"})
    assert r.status_code == 302
    assert BenefitBatch.objects.get().records.count() == 2


def test_bad_batch_input_writes_nothing(tree, personas, login, anhui, add_member):
    add_member("王芳")
    client = login(personas.grassroots_chair)
    base = {"title": "中秋慰问", "org_code": "G1", "subtree": "on", "selection": "all", "kind": "festival", "festival": "zhongqiu",
            "on": ON, "form": "goods", "amount": "300", "action": "confirm"}
    for change, fragment in (
        ({"org_code": "G2"}, "找不到该编码的工会"),
        ({"selection": "birthday", "month": ""}, "请选择生日月份"),
        ({"selection": "list", "member_list": "110105199003070017"}, "找不到以下会员"),
        ({"amount": "2300"}, "全年累计将达2,300元"),
        ({"form": "cash"}, "只能发放实物"),
        ({"title": ""}, "必填"),
    ):
        r = client.post("/benefits/batch/", {**base, **change})
        assert r.status_code == 200 and fragment in r.content.decode(), fragment
    assert not BenefitRecord.objects.exists() and not BenefitBatch.objects.exists()


def test_reverse_and_correct_through_the_pages(tree, personas, login, anhui, add_member):
    m = add_member("王芳", card_no="G1-0001")
    client = login(personas.grassroots_chair)
    client.post("/benefits/new/", {"member": "G1-0001", "kind": "birthday", "on": ON, "form": "goods", "amount": "300"})
    record = BenefitRecord.objects.get()
    r = client.post(f"/benefits/{record.pk}/correct/", {"reason": "", "kind": "birthday", "on": ON, "form": "goods", "amount": "400"})
    assert r.status_code == 200 and BenefitRecord.objects.count() == 1
    client.post(f"/benefits/{record.pk}/correct/", {"reason": "金额有误", "kind": "birthday", "on": ON, "form": "goods", "amount": "400"})
    assert sorted(BenefitRecord.objects.filter(member=m).values_list("amount", flat=True)) == [-300, 300, 400]


def test_rule_pages_edit_and_choose(tree, personas, login, anhui):
    client = login(personas.street_admin)
    r = client.post("/benefits/rules/new/", {"copy_from": anhui.pk, "name": "临江标准", "region": "临江", "effective_from": f"{YEAR}-01-01"})
    from gonghui.benefits.models import RuleSet

    own = RuleSet.objects.get(name="临江标准")
    assert r.status_code == 302 and own.org == tree.street
    post = {"name": "临江标准", "region": "临江", "effective_from": f"{YEAR}-01-01", "effective_to": f"{YEAR - 1}-01-01"}
    r = client.post(f"/benefits/rules/{own.pk}/", post)
    assert "失效日期不能早于生效日期" in r.content.decode()
    post["effective_to"] = ""
    post.update({"birthday-cap_per_event": "800", "birthday-requires_dues": "on"})
    client.post(f"/benefits/rules/{own.pk}/", post)
    assert own.rules.get(kind="birthday").cap_per_event == 800
    client.post("/benefits/rules/choose/", {"org_code": "G1", "ruleset": own.pk})
    assert RuleChoice.objects.get(org=tree.grassroots).ruleset == own
    # A chair may view the rules but not change them.
    r = login(personas.street_chair).post(f"/benefits/rules/{own.pk}/", post)
    assert r.status_code == 403


def test_another_union_sees_nothing(tree, personas, login, add_member, chair):
    from gonghui.benefits import services
    from gonghui.benefits.tests.conftest import D

    m = add_member("王芳")
    record = services.benefit_create(actor=chair, member=m, kind="birthday", on=dt.date(YEAR, 1, 5), form="goods", amount=D(300))
    client = login(personas.outsider)
    assert client.get(f"/benefits/{record.pk}/").status_code == 404
    assert "王芳" not in client.get("/benefits/").content.decode()
    assert client.post(f"/benefits/{record.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert client.get(f"/api/benefits/{record.pk}").status_code == 404
    record.refresh_from_db()
    assert not record.is_reversed
