"""职工人数 on the union pages (issue 11): a union above grassroots level shows the sum
over the grassroots unions of its subtree, labelled, as the dashboard does."""

from gonghui.orgs.services import org_deactivate


def test_a_federation_shows_its_grassroots_total_labelled(tree, personas, login):
    client = login(personas.district_admin)
    detail = client.get(f"/orgs/{tree.district.pk}/").content.decode()
    assert "800" in detail and "所属基层工会合计" in detail  # 300 + 500; its own figure is 0
    street_row = detail.split(tree.street.name)[1].split("</tr>")[0]
    assert "300" in street_row and "合计" in street_row
    grassroots = client.get(f"/orgs/{tree.grassroots.pk}/").content.decode()
    assert "所属基层工会合计" not in grassroots and "300" in grassroots
    listing = client.get("/orgs/list/?sort=code").content.decode()
    district_row = listing.split("<tbody>")[1].split(f">{tree.district.name}<")[1].split("</tr>")[0]
    assert "800" in district_row and "合计" in district_row
    dashboard = client.get("/").content.decode()
    assert "800" in dashboard


def test_an_inactive_grassroots_union_is_left_out_as_on_the_dashboard(tree, personas, login, operator):
    org_deactivate(actor=operator, org=tree.sibling_grassroots, reason="企业注销")
    detail = login(personas.district_admin).get(f"/orgs/{tree.district.pk}/").content.decode()
    assert "300" in detail.split("职工人数")[1].split("</dd>")[0]
