import datetime as dt

from gonghui.assistance import selectors


def dashboard_panel(request) -> dict | None:
    actor = request.actor
    if actor is None or not actor.can("assistance.view") or actor.org is None:
        return None
    today = dt.date.today()
    return {"template": "assistance/_panel.html", "figures": selectors.figures(actor, actor.org, on=today, year=today.year),
            "today": today, "year": today.year}
