import datetime as dt
import pytest
from gonghui.core.actor import Actor
from gonghui.members.services import member_create
from gonghui.testing.members import make_id
pytestmark = pytest.mark.browser

def test_diag(open_page, personas, tree, log_in):
    for i in range(60):
        member_create(actor=Actor.system(), org=tree.grassroots, name="王" + "一二三"[i % 3] + str(i),
                      id_number=make_id(dt.date(1980, 1, 1) + dt.timedelta(days=i)), joined_on=dt.date(2020, 5, 1))
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, "grassroots_chair")
    page.goto("/members/")
    print(page.evaluate("""() => { const W = document.documentElement.clientWidth; const out = [];
      document.querySelectorAll('body *').forEach(el => { const r = el.getBoundingClientRect();
        if (r.right > W + 0.5 && !el.closest('.table-responsive') ) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right) + ' ' + (el.textContent||'').trim().slice(0,30)); });
      return [W, document.documentElement.scrollWidth, out.slice(0,30)]; }"""))
