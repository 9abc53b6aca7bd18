"""Shared setup for the activities tests: a chair at the grassroots union, members in the
union and its branch (one a woman, one linked to a login), and activity factories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from gonghui.access.permissions import Role
from gonghui.activities import services
from gonghui.activities.models import ActivityKind, Status
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import make_id


@pytest.fixture
def chair(personas):
    return actor_of(personas.grassroots_chair)


@pytest.fixture
def outsider(personas):
    return actor_of(personas.outsider)


def kind(code: str = "sports") -> ActivityKind:
    return ActivityKind.objects.get(code=code)


def hours_from_now(h: float) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=h)


@pytest.fixture
def make_activity(tree, chair):
    def make(*, org=None, code="sports", title="职工趣味运动会", starts=1, length=3, status=Status.OPEN, **kw):
        return services.activity_create(actor=kw.pop("actor", chair), org=org or tree.grassroots, kind=kind(code), title=title,
                                        starts_at=hours_from_now(starts), ends_at=hours_from_now(starts + length),
                                        status=status, **kw)
    return make


@dataclass
class People:
    man: Member  # at the grassroots union, with a login
    woman: Member  # in the branch, with a login
    others: list[Member]  # at the grassroots union, no login
    man_actor: object
    woman_actor: object


def _linked(member: Member, username: str):
    user = staff(member.org, Role.MEMBER, username=username)
    Member.objects.filter(pk=member.pk).update(user=user)
    member.refresh_from_db()
    return member, actor_of(user)


@pytest.fixture
def people(tree, chair) -> People:
    def new(org, name, gender_female=False, joined=dt.date(2020, 1, 1)):
        return member_create(actor=chair, org=org, name=name, id_number=make_id(male=not gender_female),
                             joined_on=joined)
    man, man_actor = _linked(new(tree.grassroots, "张伟"), "zhangwei")
    woman, woman_actor = _linked(new(tree.branch, "李芳", gender_female=True), "lifang")
    others = [new(tree.grassroots, f"王{n}") for n in "一二三四五"]
    return People(man, woman, others, man_actor, woman_actor)
