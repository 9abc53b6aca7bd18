import datetime as dt

from gonghui.benefits import selectors


def dashboard_panel(request) -> dict | None:
    actor = request.actor
    if actor is None or actor.org is None or not actor.can("benefits.view"):
        return None
    today = dt.date.today()
    start = today.replace(month=1, day=1)
    figures = selectors.figures(actor, actor.org, start, today)
    return {"template": "benefits/_panel.html", "figures": figures, "year": today.year, "start": start, "end": today}
