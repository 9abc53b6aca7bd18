"""Beneficiaries who are not members: a community union's residents (name and ID number,
encrypted, masked, reveal audited) and a 机关 union's paired village (households reached).
They are counted apart from members everywhere: statistics, the panel, the API, the sheets,
the 签收表 and the summary sentences."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gonghui.access.actor import Actor
from gonghui.assistance import selectors, services, sheets
from gonghui.assistance.models import AssistanceRecord
from gonghui.assistance.tests.factories import SYSTEM, household, member
from gonghui.audit.models import AuditEvent
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db

D = dt.date
RESIDENT_ID = make_id(D(1952, 3, 12), male=False, region="330106")


def actor_of(user, org=None):
    grant = user.grants.get(org=org) if org is not None else user.grants.first()
    return Actor.for_grant(grant, source="web")


def resident(org, *, name="王秀兰", number=RESIDENT_ID, on=D(2025, 1, 22), cash="300", occasion="new_year", actor=SYSTEM, **kw):
    return services.nonmember_record_create(actor=actor, org=org, recipient="resident", name=name, id_number=number, on=on,
                                            occasion=occasion, cash=cash, funding="own", **kw)


def village(org, *, name="包联村红星村", households=15, people=40, on=D(2025, 1, 25), cash="3000", occasion="new_year", **kw):
    return services.nonmember_record_create(actor=SYSTEM, org=org, recipient="group", name=name, households=households,
                                            people=people, on=on, occasion=occasion, cash=cash, funding="own", **kw)


# --- the record and its checks ------------------------------------------------------------


def test_it_stores_a_residents_id_encrypted_and_masked(tree):
    r = resident(tree.grassroots)
    assert r.recipient == "resident" and r.member_id is None and r.household_id is None
    assert r.beneficiary_name == "王秀兰" and r.id_masked == RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:]
    assert r.beneficiary_id_masked == r.id_masked
    with connection.cursor() as c:
        c.execute("SELECT id_number FROM assistance_assistancerecord WHERE id = %s", [r.pk])
        stored = c.fetchone()[0]
    assert stored.startswith("g1:") and RESIDENT_ID not in stored
    assert AssistanceRecord.objects.get(pk=r.pk).id_number == RESIDENT_ID
    event = AuditEvent.objects.filter(action="assistance.create_nonmember").latest("seq")
    assert RESIDENT_ID not in json.dumps(event.changes, ensure_ascii=False) and "******" in json.dumps(event.changes)


def test_it_refuses_an_invalid_id_number_and_writes_nothing(tree):
    bad = RESIDENT_ID[:-1] + ("0" if RESIDENT_ID[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        resident(tree.grassroots, number=bad)
    assert "id_number" in exc.value.message_dict and "校验" in exc.value.message_dict["id_number"][0]
    assert not AssistanceRecord.objects.exists()


def test_it_refuses_a_resident_without_name_or_id_number(tree):
    with pytest.raises(ValidationError) as exc:
        resident(tree.grassroots, name="  ", number="")
    assert exc.value.message_dict["name"] == ["请填写受助居民的姓名。"]
    assert exc.value.message_dict["id_number"] == ["请填写受助居民的身份证号。"]
    assert not AssistanceRecord.objects.exists()


def test_it_refuses_a_member_entered_as_a_resident(tree):
    m = member(tree.grassroots, "张会员")
    with pytest.raises(ValidationError) as exc:
        resident(tree.grassroots, name="张会员", number=m.id_number)
    assert "请按会员登记" in exc.value.message_dict["id_number"][0]


@pytest.mark.parametrize("households, people, field, message", [
    (None, None, "households", "请填写受助户数。"),
    (-3, None, "households", "受助户数应为1至100000之间的整数。"),
    (0, None, "households", "受助户数应为1至100000之间的整数。"),
    ("三户", None, "households", "受助户数应为整数。"),
    (10, -1, "people", "受助人数应为1至100000之间的整数。"),
    (10, 5, "people", "受助人数不能少于受助户数。"),
])
def test_it_refuses_bad_household_counts_for_a_village(tree, households, people, field, message):
    with pytest.raises(ValidationError) as exc:
        village(tree.grassroots, households=households, people=people)
    assert exc.value.message_dict[field] == [message]
    assert not AssistanceRecord.objects.exists()


def test_it_refuses_a_village_without_a_name_and_names_every_error(tree):
    with pytest.raises(ValidationError) as exc:
        services.nonmember_record_create(actor=SYSTEM, org=tree.grassroots, recipient="group", name="", households=None,
                                         on=D(2025, 1, 25), occasion="", cash="", funding="own")
    assert set(exc.value.message_dict) >= {"name", "households", "occasion"}
    assert "包联村" in exc.value.message_dict["name"][0]


def test_it_refuses_an_unknown_recipient_kind(tree):
    with pytest.raises(ValidationError) as exc:
        services.nonmember_record_create(actor=SYSTEM, org=tree.grassroots, recipient="member", name="某人", on=D(2025, 1, 2),
                                         occasion="other", cash="10", funding="own")
    assert "recipient" in exc.value.message_dict


def test_it_refuses_another_unions_actor(tree, personas):
    with pytest.raises(PermissionDenied):
        resident(tree.grassroots, actor=actor_of(personas.outsider))
    assert not AssistanceRecord.objects.exists()


def test_it_reverses_and_corrects_a_nonmember_record_keeping_the_beneficiary(tree):
    r = village(tree.grassroots)
    mirror = services.record_reverse(actor=SYSTEM, record=r, reason="金额有误")
    assert mirror.recipient == "group" and mirror.recipient_name == "包联村红星村" and mirror.households_reached == 15
    r2 = resident(tree.grassroots)
    new = services.record_correct(actor=SYSTEM, record=r2, reason="少发", on=r2.on, occasion="new_year", funding="own", cash="500")
    assert new.recipient == "resident" and new.id_number == RESIDENT_ID and new.cash == Decimal("500")


# --- reveal -----------------------------------------------------------------------------------


def test_it_reveals_a_residents_id_only_with_member_reveal_and_audits_it(tree, personas):
    r = resident(tree.grassroots)
    chair = actor_of(personas.grassroots_chair)
    assert services.record_reveal_id(actor=chair, record=r) == RESIDENT_ID
    assert AuditEvent.objects.filter(action="assistance.reveal", object_id=str(r.pk), result="success").count() == 1
    lead = actor_of(personas.branch_lead)  # assistance.view, not member.reveal
    with pytest.raises(PermissionDenied):
        services.record_reveal_id(actor=lead, record=r)


def test_the_reveal_page_answers_404_to_another_union(tree, personas, login):
    r = resident(tree.grassroots)
    client = login(personas.outsider)
    response = client.post(f"/assistance/records/{r.pk}/reveal/")
    assert response.status_code == 404 and RESIDENT_ID.encode() not in response.content
    assert login(personas.grassroots_chair).post(f"/assistance/records/{r.pk}/reveal/").content.count(RESIDENT_ID.encode()) == 1


def test_another_union_cannot_read_a_nonmember_record(tree, personas):
    r = village(tree.grassroots)
    with pytest.raises(Http404):
        selectors.record_get(actor_of(personas.outsider), r.pk)


# --- counting apart ------------------------------------------------------------------------------


@pytest.fixture
def mixed(tree):
    """Two member households (500 each), three residents (300 each), a village visited twice."""
    a = household(tree.grassroots, name="王困难")
    b = household(tree.grassroots, name="李困难")
    services.batch_create(actor=SYSTEM, org=tree.grassroots, title="2025年送温暖", on=D(2025, 1, 20), occasion="new_year",
                          households=[a, b], cash="500", funding="own")
    for i, name in enumerate(("王秀兰", "刘桂英", "陈玉珍")):
        resident(tree.grassroots, name=name, number=make_id(D(1950 + i, 5, 1), male=False, region="330106"))
    village(tree.grassroots, households=15, people=40, cash="3000")
    village(tree.grassroots, households=12, people=33, cash="1200", on=D(2025, 9, 20), occasion="festival")
    return a, b


def test_totals_count_members_and_nonmembers_apart(tree, personas, mixed):
    sums = selectors.totals(selectors.record_search(actor_of(personas.grassroots_chair), start=D(2025, 1, 1), end=D(2025, 12, 31)))
    assert sums["households"] == 2 and sums["members"] == 2 and sums["member_total"] == Decimal("1000")
    assert sums["residents"] == 3 and sums["groups"] == 1 and sums["group_households"] == 27 and sums["group_people"] == 73
    assert sums["nonmember_total"] == Decimal("5100") and sums["total"] == Decimal("6100")


def test_the_statistics_keep_the_per_household_figure_to_members(tree, personas, mixed):
    f = selectors.figures(actor_of(personas.grassroots_chair), tree.grassroots, on=D(2025, 12, 31), year=2025)
    assert f["per_household"] == Decimal("500.00")
    assert [r[0] for r in f["recipients"]] == ["会员", "非会员居民", "包联村/群众户组"]
    assert [r[1] for r in f["recipients"]] == [1000.0, 900.0, 4200.0]


def test_the_statistics_page_and_panel_show_nonmembers_apart(tree, personas, mixed, login):
    client = login(personas.grassroots_chair)
    page = client.get("/assistance/stats/?year=2025&on=2025-12-31").content.decode()
    assert 'data-testid="stat-residents">3<' in page and 'data-testid="stat-group-households">27<' in page
    assert "5,100" in page  # the non-member amount
    records = client.get("/assistance/records/?recipient=nonmember&start=2025-01-01&end=2025-12-31").content.decode()
    assert "包联村红星村" in records and "王秀兰" in records and "王困难" not in records
    assert "非会员 5,100" in records


def test_the_api_lists_nonmembers_masked_and_filters_them(tree, personas, mixed, login):
    client = login(personas.grassroots_chair)
    body = client.get("/api/assistance/records?recipient=resident").json()
    assert {i["beneficiary_name"] for i in body["items"]} == {"王秀兰", "刘桂英", "陈玉珍"}
    assert all(i["member_id"] is None and i["id_masked"].count("*") == 8 for i in body["items"])
    text = json.dumps(body, ensure_ascii=False)
    assert not any(r.id_number in text for r in AssistanceRecord.objects.filter(recipient="resident"))
    totals = client.get("/api/assistance/records?start=2025-01-01&end=2025-12-31").json()["totals"]
    assert totals["households"] == 2 and totals["residents"] == 3 and totals["group_households"] == 27
    assert client.get("/api/assistance/records?recipient=nobody").status_code == 422


def test_the_api_creates_a_village_record_and_refuses_bad_input(tree, personas, login):
    client = login(personas.grassroots_chair)
    payload = {"org_id": tree.grassroots.pk, "recipient": "group", "name": "包联村红星村", "households": 15, "on": "2025-01-25",
               "occasion": "new_year", "funding": "own", "cash": "3000"}
    assert client.post("/api/assistance/records/nonmember", payload, content_type="application/json").status_code == 201
    bad = client.post("/api/assistance/records/nonmember", {**payload, "households": -2}, content_type="application/json")
    assert bad.status_code == 422 and "受助户数" in bad.json()["detail"]
    other = client.post("/api/assistance/records/nonmember", {**payload, "org_id": tree.sibling_grassroots.pk},
                        content_type="application/json")
    assert other.status_code == 404
    assert AssistanceRecord.objects.count() == 1


def test_the_form_saves_a_village_and_shows_chinese_errors(tree, personas, login):
    client = login(personas.grassroots_chair)
    data = {"recipient": "group", "org_code": "G1", "name": "包联村红星村", "households": "", "on": "2025-01-25",
            "occasion": "new_year", "funding": "own", "cash": "3000"}
    refused = client.post("/assistance/records/new-nonmember/", data)
    assert refused.status_code == 200 and "请填写受助户数。" in refused.content.decode()
    assert not AssistanceRecord.objects.exists()
    saved = client.post("/assistance/records/new-nonmember/", {**data, "households": "15"})
    assert saved.status_code == 302 and AssistanceRecord.objects.get().households_reached == 15
    outside = client.post("/assistance/records/new-nonmember/", {**data, "households": "15", "org_code": "G2"})
    assert "不在您的管辖范围内" in outside.content.decode() and AssistanceRecord.objects.count() == 1


# --- batches and the 签收表 -----------------------------------------------------------------------


def test_a_batch_gives_residents_and_households_and_prints_them_on_the_sign_sheet(tree, personas, login):
    h = household(tree.grassroots, name="王困难")
    people = [{"name": "王秀兰", "id_number": RESIDENT_ID}, {"name": "刘桂英", "id_number": make_id(D(1950, 1, 1), male=False)}]
    plan = services.batch_preview(actor=SYSTEM, org=tree.grassroots, title="春节慰问", on=D(2025, 1, 22), occasion="new_year",
                                  households=[h], residents=people, cash="300", funding="own")
    assert not plan.errors and plan.residents == 2 and len(plan.rows) == 3
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="春节慰问", on=D(2025, 1, 22), occasion="new_year",
                                  households=[h], residents=people, cash="300", funding="own", preview=plan.token)
    assert batch.records.filter(recipient="resident").count() == 2 and batch.records.filter(recipient="member").count() == 1
    sheet = login(personas.grassroots_chair).get(f"/assistance/batches/{batch.pk}/sign-sheet/").content.decode()
    assert "王秀兰" in sheet and RESIDENT_ID not in sheet and RESIDENT_ID[:6] + "********" in sheet and "（非会员）" in sheet
    n = services.batch_sign(actor=SYSTEM, batch=batch, records=list(batch.records.all()), on=D(2025, 1, 23))
    assert n == 3


def test_a_batch_refuses_a_bad_resident_line_and_writes_nothing(tree):
    people = [{"name": "王秀兰", "id_number": RESIDENT_ID}, {"name": "王秀兰", "id_number": RESIDENT_ID},
              {"name": "", "id_number": "123"}]
    with pytest.raises(ValidationError) as exc:
        services.batch_create(actor=SYSTEM, org=tree.grassroots, title="春节慰问", on=D(2025, 1, 22), occasion="new_year",
                              households=[], residents=people, cash="300", funding="own")
    text = exc.value.message_dict["residents"][0]
    assert "身份证号相同" in text and "第3位居民" in text
    assert not AssistanceRecord.objects.exists()


def test_the_batch_page_parses_resident_lines_and_refuses_malformed_ones(tree, personas, login):
    client = login(personas.grassroots_chair)
    data = {"title": "春节慰问", "org_code": "G1", "on": "2025-01-22", "occasion": "new_year", "funding": "own", "cash": "300",
            "residents": f"王秀兰 {RESIDENT_ID}\n刘桂英", "only_residents": "on", "action": "preview"}
    page = client.post("/assistance/batches/new/", data).content.decode()
    assert "第2行：请按“姓名 身份证号”填写，每行一人。" in page
    page = client.post("/assistance/batches/new/", {**data, "residents": f"王秀兰 {RESIDENT_ID}"}).content.decode()
    assert "其中非会员居民1人" in page and not AssistanceRecord.objects.exists()


# --- sheets ---------------------------------------------------------------------------------------


def test_the_import_takes_residents_and_villages_and_reimports_nothing(tree, personas, tmp_path):
    from gonghui.summary.tests.conftest import fill_template

    m = member(tree.grassroots, "张会员")
    rows = [
        {"受助人身份证号": m.id_number, "姓名": "张会员", "日期": D(2025, 1, 20), "帮扶类型": "元旦春节送温暖", "现金": 500, "资金来源": "本级经费"},
        {"受助人身份证号": RESIDENT_ID, "姓名": "王秀兰", "日期": D(2025, 1, 22), "帮扶类型": "元旦春节送温暖", "现金": 300,
         "资金来源": "本级经费", "受助对象": "非会员居民"},
        {"姓名": "包联村红星村", "日期": D(2025, 1, 25), "帮扶类型": "元旦春节送温暖", "现金": 3000, "资金来源": "本级经费",
         "受助对象": "包联村/群众户组", "受助户数": 15, "受助人数": 40},
    ]
    path = fill_template("assistance", rows, tmp_path / "a.xlsx")
    chair = actor_of(personas.grassroots_chair)
    report = sheets.assistance_import(actor=chair, path=path, org=tree.grassroots)
    assert report.errors == [] and report.created == 3
    assert AssistanceRecord.objects.get(recipient="group").households_reached == 15
    again = sheets.assistance_import(actor=chair, path=path, org=tree.grassroots)
    assert again.unchanged == 3 and AssistanceRecord.objects.count() == 3
    out = sheets.assistance_export(actor=chair, org=tree.grassroots, path=tmp_path / "out.xlsx")
    assert sheets.assistance_import(actor=chair, path=out, org=tree.grassroots).unchanged == 3  # a chair sees full numbers


def test_the_import_refuses_bad_nonmember_rows_all_or_nothing(tree, personas, tmp_path):
    from gonghui.summary.tests.conftest import fill_template

    rows = [
        {"受助人身份证号": RESIDENT_ID[:-1] + "0" if RESIDENT_ID[-1] != "0" else RESIDENT_ID[:-1] + "1", "姓名": "王秀兰",
         "日期": D(2025, 1, 22), "帮扶类型": "元旦春节送温暖", "现金": 300, "资金来源": "本级经费", "受助对象": "非会员居民"},
        {"姓名": "包联村红星村", "日期": D(2025, 1, 25), "帮扶类型": "元旦春节送温暖", "现金": 3000, "资金来源": "本级经费",
         "受助对象": "包联村/群众户组", "受助户数": -4},
        {"姓名": "", "日期": D(2025, 1, 25), "帮扶类型": "元旦春节送温暖", "现金": 30, "资金来源": "本级经费",
         "受助对象": "包联村/群众户组", "受助户数": 3, "批次名称": "春节"},
    ]
    report = sheets.assistance_import(actor=actor_of(personas.grassroots_chair), path=fill_template("assistance", rows, tmp_path / "b.xlsx"),
                                      org=tree.grassroots)
    messages = " ".join(m for _, m in report.errors)
    assert "受助人身份证号" in messages and "受助户数应为1至100000之间的整数" in messages and "请填写包联村" in messages
    assert not AssistanceRecord.objects.exists() and not report.written


def test_the_payment_list_names_nonmembers_masked(tree, personas, tmp_path):
    from python_calamine import CalamineWorkbook

    resident(tree.grassroots)
    village(tree.grassroots)
    path = sheets.payments_export(actor=actor_of(personas.grassroots_chair), queryset=AssistanceRecord.objects.all(),
                                  path=tmp_path / "p.xlsx")
    cells = [c for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python() for c in row]
    assert "王秀兰" in cells and "非会员居民" in cells and "包联村红星村" in cells and RESIDENT_ID not in cells


# --- the summary ---------------------------------------------------------------------------------


def test_the_summary_states_nonmembers_in_their_own_sentences(tree, mixed, tmp_path):
    from gonghui.summary.tests.conftest import summary_text

    text = summary_text(tmp_path, "G1", "2025")
    assert "对2户困难职工进行慰问，每户发放慰问金500元，共计1000元" in text
    assert "走访慰问辖区困难居民3人，每人发放慰问金300元，共计900元。" in text
    assert "走访慰问包联村红星村困难群众15户、40人，共走访2次，发放慰问金4200元。" in text
    assert "帮扶慰问2户次" in text  # the member total leaves the residents and the village out


# --- review fixes ------------------------------------------------------------------------------


def _query_count(call) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    # each row is written in a savepoint of its own: those are not lookups
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


def test_it_labels_the_village_figure_of_the_records_page_as_visits(tree, personas, mixed, login):
    records = login(personas.grassroots_chair).get("/assistance/records/?start=2025-01-01&end=2025-12-31").content.decode()
    assert "包联村/户组 1 个、27 户次" in records


def test_it_plans_a_batch_of_residents_with_one_member_lookup(tree, personas):
    chair = actor_of(personas.grassroots_chair)
    m = member(tree.grassroots, "张会员")

    def plan(n):
        people = [{"name": f"居民{i}", "id_number": make_id(D(1950 + i, 5, 1), male=False, region="330106")} for i in range(n)]
        people.append({"name": "张会员", "id_number": m.id_number})
        plan = services.batch_preview(actor=chair, org=tree.grassroots, title="送温暖", on=D(2025, 1, 20), occasion="new_year",
                                      households=[], funding="own", cash="300", residents=people)
        assert plan.errors["residents"] == f"“张会员”：{services.MEMBER_NOT_RESIDENT}"

    assert _query_count(lambda: plan(2)) == _query_count(lambda: plan(7))


def test_it_checks_a_resident_against_the_members_an_importer_loaded(tree):
    from gonghui.members.models import id_hash

    with pytest.raises(ValidationError) as exc:
        resident(tree.grassroots, member_hashes={id_hash(RESIDENT_ID)})
    assert exc.value.message_dict["id_number"] == [services.MEMBER_NOT_RESIDENT]
    assert not AssistanceRecord.objects.exists()


def test_it_imports_nonmember_rows_with_a_bounded_number_of_queries(tree, personas, tmp_path):
    from gonghui.summary.tests.conftest import fill_template

    chair = actor_of(personas.grassroots_chair)

    def reimport(n):
        rows = [{"受助人身份证号": make_id(D(1940 + 3 * n + i, 5, 1), male=False, region="330106"), "姓名": f"居民{n}-{i}",
                 "日期": D(2025, 1, 22), "帮扶类型": "元旦春节送温暖", "现金": 300, "资金来源": "本级经费", "受助对象": "非会员居民"}
                for i in range(n)]
        rows += [{"姓名": f"包联村{n}-{i}", "日期": D(2025, 1, 25), "帮扶类型": "元旦春节送温暖", "现金": 3000, "资金来源": "本级经费",
                  "受助对象": "包联村/群众户组", "受助户数": 15} for i in range(n)]
        path = fill_template("assistance", rows, tmp_path / f"r{n}.xlsx")
        assert sheets.assistance_import(actor=chair, path=path, org=tree.grassroots).created == 2 * n
        report = None

        def again():
            nonlocal report
            report = sheets.assistance_import(actor=chair, path=path, org=tree.grassroots)

        count = _query_count(again)
        assert report.errors == [] and report.unchanged == 2 * n
        return count

    # rows already on file cost no query each (it was one or two per row)
    assert reimport(2) == reimport(6)
    assert AssistanceRecord.objects.count() == 16


def test_it_says_when_the_records_export_has_full_id_numbers(tree, personas, tmp_path):
    resident(tree.branch)
    sheets.assistance_export(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, path=tmp_path / "a.xlsx")
    assert AuditEvent.objects.filter(action="assistance.export").latest("seq").message.endswith("（含完整身份证号）")
    sheets.assistance_export(actor=actor_of(personas.branch_lead), org=tree.branch, path=tmp_path / "b.xlsx")
    assert AuditEvent.objects.filter(action="assistance.export").latest("seq").message.endswith("（身份证号已遮蔽）")


def test_it_refuses_a_goods_value_without_a_goods_item_in_the_api(tree, personas, login):
    client = login(personas.grassroots_chair)
    payload = {"org_id": tree.grassroots.pk, "recipient": "group", "name": "包联村红星村", "households": 15, "on": "2025-01-25",
               "occasion": "new_year", "funding": "own", "goods_value": "800"}
    bad = client.post("/api/assistance/records/nonmember", payload, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"] == "填写物品价值时请填写物品名称"
    assert not AssistanceRecord.objects.exists()
    good = client.post("/api/assistance/records/nonmember", {**payload, "goods_item": "米面油"}, content_type="application/json")
    assert good.status_code == 201 and AssistanceRecord.objects.get().goods_value == Decimal("800")


def test_it_refuses_the_reveal_api_without_member_reveal(tree, personas, login):
    r = resident(tree.branch)
    response = login(personas.branch_lead).post(f"/api/assistance/records/{r.pk}/reveal")
    assert response.status_code == 403 and RESIDENT_ID not in response.content.decode()
    assert not AuditEvent.objects.filter(action="assistance.reveal", result="success").exists()


def test_it_reveals_through_the_api_and_audits_it(tree, personas, login):
    r = resident(tree.grassroots)
    response = login(personas.grassroots_chair).post(f"/api/assistance/records/{r.pk}/reveal")
    assert response.status_code == 200 and response.json() == {"value": RESIDENT_ID}
    event = AuditEvent.objects.get(action="assistance.reveal", result="success")
    assert event.object_id == str(r.pk) and "王秀兰" in event.message and RESIDENT_ID not in event.message


def test_it_refuses_the_reveal_api_for_a_village_or_member_record(tree, personas, login):
    client = login(personas.grassroots_chair)
    m = member(tree.grassroots, "张会员")
    for record in (village(tree.grassroots),
                   services.record_create(actor=SYSTEM, member=m, on=D(2025, 1, 20), occasion="new_year", funding="own", cash="500")):
        response = client.post(f"/api/assistance/records/{record.pk}/reveal")
        assert response.status_code == 422 and response.json()["detail"] == "该记录没有非会员居民的身份证号。"
        assert m.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="assistance.reveal", result="success").exists()


def test_it_answers_404_to_a_reveal_of_another_unions_resident(tree, personas, login):
    r = resident(tree.grassroots)
    response = login(personas.outsider).post(f"/api/assistance/records/{r.pk}/reveal")
    assert response.status_code == 404 and RESIDENT_ID not in response.content.decode()
    assert not AuditEvent.objects.filter(action="assistance.reveal", result="success").exists()
