"""Issue 11 on the roster's pages without a browser: a consequential 会籍变动 needs an
explicit choice, a GET on a POST-only address gets the site's page, a member lands on
their own page, and the demo's member names agree with their ID numbers."""

import datetime as dt
import random

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.members.models import ChangeRequest, Member, MembershipEvent
from gonghui.testing.factories import staff


def test_a_status_event_without_a_chosen_kind_records_nothing(member, personas, login):
    client = login(personas.grassroots_chair)
    page = client.post(f"/members/{member.pk}/event/", {"on": "2025-06-30"}, follow=True).content.decode()
    assert "请选择会籍变动事项" in page
    page = client.post(f"/members/{member.pk}/event/", {"kind": "withdraw"}, follow=True).content.decode()
    assert "请填写会籍变动日期" in page
    assert not MembershipEvent.objects.filter(member=member).exclude(kind="join").exists()
    member.refresh_from_db()
    assert member.status == "active"


def test_the_member_page_preselects_no_event_and_offers_only_allowed_ones(member, personas, login):
    from gonghui.members.forms import EventForm

    form = EventForm(member=member)
    assert form["kind"].value() in (None, "") and form["on"].value() in (None, "")
    assert [v for v, _ in form.fields["kind"].choices] == ["", "withdraw", "retire", "reserve", "death"]
    html = str(form["kind"])
    assert 'data-confirm="将为“张三”办理退会：会籍状态改为“已退会”' in html
    assert "selected" not in html.split('value="withdraw"')[1]  # only 请选择 is
    detail = login(personas.grassroots_chair).get(f"/members/{member.pk}/").content.decode()
    date_box = detail.split('id="event_on"')[0].rsplit("<input", 1)[1]
    assert 'value="withdraw" data-confirm=' in detail and "value=" not in date_box  # no date filled in


def test_a_get_on_a_post_only_address_shows_the_sites_page(member, personas, login):
    client = login(personas.grassroots_chair)
    response = client.get(f"/members/{member.pk}/event/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    text = response.content.decode()
    assert "这个地址不能直接打开" in text and "工会工作平台" in text
    assert client.get(f"/members/{member.pk}/event/", headers={"HX-Request": "true"}).content == b""


def test_a_member_lands_on_their_own_page(member, tree, login):
    user = staff(tree.grassroots, Role.MEMBER, username="zhangsan")
    Member.objects.filter(pk=member.pk).update(user=user)
    client = login(user)
    response = client.get("/")
    assert response.status_code == 302 and response.url == "/members/me/"
    page = client.get("/members/me/").content.decode()
    assert 'data-testid="org-switcher"' not in page and "工作台" not in page
    # An account no member is linked to still gets the short member home.
    lonely = staff(tree.grassroots, Role.MEMBER, username="lonely")
    assert login(lonely).get("/").status_code == 200


def test_several_changes_become_several_requests(member, tree, login):
    user = staff(tree.grassroots, Role.MEMBER, username="zhangsan")
    Member.objects.filter(pk=member.pk).update(user=user)
    client = login(user)
    response = client.post("/members/me/", {"phone": "13912345678", "education": "bachelor"}, follow=True)
    assert "已提交修改申请（手机号、学历）" in response.content.decode()
    assert set(ChangeRequest.objects.values_list("field", flat=True)) == {"phone", "education"}
    # The same education as on the roster is refused by name, and the phone is not sent alone.
    ChangeRequest.objects.all().delete()
    Member.objects.filter(pk=member.pk).update(education="bachelor")
    page = client.post("/members/me/", {"phone": "13912345678", "education": "bachelor"}).content.decode()
    assert "新学历与现在登记的相同" in page and not ChangeRequest.objects.exists()
    assert "请填写新手机号或选择新学历" in client.post("/members/me/", {}).content.decode()


def test_demo_member_names_agree_with_the_gender_in_their_id(tree):
    from gonghui.core.demo import DemoContext
    from gonghui.members.demo import FEMALE_GIVEN, MALE_GIVEN, _roster_rows

    ctx = DemoContext(rng=random.Random(2025), actor=Actor.system(), today=dt.date(2025, 11, 1))
    rows = _roster_rows(ctx, tree.grassroots, 400, set())
    for row in rows:
        given = row["姓名"][1:]
        male = int(row["身份证号"][16]) % 2 == 1
        assert given in (MALE_GIVEN if male else FEMALE_GIVEN), row["姓名"]
    assert not set(MALE_GIVEN) & set(FEMALE_GIVEN)
