"""Parameters parsed at the edge (web/params.py): each helper, the Chinese 400 they end
in, and the requests that used to answer 500 (security issue 10, item 5)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from gonghui.web.params import (
    DATE_MAX,
    DATE_MIN,
    ID_MAX,
    BadRequestParam,
    check_json,
    json_depth_exceeds,
    param_choice,
    param_date,
    param_id,
    param_int,
    param_json,
    param_json_body,
    param_month,
    param_str,
    param_year,
    parse_json,
)

HUGE = "9" * 20
DEEP = "[" * 100_000 + "]" * 100_000


def q(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def refused(call) -> str:
    with pytest.raises(BadRequestParam) as caught:
        call()
    return caught.value.message


# --- the helpers ------------------------------------------------------------------------------


def test_an_absent_or_empty_value_gives_the_default():
    for helper, default in ((param_int, 7), (param_id, 3), (param_year, 2025), (param_date, dt.date(2025, 1, 1)),
                            (param_month, "2025-01"), (param_str, "x")):
        assert helper(q(), "v", default=default) == default
        assert helper(q(v=""), "v", default=default) == default
        assert helper(q(v="  "), "v", default=default) == default
    assert param_choice(q(), "v", ["a"], default="a") == "a"
    assert param_json(q(), "v", max_bytes=100, max_depth=3, default={}) == {}


def test_param_int_takes_ascii_integers_within_its_range():
    assert param_int(q(v=" 42 "), "v") == 42
    assert param_int(q(v="-5"), "v", min_value=-10) == -5
    assert param_int(q(v=["1", "2"]), "v") == 2  # the last of repeated values, as QueryDict.get
    for bad in ("abc", "1.5", "1e3", "0x10", "1_000", "１２", "²", "٣", "\x00", "1 2"):
        assert refused(lambda bad=bad: param_int(q(v=bad), "v", label="数量")) == "数量应为整数。"
    for huge in (HUGE, "9" * 5000):
        assert refused(lambda huge=huge: param_int(q(v=huge), "v")) == f"参数“v”应在{-(2**31)}至{2**31 - 1}之间。"
    assert "应在1至10之间" in refused(lambda: param_int(q(v="11"), "v", min_value=1, max_value=10))


def test_param_id_is_a_positive_64_bit_integer():
    assert param_id(q(v=str(ID_MAX)), "v") == ID_MAX
    for bad in ("0", "-1", str(ID_MAX + 1), HUGE):
        assert "编号" in refused(lambda bad=bad: param_id(q(v=bad), "v"))


def test_param_year_and_param_month_stay_within_the_supported_years():
    assert param_year(q(year="2025"), "year") == 2025
    assert param_month(q(m="2025-3"), "m") == "2025-03"
    for bad in (HUGE, "1899", "2101", "abc", "-2025"):
        assert refused(lambda bad=bad: param_year(q(year=bad), "year")) == "年份应为1900至2100之间的年份。"
    assert refused(lambda: param_month(q(m="9999-12"), "m")) == "月份应在1900年至2100年之间。"
    for bad in ("2025-13", "2025-00", "2025", "2025-10-01", "abc"):
        assert refused(lambda bad=bad: param_month(q(m=bad), "m")) == "月份格式应为 2025-10。"


def test_param_date_takes_iso_dates_within_the_calendar_the_app_computes_with():
    assert param_date(q(on="2025-10-31"), "on") == dt.date(2025, 10, 31)
    assert param_date(q(on=DATE_MIN.isoformat()), "on") == DATE_MIN
    assert param_date(q(on=DATE_MAX.isoformat()), "on") == DATE_MAX
    for bad in ("2025-02-30", "2025/10/31", "20251031", "2025-10-31T00:00", "abc", "\x00"):
        assert refused(lambda bad=bad: param_date(q(on=bad), "on")) == "日期格式应为 2025-10-31。"
    for bad in ("0001-01-01", "9999-12-31", "1899-12-31"):
        assert refused(lambda bad=bad: param_date(q(on=bad), "on", label="统计日期")) == "统计日期应在1900-01-01至2100-12-31之间。"


def test_param_choice_and_param_str():
    assert param_choice(q(k="unit"), "k", [("unit", "单位"), ("person", "个人")]) == "unit"
    assert refused(lambda: param_choice(q(k="x"), "k", ["unit"], label="类别")) == "类别的取值无效。"
    assert param_str(q(s="  工会 "), "s") == "工会"
    assert refused(lambda: param_str(q(s="a\x00b"), "s", label="原因")) == "原因含有不允许的字符。"
    assert refused(lambda: param_str(q(s="x" * 11), "s", max_length=10, label="原因")) == "原因不能超过10个字。"


def test_the_request_itself_stands_for_its_query_string():
    request = RequestFactory().get("/", {"year": "2024"})
    assert param_year(request, "year") == 2024


def test_json_depth_is_found_without_parsing_and_strings_do_not_count():
    assert json_depth_exceeds(DEEP, 32)
    assert not json_depth_exceeds(json.dumps({"a": [[{"b": 1}]]}), 4)
    assert json_depth_exceeds(json.dumps({"a": [[{"b": 1}]]}), 3)
    assert not json_depth_exceeds(json.dumps({"t": "[[[[[[{{{{{{"}), 1)
    assert not json_depth_exceeds(json.dumps({"t": 'a\\"[[[[[[' + '"' * 3}), 1)  # escaped quotes stay inside the string
    assert not json_depth_exceeds("[]" * 10_000, 1)


def test_parse_json_refuses_size_depth_and_garbage_with_a_chinese_message():
    assert parse_json('{"a": [1]}', max_bytes=100, max_depth=2) == {"a": [1]}
    assert refused(lambda: parse_json(DEEP, max_bytes=10**6, max_depth=32, label="文档")) == "文档嵌套层数过多（最多32层）。"
    assert refused(lambda: parse_json("x" * 2000, max_bytes=1000, max_depth=32, label="文档")) == "文档过大，不能超过1 KB。"
    assert refused(lambda: parse_json("工" * 400, max_bytes=1000, max_depth=32, label="文档")) == "文档过大，不能超过1 KB。"  # bytes, not characters
    assert refused(lambda: parse_json("{oops", max_bytes=1000, max_depth=32, label="文档")) == "文档不是有效的 JSON。"
    assert check_json("{oops", max_bytes=1000, max_depth=32) == "{oops"  # left to the caller's own parser
    assert param_json(q(doc='{"a": 1}'), "doc", max_bytes=100, max_depth=2) == {"a": 1}


def test_param_json_body_checks_the_declared_length_before_reading():
    factory = RequestFactory()
    ok = factory.post("/", data=b'{"a": [1, 2]}', content_type="application/json")
    assert param_json_body(ok, max_bytes=100, max_depth=4) == {"a": [1, 2]}
    big = factory.post("/", data=b"[" + b"1," * 100 + b"1]", content_type="application/json")
    assert refused(lambda: param_json_body(big, max_bytes=100, max_depth=4)) == "请求内容过大，不能超过100字节。"
    deep = factory.post("/", data=DEEP.encode(), content_type="application/json")
    assert refused(lambda: param_json_body(deep, max_bytes=10**6, max_depth=32)) == "请求内容嵌套层数过多（最多32层）。"
    latin = factory.post("/", data=b'{"a": "\xff"}', content_type="application/json")
    assert refused(lambda: param_json_body(latin, max_bytes=100, max_depth=4)) == "请求内容不是 UTF-8 编码的 JSON。"


# --- the 400 answer ---------------------------------------------------------------------------


def test_a_refused_parameter_is_a_chinese_400_page_inside_the_layout(login, personas):
    client = login(personas.street_chair)
    response = client.get("/benefits/stats/", {"year": HUGE})
    assert response.status_code == 400
    page = response.content.decode()
    assert "统计年度应为1900至2100之间的年份。" in page
    assert "临江街道工会" in page  # the working union in the header: rendered with the request
    assert HUGE not in page  # the message names the parameter, never echoes the value


def test_an_htmx_or_json_caller_gets_the_message_as_json(login, personas):
    client = login(personas.street_chair)
    for headers in ({"HX-Request": "true"}, {"Accept": "application/json"}):
        response = client.get("/benefits/stats/", {"year": HUGE}, headers=headers)
        assert response.status_code == 400
        assert response.json() == {"detail": "统计年度应为1900至2100之间的年份。"}


def test_the_api_gets_json_and_other_bad_requests_keep_django_s_page(rf, db):
    # (db: the page renders the layout, whose demo banner reads a flag at most once a minute)
    from django.core.exceptions import SuspiciousOperation

    from gonghui.web.views import bad_request

    api = bad_request(rf.get("/api/orgs/"), BadRequestParam("参数“x”应为整数。"))
    assert api.status_code == 400 and json.loads(api.content) == {"detail": "参数“x”应为整数。"}
    other = bad_request(rf.get("/"), SuspiciousOperation("secret detail"))
    assert other.status_code == 400 and "secret detail" not in other.content.decode()
    assert "页面已过期或提交的内容不完整" in other.content.decode()


# --- the requests that answered 500 ------------------------------------------------------------


@pytest.fixture
def draft(tree):
    from gonghui.access.actor import Actor
    from gonghui.summary.services import summary_create

    return summary_create(actor=Actor.system(), org=tree.grassroots, period="2025", subtree=True)


@pytest.mark.parametrize("document", [DEEP, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_a_deeply_nested_summary_document_is_refused_not_a_recursion_error(login, personas, draft, document):
    client = login(personas.grassroots_chair)
    response = client.post(f"/summary/{draft.pk}/", {"name": "深层", "document": document, "base": 1})
    assert response.status_code == 400
    assert "文档嵌套层数过多（最多32层）。" in response.content.decode()
    assert draft.versions.count() == 1


def test_a_real_summary_document_still_saves(login, personas, draft):
    client = login(personas.grassroots_chair)
    document = json.dumps(draft.latest.document)
    assert not json_depth_exceeds(document, 12)  # far inside the bound of 32
    response = client.post(f"/summary/{draft.pk}/", {"name": "主席审阅稿", "document": document, "base": 1})
    assert response.status_code == 302
    assert draft.versions.count() == 2
    # malformed JSON is still the editor's own message on the form, not a 400
    page = client.post(f"/summary/{draft.pk}/", {"name": "坏稿", "document": "not json"}).content.decode()
    assert "文档内容格式不正确" in page


@pytest.mark.parametrize("number", ["²", HUGE, "0", "abc"])
def test_a_summary_version_number_is_checked(login, personas, draft, number):
    client = login(personas.grassroots_chair)
    for url in (f"/summary/{draft.pk}/", f"/summary/{draft.pk}/check/", f"/summary/{draft.pk}/export.md"):
        response = client.get(url, {"v": number})
        assert response.status_code == 400, url
        assert "版本号" in response.content.decode()


@pytest.mark.parametrize("on, message", [
    ("0001-01-01", "统计日期应在1900-01-01至2100-12-31之间。"),
    ("9999-12-31", "统计日期应在1900-01-01至2100-12-31之间。"),
    ("bad", "统计日期格式应为 2025-10-31。"),
])
def test_assistance_statistics_refuse_a_date_out_of_range(login, personas, on, message):
    client = login(personas.street_chair)
    response = client.get("/assistance/stats/", {"on": on})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_assistance_statistics_still_take_a_date_and_a_year(login, personas):
    client = login(personas.street_chair)
    assert client.get("/assistance/stats/", {"on": "2025-10-31", "year": "2024"}).status_code == 200
    assert client.get("/assistance/stats/", {"year": HUGE}).status_code == 400


@pytest.mark.parametrize("year", [HUGE, "-" + HUGE, "10000", "1", "abc"])
def test_benefit_statistics_refuse_a_year_out_of_range(login, personas, year):
    client = login(personas.street_chair)
    response = client.get("/benefits/stats/", {"year": year})
    assert response.status_code == 400
    assert "统计年度应为1900至2100之间的年份。" in response.content.decode()
    assert client.get("/benefits/stats/", {"year": "2024"}).status_code == 200


def test_the_roster_rate_refuses_a_date_it_cannot_count_on(login, personas):
    client = login(personas.street_chair)
    assert client.get("/members/stats/", {"on": "0001-01-01"}).status_code == 400
    assert client.get("/members/stats/", {"on": "2025-10-31"}).status_code == 200


@pytest.mark.parametrize("params", [{"month": "9999-12"}, {"month": "2025-13"}, {"drive": HUGE}, {"drive": "²"}, {"kind": "x"}])
def test_donation_records_refuse_a_month_drive_or_donor_type_they_cannot_use(login, personas, params):
    client = login(personas.street_chair)
    assert client.get("/donations/records/", params).status_code == 400
    assert client.get("/donations/records/", {"month": "2025-01", "kind": "unit"}).status_code == 200


@pytest.mark.parametrize("parent", ["abc", "0001-01-01", HUGE])
def test_a_new_union_refuses_a_parent_that_is_not_an_id(login, personas, parent):
    client = login(personas.street_chair)
    response = client.get("/orgs/new/", {"parent": parent})
    assert response.status_code == 400
    assert "上级工会" in response.content.decode()


def test_a_union_lookup_refuses_nul_which_postgresql_cannot_compare(login, personas):
    client = login(personas.street_chair)
    assert client.get("/orgs/lookup/", {"q": "临\x00江"}).status_code == 400
    assert client.get("/orgs/lookup/", {"q": "临江"}).status_code == 200


def test_roster_decisions_refuse_nul_which_postgresql_cannot_store(login, personas, tree):
    from gonghui.members.models import ChangeRequest, Member, Transfer
    from gonghui.members.tests.matrix import samples

    ids, _ = samples(tree.grassroots)
    client = login(personas.grassroots_chair)
    posts = [(f"/members/transfers/{ids['transfer_id']}/reject/", {"reason": "不\x00收"}),
             (f"/members/requests/{ids['request_id']}/decide/", {"approve": "0", "reason": "驳\x00回"}),
             (f"/members/{ids['member_id']}/account/", {"username": "zhang\x00san", "password": "Zz#Pass2025ok"})]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert "含有不允许的字符" in response.content.decode()
    assert Transfer.objects.get(pk=ids["transfer_id"]).state == "pending"
    assert ChangeRequest.objects.get(pk=ids["request_id"]).state == "pending"
    assert Member.objects.get(pk=ids["member_id"]).user_id is None


def test_copying_a_rule_table_refuses_an_id_out_of_range(login, personas):
    client = login(personas.district_admin)
    response = client.post("/benefits/rules/new/", {"copy_from": HUGE, "name": "x", "region": "x", "effective_from": "2025-01-01"})
    assert response.status_code == 400
    assert "要复制的慰问标准" in response.content.decode()


# --- forms: unbounded dates and integers --------------------------------------------------------


def test_a_form_date_beyond_the_calendar_is_a_field_error_not_an_overflow(login, personas, tree):
    client = login(personas.street_chair)
    for elected_on in ("9999-12-31", "0001-01-01"):
        response = client.post(f"/orgs/{tree.grassroots.pk}/elect/", {
            "elected_on": elected_on, "o-TOTAL_FORMS": "1", "o-INITIAL_FORMS": "0", "o-0-name": "张三", "o-0-position": "chair"})
        assert response.status_code == 200
        assert "日期应在1900-01-01至2100-12-31之间。" in response.content.decode()


def test_an_audit_search_from_year_one_is_a_field_error(login, personas):
    client = login(personas.street_chair)
    response = client.get("/audit/", {"start": "0001-01-01", "end": "9999-12-31"})
    assert response.status_code == 200
    assert "日期应在1900-01-01至2100-12-31之间。" in response.content.decode()


def test_a_form_integer_beyond_a_database_integer_is_a_field_error(login, personas):
    from gonghui.orgs.models import Org

    client = login(personas.street_chair)
    response = client.post("/orgs/new/", {"name": "大厂工会", "code": "BIG1", "kind": "enterprise", "employee_count": "3000000000",
                                          "home_level": "none"})
    assert response.status_code == 200
    assert "数值不能大于2147483647。" in response.content.decode()
    assert not Org.objects.filter(code="BIG1").exists()


# --- paging cursors ----------------------------------------------------------------------------


def _forged(values) -> str:
    return base64.urlsafe_b64encode(json.dumps({"d": "n", "v": values}).encode()).decode().rstrip("=")


@pytest.mark.parametrize("values", [["x", "y"], [int(HUGE), int(HUGE)], [{"a": 1}, None]])
@pytest.mark.parametrize("url", ["/benefits/", "/orgs/list/", "/members/", "/api/orgs/"])
def test_a_forged_paging_cursor_starts_again_at_the_first_page(login, personas, url, values):
    client = login(personas.street_chair)
    first = client.get(url)
    again = client.get(url, {"cursor": _forged(values)})
    assert again.status_code == first.status_code == 200


def test_a_cursor_only_works_for_the_order_it_was_made_for(many_unions, login, personas):
    client = login(personas.street_chair)
    first = client.get("/orgs/list/", {"sort": "code"})
    cursor = first.context["page"].next_cursor
    assert cursor
    second = client.get("/orgs/list/", {"sort": "code", "cursor": cursor})
    assert second.context["page"].rows[0].code > first.context["page"].rows[-1].code
    # the same cursor under another sort of as many columns would compare names with codes
    other = client.get("/orgs/list/", {"sort": "name", "cursor": cursor})
    assert other.status_code == 200
    assert other.context["page"].prev_cursor is None  # page 1 again


@pytest.fixture
def many_unions(tree):
    from gonghui.access.actor import Actor
    from gonghui.orgs.services import org_create

    for i in range(55):
        org_create(actor=Actor.system(), parent=tree.grassroots, code=f"K{i:02d}", name=f"分会{i:02d}", kind="branch",
                   employee_count=1)


# PostgreSQL refuses NUL in text (a DataError, so a 500, on a plain lookup); the fuzz found it
# in the import pages' 工会编码 and the API's filters. One guard at the edge answers 400.
@pytest.mark.parametrize(("method", "url", "data"), [
    ("get", "/api/orgs/?q=%00", None),
    ("get", "/api/donations/?q=a%00b", None),
    ("post", "/imports/orgs/", {"org_code": "G1\x00"}),
    ("post", "/members/import/", {"org_code": "\x00"}),
    ("get", "/members/?q=%00", None),
])
def test_a_nul_anywhere_is_a_chinese_400_and_touches_nothing(login, personas, method, url, data):
    from gonghui.exchange.models import ImportJob

    client = login(personas.grassroots_chair)
    response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    assert response.status_code == 400
    text = response.json()["detail"] if response["Content-Type"].startswith("application/json") else response.content.decode()
    assert "含有不允许的字符" in text
    assert ImportJob.objects.count() == 0


def test_a_nul_escape_in_a_json_body_is_refused(login, personas):
    client = login(personas.grassroots_chair)
    response = client.post("/api/orgs/", data='{"name": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 400 and "含有不允许的字符" in response.json()["detail"]
