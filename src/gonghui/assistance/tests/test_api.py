"""The /api/assistance routes: scoped, no sensitive fields, filters, as-of counts."""

import datetime as dt
import json

import pytest

from gonghui.assistance import services
from gonghui.assistance.tests.factories import SYSTEM, household

SECRETS = ("尿毒症透析", "24000", "illness", "疾病", "annual_income", "health", "causes")


@pytest.fixture
def homes(tree):
    a = household(tree.grassroots, name="王困难", tier="deep", health="尿毒症透析", annual_income="24000", on=dt.date(2023, 3, 1))
    b = household(tree.branch, name="李困难", tier="relative", on=dt.date(2024, 6, 1))
    c = household(tree.grassroots, name="张脱困", tier="deep", status="closed", on=dt.date(2023, 3, 1))  # closed 2023-09-17
    services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2025, 1, 20), occasion="new_year",
                          households=[a, b], cash="500", funding="own")
    services.record_create(actor=SYSTEM, household=a, on=dt.date(2025, 3, 5), occasion="sick", cash="300", funding="own",
                           goods=[{"item": "牛奶", "quantity": 1, "unit": "箱", "value": 100}])
    return a, b, c


def test_it_lists_households_without_sensitive_fields(login, personas, homes):
    client = login(personas.grassroots_chair)  # holds assistance.sensitive: still nothing sensitive here
    response = client.get("/api/assistance/households")
    assert response.status_code == 200
    items = response.json()["items"]
    assert {i["head_name"] for i in items} == {"王困难", "李困难", "张脱困"}
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text
    assert homes[0].head.id_number not in text and homes[0].head.id_masked in text
    managed = client.get("/api/assistance/households?status=managed&tier=deep").json()["items"]
    assert [i["head_name"] for i in managed] == ["王困难"] and managed[0]["tier_label"] == "深度困难"
    assert [i["head_name"] for i in client.get("/api/assistance/households?org=B1").json()["items"]] == ["李困难"]


def test_it_shows_one_household_with_its_history_but_no_sensitive_details(login, personas, homes):
    client = login(personas.grassroots_chair)
    body = client.get(f"/api/assistance/households/{homes[2].pk}").json()
    assert body["status"] == "closed" and body["status_label"] == "脱困" and body["closed_on"] == "2023-09-17"
    assert [s["step"] for s in body["history"]] == ["apply", "review", "tier", "file", "assist", "close"]
    text = json.dumps(client.get(f"/api/assistance/households/{homes[0].pk}").json(), ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text


def test_it_lists_records_with_filters_and_totals(login, personas, homes):
    client = login(personas.grassroots_chair)
    everything = client.get("/api/assistance/records").json()
    assert len(everything["items"]) == 3
    assert everything["totals"]["records"] == 3 and everything["totals"]["total"] == "1400.00"
    new_year = client.get("/api/assistance/records?occasion=new_year&start=2025-01-01&end=2025-01-31").json()
    assert {i["member_name"] for i in new_year["items"]} == {"王困难", "李困难"} and new_year["totals"]["total"] == "1000.00"
    march = client.get("/api/assistance/records?month=2025-03").json()
    assert [(i["occasion_label"], i["cash"], i["goods_value"], i["total"]) for i in march["items"]] == [
        ("生病住院慰问", "300.00", "100.00", "400.00")]
    assert len(client.get(f"/api/assistance/records?household={homes[1].pk}").json()["items"]) == 1
    batch_id = everything["items"][-1]["batch_id"]
    assert len(client.get(f"/api/assistance/records?batch={batch_id}").json()["items"]) == 2
    assert client.get("/api/assistance/records?start=not-a-date").status_code == 422


def test_it_counts_households_as_of_a_date(login, personas, homes, tree):
    client = login(personas.grassroots_chair)

    def count(query=""):
        response = client.get("/api/assistance/count" + query)
        assert response.status_code == 200, response.content
        return response.json()["households"]

    assert count() == 2
    assert count("?on=2023-06-30") == 2  # 王困难 and 张脱困 (closed later that year)
    assert count("?on=2023-12-31") == 1
    assert count("?on=2024-06-01") == 2  # 李困难 from that day
    assert count("?on=2024-06-01&tier=relative") == 1
    assert count("?on=2024-06-01&org=G1&subtree=false") == 1
    assert count("?status=closed") == 1
    assert count("?cause=illness") == 2
    assert client.get("/api/assistance/count?status=bogus").status_code == 422
    assert client.get("/api/assistance/count?tier=bogus").status_code == 422


def test_a_role_without_sensitive_access_cannot_count_by_cause(login, personas, homes):
    client = login(personas.branch_lead)
    assert client.get("/api/assistance/count?cause=illness").status_code == 403
    assert client.get("/api/assistance/count").json()["households"] == 1  # the branch's own


def test_another_union_gets_404_and_sees_nothing(login, personas, homes, tree):
    client = login(personas.outsider)
    assert client.get(f"/api/assistance/households/{homes[0].pk}").status_code == 404
    assert client.get(f"/api/assistance/records?household={homes[0].pk}").status_code == 404
    batch_id = homes[0].records.first().batch_id
    assert client.get(f"/api/assistance/records?batch={batch_id}").status_code == 404
    assert client.get("/api/assistance/count?org=G1").status_code == 404
    assert client.get("/api/assistance/households?org=G1").status_code == 404
    assert client.get("/api/assistance/households").json()["items"] == []
    records = client.get("/api/assistance/records").json()
    assert records["items"] == [] and records["totals"]["records"] == 0
    assert client.get("/api/assistance/count").json()["households"] == 0


def test_it_needs_a_login(client, homes):
    assert client.get("/api/assistance/households").status_code == 401
