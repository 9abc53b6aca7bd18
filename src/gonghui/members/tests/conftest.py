"""Fixtures the roster's tests share."""

import datetime as dt

import pytest

from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id


@pytest.fixture
def member(tree, personas):
    return member_create(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, name="张三", id_number=make_id(),
                         phone="13812345678", joined_on=dt.date(2020, 5, 1))
