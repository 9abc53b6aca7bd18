import datetime as dt

from gonghui.members import selectors
from gonghui.members.choices import EventKind


def dashboard_panel(request) -> dict | None:
    actor = request.actor
    if actor is None or not actor.can("member.view"):
        return None
    today = dt.date.today()
    members, employees, rate = selectors.membership_rate(actor, actor.org, today)
    figures = selectors.roster_figures(actor, actor.org, today=today)
    return {
        "template": "members/_panel.html",
        "figures": figures,
        "groups": groups_chart(figures),
        "members": members,
        "employees": employees,
        "rate": "—" if rate is None else f"{rate * 100:.1f}%",
        "joined": selectors.count_events(actor, actor.org, EventKind.JOIN, today.replace(month=1, day=1), today),
        "year": today.year,
    }


def groups_chart(figures: dict) -> list:
    """农民工 and each 新就业形态 group, for one bar chart."""
    rows = [("农民工", figures["migrant"], "?migrant=1")]
    rows += [(label, n, "?new_form=1") for label, n, _ in sorted(figures["new_form_groups"], key=lambda r: -r[1])]
    return rows


def member_landing(request):
    """A member without a staff role opens the dashboard: their own page instead."""
    from django.shortcuts import redirect

    from gonghui.members.selectors import member_of_user

    return redirect("members:me") if member_of_user(request.user) is not None else None
