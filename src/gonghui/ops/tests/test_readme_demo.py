"""The README's demo logins say where each one lands (issue 11: it said sq_ganshi lands
in 富兴社区工会, but a login starts at the first of its unions by depth and code)."""

from pathlib import Path

from gonghui.orgs.models import Kind
from gonghui.testing.factories import OrgFactory, grant, staff

README = Path(__file__).resolve().parents[4] / "README.md"


def test_sq_ganshi_lands_where_the_readme_says(tree, login):
    from gonghui.accounts.demo import STAFF
    from gonghui.orgs.demo import GRASSROOTS

    names = {code: name for _parent, code, name, *_ in GRASSROOTS}
    home = next(code for username, _n, code, _r in STAFF if username == "sq_ganshi")
    assert (home, names[home]) == ("LJ-003", "富兴社区工会")
    # the demo's second grant (accounts/demo.py) is at LJ-002, same depth, earlier code
    lj2 = OrgFactory(parent=tree.street, code="LJ-002", name=names["LJ-002"], kind=Kind.COMMUNITY)
    lj3 = OrgFactory(parent=tree.street, code="LJ-003", name=names["LJ-003"], kind=Kind.COMMUNITY)
    user = staff(lj3, "officer", username="sq_ganshi")
    grant(user, lj2, "officer")
    page = login(user).get("/").content.decode()
    switcher = page.split('data-testid="org-switcher"')[1].split("</button>")[0]
    assert "临江社区工会" in switcher

    row = next(line for line in README.read_text().splitlines() if line.startswith("| `sq_ganshi`"))
    assert "登录后先进入临江社区工会" in row
