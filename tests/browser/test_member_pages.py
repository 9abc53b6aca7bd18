"""Issue 11 in a real browser: a member's own page (several changes in one request, the
landing page and their own history), the confirmation before a consequential 会籍变动 or
转会, and the roster list's total, page jump and pinyin letters — on a phone where it
matters."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.members.models import ChangeRequest, Member, MembershipEvent
from gonghui.members.services import member_create
from gonghui.testing.factories import staff
from gonghui.testing.members import make_id

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SYSTEM = Actor.system()


def assert_no_browser_errors(page) -> None:
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def assert_fits_width(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def linked_member(tree, *, username="member_wang", name="王秀英", phone="13800001111") -> Member:
    user = staff(tree.grassroots, Role.MEMBER, username=username, full_name=name)
    member = member_create(actor=SYSTEM, org=tree.grassroots, name=name, id_number=make_id(male=False),
                           joined_on=dt.date(2019, 9, 1), phone=phone, education="senior")
    Member.objects.filter(pk=member.pk).update(user=user)
    member.refresh_from_db()
    return member


def test_a_member_changes_phone_and_education_in_one_go(open_page, personas, tree, log_in, shot):
    member = linked_member(tree)
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, "member_wang", expect_dashboard=False)
    page.goto("/members/me/")

    page.get_by_label("新手机号").fill("13912345678")
    page.get_by_label("新学历").select_option(label="本科")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("alert").filter(has_text="已提交修改申请（手机号、学历）")).to_be_visible()
    pending = page.get_by_test_id("pending-request")
    expect(pending).to_have_count(2)
    expect(pending.filter(has_text="手机号")).to_have_count(1)
    expect(pending.filter(has_text="学历")).to_have_count(1)
    assert set(ChangeRequest.objects.filter(member=member, state="pending").values_list("field", flat=True)) == {"phone", "education"}
    assert_fits_width(page)
    shot(page, "both-sent")

    # Both again: each refusal is named under its own box and nothing more is sent.
    page.get_by_label("新手机号").fill("13700001234")
    page.get_by_label("新学历").select_option(label="大专")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".invalid-feedback").filter(has_text="“手机号”的修改申请在审核中")).to_be_visible()
    expect(page.locator(".invalid-feedback").filter(has_text="“学历”的修改申请在审核中")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="已提交")).to_have_count(0)
    assert ChangeRequest.objects.filter(member=member).count() == 2
    assert_fits_width(page)
    shot(page, "both-refused")
    assert_no_browser_errors(page)


def test_one_refused_change_sends_neither_and_says_which(open_page, personas, tree, log_in, shot):
    member = linked_member(tree)  # 学历 高中/中专/技校 on the roster
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, "member_wang", expect_dashboard=False)
    page.goto("/members/me/")
    page.get_by_label("新手机号").fill("13912345678")
    page.get_by_label("新学历").select_option(label="高中/中专/技校")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".invalid-feedback").filter(has_text="新学历与现在登记的相同")).to_be_visible()
    expect(page.get_by_label("新手机号")).to_have_value("13912345678")  # kept for the next try
    expect(page.get_by_role("alert").filter(has_text="已提交")).to_have_count(0)
    assert not ChangeRequest.objects.filter(member=member).exists()
    shot(page, "education-refused")

    page.get_by_label("新学历").select_option(label="不修改")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("alert").filter(has_text="已提交修改申请（手机号）")).to_be_visible()
    assert list(ChangeRequest.objects.filter(member=member).values_list("field", flat=True)) == ["phone"]
    assert_no_browser_errors(page)


def test_a_member_lands_on_their_own_page_with_their_history(open_page, personas, tree, log_in, shot):
    from gonghui.assistance.models import AssistanceRecord
    from gonghui.benefits.models import BenefitRecord
    from gonghui.donations.models import Donation, Drive

    member = linked_member(tree)
    where = {"org": tree.grassroots, "org_path": tree.grassroots.path}
    BenefitRecord.objects.create(member=member, kind="hospital", on=dt.date(2025, 3, 2), form="cash", amount=Decimal("500"),
                                 illness="胃出血住院", **where)
    paid = AssistanceRecord.objects.create(member=member, on=dt.date(2025, 1, 20), occasion="new_year", cash=Decimal("800"),
                                           funding="own", signed=True, signed_on=dt.date(2025, 1, 21), note="家访时了解到负债", **where)
    wrong = AssistanceRecord.objects.create(member=member, on=dt.date(2025, 2, 1), occasion="temporary", cash=Decimal("300"), funding="own", **where)
    AssistanceRecord.objects.create(member=member, on=dt.date(2025, 2, 2), occasion="temporary", cash=Decimal("-300"), funding="own",
                                    reversal_of=wrong, **where)
    drive = Drive.objects.create(org=tree.grassroots, org_path=tree.grassroots.path, name="抗洪救灾捐款", purpose="灾区重建",
                                 starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2025, 7, 31))
    Donation.objects.create(drive=drive, org_path=tree.grassroots.path, kind="member", member=member, name=member.name,
                            amount=Decimal("200"), on=dt.date(2025, 7, 5))

    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, "member_wang", expect_dashboard=False)
    expect(page).to_have_url(re.compile(r"/members/me/$"))
    expect(page.get_by_test_id("greeting")).to_contain_text("您好，王秀英")
    # No staff furniture: no union switcher, no 工作台 in the menu or the title.
    expect(page.get_by_test_id("org-switcher")).to_have_count(0)
    expect(page.get_by_role("link", name="工作台")).to_have_count(0)
    expect(page).not_to_have_title(re.compile("工作台"))

    benefits = page.get_by_test_id("history-benefits")
    expect(benefits).to_contain_text("生病住院慰问")
    expect(benefits).to_contain_text("500 元")
    expect(page.get_by_text("胃出血")).to_have_count(0)  # health data stays on staff pages
    assistance = page.get_by_test_id("history-assistance")
    expect(assistance.locator("li")).to_have_count(1)  # the reversed record and its reversal cancel out
    expect(assistance).to_contain_text("元旦春节送温暖")
    expect(assistance).to_contain_text("800 元")
    expect(assistance).to_contain_text("已签收")
    expect(page.get_by_text(paid.note)).to_have_count(0)
    expect(page.get_by_test_id("history-donations")).to_contain_text("抗洪救灾捐款")
    expect(page.get_by_test_id("history-donations")).to_contain_text("200 元")
    assert_fits_width(page)
    shot(page, "member-home")

    page.goto("/")  # the brand link's address
    expect(page).to_have_url(re.compile(r"/members/me/$"))
    assert_no_browser_errors(page)


def test_a_status_change_has_no_default_and_is_confirmed_by_name(page, personas, tree, log_in, shot):
    member = member_create(actor=SYSTEM, org=tree.grassroots, name="冯春梅", id_number=make_id(male=False),
                           joined_on=dt.date(2018, 3, 1))
    log_in(page, "grassroots_chair")
    page.goto(f"/members/{member.pk}/")
    kind = page.get_by_label("会籍变动")
    expect(kind).to_have_value("")
    expect(page.locator("#event_on")).to_have_value("")
    expect(kind.locator("option")).to_have_text(["请选择", "退会", "退休", "保留会籍", "去世"])

    kind.select_option(label="退会")
    page.locator("#event_on").fill("2025-06-30")
    page.get_by_test_id("record-event").click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("确认会籍变动")
    expect(dialog).to_contain_text("将为“冯春梅”办理退会")
    expect(dialog).to_contain_text("会籍状态改为“已退会”")
    expect(dialog).to_contain_text("2025年6月30日")  # dates as the site writes them
    shot(page, "asked")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    assert not MembershipEvent.objects.filter(member=member, kind="withdraw").exists()

    page.get_by_test_id("record-event").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="确认退会").click()
    expect(page.get_by_role("alert").filter(has_text="已为“冯春梅”记录退会。")).to_be_visible()
    member.refresh_from_db()
    assert member.status == "withdrawn"
    assert MembershipEvent.objects.filter(member=member, kind="withdraw", on=dt.date(2025, 6, 30)).count() == 1
    # Afterwards: still nothing preselected, and only what a withdrawn member allows.
    expect(page.get_by_label("会籍变动")).to_have_value("")
    expect(page.get_by_label("会籍变动").locator("option")).to_have_text(["请选择", "恢复会籍"])
    shot(page, "recorded")
    assert_no_browser_errors(page)


def test_a_transfer_out_is_confirmed_by_name(page, personas, tree, log_in, shot):
    member = member_create(actor=SYSTEM, org=tree.grassroots, name="李建国", id_number=make_id(), joined_on=dt.date(2018, 3, 1))
    log_in(page, "grassroots_chair")
    page.goto(f"/members/{member.pk}/")
    expect(page.get_by_label("转移日期")).to_have_value("")
    page.get_by_label("转入工会编码").fill(tree.sibling_grassroots.code)
    page.get_by_label("转移日期").fill("2025-07-01")
    page.get_by_role("main").get_by_role("button", name="发起转会").click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_contain_text(f"将把“李建国”从“{tree.grassroots.name}”转出至编码为 {tree.sibling_grassroots.code} 的工会")
    expect(dialog).to_contain_text("2025年7月1日")
    shot(page, "asked")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    assert not member.transfers.exists()
    page.get_by_role("main").get_by_role("button", name="发起转会").click()
    dialog.get_by_role("button", name="发起转会").click()
    expect(page.get_by_role("alert").filter(has_text="已发起转会")).to_be_visible()
    assert member.transfers.filter(state="pending").count() == 1
    assert_no_browser_errors(page)


SURNAMES = "安白陈邓方高韩江李马潘孙王吴谢杨张赵周朱"


def test_the_roster_shows_its_total_and_jumps_by_page_or_letter(open_page, personas, tree, log_in, shot):
    for i in range(120):
        member_create(actor=SYSTEM, org=tree.grassroots, name=SURNAMES[i % len(SURNAMES)] + "一二三"[i % 3] + str(i),
                      id_number=make_id(dt.date(1980, 1, 1) + dt.timedelta(days=i)), joined_on=dt.date(2020, 5, 1))
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, "grassroots_chair")
    page.goto("/members/")
    expect(page.get_by_test_id("member-total")).to_have_text("共 120 人")
    expect(page.get_by_test_id("page-number")).to_have_text("第 1 / 3 页")
    rows = page.get_by_test_id("member-table").locator("tbody tr")
    expect(rows).to_have_count(50)
    assert_fits_width(page)
    shot(page, "first-page")

    jump = page.get_by_test_id("page-jump")
    jump.get_by_label("跳至第").fill("3")
    jump.get_by_role("button", name="跳转").click()
    expect(page.get_by_test_id("page-number")).to_have_text("第 3 / 3 页")
    expect(rows).to_have_count(20)
    page.get_by_role("link", name="上一页").click()
    expect(page.get_by_test_id("page-number")).to_have_text("第 2 / 3 页")
    expect(rows).to_have_count(50)
    shot(page, "page-two")

    page.get_by_test_id("letter-bar").get_by_role("link", name="W", exact=True).click()
    expect(page).to_have_url(re.compile(r"letter=w"))
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^王"))
    expect(page.get_by_role("link", name="上一页")).to_have_attribute("href", re.compile(r"cursor="))
    expect(page.get_by_test_id("member-total")).to_have_text("共 120 人")
    assert_fits_width(page)
    shot(page, "letter-w")

    # A search shows its own total.
    page.get_by_test_id("member-search").fill("zy")
    page.get_by_test_id("member-search").press("Enter")
    expect(page.get_by_test_id("member-total")).to_have_text(re.compile(r"^共 \d+ 人$"))
    n = Member.objects.filter(name_initials__startswith="zy").count()
    expect(page.get_by_test_id("member-total")).to_have_text(f"共 {n} 人")
    assert_no_browser_errors(page)
