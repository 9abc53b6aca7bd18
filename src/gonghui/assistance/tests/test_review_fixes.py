"""Regressions for the review findings on the assistance app (one test or more per item)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.access.permissions import Role
from gonghui.assistance import selectors, services, sheets
from gonghui.assistance.choices import Status, Step, Tier
from gonghui.assistance.models import AssistanceRecord, Household, HouseholdSpell
from gonghui.assistance.tests.factories import SYSTEM, household, member, region
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import actor_of, staff

D = Decimal


@pytest.fixture
def officer(tree):
    """工会干事: assistance.sensitive, but not member.reveal."""
    return staff(tree.grassroots, Role.OFFICER, username="officer_g1")


@pytest.fixture
def finance(tree):
    return staff(tree.grassroots, Role.FINANCE, username="finance_g1")


def _rows(path):
    # Read with the project's own reader; empty cells as None, like a spreadsheet user sees them.
    from python_calamine import CalamineWorkbook

    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    return [[None if c == "" else c for c in row] for row in grid]


# 1. the hardship export ------------------------------------------------------------------

def test_the_hardship_export_gives_the_full_id_only_with_member_reveal(tree, personas, officer, finance, tmp_path):
    h = household(tree.grassroots, name="王困难", size=4)
    number, masked = h.head.id_number, h.head.id_masked
    id_col = 0  # 户主身份证号 is the first column
    for user, full, sensitive in ((personas.grassroots_chair, True, True), (officer, False, True), (finance, False, False)):
        actor = actor_of(user)
        assert actor.can("member.reveal") == full
        path = sheets.hardship_export(actor=actor, org=tree.grassroots, path=tmp_path / f"{user.username}.xlsx")
        rows = _rows(path)
        header = [str(c or "") for c in rows[0]]
        size_col = next(i for i, c in enumerate(header) if c.startswith("家庭人口"))
        row = rows[1]
        assert row[id_col] == (number if full else masked)
        assert number in str(row) if full else number not in str(rows)
        assert (row[size_col] in (4, "4")) if sensitive else row[size_col] in (None, "")


# 2. close reason and spell notes -------------------------------------------------------

def test_close_reason_and_spell_notes_are_shown_only_with_assistance_sensitive(login, personas, tree, finance):
    h = household(tree.grassroots, name="王困难", status="closed")  # 脱困 with reason 再就业
    spell_notes = [s.note for s in h.spells.all() if s.note]
    assert "再就业" in spell_notes
    chair_body = login(personas.grassroots_chair).get(f"/assistance/{h.pk}/").content.decode()
    assert "再就业" in chair_body
    body = login(finance).get(f"/assistance/{h.pk}/").content.decode()
    assert "脱困" in body and "再就业" not in body
    assert all(s.note == "" for s in selectors.timeline(h, actor_of(finance)))
    assert any(s.note == "再就业" for s in selectors.timeline(h, actor_of(personas.grassroots_chair)))


# 3. causes on the statistics page --------------------------------------------------------

def test_the_cause_chart_is_only_for_assistance_sensitive(login, personas, tree, finance):
    household(tree.grassroots, name="王困难", causes=["illness"])
    assert selectors.figures(actor_of(finance), tree.grassroots, on=dt.date.today(), year=2025)["causes"] == []
    assert selectors.figures(actor_of(personas.grassroots_chair), tree.grassroots, on=dt.date.today(), year=2025)["causes"]
    body = login(finance).get("/assistance/stats/").content.decode()
    assert "c-causes" not in body and "疾病" not in body
    assert "c-causes" in login(personas.grassroots_chair).get("/assistance/stats/").content.decode()


# 4. people named by ID number -----------------------------------------------------------

def test_an_id_field_matches_the_exact_number_not_a_name(login, personas, tree):
    wang = member(tree.grassroots, "王一")
    client = login(personas.grassroots_chair)
    base = {"on": "2025-03-01", "occasion": "sick", "cash": "300", "funding": "own"}
    response = client.post("/assistance/records/new/", {**base, "id_number": "王"})
    assert response.status_code == 200 and "身份证号" in response.content.decode()
    assert not AssistanceRecord.objects.exists()
    response = client.post("/assistance/new/", {"head_id_number": "王", "applied_on": "2025-03-01", "causes": ["illness"], "size": 1})
    assert response.status_code == 200 and not Household.objects.exists()
    unknown = "110105199003070017"
    response = client.post("/assistance/records/new/", {**base, "id_number": unknown})
    assert "找不到该身份证号的会员" in response.content.decode()
    outsider = member(tree.sibling_grassroots, "隔壁")
    assert "找不到" in client.post("/assistance/records/new/", {**base, "id_number": outsider.id_number}).content.decode()
    assert client.post("/assistance/records/new/", {**base, "id_number": wang.id_number}).status_code == 302
    assert AssistanceRecord.objects.get().member == wang
    with pytest.raises(ValidationError, match="身份证号"):
        selectors.member_by_id_number(actor_of(personas.grassroots_chair), "12345")


# 5. the sign sheet is audited -----------------------------------------------------------

def test_printing_the_sign_sheet_is_audited(login, personas, tree):
    h = household(tree.grassroots, name="王困难")
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2025, 1, 20), occasion="new_year",
                                  households=[h], cash="500", funding="own")
    assert login(personas.grassroots_chair).get(f"/assistance/batches/{batch.pk}/sign-sheet/").status_code == 200
    event = AuditEvent.objects.get(action="assistance.sign_sheet")
    assert event.object_id == str(batch.pk) and event.username == "grassroots_chair"
    assert event.changes["rows"][1] == 1 and event.changes["batch"][1] == batch.pk
    from gonghui.audit.registry import action_label

    assert action_label("assistance.sign_sheet") == "打印帮扶签收表"


# 6. a blank income -----------------------------------------------------------------------

def test_a_blank_income_is_not_an_income_of_zero(tree):
    region(tree.grassroots, year=2023)
    h = household(tree.grassroots, status="applied", annual_income="", rigid_expenses="", hardship_spending="5000")
    assert h.suggested_tier == ""
    h2 = household(tree.grassroots, name="意外户", status="applied", annual_income="", causes=["accident"])
    assert h2.suggested_tier == Tier.ACCIDENT
    assert services.suggest_tier(income=None, expenses=D(0), size=1, line=D("1000"), hardship_spending=D("1")) == ""
    assert services.suggest_tier(income=D(0), expenses=D(0), size=1, line=D("1000")) == Tier.DEEP  # a real 0 still counts


# 7. counts of records and households ---------------------------------------------------------

def test_totals_count_neither_reversals_nor_reversed_records(tree):
    a, b = household(tree.grassroots, name="甲"), household(tree.grassroots, name="乙")
    kept = services.record_create(actor=SYSTEM, household=a, on=dt.date(2025, 3, 5), occasion="sick", cash="300", funding="own")
    wrong = services.record_create(actor=SYSTEM, household=b, on=dt.date(2025, 3, 5), occasion="sick", cash="200", funding="own")
    services.record_reverse(actor=SYSTEM, record=wrong, reason="登记错误")
    sums = selectors.totals(AssistanceRecord.objects.all())
    assert (sums["records"], sums["households"], sums["total"]) == (1, 1, D("300"))
    assert kept.pk


# 8. the payment list ---------------------------------------------------------------------

def test_the_payment_list_sums_cash_and_goods_in_their_own_columns(tree, tmp_path):
    h = household(tree.grassroots, name="王困难")
    services.record_create(actor=SYSTEM, household=h, on=dt.date(2025, 3, 5), occasion="sick", cash="300",
                           goods=[{"item": "米", "quantity": 1, "value": "120"}], funding="own")
    path = sheets.payments_export(actor=SYSTEM, queryset=AssistanceRecord.objects.all(), path=tmp_path / "p.xlsx")
    rows = _rows(path)
    header = [str(c or "") for c in rows[0]]
    cash_col = next(i for i, c in enumerate(header) if c.startswith("现金"))
    goods_col = next(i for i, c in enumerate(header) if c.startswith("物品价值"))
    total_row = next(r for r in rows if r[0] == "合计")
    assert total_row[cash_col] == 300 and total_row[goods_col] == 120
    grand = next(r for r in rows if isinstance(r[0], str) and r[0].startswith("现金与物品价值总计"))
    assert 420 in grand


# 9. the date of a reversal ----------------------------------------------------------------

def test_a_reversal_is_dated_like_its_original_and_validated(tree):
    h = household(tree.grassroots, name="王困难")
    r1 = services.record_create(actor=SYSTEM, household=h, on=dt.date(2025, 3, 5), occasion="sick", cash="300", funding="own")
    assert services.record_reverse(actor=SYSTEM, record=r1, reason="重复").on == dt.date(2025, 3, 5)
    r2 = services.record_create(actor=SYSTEM, household=h, on=dt.date(2025, 3, 5), occasion="sick", cash="100", funding="own")
    with pytest.raises(ValidationError, match="不能早于原记录日期"):
        services.record_reverse(actor=SYSTEM, record=r2, reason="重复", on=dt.date(2025, 3, 4))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.record_reverse(actor=SYSTEM, record=r2, reason="重复", on=dt.date.today() + dt.timedelta(days=1))
    assert services.record_reverse(actor=SYSTEM, record=r2, reason="重复", on=dt.date(2025, 4, 1)).on == dt.date(2025, 4, 1)


# 10. batch rows and corrections -----------------------------------------------------------------

def test_batch_rows_load_their_union_in_one_query_and_a_correction_stays_in_the_batch(tree):
    homes = [household(tree.grassroots, name=f"困难{i}") for i in range(3)]
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2025, 1, 20), occasion="new_year",
                                  households=homes, cash="500", funding="own")
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.batch_rows(batch)
        names = [r.org.name for r in rows]
    assert len(queries) == 1 and len(names) == 3
    first = rows[0]
    new = services.record_correct(actor=SYSTEM, record=first, reason="金额有误", on=dt.date(2025, 1, 20), occasion="new_year",
                                  funding="own", cash="600")
    assert new.batch == batch and new.member == first.member and new.cash == D("600")
    assert AssistanceRecord.objects.filter(reversal_of=first, batch=batch).exists()
    rows = selectors.batch_rows(batch)
    assert len(rows) == 3 and new in rows and first not in rows
    assert selectors.totals(batch.records.all())["total"] == D("1600")
    with pytest.raises(ValidationError):  # the package is checked before anything is reversed
        services.record_correct(actor=SYSTEM, record=new, reason="再改", on=dt.date(2025, 1, 20), occasion="new_year",
                                funding="own", cash="")
    assert not AssistanceRecord.objects.filter(reversal_of=new).exists()


# 11. a member who transfers ---------------------------------------------------------------------

def test_the_archive_follows_a_member_who_transfers(tree, personas):
    from gonghui.members import services as member_services

    h = household(tree.grassroots, name="王困难", status="assisting", tier="deep")
    sender, receiver = actor_of(personas.grassroots_chair), actor_of(personas.outsider)
    on = dt.date.today() - dt.timedelta(days=1)
    transfer = member_services.transfer_propose(actor=sender, member=h.head, to_org=tree.sibling_grassroots, on=on)
    member_services.transfer_confirm(actor=receiver, transfer=transfer)
    h.refresh_from_db()
    assert (h.org, h.org_path, h.status, h.tier) == (tree.sibling_grassroots, tree.sibling_grassroots.path, Status.ASSISTING, "deep")
    spells = list(h.spells.order_by("starts_on", "id"))
    assert spells[-1].org == tree.sibling_grassroots and spells[-1].step == Step.TRANSFER and spells[-1].ends_on is None
    assert spells[-1].starts_on == on and spells[-1].status == Status.ASSISTING and spells[-1].tier == "deep"
    assert spells[-2].ends_on == on and spells[-2].org == tree.grassroots
    assert HouseholdSpell.objects.filter(household=h, ends_on__isnull=True).count() == 1
    assert selectors.count_as_of(receiver, tree.sibling_grassroots, dt.date.today()) == 1
    assert selectors.count_as_of(sender, tree.grassroots, dt.date.today()) == 0
    assert AuditEvent.objects.filter(action="hardship.transfer", object_id=str(h.pk)).exists()


# 12. re-applying, back-dated tiers, bounded totals ----------------------------------------------

def test_a_rejected_archive_can_apply_again(tree, personas, client, login):
    from gonghui.members.services import member_account_create

    h = household(tree.grassroots, name="王困难", status="reviewing")
    services.household_transition(actor=SYSTEM, household=h, step=Step.REJECT, on=dt.date(2023, 4, 1), reason="收入超标")
    services.household_transition(actor=SYSTEM, household=h, step=Step.REAPPLY, on=dt.date(2024, 1, 5))
    h.refresh_from_db()
    assert h.status == Status.APPLIED and h.applied_on == dt.date(2024, 1, 5)
    services.household_transition(actor=SYSTEM, household=h, step=Step.REJECT, on=dt.date(2024, 2, 1), reason="仍超标")
    # the member, from the self-service page
    user = member_account_create(actor=actor_of(personas.grassroots_chair), member=h.head, username="wang", password="Zz#Pass2025ok")
    user.must_change_password = False
    user.save()
    client.force_login(user)
    assert "重新申请" in client.get("/assistance/apply/").content.decode()
    assert client.post("/assistance/apply/", {"causes": ["illness"], "size": 2, "annual_income": "10000"}).status_code == 302
    h.refresh_from_db()
    assert h.status == Status.APPLIED and h.annual_income == "10000.00" and h.self_applied
    assert h.spells.order_by("-starts_on", "-id").first().step == Step.REAPPLY
    with pytest.raises(ValidationError):
        services.household_reapply(actor=actor_of(user), member=h.head, causes=["illness"], size=1)


def test_a_tier_can_be_confirmed_with_a_past_date(login, personas, tree):
    h = household(tree.grassroots, name="王困难", status="reviewing", on=dt.date(2023, 3, 1))
    login(personas.grassroots_chair).post(f"/assistance/{h.pk}/tier/", {"tier": "deep", "reason": "补录", "on": "2023-03-10"})
    h.refresh_from_db()
    assert h.tier == "deep"
    assert h.spells.get(step=Step.TIER).starts_on == dt.date(2023, 3, 10)


def test_the_records_page_totals_the_current_year_unless_a_period_is_chosen(login, personas, tree):
    h = household(tree.grassroots, name="王困难")
    today = dt.date.today()
    services.record_create(actor=SYSTEM, household=h, on=dt.date(today.year - 1, 6, 1), occasion="sick", cash="300", funding="own")
    services.record_create(actor=SYSTEM, household=h, on=today, occasion="sick", cash="200", funding="own")
    client = login(personas.grassroots_chair)
    body = client.get("/assistance/records/").content.decode()
    assert f"（{today.year}年" in body and "共 200 元" in body
    body = client.get(f"/assistance/records/?start={today.year - 1}-01-01&end={today:%Y-%m-%d}").content.decode()
    assert "共 500 元" in body
