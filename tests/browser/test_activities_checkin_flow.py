"""Issue 14 in a real browser, on a phone: a member signs up, scans the session's QR link,
confirms, and the staff's list and tablet show them as checked in."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.activities import attendance, services
from gonghui.activities.models import ActivityKind, CheckIn, Status
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import make_id

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}


def assert_clean(page) -> None:
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def assert_fits_width(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_sign_up_scan_and_the_staff_see_the_member_attended(open_page, personas, tree, log_in, shot, live_server):
    chair = actor_of(personas.grassroots_chair)
    now = timezone.now().replace(microsecond=0)
    a = services.activity_create(actor=chair, org=tree.grassroots, kind=ActivityKind.objects.get(code="sports"), title="职工趣味运动会",
                                 starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=4), place="厂区运动场",
                                 capacity=30, status=Status.OPEN)
    user = staff(tree.grassroots, Role.MEMBER, username="member_zhang", full_name="张伟")
    m = member_create(actor=Actor.system(), org=tree.grassroots, name="张伟", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    Member.objects.filter(pk=m.pk).update(user=user)
    other = member_create(actor=Actor.system(), org=tree.grassroots, name="赵敏", id_number=make_id(male=False), joined_on=dt.date(2020, 1, 1))

    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, "member_zhang", expect_dashboard=False)
    phone.goto("/activities/my/")
    shot(phone, "my-before")
    phone.get_by_test_id("my-upcoming").get_by_role("button", name="报名").click()
    expect(phone.get_by_role("alert").filter(has_text="已报名“职工趣味运动会”")).to_be_visible()
    expect(phone.get_by_test_id("my-signed")).to_contain_text("已报名")
    assert_fits_width(phone)
    shot(phone, "my-signed")

    # the QR code encodes this link; the phone's camera opens it
    url = attendance.checkin_token(a.sessions.get())
    phone.goto(f"/activities/c/{url}/")
    expect(phone.get_by_test_id("checkin-confirm")).to_be_visible()
    assert not CheckIn.objects.exists()
    assert_fits_width(phone)
    shot(phone, "confirm")
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.get_by_test_id("checkin-ok")).to_contain_text("签到成功")
    shot(phone, "checked-in")
    phone.goto(f"/activities/c/{url}/")
    expect(phone.get_by_test_id("checkin-already")).to_contain_text("无需重复签到")
    assert_clean(phone)

    staff_page = open_page(viewport=TABLET)
    log_in(staff_page, "grassroots_chair")
    staff_page.goto(f"/activities/{a.pk}/people/")
    row = staff_page.get_by_test_id("person-row").filter(has_text="张伟")
    expect(row.locator(".bi-check-circle-fill")).to_be_visible()
    expect(staff_page.get_by_test_id("fig-attended")).to_have_text("1")
    shot(staff_page, "people")

    # the tablet: pinyin initials, one tap, the count goes up, the box is ready again
    staff_page.goto(f"/activities/{a.pk}/checkin/")
    staff_page.get_by_test_id("checkin-q").fill("zm")
    candidate = staff_page.get_by_test_id("candidate").filter(has_text="赵敏")
    expect(candidate).to_be_visible()
    shot(staff_page, "tablet-search")
    candidate.get_by_role("button", name="签到").click()
    expect(staff_page.get_by_test_id("checkin-ok")).to_contain_text("赵敏：签到成功")
    expect(staff_page.get_by_test_id("count-checked-in")).to_have_text("2")
    expect(staff_page.get_by_test_id("checkin-q")).to_have_value("")
    shot(staff_page, "tablet-done")
    assert CheckIn.objects.filter(registration__member=other).exists()

    # undo asks first
    staff_page.goto(f"/activities/{a.pk}/people/")
    staff_page.get_by_test_id("person-row").filter(has_text="赵敏").get_by_role("button", name=re.compile("撤销")).click()
    expect(staff_page.get_by_test_id("confirm-dialog")).to_be_visible()
    shot(staff_page, "undo-confirm")
    staff_page.get_by_test_id("confirm-dialog").get_by_role("button", name="取消").click()
    assert CheckIn.objects.count() == 2

    staff_page.goto(f"/activities/session/{a.sessions.get().pk}/qr/")
    expect(staff_page.get_by_test_id("qr-image")).to_be_visible()
    assert staff_page.evaluate("document.querySelector('[data-testid=qr-image]').naturalWidth") > 0
    shot(staff_page, "qr")
    staff_page.goto(f"/activities/session/{a.sessions.get().pk}/qr/print/")
    shot(staff_page, "qr-print")
    staff_page.goto(f"/activities/{a.pk}/sign-sheet/")
    shot(staff_page, "sign-sheet")
    assert_clean(staff_page)
