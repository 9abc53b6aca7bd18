import io

import xlsxwriter

from gonghui.core.validators import uscc_check_char
from gonghui.orgs.models import Org
from gonghui.orgs.sheets import HEADERS

BODY = "81330108MA2B3C4D5"
GOOD_USCC = BODY + uscc_check_char(BODY)
BAD_USCC = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")


def org_post(**extra):
    data = {"name": "新建测试工会", "code": "NEW1", "kind": "enterprise", "employee_count": 30, "home_level": "none", "uscc": ""}
    data.update(extra)
    return data


def test_it_shows_a_chinese_error_for_a_bad_uscc_and_saves_nothing(tree, personas, login):
    client = login(personas.street_chair)
    response = client.post(f"/orgs/new/?parent={tree.street.pk}", org_post(uscc=BAD_USCC))
    assert response.status_code == 200
    text = response.content.decode()
    assert "统一社会信用代码校验位不符" in text
    assert 'class="form-control is-invalid"' in text and 'aria-invalid="true"' in text
    assert not Org.objects.filter(code="NEW1").exists()


def test_it_creates_a_union_from_the_form(tree, personas, login):
    client = login(personas.street_chair)
    response = client.post(f"/orgs/new/?parent={tree.street.pk}", org_post(uscc=GOOD_USCC, contact_phone="0571-86600001"))
    org = Org.objects.get(code="NEW1")
    assert response.url == f"/orgs/{org.pk}/" and org.parent == tree.street and org.contact_phone == "057186600001"
    page = client.get(response.url).content.decode()
    assert "0571-86600001" in page and GOOD_USCC in page


def test_it_refuses_a_parent_outside_the_subtree(tree, personas, login):
    response = login(personas.street_chair).post(f"/orgs/new/?parent={tree.sibling_street.pk}", org_post())
    assert response.status_code == 404 and not Org.objects.filter(code="NEW1").exists()


def test_a_role_without_org_manage_gets_the_chinese_403(tree, personas, login):
    response = login(personas.branch_lead).get(f"/orgs/new/?parent={tree.branch.pk}")
    assert response.status_code == 403 and "没有权限" in response.content.decode()


def test_the_tree_expands_children_lazily(tree, personas, login):
    client = login(personas.street_chair)
    page = client.get("/orgs/").content.decode()
    assert "临江精机工会" in page and "一车间分会" not in page
    part = client.get(f"/orgs/{tree.grassroots.pk}/children/", HTTP_HX_REQUEST="true").content.decode()
    assert "一车间分会" in part and "<html" not in part


def test_the_list_pages_without_counting(tree, personas, login, operator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.orgs import services

    for i in range(60):
        services.org_create(actor=operator, parent=tree.grassroots, code=f"P{i:03d}", name=f"分会{i:03d}", kind="branch")
    client = login(personas.street_chair)
    with django_assert_max_num_queries(12):
        first = client.get("/orgs/list/?sort=code")
    assert first.context["page"].next_cursor and len(first.context["page"].rows) == 50
    with CaptureQueriesContext(connection) as queries:
        second = client.get(f"/orgs/list/?sort=code&cursor={first.context['page'].next_cursor}")
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    codes = [o.code for o in first.context["page"].rows] + [o.code for o in second.context["page"].rows]
    assert len(codes) == len(set(codes)) == 63  # S1, G1, B1 and the 60 new ones
    back = client.get(f"/orgs/list/?sort=code&cursor={second.context['page'].prev_cursor}")
    assert [o.code for o in back.context["page"].rows] == [o.code for o in first.context["page"].rows]


def test_the_list_filters_and_searches(tree, personas, login):
    client = login(personas.district_admin)
    page = client.get("/orgs/list/?q=精机").content.decode()
    assert "临江精机工会" in page and "望湖电子工会" not in page
    page = client.get("/orgs/list/?level=2").content.decode()
    assert "望湖街道工会" in page and "临江精机工会" not in page


def test_it_moves_a_union_through_the_form(tree, personas, login):
    client = login(personas.district_admin)
    response = client.post(f"/orgs/{tree.grassroots.pk}/move/", {"parent_code": "S2"})
    assert response.status_code == 302
    tree.grassroots.refresh_from_db()
    assert tree.grassroots.parent == tree.sibling_street
    bad = client.post(f"/orgs/{tree.sibling_street.pk}/move/", {"parent_code": "B1"})
    assert "自身或它的下级" in bad.content.decode()


def test_it_deactivates_and_reactivates_through_the_forms(tree, personas, login):
    client = login(personas.street_chair)
    assert "在用的下级组织" in client.post(f"/orgs/{tree.grassroots.pk}/deactivate/", {"reason": "合并"}).content.decode()
    client.post(f"/orgs/{tree.branch.pk}/deactivate/", {"reason": "车间撤销"})
    tree.branch.refresh_from_db()
    assert not tree.branch.is_active
    client.post(f"/orgs/{tree.branch.pk}/reactivate/")
    tree.branch.refresh_from_db()
    assert tree.branch.is_active


def test_it_records_an_election_and_shows_the_committee(tree, personas, login):
    client = login(personas.street_chair)
    data = {"elected_on": "2024-03-20", "o-TOTAL_FORMS": "3", "o-INITIAL_FORMS": "0", "o-MIN_NUM_FORMS": "0", "o-MAX_NUM_FORMS": "60",
            "o-0-name": "王芳", "o-0-position": "chair", "o-1-name": "李强", "o-1-position": "vice_chair", "o-2-name": "", "o-2-position": "member"}
    assert client.post(f"/orgs/{tree.grassroots.pk}/elect/", data).status_code == 302
    page = client.get(f"/orgs/{tree.grassroots.pk}/").content.decode()
    assert "第1届" in page and "王芳" in page and "2024年3月20日" in page
    data.update({"o-0-position": "chair", "o-1-position": "chair", "elected_on": "2025-01-01"})
    assert "只能有一名主席" in client.post(f"/orgs/{tree.grassroots.pk}/elect/", data).content.decode()


def _xlsx(rows):
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    ws = book.add_worksheet()
    for c, h in enumerate(HEADERS):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    book.close()
    buf.seek(0)
    buf.name = "orgs.xlsx"
    return buf


def _check(client, upload, capture):
    """Upload on the generic import page; the check runs as a background job."""
    from gonghui.exchange.models import ImportJob

    with capture(execute=True):
        response = client.post("/imports/orgs/", {"file": upload, "org_code": "S1"})
    job = ImportJob.objects.filter(kind="orgs").latest("id")
    assert response.status_code == 302 and response.url == f"/imports/orgs/{job.pk}/"
    return job


def test_the_old_import_address_leads_to_the_import_page(tree, personas, login):
    response = login(personas.street_chair).get("/orgs/import/")
    assert response.status_code == 302 and response.url == "/imports/orgs/"


def test_it_imports_through_check_then_confirm(tree, personas, login, django_capture_on_commit_callbacks):
    from gonghui.exchange.models import ImportJob

    client = login(personas.street_chair)
    upload = _xlsx([["W1", "网页导入工会", "", "社区工会", "S1"], ["W2", "有错的行", "", "社区工会", "S1", BAD_USCC]])
    job = _check(client, upload, django_capture_on_commit_callbacks)
    text = client.get(f"/imports/orgs/{job.pk}/").content.decode()
    assert job.state == "done" and job.dry_run and "第3行" in text and "校验位不符" in text
    assert not Org.objects.filter(code="W1").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/orgs/{job.pk}/confirm/")
    refused = ImportJob.objects.filter(kind="orgs").latest("id")
    assert refused.state == "done" and not refused.written and not Org.objects.filter(code="W1").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/orgs/{job.pk}/confirm/", {"mode": "valid"})
    done = ImportJob.objects.filter(kind="orgs").latest("id")
    assert done.written and done.created == 1
    assert Org.objects.filter(code="W1").exists() and not Org.objects.filter(code="W2").exists()


def test_a_check_belongs_to_its_union(tree, personas, login, client, django_capture_on_commit_callbacks):
    first = login(personas.street_chair)
    job = _check(first, _xlsx([["W1", "甲", "", "社区工会", "S1"]]), django_capture_on_commit_callbacks)
    first.logout()
    other = login(personas.outsider)
    assert other.post(f"/imports/orgs/{job.pk}/confirm/").status_code == 404
    assert not Org.objects.filter(code="W1").exists()


def test_it_downloads_the_template_and_an_export(tree, personas, login):
    client = login(personas.street_chair)
    template = client.get("/orgs/template.xlsx")
    assert template.status_code == 200 and template["Content-Disposition"].startswith("attachment")
    export = client.get(f"/orgs/{tree.street.pk}/export.xlsx")
    assert export.status_code == 200


def test_the_api_lists_and_creates_within_scope(tree, personas, login):
    client = login(personas.street_chair)
    listing = client.get("/api/orgs/?q=工会").json()
    assert {o["code"] for o in listing["items"]} == {"S1", "G1"}
    created = client.post(
        "/api/orgs/", {"parent_id": tree.grassroots.pk, "code": "API1", "name": "接口分会", "kind": "branch"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["code"] == "API1"
    bad = client.post(
        "/api/orgs/", {"parent_id": tree.grassroots.pk, "code": "API2", "name": "坏", "kind": "branch", "uscc": BAD_USCC}, content_type="application/json"
    )
    assert bad.status_code == 422 and "校验位不符" in bad.json()["detail"]
    other = client.post("/api/orgs/", {"parent_id": tree.sibling_street.pk, "code": "API3", "name": "越权", "kind": "community"}, content_type="application/json")
    assert other.status_code == 404


def test_the_api_needs_a_session(db, client):
    assert client.get("/api/orgs/").status_code == 401
