"""The archive page flags an overdue yearly verification and offers only the steps that apply
to the archive's state (issue 11)."""

import re

import pytest

from gonghui.assistance import services
from gonghui.assistance.tests.factories import SYSTEM, household


def step_options(body: str) -> list[str]:
    select = re.search(r'<select name="step".*?</select>', body, re.S).group(0)
    return re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", select)


def test_an_archive_verified_more_than_a_year_ago_is_flagged_overdue(login, personas, tree):
    stale = household(tree.grassroots, name="王逾期")  # filed (and so verified) on 2023-03-01
    fresh = household(tree.grassroots, name="李已核")
    services.household_verify(actor=SYSTEM, household=fresh)
    client = login(personas.grassroots_chair)
    body = client.get(f"/assistance/{stale.pk}/").content.decode()
    flag = re.search(r'data-testid="verify-overdue"[^>]*>([^<]*)<', body)
    assert flag and "逾期" in flag.group(1)
    assert 'data-testid="verify-overdue"' not in client.get(f"/assistance/{fresh.pk}/").content.decode()
    closed = household(tree.grassroots, name="赵脱困", status="closed")  # no longer under yearly verification
    assert 'data-testid="verify-overdue"' not in client.get(f"/assistance/{closed.pk}/").content.decode()


@pytest.mark.parametrize(("status", "steps"), [
    ("applied", ["审核", "不予建档"]),
    ("reviewing", ["建档", "不予建档"]),
    ("filed", ["开始帮扶", "脱困"]),
    ("assisting", ["脱困"]),
    ("closed", ["返困"]),
])
def test_the_step_list_offers_only_the_steps_of_the_archives_state(login, personas, tree, status, steps):
    h = household(tree.grassroots, name="王办理", status=status)
    body = login(personas.grassroots_chair).get(f"/assistance/{h.pk}/").content.decode()
    assert step_options(body) == ["请选择", *steps]  # nothing preselected: each step changes the archive


def test_a_step_that_does_not_apply_is_refused_by_the_form(login, personas, tree):
    h = household(tree.grassroots, name="王办理", status="assisting")
    response = login(personas.grassroots_chair).post(f"/assistance/{h.pk}/step/", {"step": "review", "on": "2026-01-05"},
                                                      follow=True)
    assert "“帮扶中”状态的档案不能办理“审核”" in response.content.decode()
    h.refresh_from_db()
    assert h.status == "assisting"


def test_a_step_must_be_chosen(login, personas, tree):
    h = household(tree.grassroots, name="王未选", status="filed")
    response = login(personas.grassroots_chair).post(f"/assistance/{h.pk}/step/", {"step": "", "on": "2026-01-05"},
                                                      follow=True)
    assert response.status_code == 200
    h.refresh_from_db()
    assert h.status == "filed"
