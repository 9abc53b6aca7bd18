"""Jumps in keyset paging (issue 11): to a page number near the start (bounded OFFSET),
to a letter of the pinyin order (a seek), page numbers carried in signed cursors, and
totals exact within a time budget."""

import datetime as dt

import pytest

from gonghui.access.actor import Actor
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.members import make_id
from gonghui.web import paging
from gonghui.web.paging import count_rows, keyset_page

ORDER = ("name_pinyin", "id")
SURNAMES = "安白陈邓方高韩李马孙王吴谢杨张赵"


@pytest.fixture
def roster(tree):
    for i in range(47):
        member_create(actor=Actor.system(), org=tree.grassroots, name=SURNAMES[i % len(SURNAMES)] + "明华强"[i % 3],
                      id_number=make_id(dt.date(1980, 1, 1) + dt.timedelta(days=i)), joined_on=dt.date(2020, 5, 1))
    return Member.objects.all()


def pks(page):
    return [m.pk for m in page.rows]


def test_a_jump_to_a_page_lands_where_walking_would(roster):
    walked, cursor = [], None
    while True:
        page = keyset_page(roster, order=ORDER, cursor=cursor, size=10)
        walked.append(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [p.number for p in walked] == [1, 2, 3, 4, 5]
    jumped = keyset_page(roster, order=ORDER, page=4, size=10)
    assert pks(jumped) == pks(walked[3]) and jumped.number == 4
    # Its cursors carry on numbering both ways.
    assert keyset_page(roster, order=ORDER, cursor=jumped.next_cursor, size=10).number == 5
    back = keyset_page(roster, order=ORDER, cursor=jumped.prev_cursor, size=10)
    assert pks(back) == pks(walked[2]) and back.number == 3


def test_a_jump_is_bounded_and_explained(roster, monkeypatch):
    monkeypatch.setattr(paging, "MAX_JUMP_ROWS", 20)  # pages 1–3 of 10 rows
    page = keyset_page(roster, order=ORDER, page=5, size=10)
    assert page.number == 3 and "只能直接跳到前 3 页" in page.notice
    assert pks(page) == list(roster.order_by(*ORDER).values_list("pk", flat=True)[20:30])
    monkeypatch.setattr(paging, "MAX_JUMP_ROWS", 1000)
    beyond = keyset_page(roster, order=ORDER, page=9, size=10)
    assert beyond.number == 1 and "没有第 9 页" in beyond.notice


@pytest.mark.parametrize("order", [("name_pinyin", "id"), ("-name_pinyin", "-id")])
def test_a_letter_jump_starts_at_the_first_name_with_that_initial(roster, order):
    page = keyset_page(roster, order=order, start="w", size=5)
    assert page.rows[0].name_pinyin.startswith("w")
    everyone = list(roster.order_by(*order))
    at = next(i for i, m in enumerate(everyone) if m.name_pinyin.startswith("w"))
    assert pks(page) == [m.pk for m in everyone[at:at + 5]]
    assert page.number is None and page.prev_cursor  # somewhere in the middle
    before = keyset_page(roster, order=order, cursor=page.prev_cursor, size=5)
    assert pks(before) == [m.pk for m in everyone[at - 5:at]]
    first = keyset_page(roster, order=("name_pinyin", "id"), start="a", size=5)
    assert first.number == 1 and first.prev_cursor is None


def test_a_cursor_with_a_forged_page_number_restarts(roster):
    page = keyset_page(roster, order=ORDER, size=10)
    forged = page.next_cursor.replace(page.next_cursor[-3:], "abc")
    assert keyset_page(roster, order=ORDER, cursor=forged, size=10).number == 1


def test_the_total_is_exact_when_cheap(roster):
    total = count_rows(roster)
    assert total.exact and total.n == 47 and total.pages(10) == 5 and total.pages(50) == 1
    assert count_rows(roster.filter(name_pinyin__startswith="w")).n == roster.filter(name_pinyin__startswith="w").count()


def test_over_the_cap_the_total_is_marked_as_an_estimate(roster, monkeypatch):
    from django.db import connection

    if connection.vendor == "postgresql":
        # A count slower than its budget is cancelled and the planner's estimate answers.
        slow = roster.extra(where=["(SELECT 1 FROM pg_sleep(0.2)) = 1"])
        total = count_rows(slow, budget_ms=5)
    else:
        monkeypatch.setattr(paging, "COUNT_CAP", 10)
        total = count_rows(roster)
    assert not total.exact and total.n > 0
    assert Member.objects.count() == 47  # the connection is still usable
