"""批量发放 is previewed before anything is written, confirmed only if nothing changed since
the preview; receipt is recorded for many records at once; the 签收表 is cut into printed
pages on the server (issue 11, items 5 and 7)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.assistance import services
from gonghui.assistance.choices import Step
from gonghui.assistance.models import AssistanceBatch, AssistanceRecord
from gonghui.assistance.tests.factories import SYSTEM, household
from gonghui.audit.models import AuditEvent

FORM = {"title": "2026年元旦春节送温暖", "org_code": "G1", "tier": "", "on": "2026-01-20", "occasion": "new_year",
        "cash": "300", "goods_item": "米面油", "goods_quantity": "1", "goods_unit": "份", "goods_value": "80", "funding": "own",
        "handled_by": "工会干事"}


def token_of(body: str) -> str:
    found = re.search(r'name="preview" value="([^"]+)"', body)
    assert found, "the preview carries no token"
    return found.group(1)


@pytest.fixture
def homes(tree):
    verified = household(tree.grassroots, name="王建国")
    services.household_verify(actor=SYSTEM, household=verified)
    return [verified, household(tree.branch, name="李秀英"), household(tree.grassroots, name="张卫东", status="filed")]


def test_the_preview_writes_nothing_and_shows_totals_households_unions_and_warnings(login, personas, tree, homes):
    client = login(personas.grassroots_chair)
    response = client.post("/assistance/batches/new/", {**FORM, "action": "preview"})
    assert response.status_code == 200
    body = response.content.decode()
    assert not AssistanceBatch.objects.exists() and not AssistanceRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="assistance.batch").exists()
    summary = re.search(r'data-testid="plan-summary">(.*?)</', body, re.S).group(1)
    assert "3户" in summary and "每户380元" in summary and "合计1,140元" in summary
    table = body[body.index('data-testid="batch-plan"'):]
    for name, union in (("王建国", "临江精机工会"), ("李秀英", "一车间分会"), ("张卫东", "临江精机工会")):
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", table, re.S).group(0)
        assert union in row and "380" in row
    warnings = re.search(r'data-testid="plan-warnings">(.*?)</ul>', body, re.S).group(1)
    assert "李秀英：档案逾期未年度核实" in warnings and "张卫东：档案逾期未年度核实" in warnings
    assert "王建国" not in warnings
    assert "张卫东：发放后档案状态由“建档”转为“帮扶中”" in warnings
    assert 'value="confirm"' in body


def test_confirming_the_unchanged_preview_writes_the_batch(login, personas, tree, homes):
    client = login(personas.grassroots_chair)
    token = token_of(client.post("/assistance/batches/new/", {**FORM, "action": "preview"}).content.decode())
    response = client.post("/assistance/batches/new/", {**FORM, "action": "confirm", "preview": token})
    assert response.status_code == 302
    batch = AssistanceBatch.objects.get()
    assert batch.records.count() == 3
    assert sum(r.total for r in batch.records.all()) == Decimal("1140")


def test_a_confirmation_without_a_preview_writes_nothing(login, personas, tree, homes):
    client = login(personas.grassroots_chair)
    for data in ({**FORM, "action": "confirm"}, {**FORM, "action": "confirm", "preview": "forged"}, FORM):
        response = client.post("/assistance/batches/new/", data)
        assert response.status_code == 200
    assert not AssistanceRecord.objects.exists()


def test_the_confirmation_refuses_what_changed_since_the_preview_and_shows_the_differences(login, personas, tree, homes):
    client = login(personas.grassroots_chair)
    token = token_of(client.post("/assistance/batches/new/", {**FORM, "action": "preview"}).content.decode())
    services.household_transition(actor=SYSTEM, household=homes[1], step=Step.CLOSE, on=dt.date(2026, 1, 2), reason="再就业")
    household(tree.grassroots, name="赵新户")
    response = client.post("/assistance/batches/new/", {**FORM, "action": "confirm", "preview": token})
    assert response.status_code == 200
    assert not AssistanceRecord.objects.exists()
    body = response.content.decode()
    changes = re.search(r'data-testid="plan-changes">(.*?)</div>', body, re.S).group(1)
    assert "赵新户" in changes and "新增" in changes
    assert "李秀英" in changes and "不再列入" in changes
    # the page now previews the current state: confirming that writes it
    fresh = token_of(body)
    assert fresh != token
    assert client.post("/assistance/batches/new/", {**FORM, "action": "confirm", "preview": fresh}).status_code == 302
    assert sorted(AssistanceRecord.objects.values_list("member__name", flat=True)) == sorted(["王建国", "张卫东", "赵新户"])


def test_the_confirmation_refuses_a_package_edited_after_the_preview(login, personas, tree, homes):
    client = login(personas.grassroots_chair)
    token = token_of(client.post("/assistance/batches/new/", {**FORM, "action": "preview"}).content.decode())
    response = client.post("/assistance/batches/new/", {**FORM, "cash": "3000", "action": "confirm", "preview": token})
    assert response.status_code == 200 and not AssistanceRecord.objects.exists()
    changes = re.search(r'data-testid="plan-changes">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert "现金" in changes and "300" in changes and "3,000" in changes


def test_the_service_checks_the_preview_inside_its_transaction(tree, homes):
    package = {"org": tree.grassroots, "title": "送温暖", "on": dt.date(2026, 1, 20), "occasion": "new_year", "cash": "500",
               "funding": "own"}
    plan = services.batch_preview(actor=SYSTEM, households=homes, **package)
    assert not plan.errors and plan.total == Decimal("1500") and len(plan.rows) == 3
    services.household_transition(actor=SYSTEM, household=homes[0], step=Step.CLOSE, on=dt.date(2026, 1, 2), reason="再就业")
    with pytest.raises(ValidationError) as exc:
        services.batch_create(actor=SYSTEM, households=homes, preview=plan.token, **package)
    assert "王建国" in " ".join(exc.value.messages)
    assert not AssistanceRecord.objects.exists()
    with pytest.raises(ValidationError, match="重新预览"):
        services.batch_create(actor=SYSTEM, households=homes[1:], preview="forged", **package)
    assert not AssistanceRecord.objects.exists()


def test_the_chooser_shows_each_households_union_and_a_select_all_box(login, personas, tree, homes):
    body = login(personas.grassroots_chair).get("/assistance/batches/new/").content.decode()
    chooser = body[body.index('data-testid="household-chooser"'):]
    for name, union in (("王建国", "临江精机工会"), ("李秀英", "一车间分会")):
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", chooser, re.S).group(0)
        assert union in row and 'name="households"' in row
    assert "data-check-all" in chooser and "assistance/batch.js" in body


# --- bulk 签收 ----------------------------------------------------------------------------------


@pytest.fixture
def batch(tree):
    homes = [household(tree.grassroots, name=f"困难户{i}") for i in range(4)]
    return services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2026, 1, 20), occasion="new_year",
                                 households=homes, cash="500", funding="own")


def test_many_records_are_signed_at_once_with_one_date(login, personas, batch):
    client = login(personas.grassroots_chair)
    records = list(batch.records.order_by("id"))
    assert re.search(r'data-testid="signed-count">已签 0/4<', client.get(f"/assistance/batches/{batch.pk}/").content.decode())
    response = client.post(f"/assistance/batches/{batch.pk}/sign/", {"records": [r.pk for r in records[:3]], "on": "2026-01-22"},
                           follow=True)
    body = response.content.decode()
    assert "已登记3户签收" in body and re.search(r'data-testid="signed-count">已签 3/4<', body)
    assert [(r.signed, r.signed_on) for r in batch.records.order_by("id")] == [(True, dt.date(2026, 1, 22))] * 3 + [(False, None)]
    assert AuditEvent.objects.filter(action="assistance.batch_sign").count() == 1


def test_bulk_signing_is_all_or_nothing(login, personas, tree, batch):
    client = login(personas.grassroots_chair)
    records = list(batch.records.order_by("id"))
    services.record_sign(actor=SYSTEM, record=records[0], on=dt.date(2026, 1, 21))
    other = services.record_create(actor=SYSTEM, household=records[1].household, on=dt.date(2026, 2, 1), occasion="sick", cash="100",
                                   funding="own")
    for data, fragment in (
        ({"records": [records[0].pk, records[1].pk], "on": "2026-01-22"}, "已签收"),
        ({"records": [records[1].pk, other.pk], "on": "2026-01-22"}, "不属于该批次"),
        ({"records": [records[1].pk], "on": "2026-01-19"}, "不能早于发放日期"),
        ({"records": [records[1].pk], "on": "2099-01-01"}, "不能晚于今天"),
        ({"on": "2026-01-22"}, "请勾选"),
    ):
        body = client.post(f"/assistance/batches/{batch.pk}/sign/", data, follow=True).content.decode()
        assert fragment in body, fragment
    assert batch.records.filter(signed=True).count() == 1


# --- the 签收表 pages ---------------------------------------------------------------------------


def test_the_sign_sheet_is_cut_into_pages_with_subtotals_and_the_total_on_the_last(login, personas, tree):
    homes = [household(tree.grassroots, name=f"困难户{i:02d}") for i in range(45)]
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2026, 1, 20), occasion="new_year",
                                  households=homes, cash="500", funding="own")
    client = login(personas.grassroots_chair)
    for orientation, sizes in (("portrait", [25, 20]), ("landscape", [20, 20, 5])):
        body = client.get(f"/assistance/batches/{batch.pk}/sign-sheet/?orientation={orientation}").content.decode()
        sheets = body.split('<section class="sheet')[1:]
        assert [s.count('data-testid="sign-row"') for s in sheets] == sizes, orientation
        for number, (sheet, size) in enumerate(zip(sheets, sizes, strict=True), start=1):
            assert f"第{number}页 共{len(sizes)}页" in sheet
            assert re.search(rf"本页小计.*?共 {size * 500:,} 元", sheet, re.S)
            assert ("22,500" in sheet) == (number == len(sizes))
            assert ("经办人" in sheet) == (number == len(sizes))
    assert client.get(f"/assistance/batches/{batch.pk}/sign-sheet/?orientation=sideways").status_code == 200
