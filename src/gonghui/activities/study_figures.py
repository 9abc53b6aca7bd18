"""Reads for study assignments (学习任务): who is expected to hand in, what was handed in, by
branch, who is overdue, and the period totals the work summary states.

Who is expected: every member in good standing (正常 or 保留会籍) within the assignment's
target on its start date, counted from the membership spells exactly as
`members.selectors.count_as_of` counts, so a member who joins, leaves or moves later does
not change the figure an assignment started with. A member's branch is the union their
spell placed them in on that date; a piece handed in counts for the union the member
belonged to when handing it in (`StudySubmission.unit_path`). Every read here is scoped to
the actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from gonghui.access.actor import Actor
from gonghui.activities.models import StudyAssignment, StudySubmission
from gonghui.activities.selectors import assignments_for, member_assignments, submission_get
from gonghui.members.choices import GOOD_STANDING
from gonghui.members.models import Member, MemberSpell
from gonghui.members.selectors import member_search, members_for
from gonghui.orgs.models import Org

OWN_LEVEL = "本级"


def target_of(assignment: StudyAssignment) -> Org:
    return assignment.target_org or assignment.org


def _spells_at_start(assignment: StudyAssignment) -> QuerySet:
    """One spell per expected member (a member has at most one spell on any date)."""
    on = assignment.starts_on
    return MemberSpell.objects.filter(org_path__startswith=assignment.target_path, starts_on__lte=on,
                                      status__in=GOOD_STANDING).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))


def _pieces(assignment: StudyAssignment) -> QuerySet:
    return StudySubmission.objects.filter(assignment=assignment)


def _rate(submitted: int, expected: int) -> float | None:
    return round(submitted * 100 / expected, 1) if expected else None


@dataclass
class BranchRow:
    label: str
    org: Org | None  # None: the pieces of unions no longer under the target
    members: int  # expected members
    expected: int  # members × per_member
    submitted: int  # pieces handed in
    own_level: bool = False  # the target union itself, without the unions below it

    @property
    def rate(self) -> float | None:
        return _rate(self.submitted, self.expected)


@dataclass
class Progress:
    assignment: StudyAssignment
    target: Org
    rows: list[BranchRow]
    members: int
    expected: int
    submitted: int
    submitters: int  # members who handed in at least one piece
    complete: int  # members who handed in every piece
    overdue: bool  # the due date has passed

    @property
    def rate(self) -> float | None:
        return _rate(self.submitted, self.expected)


def _child_id(path: str, base: str) -> int | None:
    """The id of the union directly under `base` that `path` lies in (None: `base` itself)."""
    rest = path[len(base):]
    head = rest.split("/", 1)[0]
    return int(head) if head.isdigit() else None


def assignment_progress(actor: Actor, assignment: StudyAssignment, *, today: dt.date | None = None) -> Progress:
    """Expected and handed-in pieces for each union directly under the target and for the
    target's own level (本级), and the whole."""
    actor.require_covers(assignment.org)
    target = target_of(assignment)
    base = assignment.target_path
    per = assignment.per_member
    members_by: dict[int | None, int] = {}
    for path, n in _spells_at_start(assignment).values_list("org_path").annotate(n=Count("id")).order_by():
        key = _child_id(path, base)
        members_by[key] = members_by.get(key, 0) + n
    pieces = _pieces(assignment)
    pieces_by: dict[int | None, int] = {}
    outside = 0
    for path, n in pieces.values_list("unit_path").annotate(n=Count("id")).order_by():
        if not path.startswith(base):  # a union moved out of the target since
            outside += n
            continue
        key = _child_id(path, base)
        pieces_by[key] = pieces_by.get(key, 0) + n
    children = {o.pk: o for o in Org.objects.filter(parent=target)}
    rows = [BranchRow(label=OWN_LEVEL, org=target, members=members_by.get(None, 0), expected=members_by.get(None, 0) * per,
                      submitted=pieces_by.get(None, 0), own_level=True)]
    for child in sorted(children.values(), key=lambda o: o.code):
        n, got = members_by.get(child.pk, 0), pieces_by.get(child.pk, 0)
        if child.is_active or n or got:
            rows.append(BranchRow(label=child.display_name, org=child, members=n, expected=n * per, submitted=got))
    # A union id below the target that is not one of its children cannot occur (paths are
    # kept by org_move); should one appear, its figures still count in the whole.
    stray_members = sum(n for k, n in members_by.items() if k is not None and k not in children)
    stray_pieces = outside + sum(n for k, n in pieces_by.items() if k is not None and k not in children)
    if stray_members or stray_pieces:
        rows.append(BranchRow(label="其他（已不在该范围内的工会）", org=None, members=stray_members, expected=stray_members * per,
                              submitted=stray_pieces))
    handed = pieces.values("member_id").annotate(n=Count("id")).order_by()
    counts = [row["n"] for row in handed]
    members = sum(r.members for r in rows)
    today = today or dt.date.today()
    return Progress(assignment=assignment, target=target, rows=rows, members=members, expected=members * per,
                    submitted=sum(r.submitted for r in rows), submitters=len(counts), complete=sum(1 for n in counts if n >= per),
                    overdue=today > assignment.due_on)


def assignment_search(actor: Actor, *, q: str = "", org: Org | None = None) -> QuerySet:
    """Assignments set in the actor's subtree (under `org` when given), by title."""
    qs = assignments_for(actor)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    q = (q or "").strip()
    if q:
        qs = qs.filter(title__contains=q)
    return qs


def expected_count(assignment: StudyAssignment) -> int:
    """Members expected to hand in (those in good standing within the target at the start)."""
    return _spells_at_start(assignment).count()


def list_figures(actor: Actor, assignments: list[StudyAssignment]) -> dict[int, dict]:
    """Expected and handed-in pieces of each listed assignment (for the list pages)."""
    ids = [a.pk for a in assignments]
    handed = dict(StudySubmission.objects.filter(assignment_id__in=ids, org_path__startswith=_scope_path(actor))
                  .values_list("assignment_id").annotate(n=Count("id")).order_by())
    out = {}
    for a in assignments:
        expected = expected_count(a) * a.per_member
        out[a.pk] = {"expected": expected, "submitted": handed.get(a.pk, 0), "rate": _rate(handed.get(a.pk, 0), expected)}
    return out


def _scope_path(actor: Actor) -> str:
    return "" if actor.is_operator else actor.org.path


def _handed_subquery(assignment: StudyAssignment):
    return Coalesce(Subquery(StudySubmission.objects.filter(assignment=assignment, member=OuterRef("pk")).order_by()
                             .values("member").annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()), Value(0))


def overdue_members(actor: Actor, assignment: StudyAssignment, *, today: dt.date | None = None) -> QuerySet:
    """Expected members who handed in fewer pieces than required, once the due date has
    passed (before that: nobody), each with `handed`. Ordered for keyset paging by
    ("name_pinyin", "id")."""
    actor.require_covers(assignment.org)
    if (today or dt.date.today()) <= assignment.due_on:
        return members_for(actor).none()
    expected = _spells_at_start(assignment).values("member_id")
    return (members_for(actor).filter(pk__in=expected).select_related("org")
            .annotate(handed=_handed_subquery(assignment)).filter(handed__lt=assignment.per_member))


def submissions_of(actor: Actor, assignment: StudyAssignment, *, q: str = "") -> QuerySet:
    """Pieces handed in for an assignment, newest first by ("-id"), each marked `is_latest`
    when it is its member's last piece (the only one that may be removed)."""
    actor.require_covers(assignment.org)
    last = StudySubmission.objects.filter(assignment=assignment, member=OuterRef("member")).order_by().values("member").annotate(
        top=Max("seq")).values("top")[:1]
    qs = StudySubmission.objects.for_actor(actor).filter(assignment=assignment).select_related("member", "unit").annotate(
        top=Subquery(last, output_field=IntegerField()))
    q = (q or "").strip()
    if q:
        qs = qs.filter(member__in=member_search(actor, q=q, status="all").values("pk"))
    return qs


def is_latest(submission: StudySubmission) -> bool:
    top = StudySubmission.objects.filter(assignment_id=submission.assignment_id, member_id=submission.member_id).aggregate(
        top=Max("seq"))["top"]
    return top == submission.seq


def member_for_assignment(actor: Actor, assignment: StudyAssignment, query: str) -> Member:
    """The one member within the assignment's target (and the actor's scope) named by an ID
    number or an exact name; ValidationError({"member": …}) in Chinese otherwise."""
    from gonghui.core.validators import _clean

    query = (query or "").strip()
    if not query:
        raise ValidationError({"member": "请填写会员姓名或身份证号。"})
    qs = member_search(actor, q=query, status="all").filter(org_path__startswith=assignment.target_path)
    cleaned = _clean(query)
    if not (cleaned.isascii() and cleaned.isalnum()):
        qs = qs.filter(name=query)  # a name is matched exactly, not by its beginning
    found = list(qs.select_related("org")[:6])
    if not found:
        raise ValidationError({"member": f"在“{target_of(assignment).name}”及其下级工会中找不到会员“{query}”。"})
    if len(found) > 1:
        where = "、".join(dict.fromkeys(m.org.display_name for m in found))
        many = "多位" if len(found) > 5 else f"{len(found)}位"
        raise ValidationError({"member": f"有{many}名为“{query}”的会员（{where}），请填写身份证号。"})
    return found[0]


# --- the member's own view --------------------------------------------------------------------


@dataclass
class MineRow:
    assignment: StudyAssignment
    handed: int
    pieces: list = field(default_factory=list)
    overdue: bool = False

    @property
    def required(self) -> int:
        return self.assignment.per_member

    @property
    def done(self) -> bool:
        return self.handed >= self.assignment.per_member

    @property
    def can_submit(self) -> bool:
        return not self.done


def member_progress(member: Member, *, today: dt.date | None = None) -> list[MineRow]:
    """The member's assignments (newest due date first) with the pieces they handed in."""
    today = today or dt.date.today()
    assignments = list(member_assignments(member)[:200])
    pieces: dict[int, list] = {}
    for sub in StudySubmission.objects.filter(member=member, assignment__in=[a.pk for a in assignments]).order_by("seq"):
        pieces.setdefault(sub.assignment_id, []).append(sub)
    rows = []
    for a in assignments:
        mine = pieces.get(a.pk, [])
        rows.append(MineRow(assignment=a, handed=len(mine), pieces=mine, overdue=today > a.due_on and len(mine) < a.per_member))
    return rows


def member_assignment_get(member: Member, pk) -> StudyAssignment:
    from django.http import Http404

    found = member_assignments(member).filter(pk=pk).first()
    if found is None:
        raise Http404("学习任务不存在，或不面向您所在的工会。")
    return found


def member_handed(member: Member, assignment: StudyAssignment) -> list[StudySubmission]:
    return list(StudySubmission.objects.filter(member=member, assignment=assignment).order_by("seq"))


def submission_for(actor: Actor, user, pk) -> StudySubmission:
    """A piece for staff (scoped to their subtree) or for the member who handed it in."""
    if actor.can("activities.view"):
        return submission_get(actor, pk)
    from django.http import Http404

    found = StudySubmission.objects.select_related("assignment", "assignment__org", "member", "unit").filter(
        pk=pk, member__user=user).first() if user is not None and user.pk else None
    if found is None:
        raise Http404("记录不存在或不在您的管辖范围内。")
    return found


# --- period totals (the work summary, statistics) -------------------------------------------


@dataclass
class NounTotals:
    noun: str
    assignments: int
    expected: int
    submitted: int


@dataclass
class StudyTotals:
    assignments: int
    expected: int  # pieces
    submitted: int  # pieces handed in by the end of the period
    by_noun: list[NounTotals]

    @property
    def rate(self) -> float | None:
        return _rate(self.submitted, self.expected)


def study_totals(actor: Actor, org: Org, start: dt.date, end: dt.date, *, subtree: bool = True) -> StudyTotals:
    """Assignments set by `org` (and, with `subtree`, by the unions below it) whose due date
    falls in [start, end]: pieces expected (members at the start × per member) and pieces
    handed in on or before `end`, in total and by what was to be handed in (学习心得 …)."""
    actor.require_covers(org)
    qs = assignments_for(actor).filter(due_on__gte=start, due_on__lte=end)
    qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    assignments = list(qs.order_by("due_on", "id"))
    handed = dict(StudySubmission.objects.filter(assignment__in=[a.pk for a in assignments], submitted_on__lte=end)
                  .values_list("assignment_id").annotate(n=Count("id")).order_by())
    nouns: dict[str, NounTotals] = {}
    for a in assignments:
        row = nouns.setdefault(a.noun, NounTotals(a.noun, 0, 0, 0))
        row.assignments += 1
        row.expected += expected_count(a) * a.per_member
        row.submitted += handed.get(a.pk, 0)
    rows = list(nouns.values())
    return StudyTotals(assignments=len(assignments), expected=sum(r.expected for r in rows),
                       submitted=sum(r.submitted for r in rows), by_noun=rows)
