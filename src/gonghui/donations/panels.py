import datetime as dt

from gonghui.donations import selectors


def dashboard_panel(request) -> dict | None:
    actor = request.actor
    if actor is None or actor.org is None or not actor.can("donations.view"):
        return None
    year = dt.date.today().year
    return {"template": "donations/_panel.html", "year": year, "figures": selectors.year_panel(actor, actor.org, year)}
