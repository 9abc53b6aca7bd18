import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.assistance import selectors, services
from gonghui.assistance.choices import Status, Step, Tier, YearClass
from gonghui.assistance.models import AssistanceRecord, Household, HouseholdSpell
from gonghui.assistance.tests.factories import SYSTEM, household, member, region
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import actor_of

D = Decimal


# --- the tier rule at its boundaries -----------------------------------------------------

@pytest.mark.parametrize(("income", "expenses", "size", "expected"), [
    # line 1000/month, 3 people: limit 36000/yr net; twice 72000
    ("41999.99", "6000", 3, Tier.DEEP),      # 35999.99 net → 999.99/person-month
    ("42000", "6000", 3, Tier.RELATIVE),     # exactly the line is not below it
    ("77999.99", "6000", 3, Tier.RELATIVE),
    ("78000", "6000", 3, ""),                # exactly twice the line: no tier
    ("12000", "0", 1, Tier.RELATIVE),        # 1000 per month for one person
    ("11999.99", "0", 1, Tier.DEEP),
    ("5000", "9000", 2, Tier.DEEP),          # expenses above income
])
def test_it_suggests_the_tier_at_the_boundaries(income, expenses, size, expected):
    assert services.suggest_tier(income=D(income), expenses=D(expenses), size=size, line=D("1000")) == expected


def test_it_suggests_accident_tier_for_accident_causes_or_hardship_spending():
    rich = {"income": D("100000"), "expenses": D("0"), "size": 1, "line": D("1000")}
    assert services.suggest_tier(**rich) == ""
    assert services.suggest_tier(**rich, causes=["accident"]) == Tier.ACCIDENT
    assert services.suggest_tier(**rich, causes=["disaster"]) == Tier.ACCIDENT
    assert services.suggest_tier(**rich, hardship_spending=D("80000")) == ""  # exactly 80 %: not above
    assert services.suggest_tier(**rich, hardship_spending=D("80000.01")) == Tier.ACCIDENT
    assert services.suggest_tier(**rich, causes=["illness"]) == ""


def test_it_suggests_no_income_tier_without_a_dibao_line(tree):
    h = household(tree.grassroots, status="applied", annual_income="1000", rigid_expenses="0")
    assert h.suggested_tier == "" and h.region_code == ""


def test_it_uses_the_union_regions_line_of_the_year(tree):
    region(tree.street, amount="1000", year=2023)
    h = household(tree.grassroots, status="applied", annual_income="41999.99", rigid_expenses="6000", size=3)
    assert (h.suggested_tier, h.region_code, h.dibao_year) == (Tier.DEEP, "990100", 2023)
    assert services.per_capita_monthly(D("41999.99"), D("6000"), 3) == D("1000.00")


def test_it_requires_a_reason_to_override_the_suggestion(tree):
    region(tree.grassroots, year=2023)
    h = household(tree.grassroots, status="reviewing", annual_income="24000", rigid_expenses="0", size=3)
    assert h.suggested_tier == Tier.DEEP
    with pytest.raises(ValidationError) as exc:
        services.household_confirm_tier(actor=SYSTEM, household=h, tier=Tier.RELATIVE)
    assert "请填写理由" in str(exc.value)
    services.household_confirm_tier(actor=SYSTEM, household=h, tier=Tier.RELATIVE, reason="有隐性收入")
    h.refresh_from_db()
    assert (h.tier, h.override_reason) == (Tier.RELATIVE, "有隐性收入")
    assert AuditEvent.objects.filter(action="hardship.tier", message__contains="有隐性收入").exists()


def test_it_keeps_sensitive_values_encrypted_and_out_of_the_audit_trail(tree):
    from django.db import connection

    h = household(tree.grassroots, status="applied", annual_income="24000", health="尿毒症透析")
    with connection.cursor() as cur:
        cur.execute("SELECT annual_income, health FROM assistance_household WHERE id = %s", [h.pk])
        raw = cur.fetchone()
    assert "24000" not in raw[0] and "尿毒症" not in raw[1]
    ev = AuditEvent.objects.get(action="hardship.create")
    assert "24000" not in str(ev.changes) and "尿毒症" not in str(ev.changes)


# --- lifecycle ----------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "step"), [
    ("applied", Step.FILE), ("applied", Step.CLOSE), ("applied", Step.RETURN), ("reviewing", Step.ASSIST),
    ("filed", Step.REVIEW), ("assisting", Step.RETURN), ("closed", Step.CLOSE), ("closed", Step.ASSIST),
])
def test_it_refuses_disallowed_transitions(tree, status, step):
    h = household(tree.grassroots, status=status)
    with pytest.raises(ValidationError) as exc:
        services.household_transition(actor=SYSTEM, household=h, step=step, on=dt.date(2024, 12, 1), reason="x")
    assert "不能办理" in str(exc.value)
    h.refresh_from_db()
    assert h.status == status


def test_it_refuses_filing_without_a_tier_and_closing_without_a_reason(tree):
    h = household(tree.grassroots, status="reviewing")
    with pytest.raises(ValidationError, match="困难类别"):
        services.household_transition(actor=SYSTEM, household=h, step=Step.FILE, on=dt.date(2023, 3, 1))
    h2 = household(tree.grassroots, name="另一户", status="assisting")
    with pytest.raises(ValidationError, match="原因"):
        services.household_transition(actor=SYSTEM, household=h2, step=Step.CLOSE, on=dt.date(2024, 1, 1))


def test_it_refuses_a_date_before_the_last_change(tree):
    h = household(tree.grassroots, status="assisting", on=dt.date(2024, 5, 1))
    with pytest.raises(ValidationError, match="不能早于"):
        services.household_transition(actor=SYSTEM, household=h, step=Step.CLOSE, on=dt.date(2024, 4, 1), reason="x")


def test_it_counts_households_as_of_a_date_across_closing_and_return(tree):
    a = household(tree.grassroots, name="甲", status="assisting", on=dt.date(2023, 3, 1))
    household(tree.branch, name="乙", status="assisting", tier="relative", on=dt.date(2024, 6, 1),
              annual_income="60000", rigid_expenses="0")
    household(tree.sibling_grassroots, name="丙", status="assisting", on=dt.date(2023, 3, 1))
    services.household_transition(actor=SYSTEM, household=a, step=Step.CLOSE, on=dt.date(2024, 1, 1), reason="再就业")
    services.household_transition(actor=SYSTEM, household=a, step=Step.RETURN, on=dt.date(2025, 2, 1), reason="重病")
    count = lambda on, **kw: selectors.count_as_of(SYSTEM, tree.street, on, **kw)  # noqa: E731
    assert count(dt.date(2023, 2, 28)) == 0
    assert count(dt.date(2023, 3, 1)) == 1
    assert count(dt.date(2023, 12, 31)) == 1
    assert count(dt.date(2024, 1, 1)) == 0       # closed that day
    assert count(dt.date(2024, 6, 1)) == 1       # 乙 only
    assert count(dt.date(2025, 2, 1)) == 2       # 甲 returned
    assert count(dt.date(2025, 2, 1), tier=Tier.DEEP) == 1
    assert count(dt.date(2025, 2, 1), cause="illness") == 2
    assert count(dt.date(2024, 1, 1), statuses=[Status.CLOSED]) == 1
    assert selectors.count_as_of(SYSTEM, tree.district, dt.date(2025, 2, 1)) == 3
    assert selectors.count_as_of(SYSTEM, tree.grassroots, dt.date(2025, 2, 1), subtree=False) == 1


def test_it_classifies_each_years_archives(tree):
    a = household(tree.grassroots, name="甲", status="assisting", on=dt.date(2023, 3, 1))
    b = household(tree.grassroots, name="乙", status="assisting", on=dt.date(2024, 3, 1))
    services.household_transition(actor=SYSTEM, household=a, step=Step.CLOSE, on=dt.date(2023, 10, 1), reason="再就业")
    services.household_transition(actor=SYSTEM, household=a, step=Step.RETURN, on=dt.date(2024, 2, 1), reason="重病")
    classes = selectors.year_classes(SYSTEM, tree.grassroots, 2024)
    assert classes == {a.pk: YearClass.RETURNED, b.pk: YearClass.NEW}
    assert selectors.year_classes(SYSTEM, tree.grassroots, 2025) == {a.pk: YearClass.STOCK, b.pk: YearClass.STOCK}
    assert selectors.year_classes(SYSTEM, tree.grassroots, 2023) == {a.pk: YearClass.NEW}


def test_it_lists_archives_due_for_verification(tree):
    old = household(tree.grassroots, name="甲", status="assisting", on=dt.date(2023, 3, 1))
    household(tree.grassroots, name="乙", status="assisting", on=dt.date.today() - dt.timedelta(days=30))
    due = selectors.due_for_verification(SYSTEM, tree.grassroots)
    assert list(due) == [old]
    services.household_verify(actor=SYSTEM, household=old, on=dt.date.today())
    assert not selectors.due_for_verification(SYSTEM, tree.grassroots).exists()


def test_it_refuses_a_second_archive_for_the_same_head_and_other_unions(tree, personas):
    h = household(tree.grassroots, status="applied")
    with pytest.raises(ValidationError, match="已有困难职工档案"):
        services.household_create(actor=SYSTEM, head=h.head, causes=["illness"], size=1)
    with pytest.raises(PermissionDenied):
        services.household_create(actor=actor_of(personas.outsider), head=member(tree.grassroots, "别家"), causes=["illness"], size=1)
    with pytest.raises(PermissionDenied):
        services.household_update(actor=actor_of(personas.branch_lead), household=h, size=2)


def test_it_rejects_bad_archive_input_without_writing(tree):
    head = member(tree.grassroots)
    with pytest.raises(ValidationError) as exc:
        services.household_create(actor=SYSTEM, head=head, causes=["nope"], size=0, annual_income="abc", rigid_expenses="-1")
    assert set(exc.value.message_dict) == {"causes", "size", "annual_income", "rigid_expenses"}
    assert not Household.objects.exists() and not HouseholdSpell.objects.exists()


def test_it_blocks_deactivating_a_union_with_open_archives(tree):
    household(tree.grassroots, status="assisting")
    assert "困难职工档案" in services.hardship_block_deactivation(tree.grassroots)


# --- assistance records ------------------------------------------------------------------

def test_it_gives_23_households_500_yuan_each_in_one_batch(tree):
    homes = [household(tree.grassroots, name=f"困难户{i}", status="filed" if i % 2 else "assisting") for i in range(23)]
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="2025年元旦春节送温暖", on=dt.date(2025, 1, 20),
                                  occasion="new_year", households=homes, cash="500", funding="own", handled_by="王干事")
    records = AssistanceRecord.objects.filter(batch=batch)
    assert records.count() == 23
    assert selectors.totals(records)["total"] == D("11500")
    assert selectors.totals(records)["households"] == 23
    assert not Household.objects.filter(status=Status.FILED).exists()  # 建档 → 帮扶中


def test_it_writes_nothing_when_one_household_of_a_batch_is_wrong(tree):
    homes = [household(tree.grassroots, name=f"困难户{i}") for i in range(3)]
    homes.append(household(tree.grassroots, name="已脱困", status="closed"))
    with pytest.raises(ValidationError, match="已脱困"):
        services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2025, 1, 20),
                              occasion="new_year", households=homes, cash="500", funding="own")
    assert not AssistanceRecord.objects.exists()


def test_it_refuses_a_batch_with_a_household_of_another_union(tree, personas):
    mine = household(tree.grassroots, name="本单位")
    theirs = household(tree.sibling_grassroots, name="外单位")
    with pytest.raises(ValidationError, match="不在该工会之下"):
        services.batch_create(actor=actor_of(personas.street_chair), org=tree.street, title="送温暖", on=dt.date(2025, 1, 20),
                              occasion="new_year", households=[mine, theirs], cash="500", funding="own")
    assert not AssistanceRecord.objects.exists()


def test_it_corrects_by_reversal_and_keeps_totals_right(tree):
    homes = [household(tree.grassroots, name=f"困难户{i}") for i in range(3)]
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2025, 1, 20),
                                  occasion="new_year", households=homes, cash="500", funding="own",
                                  goods=[{"item": "大米", "quantity": "1", "unit": "袋", "value": "100"}])
    wrong = batch.records.first()
    mirror = services.record_reverse(actor=SYSTEM, record=wrong, reason="金额有误")
    services.record_create(actor=SYSTEM, household=wrong.household, on=dt.date(2025, 1, 21), occasion="new_year",
                           cash="800", funding="own")
    assert (mirror.cash, mirror.goods_value, mirror.reversal_of_id) == (D("-500"), D("-100"), wrong.pk)
    wrong.refresh_from_db()
    assert wrong.cash == D("500")  # the original is untouched
    assert selectors.totals(selectors.record_search(SYSTEM, org=tree.grassroots))["total"] == D("2000")
    assert len(selectors.batch_rows(batch)) == 2
    with pytest.raises(ValidationError, match="已冲销"):
        services.record_reverse(actor=SYSTEM, record=wrong, reason="再次")
    with pytest.raises(ValidationError, match="不能再冲销"):
        services.record_reverse(actor=SYSTEM, record=mirror, reason="再次")


@pytest.mark.parametrize(("fields", "field"), [
    ({"cash": "0"}, "cash"), ({"cash": "abc"}, "cash"), ({"cash": "-5"}, "cash"), ({"occasion": "x"}, "occasion"),
    ({"funding": "partner"}, "partner_name"), ({"on": None}, "on"),
    ({"goods": [{"item": "油", "quantity": "-1", "value": "50"}]}, "goods"),
])
def test_it_rejects_bad_records(tree, fields, field):
    h = household(tree.grassroots)
    values = {"on": dt.date(2025, 1, 1), "occasion": "sick", "cash": "300", "funding": "own", **fields}
    with pytest.raises(ValidationError) as exc:
        services.record_create(actor=SYSTEM, household=h, **values)
    assert field in exc.value.message_dict
    assert not AssistanceRecord.objects.exists()


def test_it_signs_for_a_record_once(tree):
    h = household(tree.grassroots)
    r = services.record_create(actor=SYSTEM, household=h, on=dt.date(2025, 1, 1), occasion="sick", cash="300", funding="own")
    services.record_sign(actor=SYSTEM, record=r, on=dt.date(2025, 1, 2))
    with pytest.raises(ValidationError, match="已签收"):
        services.record_sign(actor=SYSTEM, record=r)


def test_it_refuses_writes_to_roles_without_manage(tree, personas):
    from gonghui.testing.factories import staff

    h = household(tree.grassroots)
    finance = staff(tree.grassroots, "finance", username="fin")
    with pytest.raises(PermissionDenied):
        services.record_create(actor=actor_of(finance), household=h, on=dt.date(2025, 1, 1), occasion="sick", cash="300", funding="own")
    with pytest.raises(PermissionDenied):
        services.household_view_sensitive(actor=actor_of(personas.branch_lead), household=h)
