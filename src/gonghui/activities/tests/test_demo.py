"""The demo step: a small demo on the test tree (the demo codes mapped onto it), built twice
from the same seed."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from gonghui.access.actor import Actor
from gonghui.activities import attendance, demo
from gonghui.activities.kinds import BUILTIN_KINDS
from gonghui.activities.models import Activity, CheckIn, Registration, RegStatus, Status, StudyAssignment
from gonghui.activities.study_figures import overdue_members
from gonghui.core.demo import DemoContext
from gonghui.members.services import member_create
from gonghui.summary.assemble import accept_all, generate
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.testing.members import make_id

D = dt.date
TODAY = D(2026, 11, 30)  # the root conftest's DEMO_TODAY: the real day is later, so the past is past


def _context(tree) -> DemoContext:
    op = Actor.system(source="system")
    for org, n in ((tree.grassroots, 48), (tree.branch, 12), (tree.sibling_grassroots, 24)):
        for i in range(n):
            member_create(actor=op, org=org, name=f"{org.code}会员{i}", id_number=make_id(D(1966, 1, 1) + dt.timedelta(days=180 * i + n),
                                                                                  male=i % 3 == 0), joined_on=D(2015, 3, 1))
    orgs = {"BJ": tree.district, "BJ-LJ": tree.street, "LJ-001": tree.grassroots, "LJ-003": tree.sibling_grassroots,
            "B1": tree.branch}
    return DemoContext(rng=random.Random(2025), actor=op, today=TODAY, orgs=orgs)


def _snapshot() -> list:
    return list(Activity.objects.order_by("id").values_list("title", "org__code", "starts_at", "status")) + [
        CheckIn.objects.count(), Registration.objects.count()]


def test_it_builds_two_years_of_every_kind_with_training_study_and_open_sign_ups(tree):
    demo.populate(_context(tree))
    held = Activity.objects.filter(status__in=(Status.DONE, Status.RUNNING))
    this_year = held.filter(starts_at__year=TODAY.year)
    assert set(this_year.values_list("kind__code", flat=True)) == {code for code, _n, _noun in BUILTIN_KINDS}
    assert held.filter(starts_at__year=TODAY.year - 1).exists()
    assert Activity.objects.filter(status=Status.CANCELLED).count() == 1
    classes = this_year.filter(is_training=True)
    assert classes.count() == 2 and all(c.sessions.count() >= 2 and all(s.teacher for s in c.sessions.all()) for c in classes)
    quiz = classes.get(title="女工培训班")
    assert quiz.registrations.filter(score__isnull=False).count() == 16
    assert quiz.registrations.filter(passed=True).exists() and quiz.registrations.filter(passed=False).exists()
    health = held.filter(kind__code="health", partners__name=demo.HOSPITAL, beneficiaries__gt=0)
    assert health.count() >= 2 and CheckIn.objects.filter(activity__in=health, registration__member__isnull=True).exists()
    assert Registration.objects.filter(status=RegStatus.REGISTERED, checkins__isnull=True, activity__in=held).exists()  # absent
    full = Activity.objects.get(title="职工羽毛球比赛")
    assert full.status == Status.OPEN and full.registrations.filter(status=RegStatus.WAITLIST).count() == 4
    member = tree.grassroots.members.filter(user__isnull=True).order_by("id").last()
    assert all(attendance.open_to(a, member) == "" for a in Activity.objects.filter(status=Status.OPEN))
    task = StudyAssignment.objects.get(org=tree.grassroots)
    assert task.submissions.exists() and overdue_members(Actor.system(), task, today=TODAY).exists()
    assert StudyAssignment.objects.filter(due_on__gt=TODAY).exists()


def test_it_builds_the_same_demo_from_the_same_seed(tree):
    ctx = _context(tree)
    snapshots = []
    for _ in range(2):
        with transaction.atomic():
            ctx.rng = random.Random(2025)
            demo.populate(ctx)
            snapshots.append(_snapshot())
            transaction.set_rollback(True)
    assert snapshots[0] == snapshots[1] and snapshots[0][-1] > 100


def test_its_records_make_a_summary_that_passes_the_lint(tree):
    demo.populate(_context(tree))
    names = [n for o in (tree.district, tree.street, tree.grassroots, tree.branch, tree.sibling_street, tree.sibling_grassroots)
             for n in (o.name, o.display_name)]
    for org, subtree in ((tree.grassroots, False), (tree.street, True), (tree.district, True), (tree.district, False)):
        for period in ("2025", "2026", "2026H1", "2026H2"):
            generated = generate(actor=Actor.system(), org=org, period=parse_period(period), subtree=subtree, today=TODAY)
            document = accept_all(generated.document)
            assert not lint(document, names=names), (org.code, period)
            if org == tree.grassroots and period == "2026":
                themes = {p["key"] for p in document["parts"]}
                assert {"activities", "education"} <= themes
