import json

from gonghui.orgs import services
from gonghui.testing.factories import actor_of


def _overview(response) -> dict:
    """The organization overview's figures: the dashboard panel the orgs app registers."""
    return next(p for p in response.context["panels"] if p["template"] == "orgs/_panel.html")["figures"]


def test_it_shows_the_subtrees_figures(tree, personas, login):
    services.org_deactivate(actor=actor_of(personas.district_admin), org=tree.branch, reason="撤销")
    response = login(personas.district_admin).get("/")
    figures = _overview(response)
    assert figures["unions"] == 5  # district, 2 streets, 2 grassroots; the branch is inactive
    assert figures["grassroots"] == 2 and figures["employees"] == 800 and figures["inactive"] == 1
    levels = json.loads(response.content.decode().split('id="chart-levels" type="application/json">')[1].split("</script>")[0])
    assert ["总工会", 1, "?level=1"] in levels and ["基层工会", 2, "?level=3"] in levels


def test_it_counts_only_the_working_unions_subtree(tree, personas, login):
    figures = _overview(login(personas.street_chair).get("/"))
    assert figures["unions"] == 3 and figures["employees"] == 300
