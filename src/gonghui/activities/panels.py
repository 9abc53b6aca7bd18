"""The dashboard's 活动与培训 panel: this year's activities held and their 人次, what is coming
in the next fortnight, and the study assignments still open (figures.panel)."""

from gonghui.activities import figures


def dashboard_panel(request) -> dict | None:
    actor = request.actor
    if actor is None or actor.org is None or not actor.can("activities.view"):
        return None
    p = figures.panel(actor, actor.org)
    return {"template": "activities/_panel.html", "p": p, "days": figures.UPCOMING_DAYS,
            "year_link": figures.list_link(actor.org, year=p.year)}
