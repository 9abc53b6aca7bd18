"""Security issue 10: safe `next`, Chinese wording everywhere a user reads it, no caching
of personal data, and API docs for staff only."""

import re

import pydantic
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.utils import translation
from ninja import Field, Schema

from gonghui.access.permissions import Role
from gonghui.accounts.models import User
from gonghui.testing.factories import grant, staff
from gonghui.web.middleware import NoStoreMiddleware

PASSWORD = "Test#Pass2025"
LONG = "/" + "a" * 4999

# next → where the user lands: only local paths survive, everything else goes home.
NEXT_CASES = [
    ("abc", "/"),
    ("//evil.example", "/"),
    ("https://evil.example/", "/"),
    ("/members/", "/members/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
    (LONG, "/"),
    ("a" * 5000, "/"),
    ("/\\evil.example", "/"),
    ("/members/\r\nSet-Cookie: x=1", "/"),
]


# --- next -----------------------------------------------------------------------------


@pytest.mark.parametrize("value,expected", NEXT_CASES)
def test_the_login_page_of_a_logged_in_user_goes_only_to_a_local_path(value, expected, personas, login):
    response = login(personas.street_chair).get("/accounts/login/", {"next": value})
    assert response.status_code == 302 and response.url == expected


@pytest.mark.parametrize("value,expected", NEXT_CASES)
def test_switching_union_goes_only_to_a_local_path(value, expected, tree, personas, login):
    user = personas.street_chair
    other = grant(user, tree.sibling_street, Role.CHAIR)
    response = login(user).post("/accounts/switch/", {"grant": other.pk, "next": value})
    assert response.status_code == 302 and response.url == expected


@pytest.mark.parametrize("value,expected", NEXT_CASES)
def test_logging_in_goes_only_to_a_local_path(value, expected, client, personas):
    response = client.post("/accounts/login/", {"username": "street_chair", "password": PASSWORD, "next": value})
    assert response.status_code == 302 and response.url == expected


@pytest.mark.parametrize("value,expected", NEXT_CASES)
def test_a_login_with_a_second_factor_keeps_only_a_local_path(value, expected, client, personas):
    client.post("/accounts/login/", {"username": "street_admin", "password": PASSWORD, "next": value})
    assert client.session["pending_next"] == expected


def test_the_login_form_carries_only_a_local_next(client, db):
    assert 'value="/members/"' in client.get("/accounts/login/", {"next": "/members/"}).content.decode()
    page = client.get("/accounts/login/", {"next": "javascript:alert(1)"}).content.decode()
    assert "javascript:" not in page


# --- password wording -----------------------------------------------------------------

ENGLISH = re.compile(r"[A-Za-z]{3,}")
BAD_PASSWORDS = ["Ab#1", "short", "alllowercaseletters", "Password123", "1234567890", "zhangwei2025", "Zhangwei#2025"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_password_rule_speaks_chinese_whatever_the_active_language(language, db):
    user = User(username="zhangwei2025", full_name="张伟", email="zhangwei2025@example.com")
    seen = set()
    with translation.override(language):
        for validator in get_default_password_validators():
            help_text = str(validator.get_help_text())
            assert help_text and not ENGLISH.search(help_text), help_text
        for password in BAD_PASSWORDS:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                for error in exc.error_list:
                    seen.add(error.code)
                for message in exc.messages:
                    assert not ENGLISH.search(message), message
    # Each configured rule was triggered at least once above.
    assert {"password_too_short", "password_classes", "password_too_common", "password_too_similar"} <= seen


def test_the_short_and_similar_password_messages_read_naturally(db):
    with pytest.raises(ValidationError) as exc:
        validate_password("Ab#1")
    assert "密码太短：至少10个字符。" in exc.value.messages
    with pytest.raises(ValidationError) as exc:
        validate_password("Zhangwei#2025", User(username="zhangwei2025"))
    assert "密码与用户名太相似，请换一个。" in exc.value.messages


def test_the_password_page_says_too_short_in_chinese(personas, login):
    client = login(personas.street_chair)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Ab#1", "new_password2": "Ab#1"})
    text = response.content.decode()
    assert "密码太短：至少10个字符" in text and "too short" not in text


# --- API wording ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,field,message",
    [
        ("/api/members/rate?on=2025-13-45", "on", "应为日期，格式如 2025-10-31"),
        ("/api/members/?subtree=maybe", "subtree", "应为是或否（true/false）"),
        ("/api/orgs/abc", "org_id", "应为整数"),
        ("/api/donations/x/totals", "drive_id", "应为整数"),
        ("/api/assistance/households/x", "household_id", "应为整数"),
        ("/api/benefits/x", "record_id", "应为整数"),
    ],
)
def test_a_wrong_parameter_is_explained_in_chinese(url, field, message, personas, login):
    response = login(personas.street_chair).get(url)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("请求参数有误：") and f"“{field}”{message}" in body["detail"]
    assert not ENGLISH.search(body["detail"].replace(field, "").replace("true/false", ""))
    entry = body["errors"][0]
    assert entry["field"] == field and entry["message"] == message
    assert entry["location"] in ("查询参数", "路径参数")


def test_a_wrong_body_is_explained_field_by_field(personas, login):
    response = login(personas.street_chair).post("/api/orgs/", data={"parent_id": "x", "name": "新工会"}, content_type="application/json")
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["parent_id"]["message"] == "应为整数" and errors["parent_id"]["location"] == "请求体"
    assert errors["code"]["message"] == "缺少此项" and errors["kind"]["message"] == "缺少此项"
    assert "请求体“code”缺少此项" in response.json()["detail"]
    assert "Field required" not in response.content.decode() and "Input should" not in response.content.decode()


def test_ninja_refusals_are_chinese_too(client, personas, login):
    assert client.get("/api/orgs/").json()["detail"].startswith("请先登录")
    response = login(personas.street_chair).post("/api/orgs/", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"] == "请求体不是有效的 JSON。"


def test_pydantic_error_types_render_in_chinese_with_a_fallback():
    from gonghui.api import _field_error

    class Sample(Schema):
        name: str = Field(max_length=3)
        count: int = Field(ge=1)

    with pytest.raises(pydantic.ValidationError) as exc:
        Sample(name="abcd", count=0)
    rendered = [_field_error({**e, "loc": ("body", "payload", *e["loc"])}) for e in exc.value.errors()]
    assert rendered[0] == {"location": "请求体", "field": "name", "message": "不能超过3个字符", "type": "string_too_long"}
    assert rendered[1]["message"] == "不能小于1"
    unknown = _field_error({"type": "some_future_type", "loc": ("query", "q"), "msg": "Something odd"})
    assert unknown["message"] == "格式不正确" and unknown["location"] == "查询参数"
    missing_ctx = _field_error({"type": "string_too_long", "loc": ("query", "q")})
    assert missing_ctx["message"] and "{" not in missing_ctx["message"]


# --- caching --------------------------------------------------------------------------


def assert_no_store(response):
    assert response["Cache-Control"] == "no-store", response.get("Cache-Control")
    assert response["Pragma"] == "no-cache"


def test_a_page_for_a_logged_in_user_is_not_stored(personas, login):
    assert_no_store(login(personas.street_chair).get("/"))


def test_an_api_answer_is_not_stored(personas, login):
    response = login(personas.street_chair).get("/api/orgs/")
    assert response.status_code == 200
    assert_no_store(response)


def test_an_export_download_is_not_stored(tree, personas, login):
    response = login(personas.street_chair).get(f"/orgs/{tree.street.pk}/export.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert_no_store(response)
    b"".join(response.streaming_content)


def test_a_login_under_way_is_not_stored(client, personas):
    client.post("/accounts/login/", {"username": "street_admin", "password": PASSWORD})
    assert_no_store(client.get("/accounts/otp/"))


def test_logging_in_and_out_are_not_stored(client, personas):
    assert_no_store(client.post("/accounts/login/", {"username": "street_chair", "password": PASSWORD}))
    assert_no_store(client.post("/accounts/logout/"))


def test_an_anonymous_public_page_may_be_cached(client, db):
    response = client.get("/accounts/login/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_stay_cacheable_even_when_logged_in(personas, login):
    # WhiteNoise answers /static/ before the middleware chain.
    response = login(personas.street_chair).get("/static/gonghui/app.js")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "make",
    [
        lambda: FileResponse(iter([b"x"]), as_attachment=True, filename="a.xlsx"),
        lambda: FileResponse(iter([b"x"]), filename="a.pdf"),
        lambda: HttpResponse(b"x", headers={"Content-Disposition": 'attachment; filename="a.docx"'}),
    ],
)
def test_a_file_download_is_not_stored_even_for_an_anonymous_request(make, db):
    request = RequestFactory().get("/some/file")
    request.user = AnonymousUser()
    request.session = {}
    assert_no_store(NoStoreMiddleware(lambda r: make())(request))


# --- API docs -------------------------------------------------------------------------


def test_api_docs_are_for_logged_in_staff_only(client, personas, login):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/api/docs")
    response = client.get("/api/openapi.json")
    assert response.status_code == 401 and response.json()["detail"].startswith("请先登录")

    staff_client = login(personas.street_chair)
    assert staff_client.get("/api/docs").status_code == 200
    schema = staff_client.get("/api/openapi.json")
    assert schema.status_code == 200 and "/api/orgs/" in schema.json()["paths"]


def test_api_docs_wait_until_the_user_may_work(client, tree, personas):
    personas.street_chair.must_change_password = True
    personas.street_chair.save()
    client.force_login(personas.street_chair)
    assert client.get("/api/docs").url == "/accounts/password/"
    assert client.get("/api/openapi.json").status_code == 401

    nobody = staff(tree.street, Role.CHAIR, username="nogrant")
    nobody.grants.all().delete()
    client.force_login(nobody)
    assert client.get("/api/docs").status_code == 403
    assert client.get("/api/openapi.json").status_code == 401
