"""The roster in a real browser: a spreadsheet import that is refused, fixed and then
confirmed, pinyin search, revealing an ID number (and its audit trail), and a member's
own phone-sized self-service page with a change request the union approves.

Imports run as background jobs; under the test settings the task backend runs them
inline once the upload's transaction commits, so the job page usually shows the result
straight away and otherwise polls (htmx, every second) until it does.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.audit.models import AuditEvent
from gonghui.core.validators import mask_id, mask_phone
from gonghui.members.models import ChangeRequest, Member
from gonghui.members.services import member_create
from gonghui.testing.factories import staff
from gonghui.testing.members import make_id, write_roster

pytestmark = pytest.mark.browser

JOB_TIMEOUT_MS = 20_000  # the import runs inside the upload request; 2 busy cores can be slow
PHONE = {"width": 390, "height": 844}


def assert_no_browser_errors(page) -> None:
    """No JS exception, CSP violation or other console error since the page opened."""
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def assert_fits_width(page) -> None:
    """Nothing pushes the page wider than the viewport (no sideways scrolling)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def wrong_check_char(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def roster_row(name: str, id_number: str, **extra) -> dict:
    row = {"姓名": name, "身份证号": id_number, "入会时间": dt.date(2020, 5, 1), "学历": "本科"}
    row.update(extra)
    return row


def upload(page, path) -> None:
    page.goto("/members/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("批量导入会员")
    page.get_by_label("名册文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    expect(page).to_have_url(re.compile(r"/members/import/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"检查文件：{path.name}")


def test_it_refuses_a_bad_roster_then_imports_the_fixed_one(page, personas, tree, log_in, shot, tmp_path):
    zhang_id = make_id(dt.date(1985, 6, 15), male=True)
    ids = {
        "张三": zhang_id,
        "李四": make_id(dt.date(1990, 3, 7), male=False),
        "王五": make_id(dt.date(1978, 11, 2), male=True),
        "赵六": make_id(dt.date(1992, 1, 20), male=True),
        "孙七": make_id(dt.date(1988, 8, 8), male=False),
    }
    good = [roster_row(name, ids[name], 手机号=f"1380000000{i}") for i, name in enumerate(("张三", "李四", "王五"), start=1)]
    bad_check = roster_row("赵六", wrong_check_char(ids["赵六"]))
    bad_birth = roster_row("孙七", ids["孙七"], 出生日期=dt.date(1970, 1, 1))
    bad_file = write_roster(tmp_path / "名册-有错.xlsx", [*good, bad_check, bad_birth])  # data rows 2–6

    log_in(page, "grassroots_chair")
    upload(page, bad_file)
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(errors.get_by_role("row").filter(has_text="第5行")).to_contain_text("校验位不符")
    expect(errors.get_by_role("row").filter(has_text="第6行")).to_contain_text("出生日期与身份证号不一致")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("rejected-count")).to_have_text("2")
    shot(page, "errors-listed")
    assert Member.objects.count() == 0

    bad_check["身份证号"] = ids["赵六"]
    bad_birth["出生日期"] = dt.date(1988, 8, 8)
    fixed_file = write_roster(tmp_path / "名册-已改.xlsx", [*good, bad_check, bad_birth])
    upload(page, fixed_file)
    expect(page.get_by_test_id("rejected-count")).to_have_text("0", timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    expect(page.get_by_test_id("import-job")).to_contain_text("将新登记 5 人")
    shot(page, "check-passed")
    assert Member.objects.count() == 0  # a check writes nothing

    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"导入会员：{fixed_file.name}")
    expect(page.get_by_text("导入完成")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("import-job")).to_contain_text("新登记 5 人")
    shot(page, "imported")
    assert Member.objects.filter(org=tree.grassroots).count() == 5

    page.goto("/members/")
    page.get_by_test_id("member-search").fill("zs")
    page.get_by_test_id("member-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/members/\?(.*&)?q=zs"))
    table = page.get_by_test_id("member-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.get_by_role("link", name="张三")).to_be_visible()
    for other in ("李四", "王五", "赵六", "孙七"):
        expect(table).not_to_contain_text(other)
    shot(page, "pinyin-search")

    table.get_by_role("link", name="张三").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("张三")
    id_value = page.locator("#id-value")
    expect(id_value).to_have_text(mask_id(zhang_id))
    expect(page.get_by_text(zhang_id)).to_have_count(0)
    with page.expect_response(re.compile(r"/members/\d+/reveal/id_number/$")):
        page.get_by_test_id("reveal-id").click()
    expect(page.get_by_test_id("revealed-id_number")).to_have_text(zhang_id)
    shot(page, "id-revealed")
    zhang = Member.objects.get(name="张三")
    assert AuditEvent.objects.filter(action="member.reveal", username="grassroots_chair", object_id=str(zhang.pk)).count() == 1

    page.goto("/audit/")
    reveal_row = page.get_by_test_id("audit-table").get_by_role("row").filter(has_text="查看敏感信息")
    expect(reveal_row).to_have_count(1)
    expect(reveal_row).to_contain_text("grassroots_chair")
    expect(reveal_row).to_contain_text("查看完整身份证号")
    expect(reveal_row).not_to_contain_text(zhang_id)
    shot(page, "audit-log")
    assert_no_browser_errors(page)


def test_it_lets_a_member_request_a_new_phone_on_a_phone(open_page, personas, tree, log_in, shot):
    old_phone, new_phone = "13800001111", "13912345678"
    user = staff(tree.grassroots, Role.MEMBER, username="member_li", full_name="李小梅")
    member = member_create(actor=Actor.system(), org=tree.grassroots, name="李小梅", id_number=make_id(male=False),
                           joined_on=dt.date(2019, 9, 1), phone=old_phone)
    Member.objects.filter(pk=member.pk).update(user=user)

    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, "member_li", expect_dashboard=False)
    # A member lands on their own page (issue 11), greeted by name.
    expect(page).to_have_url(re.compile(r"/members/me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的会员信息")
    expect(page.get_by_text("您好，李小梅")).to_be_visible()
    expect(page.get_by_text(member.id_masked)).to_be_visible()
    expect(page.get_by_text(member.id_number)).to_have_count(0)
    expect(page.get_by_text(mask_phone(old_phone))).to_be_visible()
    expect(page.locator(".list-group-item").filter(has_text="入会")).to_contain_text("2019")
    assert_fits_width(page)
    shot(page, "my-info")

    phone_box = page.get_by_label("新手机号")
    phone_box.fill("2381234567")
    page.get_by_role("button", name="提交申请").click()
    # The message sits under the 新手机号 field, which is marked invalid.
    expect(page.locator(".invalid-feedback")).to_contain_text("手机号应为以1开头的11位数字")
    expect(page.locator("#id_phone")).to_have_class(re.compile("is-invalid"))
    assert not ChangeRequest.objects.exists()
    assert_fits_width(page)
    shot(page, "bad-phone")

    page.get_by_label("新手机号").fill(new_phone)
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("alert").filter(has_text="已提交修改申请")).to_be_visible()
    expect(page.get_by_text("“手机号”的修改申请正在审核中")).to_be_visible()
    assert_fits_width(page)
    shot(page, "request-sent")
    assert ChangeRequest.objects.filter(member=member, field="phone", state="pending").count() == 1

    chair_page = open_page()
    log_in(chair_page, "grassroots_chair")
    chair_page.goto("/members/requests/")
    request_row = chair_page.get_by_role("row").filter(has_text="李小梅")
    expect(request_row).to_contain_text(mask_phone(new_phone))
    shot(chair_page, "chair-sees-request")
    request_row.get_by_role("button", name="同意").click()

    expect(chair_page.get_by_role("alert")).to_contain_text("已处理该申请")
    expect(chair_page.get_by_text("没有待审核的申请")).to_be_visible()
    shot(chair_page, "approved")
    member.refresh_from_db()
    assert member.phone == new_phone
    assert ChangeRequest.objects.get(member=member).state == "approved"
    assert_no_browser_errors(page)
    assert_no_browser_errors(chair_page)
