from django.http import HttpResponseRedirect

from gonghui.web import dashboard


def test_it_orders_the_registered_panels_and_drops_empty_ones(rf, monkeypatch):
    monkeypatch.setattr(dashboard, "PANELS", [])
    dashboard.register_panel(40, lambda request: {"template": "b.html"})
    dashboard.register_panel(0, lambda request: {"template": "a.html"})
    dashboard.register_panel(20, lambda request: None)  # a module with nothing to show this actor
    assert [p["template"] for p in dashboard.panels(rf.get("/"))] == ["a.html", "b.html"]


def test_it_registers_a_panel_once(monkeypatch):
    monkeypatch.setattr(dashboard, "PANELS", [])

    def panel(request):
        return None

    dashboard.register_panel(10, panel)
    dashboard.register_panel(10, panel)  # ready() may run twice in tests
    assert len(dashboard.PANELS) == 1


def test_it_asks_each_member_landing_until_one_answers(rf, monkeypatch):
    monkeypatch.setattr(dashboard, "MEMBER_LANDINGS", [])
    dashboard.register_member_landing(lambda request: None)
    dashboard.register_member_landing(lambda request: HttpResponseRedirect("/members/me/"))
    assert dashboard.member_landing(rf.get("/")).url == "/members/me/"


def test_it_shows_only_the_links_the_actor_may_open(personas, login):
    text = login(personas.street_chair).get("/").content.decode()
    assert 'href="/summary/stats/"' in text or "统计报表" in text
