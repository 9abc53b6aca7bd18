"""Reads only the staff activity pages need: the figures of one page of the list, sessions
with their check-in counts, the partner search, and the kind looked up for the 活动类型
page. The list's rows come scoped from
`selectors.activity_search`; figures are asked for those rows' ids only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from gonghui.access.actor import Actor
from gonghui.activities import selectors
from gonghui.activities.models import Activity, ActivityKind, CheckIn, Registration, RegStatus


@dataclass(frozen=True)
class RowFigures:
    registered: int = 0  # holding a place
    attended: int = 0  # people checked in to at least one session
    person_times: int = 0  # 人次: check-ins across sessions


def figures_for(activity_ids) -> dict[int, RowFigures]:
    """Figures of the given activities (ids come from a scoped list) in two grouped
    queries, each served by an index leading with the activity: joining registrations to
    check-ins instead made PostgreSQL hash the whole check-in table (130 ms at 550,000
    check-ins, bench/activities_scale.py)."""
    ids = list(activity_ids)
    if not ids:
        return {}
    registered = dict(Registration.objects.filter(activity_id__in=ids, status=RegStatus.REGISTERED)
                      .values_list("activity_id").annotate(n=Count("id")))
    came = {r[0]: r[1:] for r in CheckIn.objects.filter(activity_id__in=ids).values_list("activity_id")
            .annotate(people=Count("registration_id", distinct=True), times=Count("id"))}
    return {pk: RowFigures(registered.get(pk, 0), *came.get(pk, (0, 0))) for pk in ids}


def kind_get(pk: int) -> ActivityKind | None:
    """A kind by id; kinds are one list for the whole installation, not a union's records."""
    return ActivityKind.objects.filter(pk=pk).first()


def sessions_with_counts(activity: Activity) -> QuerySet:
    """The activity's sessions, each with its number of check-ins (`checked_in`)."""
    return selectors.sessions_of(activity).annotate(checked_in=Count("checkins"))


def partner_search(actor: Actor, *, q: str = "") -> QuerySet:
    qs = selectors.partners_for(actor)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(contact__contains=q) | Q(note__contains=q))
    return qs
