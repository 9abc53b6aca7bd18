"""Regression tests for the benefits review findings (illness, list batches, import
write path, statistics, ancestor rule sets, platform-wide year totals)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role, permissions_for
from gonghui.audit.models import AuditEvent
from gonghui.benefits import selectors, services
from gonghui.benefits.models import BenefitBatch, BenefitRecord, RuleSet
from gonghui.benefits.sheets import HEADERS, benefits_export, benefits_import
from gonghui.benefits.tests.conftest import YEAR, D
from gonghui.members.choices import Status
from gonghui.members.models import Member
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import write_roster

ON = dt.date(YEAR, 1, 5)


def sick(actor, member, illness="阑尾炎手术", on=ON, **extra):
    return services.benefit_create(actor=actor, member=member, kind="hospital", on=on, form="cash", amount=D(500),
                                   illness=illness, **extra)


# --- 1. illness is sensitive ------------------------------------------------------------------


def test_illness_is_encrypted_and_compared_by_keyed_hash(tree, anhui, chair, add_member):
    m = add_member("王芳")
    record = sick(chair, m, illness="阑尾炎 手术")
    with connection.cursor() as cur:
        cur.execute("SELECT illness, illness_index FROM benefits_benefitrecord WHERE id = %s", [record.pk])
        raw, index = cur.fetchone()
    assert "阑尾炎" not in raw and index == services.illness_index("阑尾炎手术") and index
    assert BenefitRecord.objects.get(pk=record.pk).illness == "阑尾炎 手术"
    with pytest.raises(ValidationError) as exc:
        sick(chair, m, illness="阑尾炎手术", on=dt.date(YEAR, 2, 1))
    assert "同一病情本年度已于" in str(exc.value) and "阑尾炎" not in str(exc.value)
    # An override stores the violation and audits it: neither quotes the illness.
    again = sick(chair, m, illness="阑尾炎手术", on=dt.date(YEAR, 2, 1), override_reason="复发再次住院")
    assert again.violations and not any("阑尾炎" in v for v in again.violations)
    assert not AuditEvent.objects.filter(message__contains="阑尾炎").exists()
    # A reversal keeps the index, so the reversed visit no longer counts.
    services.benefit_reverse(actor=chair, record=again, reason="录入错误")
    assert BenefitRecord.objects.get(reversal_of=again).illness_index == index


def test_sensitive_permission_goes_to_chair_and_officer_only():
    assert "benefits.sensitive" in permissions_for(Role.CHAIR) and "benefits.sensitive" in permissions_for(Role.OFFICER)
    assert "benefits.sensitive" not in permissions_for(Role.FINANCE)
    assert "benefits.sensitive" not in permissions_for(Role.AUDITOR)


def test_illness_is_shown_only_with_the_permission_and_each_view_is_audited(tree, anhui, chair, login, personas, add_member):
    record = sick(chair, add_member("王芳"), illness="恶性肿瘤手术")
    finance = staff(tree.grassroots, Role.FINANCE, username="finance")
    page = login(finance).get(f"/benefits/{record.pk}/?reveal=illness").content.decode()
    assert "恶性肿瘤" not in page and "******" in page and "reveal-illness" not in page
    client = login(personas.grassroots_chair)
    page = client.get(f"/benefits/{record.pk}/").content.decode()
    assert "恶性肿瘤" not in page and "reveal-illness" in page
    assert not AuditEvent.objects.filter(action="benefit.illness.view").exists()
    page = client.get(f"/benefits/{record.pk}/?reveal=illness").content.decode()
    assert "恶性肿瘤手术" in page
    event = AuditEvent.objects.get(action="benefit.illness.view")
    assert "恶性肿瘤" not in event.message
    with pytest.raises(PermissionDenied):
        services.benefit_illness_reveal(actor=actor_of(finance), record=record)


def test_export_masks_illness_without_the_permission_and_says_so(tree, anhui, chair, add_member, tmp_path):
    sick(chair, add_member("王芳"), illness="恶性肿瘤手术")
    finance = actor_of(staff(tree.grassroots, Role.FINANCE, username="finance"))
    benefits_export(actor=finance, queryset=BenefitRecord.objects.all(), path=tmp_path / "f.xlsx")
    assert "病情已遮蔽" in AuditEvent.objects.filter(action="benefit.export").latest("seq").message
    benefits_export(actor=chair, queryset=BenefitRecord.objects.all(), path=tmp_path / "c.xlsx")
    assert "含病情信息" in AuditEvent.objects.filter(action="benefit.export").latest("seq").message
    from python_calamine import CalamineWorkbook

    def cells(name):
        return {str(c) for row in CalamineWorkbook.from_path(str(tmp_path / name)).get_sheet_by_index(0).to_python() for c in row}

    assert "恶性肿瘤手术" not in cells("f.xlsx") and "******" in cells("f.xlsx")
    assert "恶性肿瘤手术" in cells("c.xlsx")


# --- 2. explicit lists ------------------------------------------------------------------------


def test_a_list_batch_includes_retirees_and_reports_every_unusable_key(tree, personas, login, anhui, add_member):
    add_member("王芳", card_no="G1-0001")
    retiree = add_member("老张", female=False, card_no="G1-0002")
    Member.objects.filter(pk=retiree.pk).update(status=Status.RETIRED)
    add_member("钱七", org=tree.branch, card_no="B1-0001")
    client = login(personas.grassroots_chair)
    data = {"title": "退休慰问", "org_code": "G1", "subtree": "on", "selection": "list", "kind": "retirement",
            "on": ON.isoformat(), "form": "goods", "amount": "300", "action": "confirm", "member_list": "G1-0001\nG1-0002"}
    assert client.post("/benefits/batch/", data).status_code == 302
    assert {r.member.name for r in BenefitBatch.objects.get().records.all()} == {"王芳", "老张"}
    # Without the subtree the branch member is outside the chosen union: reported, nothing written.
    r = client.post("/benefits/batch/", {**data, "subtree": "", "member_list": "G1-0001\nB1-0001\nG9-9999"})
    text = r.content.decode()
    assert r.status_code == 200 and "B1-0001" in text and "G9-9999" in text and "不属于" in text
    assert BenefitBatch.objects.count() == 1


# --- 3. import goes through an audited, locking service ------------------------------------------


def test_import_applies_the_override_minimum_and_rechecks_inside_the_service(tree, chair, anhui, add_member, tmp_path):
    m = add_member("王芳")
    values = {"身份证号": m.id_number, "姓名": m.name, "慰问类别": "节日慰问", "节日": "春节", "发放日期": f"{YEAR}-01-20",
              "形式": "现金", "金额（元）": "500", "物品/说明": "", "超标准说明": "同意"}
    report = benefits_import(actor=chair, path=write_roster(tmp_path / "a.xlsx", [values], HEADERS), org=tree.grassroots)
    assert not report.written and any("具体说明" in msg for _, msg in report.errors)
    assert not BenefitRecord.objects.exists()
    # The service itself re-checks: a violating row without a reason is refused.
    plan = [services.Planned(member=m, kind="festival", festival="chunjie", on=ON, form="cash", amount=D(500), row=2)]
    with pytest.raises(ValidationError):
        services.benefit_import_write(actor=chair, org=tree.grassroots, plan=plan, reasons=[""])
    assert not BenefitRecord.objects.exists()
    assert AuditEvent.objects.filter(action="benefit.import", result="failure").exists()
    records = services.benefit_import_write(actor=chair, org=tree.grassroots, plan=plan, reasons=["偏远地区无法配送实物"])
    assert records[0].override_reason == "偏远地区无法配送实物"
    assert AuditEvent.objects.filter(action="benefit.override").exists()


# --- 4. statistics ----------------------------------------------------------------------------


def test_statistics_roll_children_up_in_one_query(tree, anhui, add_member, django_assert_max_num_queries):
    system = Actor.system()
    for org, amount in ((tree.grassroots, 100), (tree.branch, 200)):
        services.benefit_create(actor=system, member=add_member(org=org), kind="birthday", on=ON, form="goods", amount=D(amount))
    district = actor_of(staff(tree.district, Role.CHAIR, username="dchair"))
    f = selectors.figures(district, tree.district, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert [(name, total) for name, total, _ in f["children"]] == [(tree.street.display_name, 300.0)]
    f = selectors.figures(district, tree.grassroots, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert [(name, total) for name, total, _ in f["children"]] == [(tree.branch.display_name, 200.0)]
    with django_assert_max_num_queries(8):
        selectors.figures(district, tree.district, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))


# --- 5. ancestors' rule sets --------------------------------------------------------------------


def test_a_branch_can_read_its_ancestors_rule_set_but_not_edit_it(tree, login, anhui):
    own = services.ruleset_create(actor=Actor.system(), org=tree.street, copy_from=anhui, name="临江街道标准", region="临江街道",
                                  effective_from=dt.date(YEAR, 1, 1))
    services.ruleset_choose(actor=Actor.system(), org=tree.street, ruleset=own)
    branch_chair = staff(tree.branch, Role.CHAIR, username="bchair")
    assert selectors.ruleset_get(actor_of(branch_chair), own.pk) == own
    assert login(branch_chair).get(f"/benefits/rules/{own.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.ruleset_update(actor=actor_of(branch_chair), ruleset=own, name="改名")
    assert RuleSet.objects.get(pk=own.pk).name == "临江街道标准"
    with pytest.raises(Http404):
        selectors.ruleset_get(actor_of(staff(tree.sibling_grassroots, Role.CHAIR, username="other")), own.pk)


# --- 6. year total ----------------------------------------------------------------------------


def test_the_year_total_is_labelled_platform_wide(tree, personas, login, anhui, chair, add_member):
    record = services.benefit_create(actor=chair, member=add_member("王芳"), kind="birthday", on=ON, form="goods", amount=D(300))
    page = login(personas.grassroots_chair).get(f"/benefits/{record.pk}/").content.decode()
    assert "全平台累计" in page
