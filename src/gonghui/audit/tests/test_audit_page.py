from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record


def test_it_lists_the_subtrees_events_with_filters(tree, personas, login):
    client = login(personas.street_admin)
    client.post(f"/orgs/{tree.branch.pk}/deactivate/", {"reason": "车间撤销"})
    page = client.get("/audit/").content.decode()
    assert "停用工会" in page and "车间撤销" in page
    filtered = client.get("/audit/?action=login.failure").content.decode()
    assert "车间撤销" not in filtered
    by_group = client.get("/audit/?action=org").content.decode()
    assert "停用工会" in by_group


def test_it_hides_events_of_other_subtrees(tree, personas, login):
    audit_record(actor=Actor.system(), action="org.update", obj=tree.sibling_grassroots, message="望湖的秘密修改")
    page = login(personas.street_admin).get("/audit/").content.decode()
    assert "望湖的秘密修改" not in page


def test_installation_events_are_for_top_level_administrators(tree, personas, login, client):
    client.post("/accounts/login/", {"username": "nobody-at-all", "password": "x"})
    assert "nobody-at-all" not in login(personas.street_admin).get("/audit/").content.decode()
    assert "nobody-at-all" in login(personas.district_admin).get("/audit/").content.decode()


def test_it_explains_an_unknown_union_filter(tree, personas, login):
    page = login(personas.street_admin).get("/audit/?org_code=G2").content.decode()
    assert "不在您的管辖范围内" in page


def test_a_chair_may_read_it_but_an_officer_may_not(tree, personas, login):
    from gonghui.access.permissions import Role
    from gonghui.testing.factories import staff

    assert login(personas.street_chair).get("/audit/").status_code == 200
    officer = staff(tree.grassroots, Role.OFFICER, username="officer1")
    response = login(officer).get("/audit/")
    assert response.status_code == 403
    from gonghui.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="permission.denied", username="officer1").exists()


def test_changes_read_in_chinese(tree, personas, login):
    from gonghui.orgs import services
    from gonghui.testing.factories import actor_of

    services.org_update(actor=actor_of(personas.street_admin), org=tree.grassroots, kind="joint", has_audit_committee=True)
    page = login(personas.street_admin).get("/audit/?action=org.update").content.decode()
    assert "类型" in page and "企业工会" in page and "联合工会" in page and "设立经费审查委员会" in page
    assert "has_audit_committee" not in page


def test_it_speaks_chinese_for_objects_fields_channels_and_values(tree, personas, login):
    """No "members.ChangeRequest #1", "phone:", "total: 9880.00", "task" or "(assistance.batch)"."""
    from dataclasses import replace

    actor = Actor.system()
    web_task = replace(actor, source="web", ip="task")
    audit_record(actor=web_task, action="member.request", object_type="members.ChangeRequest", object_id="1",
                 org=tree.grassroots, changes={"education": ["senior", "bachelor"], "phone": ["******", "******"]})
    audit_record(actor=actor, action="assistance.batch", object_type="assistance.AssistanceBatch", object_id="7",
                 org=tree.grassroots, changes={"total": [None, "9880.00"], "records": [None, 26]})
    audit_record(actor=actor, action="org.update", obj=tree.grassroots, changes={"founded_on": ["2020-01-05", "2021-03-01"]})
    audit_record(actor=actor, action="account.create", object_type="accounts.User", object_id="9", org=tree.grassroots,
                 changes={"role": [None, "G1:member"], "batch": [None, 19]})
    page = login(personas.street_admin).get("/audit/").content.decode()
    for shown in ("会员信息修改申请 #1", "学历", "高中/中专/技校", "本科", "手机号", "网页 · 后台任务",
                  "帮扶批量发放 #7", "9,880元", "记录数", "系统", "2021年3月1日", "G1 · 会员", "批次"):
        assert shown in page, shown
    for raw in ("members.ChangeRequest", "assistance.AssistanceBatch", "9880.00", "(assistance.batch)", ">task<",
                "bachelor", "education", "2021-03-01", "G1:member", "batch："):
        assert raw not in page, raw
    assert "困难帮扶：全部操作" in page and "会员慰问：全部操作" in page
    assert "benefit：" not in page and "phrase：" not in page
