"""The genre set: six unions of different kinds whose records are entered through the
import templates (tests/genre/records.py), and the draft the summary writes for each union
and period, compared with a reviewed copy checked in under tests/genre/expected/.

A change of phrasing shows as a unified diff here and as a changed .md in review. After an
intended change, regenerate the expected drafts and read the diff before committing:

    GONGHUI_GENRE_UPDATE=1 pytest -p no:randomly tests/genre -q

Each draft is also linted (summary/lint.py). To add a case when a module lands: add its
records to records.py in the module's template columns, import them in `genre` below
through the module's import (or service, where it has no template), regenerate, review.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from . import records as r

EXPECTED = Path(__file__).with_name("expected")
UPDATE = os.environ.get("GONGHUI_GENRE_UPDATE") == "1"


def _import(kind: str, rows: list[dict], folder: Path, name: str, org: str | None) -> None:
    """Fill the `kind` template with `rows` and import it as `gonghui import` does."""
    from gonghui.summary.tests.conftest import fill_template

    path = fill_template(kind, rows, folder / f"{kind}-{name}.xlsx")
    args = ["import", kind, str(path)] + (["--org", org] if org else [])
    call_command(*args)


def _work_archives(actor, *, closing: bool = False) -> None:
    """Each archive is reviewed, its tier confirmed and filed the day after it was applied
    for; with `closing`, those lifted out of hardship are closed (脱困) on their day (after
    their assistance is entered: a closed archive gets none)."""
    import datetime as dt

    from gonghui.assistance.choices import Step
    from gonghui.assistance.models import Household
    from gonghui.assistance.services import household_confirm_tier, household_transition

    for union, head, applied, _causes, _size, _income, tier, closed in r.ARCHIVES:
        person = r.by_name(union, head)[0]
        h = Household.objects.get(head__name=person.name, head__birth_date=person.birth)
        day = applied + dt.timedelta(days=1)
        if not closing:
            household_transition(actor=actor, household=h, step=Step.REVIEW, on=day)
            household_confirm_tier(actor=actor, household=h, tier=tier, reason="经入户核实确定", on=day)
            household_transition(actor=actor, household=h, step=Step.FILE, on=day)
        elif closed:
            household_transition(actor=actor, household=h, step=Step.CLOSE, on=closed, reason="家庭收入增加，已脱困")


def _activity(union, title: str, day):
    from gonghui.activities.models import Activity
    from gonghui.orgs.models import Org

    return Activity.objects.get(org_path__startswith=Org.objects.get(code=union.code).path, title=title, starts_at__date=day)


def _sessions(actor) -> None:
    """The teachers of the classes and their later sessions, entered on the activity's page
    (the template has one row per activity)."""
    import datetime as dt

    from django.utils import timezone

    from gonghui.activities.services import session_add, session_update

    for union, title, day, teacher, teacher_title, topic in r.FIRST_TEACHERS:
        session_update(actor=actor, session=_activity(union, title, day).sessions.get(seq=1), teacher=teacher,
                       teacher_title=teacher_title, topic=topic)
    for union, title, day, later in r.SESSIONS:
        activity = _activity(union, title, day)
        for on, hours, topic, teacher, teacher_title in later:
            starts = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
            session_add(actor=actor, activity=activity, starts_at=starts, ends_at=starts + dt.timedelta(hours=hours), hours=hours,
                        topic=topic, teacher=teacher, teacher_title=teacher_title)


def _study(actor) -> None:
    """Study assignments (set on the page) and the pieces handed in, recorded by staff."""
    import datetime as dt

    from gonghui.activities.study import assignment_create, submission_add
    from gonghui.members.choices import GOOD_STANDING
    from gonghui.members.models import Member
    from gonghui.orgs.models import Org

    for union, title, noun, per_member, starts, due in r.STUDY:
        task = assignment_create(actor=actor, org=Org.objects.get(code=union.code), title=title, noun=noun, per_member=per_member,
                                 starts_on=starts, due_on=due)
        for i, p in enumerate(r.members_on(union, starts)):
            member = Member.objects.get(name=p.name, birth_date=p.birth)
            if member.status not in GOOD_STANDING:  # retired since: what they handed in was not recorded in time
                continue
            for n in range(1 if p.name in r.STUDY_SKIPPED.get(title, ()) else per_member):
                submission_add(actor=actor, assignment=task, member=member, title=f"{noun}（{n + 1}）", text="结合工作实际谈体会。",
                               submitted_on=starts + dt.timedelta(days=30 + 60 * n + i % 20))


@pytest.fixture(scope="module")
def genre(django_db_setup, django_db_blocker, tmp_path_factory):
    """The six unions and their records, entered once for the module in a transaction
    rolled back after it (the tests run in savepoints of it)."""
    from django.db import transaction

    from gonghui.access.actor import Actor
    from gonghui.donations.services import drive_create
    from gonghui.members.models import Member
    from gonghui.members.services import member_record_event
    from gonghui.orgs.models import Org
    from gonghui.orgs.services import committee_elect, org_update

    folder = tmp_path_factory.mktemp("genre")
    actor = Actor.system(source="cli")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            _import("orgs", r.org_rows(), folder, "tree", None)
            org_update(actor=actor, org=Org.objects.get(code=r.DISTRICT.code), membership_target=r.MEMBERSHIP_TARGET)
            for u in r.UNIONS:
                if u.members:
                    _import("members", r.member_rows(u), folder, u.key, u.code)
            archive_rows: dict[str, list[dict]] = {}
            for union, head, applied, causes, size, income, _tier, _closed in r.ARCHIVES:
                p = r.by_name(union, head)[0]
                archive_rows.setdefault(union.code, []).append({
                    "户主身份证号": p.id_number, "户主姓名": p.name, "申请日期": applied, "致困原因": causes,
                    "家庭人口": size, "家庭年收入": income})
            for code, rows in archive_rows.items():
                _import("hardship", rows, folder, code, code)
            _work_archives(actor)
            aid: dict[str, list[dict]] = {}  # one file per union, as its staff keep them
            for union, _name, rows in r.assistance_files():
                aid.setdefault(union.code, []).extend(rows)
            for code, rows in aid.items():
                _import("assistance", rows, folder, code, code)
            _work_archives(actor, closing=True)
            for union, name, rows in r.benefit_files():
                _import("benefits", rows, folder, name, union.code)
            for union, drive, purpose, starts, ends, rows in r.donation_drives():
                drive_create(actor=actor, org=Org.objects.get(code=union.code), name=drive, purpose=purpose,
                             starts_on=starts, ends_on=ends)
                _import("donations", rows, folder, drive, union.code)
            for union, name, kind, on in r.MEMBERSHIP_EVENTS:
                p = r.by_name(union, name)[0]
                member_record_event(actor=actor, member=Member.objects.get(name=p.name, birth_date=p.birth), kind=kind, on=on)
            for union, elected, officers in r.ELECTIONS:
                committee_elect(actor=actor, org=Org.objects.get(code=union.code), elected_on=elected,
                                officers=[{"name": n, "position": pos} for n, pos in officers])
            for union, name, rows in r.activity_files():
                _import("activities", rows, folder, name, union.code)
            _sessions(actor)
            for union, name, rows in r.attendance_files():
                _import("attendance", rows, folder, name, union.code)
            _study(actor)
            yield folder
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def draft_markdown(code: str, period: str, subtree: bool, today) -> tuple[str, dict]:
    """The draft as `gonghui summary --out x.md` writes it (suggestions accepted), on `today`."""
    from gonghui.access.actor import Actor
    from gonghui.orgs.models import Org
    from gonghui.summary.assemble import accept_all, generate
    from gonghui.summary.document import markdown
    from gonghui.summary.periods import parse_period

    org = Org.objects.get(code=code)
    generated = generate(actor=Actor.system(source="cli"), org=org, period=parse_period(period), subtree=subtree, today=today)
    document = accept_all(generated.document)
    return markdown(document), document


@pytest.mark.parametrize("union, period, today", r.DRAFTS, ids=[f"{u.key}-{p}" for u, p, _t in r.DRAFTS])
def test_the_draft_reads_as_reviewed(genre, db, union, period, today):
    from gonghui.orgs.models import Org
    from gonghui.summary.lint import lint, report
    from gonghui.summary.tests.known_findings import is_known

    text, document = draft_markdown(union.code, period, union.subtree, today)
    expected_file = EXPECTED / f"{union.key}-{period}.md"
    if UPDATE:
        EXPECTED.mkdir(exist_ok=True)
        expected_file.write_text(text, encoding="utf-8")
    assert expected_file.exists(), f"no expected draft {expected_file.name}: run GONGHUI_GENRE_UPDATE=1 pytest tests/genre"
    expected = expected_file.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), text.splitlines(keepends=True),
                                            fromfile=f"expected/{expected_file.name}", tofile="generated"))
        pytest.fail(f"the {union.name} {period} draft differs from the reviewed copy "
                    f"(GONGHUI_GENRE_UPDATE=1 pytest tests/genre to accept it):\n{diff}", pytrace=False)
    names = [n for o in Org.objects.all() for n in (o.name, o.display_name)]
    findings = [f for f in lint(document, names=names) if not is_known(f)]
    assert not findings, report(findings)


def test_the_set_holds_one_union_of_each_kind(genre, db):
    from gonghui.orgs.models import Kind, Org

    kinds = set(Org.objects.filter(code__in=[u.code for u in r.UNIONS]).values_list("kind", flat=True))
    assert kinds == {Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.ENTERPRISE, Kind.ORGAN, Kind.INSTITUTION}
    assert Org.objects.filter(parent__code=r.ENTERPRISE.code).count() == 3  # its 分会
    assert Org.objects.filter(kind=Kind.GROUP).exists()  # and a 工会小组
    assert {p.name for p in EXPECTED.glob("*.md")} == {f"{u.key}-{p}.md" for u, p, _t in r.DRAFTS}
