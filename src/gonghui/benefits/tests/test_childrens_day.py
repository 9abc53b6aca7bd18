"""六一 (International Children's Day, for members with children) as a benefit occasion. The
provincial standard does not list it, so it is the union's own occasion: no cap is checked
under a standard without a rule for it, the pages say so, and a union's own standard may
set one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.access.actor import Actor
from gonghui.benefits import services
from gonghui.benefits.models import BenefitRecord, Form, Kind, RuleSet
from gonghui.benefits.services import Planned
from gonghui.benefits.sheets import HEADERS, benefits_import
from gonghui.benefits.tests.conftest import YEAR
from gonghui.testing.members import write_roster

pytestmark = pytest.mark.django_db

JUNE_FIRST = dt.date(YEAR, 6, 1) if dt.date(YEAR, 6, 1) <= dt.date.today() else dt.date(YEAR - 1, 6, 1)


def test_it_is_an_occasion_the_province_standard_does_not_list(anhui):
    assert Kind.CHILDRENS_DAY.label == "六一儿童节慰问"
    assert not anhui.rules.filter(kind=Kind.CHILDRENS_DAY).exists()


def test_it_gives_childrens_day_without_a_cap_and_says_why(tree, chair, anhui, add_member):
    m = add_member("王芳")
    record = services.benefit_create(actor=chair, member=m, kind=Kind.CHILDRENS_DAY, on=JUNE_FIRST, form=Form.GOODS,
                                     amount=Decimal(5000), goods="儿童图书")
    assert record.violations == [] and record.kind == Kind.CHILDRENS_DAY
    check = services.check_plan([Planned(member=m, kind=Kind.CHILDRENS_DAY, on=JUNE_FIRST, form=Form.GOODS, amount=Decimal(100))])
    assert check.unlisted == ["六一儿童节慰问：《安徽2025标准》未列此项，作为本单位自定的慰问项目发放，不作上限检查（须在预算内）。"]
    birthday = services.check_plan([Planned(member=m, kind=Kind.BIRTHDAY, on=JUNE_FIRST, form=Form.GOODS, amount=Decimal(100))])
    assert birthday.unlisted == []


def test_a_unions_own_standard_may_cap_it(tree, chair, anhui, add_member):
    system = Actor.system()
    own = services.ruleset_create(actor=system, org=tree.grassroots, copy_from=anhui, name="临江精机2025标准", region="安徽省",
                                  effective_from=dt.date(2025, 1, 1))
    services.ruleset_update(actor=system, ruleset=own, rules={Kind.CHILDRENS_DAY: {"cap_per_event": Decimal(200), "goods_only": True}})
    services.ruleset_choose(actor=system, org=tree.grassroots, ruleset=own)
    m = add_member("王芳")
    with pytest.raises(ValidationError) as exc:
        services.benefit_create(actor=chair, member=m, kind=Kind.CHILDRENS_DAY, on=JUNE_FIRST, form=Form.CASH, amount=Decimal(300))
    text = " ".join(exc.value.message_dict["rules"])
    assert "六一儿童节慰问只能发放实物" in text and "超过临江精机2025标准每次200元" in text
    assert not BenefitRecord.objects.exists()


def test_it_refuses_a_festival_name_on_childrens_day(tree, chair, anhui, add_member):
    with pytest.raises(ValidationError) as exc:
        services.benefit_create(actor=chair, member=add_member("王芳"), kind=Kind.CHILDRENS_DAY, on=JUNE_FIRST, form=Form.GOODS,
                                amount=Decimal(100), festival="chunjie")
    assert exc.value.message_dict["festival"] == ["只有节日慰问才填写节日。"]


def test_it_imports_and_shows_childrens_day(tree, chair, anhui, add_member, tmp_path, personas, login):
    m = add_member("王芳")
    path = write_roster(tmp_path / "b.xlsx", [{"身份证号": m.id_number, "姓名": m.name, "慰问类别": "六一儿童节慰问",
                                               "发放日期": JUNE_FIRST.isoformat(), "形式": "实物", "金额（元）": "100",
                                               "物品/说明": "儿童图书"}], HEADERS)
    report = benefits_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.created == 1 and BenefitRecord.objects.get().kind == Kind.CHILDRENS_DAY
    client = login(personas.grassroots_chair)
    assert "六一儿童节慰问" in client.get("/benefits/new/").content.decode()
    rules = client.get("/benefits/rules/").content.decode()
    assert "标准未列：六一儿童节慰问" in rules


def test_the_summary_phrases_childrens_day(tree, chair, anhui, add_member, tmp_path):
    from gonghui.summary.tests.conftest import summary_text

    for name in ("王芳", "李娜"):
        services.benefit_create(actor=chair, member=add_member(name), kind=Kind.CHILDRENS_DAY, on=JUNE_FIRST, form=Form.GOODS,
                                amount=Decimal(100), goods="儿童图书")
    text = summary_text(tmp_path, "G1", str(JUNE_FIRST.year))
    assert "在“六一”国际儿童节期间为有子女的会员送上节日慰问2人次，共计200元" in text


def test_the_shipped_rulesets_stay_as_published(anhui):
    assert set(RuleSet.objects.get(name="安徽2025标准").rules.values_list("kind", flat=True)) == set(Kind.values) - {Kind.CHILDRENS_DAY}
