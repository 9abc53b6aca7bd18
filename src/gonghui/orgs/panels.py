from gonghui.orgs.selectors import org_subtree_figures


def dashboard_panel(request) -> dict | None:
    """The organization overview that opens the dashboard: unions by level and kind."""
    actor = request.actor
    if actor is None or actor.org is None or not actor.can("org.view"):
        return None
    return {"template": "orgs/_panel.html", "figures": org_subtree_figures(actor, actor.org)}
