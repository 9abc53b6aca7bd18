import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.access.permissions import Role
from gonghui.audit.models import AuditEvent
from gonghui.benefits import selectors, services
from gonghui.benefits.models import BenefitRecord, Kind
from gonghui.benefits.tests.conftest import YEAR, D
from gonghui.testing.factories import actor_of, staff


def give(actor, member, kind="birthday", amount=300, form="goods", on=None, **extra):
    return services.benefit_create(actor=actor, member=member, kind=kind, on=on or dt.date(YEAR, 1, 5), form=form,
                                   amount=D(amount), **extra)


@pytest.fixture
def officer(tree):
    return actor_of(staff(tree.grassroots, Role.OFFICER, username="officer"))


def test_it_ships_the_national_default_and_the_anhui_example(db):
    from gonghui.benefits.models import RuleSet

    national, anhui = RuleSet.objects.get(is_default=True), RuleSet.objects.get(name="安徽2025标准")
    assert national.is_sample and anhui.is_sample
    rules = {r.kind: r for r in anhui.rules.all()}
    assert rules[Kind.FESTIVAL].annual_cap == 2200 and rules[Kind.FESTIVAL].goods_only
    assert rules[Kind.BIRTHDAY].cap_per_event == 500
    assert all(rules[k].cap_per_event == 2000 for k in ("wedding", "childbirth", "hospital", "bereavement", "retirement"))
    assert rules[Kind.HOSPITAL].once_per_illness and all(r.requires_dues for r in rules.values())


def test_it_applies_the_nearest_choice_else_the_national_default(tree, anhui):
    assert selectors.ruleset_for(tree.branch.path, dt.date(YEAR, 3, 1)) == anhui
    assert selectors.ruleset_for(tree.branch.path, dt.date(2024, 3, 1)).is_default  # 安徽2025 not yet in force
    from gonghui.benefits.models import RuleSet

    national = RuleSet.objects.get(is_default=True)
    services.ruleset_choose(actor=actor_of_admin(tree), org=tree.grassroots, ruleset=national)
    assert selectors.ruleset_for(tree.branch.path, dt.date(YEAR, 3, 1)) == national
    assert selectors.ruleset_for(tree.sibling_grassroots.path, dt.date(YEAR, 3, 1)) == anhui


def actor_of_admin(tree):
    from gonghui.access.actor import Actor

    return Actor.system()


def test_it_refuses_a_cap_per_event_breach_with_a_chinese_explanation(tree, anhui, chair, add_member):
    m = add_member("王芳")
    with pytest.raises(ValidationError) as exc:
        give(chair, m, "birthday", 600)
    assert "王芳：生日慰问600元，超过安徽2025标准每次500元" in exc.value.message_dict["rules"]
    assert not BenefitRecord.objects.exists()
    give(chair, m, "birthday", 500)


def test_it_accepts_a_cap_breach_with_an_override_and_audits_it(tree, anhui, chair, add_member):
    m = add_member("王芳")
    r = give(chair, m, "birthday", 600, override_reason="职工代表大会决议提高标准")
    assert r.override_reason and r.violations == ["王芳：生日慰问600元，超过安徽2025标准每次500元"]
    ev = AuditEvent.objects.get(action="benefit.override")
    assert "职工代表大会决议" in ev.message and "超过安徽2025标准每次500元" in ev.message


def test_it_refuses_an_override_from_a_role_without_the_permission(tree, anhui, officer, add_member):
    m = add_member("王芳")
    with pytest.raises(PermissionDenied):
        give(officer, m, "birthday", 600, override_reason="领导同意了")
    assert not BenefitRecord.objects.exists()
    give(officer, m, "birthday", 400)  # within the rules an officer may give


def test_it_accumulates_the_annual_festival_cap_across_batches_and_records(tree, anhui, chair, add_member):
    m = add_member("王芳")
    for festival, on in (("chunjie", dt.date(YEAR, 1, 20)), ("duanwu", dt.date(YEAR, 5, 30))):
        services.benefit_batch_create(actor=chair, org=tree.grassroots, title=festival, selection="all", members=[m], kind="festival",
                                      festival=festival, on=on, form="goods", amount=D(800))
    give(chair, m, "festival", 400, festival="laodong", on=dt.date(YEAR, 5, 1))  # 2,000 so far
    with pytest.raises(ValidationError) as exc:
        services.benefit_batch_create(actor=chair, org=tree.grassroots, title="中秋", selection="all", members=[m], kind="festival",
                                      festival="zhongqiu", on=dt.date(YEAR, 1, 25), form="goods", amount=D(400))
    assert "王芳：节日慰问全年累计将达2,400元，超过安徽2025标准每人每年2,200元" in exc.value.message_dict["rules"]
    # Last year's festivals do not count this year.
    give(chair, m, "festival", 2000, festival="guoqing", on=dt.date(YEAR - 1, 10, 1))
    batch = services.benefit_batch_create(actor=chair, org=tree.grassroots, title="中秋", selection="all", members=[m], kind="festival",
                                          festival="zhongqiu", on=dt.date(YEAR, 1, 25), form="goods", amount=D(400),
                                          override_reason="经工会委员会研究同意")
    assert batch.override_reason and batch.records.get().violations
    assert selectors.year_total(m, "festival", YEAR) == 2400


def test_it_refuses_cash_for_goods_only_kinds_unless_overridden(tree, anhui, chair, add_member):
    m = add_member("王芳")
    with pytest.raises(ValidationError) as exc:
        give(chair, m, "festival", 300, form="cash", festival="chunjie")
    assert "王芳：节日慰问（春节）只能发放实物，不能发放现金或购物卡（安徽2025标准）" in exc.value.message_dict["rules"]
    assert give(chair, m, "festival", 300, form="cash", festival="chunjie", override_reason="偏远地区无法配送实物").override_reason


def test_it_visits_the_same_illness_once_a_year(tree, anhui, chair, officer, add_member):
    m = add_member("王芳")
    give(chair, m, "hospital", 800, form="cash", illness="阑尾炎 手术", on=dt.date(YEAR, 2, 1))
    with pytest.raises(ValidationError) as exc:
        give(chair, m, "hospital", 500, form="cash", illness="阑尾炎手术", on=dt.date(YEAR, 3, 1))
    assert "同一病情本年度已于" in exc.value.message_dict["rules"][0] and "阑尾炎" not in exc.value.message_dict["rules"][0]
    give(chair, m, "hospital", 500, form="cash", illness="骨折", on=dt.date(YEAR, 3, 1))  # another illness
    give(chair, m, "hospital", 500, form="cash", illness="阑尾炎手术", on=dt.date(YEAR - 1, 3, 1))  # another year
    with pytest.raises(PermissionDenied):
        give(officer, m, "hospital", 500, form="cash", illness="阑尾炎手术", on=dt.date(YEAR, 4, 1), override_reason="复发再次住院")
    give(chair, m, "hospital", 500, form="cash", illness="阑尾炎手术", on=dt.date(YEAR, 4, 1), override_reason="复发再次住院")
    with pytest.raises(ValidationError, match="病情"):
        give(chair, m, "hospital", 500, form="cash", illness="")


def test_it_excludes_members_who_pay_no_dues(tree, anhui, chair, add_member):
    payer, non_payer = add_member("王芳"), add_member("李四", pays_dues=False)
    with pytest.raises(ValidationError) as exc:
        give(chair, non_payer, "birthday", 200)
    assert "李四：未按时缴纳会费" in exc.value.message_dict["rules"][0]
    preview = services.batch_check(actor=chair, members=[payer, non_payer], selection="all", kind="birthday",
                                   on=dt.date(YEAR, 1, 5), form="goods", amount=D(200))
    assert [p.member for p in preview.plan] == [payer] and preview.excluded[0][0] == non_payer
    batch = services.benefit_batch_create(actor=chair, org=tree.grassroots, title="生日", selection="all", members=[payer, non_payer],
                                          kind="birthday", on=dt.date(YEAR, 1, 5), form="goods", amount=D(200))
    assert list(batch.records.values_list("member__name", flat=True)) == ["王芳"]
    # Named on an explicit list, the non-payer is a violation, not silently dropped.
    with pytest.raises(ValidationError, match="未按时缴纳会费"):
        services.benefit_batch_create(actor=chair, org=tree.grassroots, title="名单", selection="list", members=[non_payer],
                                      kind="birthday", on=dt.date(YEAR, 2, 5), form="goods", amount=D(200))


def test_it_selects_batch_members_by_eligibility(tree, chair, add_member):
    from gonghui.members.services import member_record_event

    woman = add_member("王芳", female=True, birth=dt.date(1990, 3, 9))
    man = add_member("张三", female=False, birth=dt.date(1988, 7, 1), org=tree.branch)
    gone = add_member("赵六", female=True, birth=dt.date(1990, 3, 1))
    member_record_event(actor=chair, member=gone, kind="withdraw", on=dt.date.today())
    add_member("钱七", org=tree.sibling_grassroots)
    names = lambda qs: sorted(m.name for m in qs)  # noqa: E731
    assert names(selectors.eligible_members(chair, tree.grassroots, selection="all")) == ["张三", "王芳"]
    assert names(selectors.eligible_members(chair, tree.grassroots, selection="all", subtree=False)) == ["王芳"]
    assert names(selectors.eligible_members(chair, tree.grassroots, selection="women")) == ["王芳"]
    assert names(selectors.eligible_members(chair, tree.grassroots, selection="birthday", month=3)) == ["王芳"]
    assert names(selectors.eligible_members(chair, tree.grassroots, selection="list", ids=[man.pk, woman.pk])) == ["张三", "王芳"]
    with pytest.raises(PermissionDenied):
        selectors.eligible_members(chair, tree.sibling_grassroots)


def test_a_batch_of_23_gives_23_records_totalling_11500(tree, chair, add_member):
    members = [add_member(f"会员{i}", birth=dt.date(1970, 1, 1) + dt.timedelta(days=100 * i)) for i in range(23)]
    batch = services.benefit_batch_create(actor=chair, org=tree.grassroots, title="送温暖", selection="all", members=members,
                                          kind="festival", festival="chunjie", on=dt.date(YEAR, 1, 20), form="goods", amount=D(500))
    assert selectors.batch_totals(batch) == {"n": 23, "total": D(11500)}


def test_a_reversal_leaves_the_totals_right(tree, anhui, chair, add_member):
    m = add_member("王芳")
    r = give(chair, m, "festival", 2000, festival="chunjie")
    new = services.benefit_correct(actor=chair, record=r, reason="金额有误", kind="festival", festival="chunjie",
                                   on=dt.date(YEAR, 1, 5), form="goods", amount=D(1500))
    r.refresh_from_db()
    assert r.is_reversed and new.amount == 1500
    assert selectors.year_total(m, "festival", YEAR) == 1500
    figures = selectors.figures(chair, tree.grassroots, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert figures["total"] == 1500 and figures["n"] == 1
    give(chair, m, "festival", 700, festival="duanwu")  # room freed by the reversal: 2,200 exactly
    with pytest.raises(ValidationError, match="该记录已冲销"):
        services.benefit_reverse(actor=chair, record=r, reason="再冲一次")
    with pytest.raises(ValidationError, match="冲销记录"):
        services.benefit_reverse(actor=chair, record=r.reversal, reason="冲销冲销")


def test_a_failed_correction_leaves_the_original_unreversed(tree, anhui, chair, add_member):
    m = add_member("王芳")
    r = give(chair, m, "birthday", 300)
    with pytest.raises(ValidationError):
        services.benefit_correct(actor=chair, record=r, reason="改金额", kind="birthday", on=dt.date(YEAR, 1, 5), form="goods", amount=D(900))
    r.refresh_from_db()
    assert not r.is_reversed and BenefitRecord.objects.count() == 1


def test_it_keeps_other_unions_out(tree, chair, personas, add_member):
    other = add_member("钱七", org=tree.sibling_grassroots)
    with pytest.raises(PermissionDenied):
        give(chair, other, "birthday", 200)
    mine = give(actor_of(personas.outsider), other, "birthday", 200)
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.record_get(chair, mine.pk)
    assert not selectors.records_for(chair).exists()


def test_rule_table_edits_need_the_rules_permission_and_keep_dates_ordered(tree, personas, chair):
    from gonghui.access.actor import Actor
    from gonghui.benefits.models import RuleSet

    admin = actor_of(personas.street_admin)
    national = RuleSet.objects.get(is_default=True)
    with pytest.raises(PermissionDenied):
        services.ruleset_create(actor=chair, org=tree.grassroots, copy_from=national, name="企业标准", region="企业", effective_from=dt.date(YEAR, 1, 1))
    own = services.ruleset_create(actor=admin, org=tree.street, copy_from=national, name="临江标准", region="临江", effective_from=dt.date(YEAR, 1, 1))
    assert own.rules.count() == 8
    with pytest.raises(ValidationError, match="失效日期"):
        services.ruleset_update(actor=admin, ruleset=own, effective_to=dt.date(YEAR - 1, 1, 1))
    services.ruleset_update(actor=admin, ruleset=own, rules={"birthday": {"cap_per_event": D(800)}})
    assert own.rules.get(kind="birthday").cap_per_event == 800
    with pytest.raises(PermissionDenied):
        services.ruleset_update(actor=admin, ruleset=national, notes="改全国")
    services.ruleset_update(actor=Actor.system(), ruleset=national, notes="运维修改")
    with pytest.raises(PermissionDenied):
        services.ruleset_update(actor=actor_of(personas.sibling_admin), ruleset=own, notes="隔壁改")
