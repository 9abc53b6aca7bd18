import datetime as dt

from gonghui.members import selectors
from gonghui.members.choices import EventKind


def dashboard_panel(request) -> dict | None:
    actor = request.actor
    if actor is None or not actor.can("member.view"):
        return None
    today = dt.date.today()
    members, employees, rate = selectors.membership_rate(actor, actor.org, today)
    return {
        "template": "members/_panel.html",
        "members": members,
        "employees": employees,
        "rate": "—" if rate is None else f"{rate * 100:.1f}%",
        "joined": selectors.count_events(actor, actor.org, EventKind.JOIN, today.replace(month=1, day=1), today),
        "year": today.year,
    }
