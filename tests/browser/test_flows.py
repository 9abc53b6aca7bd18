"""End-to-end flows in a real browser: login, lockout, second factor, switching unions,
the htmx org tree, union creation with USCC validation, and the phone layout.

The lockout test runs early on purpose: every browser reaches the live server from
127.0.0.1, so a lock that outlived its test would refuse the logins of the tests after
it (the autouse fixture in conftest.py checks that none survives).
"""

import re

import pyotp
import pytest
from django.conf import settings
from playwright.sync_api import expect

from gonghui.access.permissions import Role
from gonghui.accounts.models import LoginLock
from gonghui.core.validators import uscc_check_char
from gonghui.orgs.models import Org
from gonghui.testing.factories import grant, staff

pytestmark = pytest.mark.browser

# What ECharts draws into the containers of the union charts (levels and kinds).
CHARTS = ", ".join(f'div[data-source="{src}"] {el}' for src in ("chart-levels", "chart-kinds") for el in ("canvas", "svg"))


def assert_no_browser_errors(page) -> None:
    """No JS exception, CSP violation or other console error since the page opened."""
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def wrong_check_char(body: str) -> str:
    right = uscc_check_char(body)
    return "1" if right != "1" else "2"


def test_it_logs_in_to_the_dashboard_with_charts(page, personas, tree, log_in, shot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    shot(page, "login-form")

    log_in(page, "street_chair")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{tree.street.name} · 工作台")
    expect(page.get_by_test_id("org-switcher")).to_contain_text(tree.street.name)
    expect(page.get_by_test_id("stat-unions")).to_have_text("3")  # S1, G1, B1
    expect(page.locator('div[data-source="chart-levels"], div[data-source="chart-kinds"]')).to_have_count(2)
    # The members panel adds its own charts; an empty roster's gender chart says so.
    expect(page.locator('div[data-source="m-months"] canvas')).to_have_count(1)
    expect(page.locator('div[data-source="m-gender"]')).to_contain_text("暂无数据")
    expect(page.locator(CHARTS)).to_have_count(2)
    shot(page, "dashboard")
    assert_no_browser_errors(page)


def test_it_locks_the_account_after_five_wrong_passwords(page, personas, log_in, password, shot):
    threshold = settings.GONGHUI_LOCKOUT_THRESHOLD  # 5
    error = page.locator(".alert-danger")
    for attempt in range(1, threshold):
        log_in(page, "grassroots_chair", f"wrong-{attempt}", expect_dashboard=False)
        expect(error).to_contain_text(f"再错{threshold - attempt}次")
    shot(page, "last-warning")

    log_in(page, "grassroots_chair", f"wrong-{threshold}", expect_dashboard=False)
    expect(error).to_contain_text("登录失败次数过多")
    expect(error).to_contain_text("已锁定")
    shot(page, "locked")
    assert LoginLock.objects.filter(key="user:grassroots_chair").exists()

    log_in(page, "grassroots_chair", password, expect_dashboard=False)
    expect(error).to_contain_text("已被锁定")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    shot(page, "correct-password-refused")
    assert_no_browser_errors(page)


def test_it_enrols_a_new_administrator_in_totp(page, tree, log_in, shot):
    admin = staff(tree.district, Role.SYSADMIN, username="new_admin", full_name="新管理员")
    admin.totp_secret, admin.totp_enabled = "", False
    admin.save(update_fields=["totp_secret", "totp_enabled"])

    log_in(page, "new_admin", expect_dashboard=False)
    expect(page).to_have_url(re.compile(r"/accounts/otp/setup/$"))
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    shot(page, "totp-setup")

    page.get_by_label("动态口令").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="确认启用").click()

    expect(page).to_have_title(re.compile(r"^工作台"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{tree.district.name} · 工作台")
    expect(page.get_by_role("alert")).to_contain_text("双因素认证已启用")
    shot(page, "dashboard")
    admin.refresh_from_db()
    assert admin.totp_enabled and admin.totp_secret == secret
    assert_no_browser_errors(page)


def test_it_switches_the_working_union_from_the_top_bar(page, tree, log_in, shot):
    user = staff(tree.street, Role.CHAIR, username="two_hats", full_name="兼职主席")
    grant(user, tree.sibling_street, Role.CHAIR)
    switcher = page.get_by_test_id("org-switcher")
    heading = page.get_by_role("heading", level=1)

    log_in(page, "two_hats")
    expect(switcher).to_contain_text(tree.street.name)
    expect(heading).to_have_text(f"{tree.street.name} · 工作台")

    switcher.click()
    menu_item = page.get_by_role("button", name=f"{tree.sibling_street.name} · 工会主席/副主席")
    expect(menu_item).to_be_visible()
    shot(page, "switcher-open")
    menu_item.click()

    expect(switcher).to_contain_text(tree.sibling_street.name)
    expect(switcher).not_to_contain_text(tree.street.name)
    expect(heading).to_have_text(f"{tree.sibling_street.name} · 工作台")
    expect(page.get_by_role("alert")).to_contain_text(f"已切换到：{tree.sibling_street.name}")
    expect(page.locator(CHARTS)).to_have_count(2)
    shot(page, "switched")
    assert_no_browser_errors(page)


def test_it_expands_the_org_tree_with_htmx(page, personas, tree, log_in, shot):
    log_in(page, "street_chair")
    page.get_by_role("link", name="组织管理").click()
    expect(page).to_have_url(re.compile(r"/orgs/$"))
    org_tree = page.get_by_test_id("org-tree")
    expect(org_tree.get_by_role("link", name=tree.grassroots.name)).to_be_visible()
    expect(org_tree.get_by_role("link", name=tree.branch.name)).to_have_count(0)
    shot(page, "tree-collapsed")

    with page.expect_response(re.compile(rf"/orgs/{tree.grassroots.pk}/children/$")):
        org_tree.get_by_role("button", name=f"展开{tree.grassroots.name}的下级").click()

    expect(org_tree.get_by_role("link", name=tree.branch.name)).to_be_visible()
    shot(page, "tree-expanded")
    assert_no_browser_errors(page)


def test_it_rejects_a_bad_uscc_then_creates_the_union(page, personas, tree, log_in, shot):
    body = "91330108MA2B3C4D5"
    log_in(page, "street_chair")
    page.goto("/orgs/")
    page.get_by_role("link", name="新建下级工会").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建下级工会")
    page.get_by_label("工会名称").fill("临江新材料工会")
    page.get_by_label("工会编码").fill("G9")
    page.get_by_label("类型").select_option(label="企业工会")
    uscc = page.get_by_label("统一社会信用代码")
    uscc.fill(body + wrong_check_char(body))
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("统一社会信用代码校验位不符")).to_be_visible()
    shot(page, "uscc-rejected")
    assert not Org.objects.filter(code="G9").exists()

    uscc.fill(body + uscc_check_char(body))
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("临江新材料工会")
    expect(page.get_by_role("alert")).to_contain_text("已新建“临江新材料工会”")
    shot(page, "created")
    created = Org.objects.get(code="G9")
    assert created.parent == tree.street
    assert created.uscc == body + uscc_check_char(body)
    expect(page).to_have_url(re.compile(rf"/orgs/{created.pk}/$"))
    assert_no_browser_errors(page)


def test_it_fits_a_phone_screen(open_page, personas, tree, log_in, shot):
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, "street_chair")
    sidebar = page.locator("#sidebar")
    menu_button = page.get_by_role("button", name="打开菜单")

    expect(menu_button).to_be_visible()
    expect(sidebar).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{tree.street.name} · 工作台")
    expect(page.locator(CHARTS)).to_have_count(2)
    shot(page, "dashboard")

    menu_button.click()
    expect(sidebar).to_be_visible()
    expect(sidebar.get_by_role("link", name="组织管理")).to_be_visible()
    page.locator("#sidebar.show:not(.showing)").wait_for()  # Bootstrap's slide-in is over
    shot(page, "menu-open", full_page=False)  # the drawer covers the viewport only
    assert_no_browser_errors(page)
