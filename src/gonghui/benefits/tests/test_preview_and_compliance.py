"""The batch preview is paged with the totals of the whole batch; the compliance page names
the union and the person who approved each override (issue 11)."""

import datetime as dt
import random
import re

import pytest
from django.core.exceptions import PermissionDenied

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.benefits import demo, services
from gonghui.benefits.models import BenefitBatch, BenefitRecord
from gonghui.benefits.tests.conftest import YEAR, D
from gonghui.core.demo import DemoContext
from gonghui.testing.factories import actor_of, staff

ON = f"{YEAR}-01-05"
BATCH = {"title": "中秋慰问", "org_code": "G1", "subtree": "on", "selection": "all", "kind": "festival", "festival": "zhongqiu",
         "on": ON, "form": "goods", "amount": "300", "goods": "月饼"}


def preview_rows(body: str) -> int:
    table = re.search(r'data-testid="batch-preview">.*?<tbody>(.*?)</tbody>', body, re.S).group(1)
    return table.count("<tr")


def test_a_large_preview_is_paged_and_keeps_the_totals_of_the_whole_batch(tree, personas, login, anhui, add_member):
    for i in range(230):
        add_member(f"会员{i:03d}", birth=dt.date(1960 + i % 30, 1 + i % 12, 1 + i % 28))
    client = login(personas.grassroots_chair)
    body = client.post("/benefits/batch/", {**BATCH, "action": "preview"}).content.decode()
    assert "预览：230人，共69,000元" in body
    assert preview_rows(body) == 100
    assert re.search(r'data-testid="preview-pages">[^<]*第1/3页', body)
    assert 'form="batch-form" name="preview_page" value="2"' in body  # 下一页 re-submits the form
    last = client.post("/benefits/batch/", {**BATCH, "preview_page": "3"}).content.decode()
    assert preview_rows(last) == 30 and "预览：230人，共69,000元" in last and "会员229" in last and "会员000" not in last
    assert preview_rows(client.post("/benefits/batch/", {**BATCH, "preview_page": "x"}).content.decode()) == 100
    assert not BenefitRecord.objects.exists()
    assert client.post("/benefits/batch/", {**BATCH, "action": "confirm"}).status_code == 302
    assert BenefitBatch.objects.get().records.count() == 230


def test_an_override_needs_a_person_to_approve_it(tree, anhui, add_member):
    m = add_member("王芳")
    with pytest.raises(PermissionDenied, match="本人账号"):
        services.benefit_create(actor=Actor.system(), member=m, kind="birthday", on=dt.date(YEAR, 1, 5), form="goods",
                                amount=D(600), override_reason="职工代表大会决议提高标准")
    assert not BenefitRecord.objects.exists()


def test_the_compliance_page_shows_the_union_and_the_approver_of_the_demo_override(tree, personas, login, anhui, add_member):
    approver = staff(tree.district, Role.CHAIR, username="district_chair", full_name="区总主席")
    for i in range(25):
        add_member(f"演示{i:02d}", org=tree.branch if i % 3 else tree.grassroots)
    orgs = {o.code: o for o in (tree.district, tree.street, tree.grassroots, tree.branch, tree.sibling_street, tree.sibling_grassroots)}
    ctx = DemoContext(rng=random.Random(1), actor=Actor.system(source="system"), today=dt.date.today(), orgs=orgs)
    demo.populate(ctx)
    override = BenefitRecord.objects.exclude(override_reason="").get()
    assert override.overridden_by == approver
    body = login(approver).get("/benefits/compliance/").content.decode()
    table = body[body.index('data-testid="override-table"'):]
    header = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    assert "所属工会" in header and "批准人" in header
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S).group(1)
    assert override.org.display_name in row and "区总主席" in row and "系统" not in row


def test_the_compliance_page_names_the_approver_of_a_batch_override_too(tree, personas, login, anhui, add_member):
    m = add_member("王芳")
    chair = actor_of(personas.grassroots_chair)
    services.benefit_batch_create(actor=chair, org=tree.grassroots, title="生日", selection="list", members=[m], kind="birthday",
                                  on=dt.date(YEAR, 1, 5), form="goods", amount=D(600), override_reason="经工会委员会研究同意")
    body = login(personas.grassroots_chair).get("/benefits/compliance/").content.decode()
    row = re.search(r'data-testid="override-table">.*?<tbody>\s*<tr>(.*?)</tr>', body, re.S).group(1)
    assert "企业主席" in row and tree.grassroots.display_name in row
