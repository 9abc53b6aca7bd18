import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEvent
from gonghui.core.validators import uscc_check_char
from gonghui.orgs import services
from gonghui.orgs.models import Kind, Level, Org, Position
from gonghui.testing.factories import OrgFactory, actor_of

BODY = "81330108MA2B3C4D5"
GOOD_USCC = BODY + uscc_check_char(BODY)


def test_it_builds_paths_and_levels(tree):
    assert tree.branch.path == f"/{tree.district.pk}/{tree.street.pk}/{tree.grassroots.pk}/{tree.branch.pk}/"
    assert tree.branch.depth == 3
    assert tree.grassroots.level == Level.GRASSROOTS
    assert set(Org.objects.subtree_of(tree.street)) == {tree.street, tree.grassroots, tree.branch}


def test_it_creates_a_union_with_an_audit_event(tree, personas):
    actor = actor_of(personas.street_chair)
    org = services.org_create(actor=actor, parent=tree.street, code="n1", name="新工会", kind=Kind.COMMUNITY, uscc=GOOD_USCC)
    assert org.code == "N1"
    event = AuditEvent.objects.filter(action="org.create", object_id=str(org.pk)).get()
    assert event.username == "street_chair" and event.result == "success"
    assert event.changes["name"] == [None, "新工会"]


def test_it_refuses_a_bad_uscc_in_chinese_and_saves_nothing(tree, personas):
    actor = actor_of(personas.street_chair)
    bad = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor, parent=tree.street, code="N2", name="新工会", kind=Kind.COMMUNITY, uscc=bad)
    assert "校验位不符" in exc.value.message_dict["uscc"][0]
    assert not Org.objects.filter(code="N2").exists()
    failure = AuditEvent.objects.filter(action="org.create", result="failure").get()
    assert "校验位不符" in failure.message


def test_it_refuses_duplicate_codes_and_usccs(tree, personas):
    actor = actor_of(personas.street_chair)
    services.org_create(actor=actor, parent=tree.street, code="N3", name="甲", kind=Kind.COMMUNITY, uscc=GOOD_USCC)
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor, parent=tree.street, code="n3", name="乙", kind=Kind.COMMUNITY)
    assert "已被“甲”使用" in exc.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor, parent=tree.street, code="N4", name="丙", kind=Kind.COMMUNITY, uscc=GOOD_USCC)
    assert "已被“甲”使用" in exc.value.message_dict["uscc"][0]


@pytest.mark.parametrize(
    "parent_attr,kind,message",
    [
        ("grassroots", Kind.ENTERPRISE, "不能设在"),
        ("branch", Kind.STREET, "不能设在"),
    ],
)
def test_it_refuses_a_union_at_the_wrong_level(tree, personas, parent_attr, kind, message):
    with pytest.raises(ValidationError, match=message):
        services.org_create(actor=actor_of(personas.district_admin), parent=getattr(tree, parent_attr), code="X1", name="X", kind=kind)


def test_it_refuses_children_under_a_group(tree, operator):
    group = OrgFactory(parent=tree.branch, kind=Kind.GROUP, code="GRP")
    with pytest.raises(ValidationError, match="工会小组下不能"):
        services.org_create(actor=operator, parent=group, code="X2", name="X", kind=Kind.GROUP)


def test_it_only_lets_the_operator_create_top_level_unions(tree, personas, operator):
    with pytest.raises(ValidationError, match="请选择上级工会"):
        services.org_create(actor=actor_of(personas.district_admin), parent=None, code="TOP2", name="X", kind=Kind.CITY)
    org = services.org_create(actor=operator, parent=None, code="TOP2", name="某市总工会", kind=Kind.CITY)
    assert org.parent is None and org.path == f"/{org.pk}/"


def test_it_refuses_creating_under_another_subtree(tree, personas):
    with pytest.raises(PermissionDenied):
        services.org_create(actor=actor_of(personas.outsider), parent=tree.street, code="X3", name="X", kind=Kind.COMMUNITY)


def test_it_moves_a_whole_subtree(tree, personas):
    actor = actor_of(personas.district_admin)
    services.org_move(actor=actor, org=tree.grassroots, new_parent=tree.sibling_street)
    tree.branch.refresh_from_db()
    assert tree.branch.path == f"/{tree.district.pk}/{tree.sibling_street.pk}/{tree.grassroots.pk}/{tree.branch.pk}/"
    assert tree.branch.depth == 3
    assert set(Org.objects.subtree_of(tree.sibling_street).values_list("code", flat=True)) == {"S2", "G2", "G1", "B1"}
    assert AuditEvent.objects.filter(action="org.move", object_id=str(tree.grassroots.pk)).exists()


def test_it_refuses_moving_a_union_under_its_own_descendant(tree, personas):
    with pytest.raises(ValidationError, match="自身或它的下级"):
        services.org_move(actor=actor_of(personas.district_admin), org=tree.street, new_parent=tree.branch)
    with pytest.raises(ValidationError, match="自身或它的下级"):
        services.org_move(actor=actor_of(personas.district_admin), org=tree.street, new_parent=tree.street)
    tree.street.refresh_from_db()
    assert tree.street.parent_id == tree.district.pk


def test_it_refuses_moving_into_a_subtree_the_actor_does_not_cover(tree, personas):
    with pytest.raises(PermissionDenied):
        services.org_move(actor=actor_of(personas.street_chair), org=tree.grassroots, new_parent=tree.sibling_street)


def test_it_deactivates_only_leaves_and_keeps_the_history(tree, personas):
    actor = actor_of(personas.district_admin)
    with pytest.raises(ValidationError, match="在用的下级组织"):
        services.org_deactivate(actor=actor, org=tree.grassroots, reason="合并")
    with pytest.raises(ValidationError, match="停用原因"):
        services.org_deactivate(actor=actor, org=tree.branch, reason=" ")
    services.org_deactivate(actor=actor, org=tree.branch, reason="车间撤销")
    tree.branch.refresh_from_db()
    assert not tree.branch.is_active and tree.branch.deactivation_reason == "车间撤销"
    with pytest.raises(ValidationError, match="已停用"):
        services.org_create(actor=actor, parent=tree.branch, code="X4", name="X", kind=Kind.GROUP)
    services.org_reactivate(actor=actor, org=tree.branch)
    tree.branch.refresh_from_db()
    assert tree.branch.is_active


def test_it_refuses_deactivating_the_actors_own_union(tree, personas):
    with pytest.raises(ValidationError, match="当前所在"):
        services.org_deactivate(actor=actor_of(personas.street_chair), org=tree.street, reason="x")


def test_it_records_an_update_only_when_something_changed(tree, personas):
    actor = actor_of(personas.street_chair)
    before = AuditEvent.objects.count()
    services.org_update(actor=actor, org=tree.grassroots, name=tree.grassroots.name)
    assert AuditEvent.objects.count() == before
    services.org_update(actor=actor, org=tree.grassroots, employee_count=320, contact_phone="13912345678")
    event = AuditEvent.objects.latest("seq")
    assert event.action == "org.update" and event.changes["employee_count"] == [300, 320]


def test_it_refuses_a_kind_change_that_breaks_the_children(tree, personas):
    with pytest.raises(ValidationError, match="下级组织的层级"):
        services.org_update(actor=actor_of(personas.district_admin), org=tree.street, kind=Kind.ENTERPRISE)


def test_it_records_elections_and_closes_the_previous_term(tree, personas):
    actor = actor_of(personas.street_chair)
    first = services.committee_elect(
        actor=actor, org=tree.grassroots, elected_on=dt.date(2019, 4, 1),
        officers=[{"name": "王芳", "position": Position.CHAIR}, {"name": "李强", "position": Position.MEMBER}],
    )
    assert first.number == 1 and first.ends_on == dt.date(2024, 3, 31)
    second = services.committee_elect(
        actor=actor, org=tree.grassroots, elected_on=dt.date(2024, 3, 20),
        officers=[{"name": "张伟", "position": Position.CHAIR}, {"name": "", "position": Position.MEMBER}],
    )
    first.refresh_from_db()
    assert second.number == 2 and first.ends_on == dt.date(2024, 3, 19)
    assert list(second.officers.values_list("name", flat=True)) == ["张伟"]
    assert first.officers.get(name="王芳").ends_on == dt.date(2024, 3, 19)


@pytest.mark.parametrize(
    "officers,message",
    [
        ([], "至少填写一名"),
        ([{"name": "甲", "position": Position.CHAIR}, {"name": "乙", "position": Position.CHAIR}], "只能有一名主席"),
    ],
)
def test_it_refuses_bad_elections(tree, personas, officers, message):
    with pytest.raises(ValidationError, match=message):
        services.committee_elect(actor=actor_of(personas.street_chair), org=tree.grassroots, elected_on=dt.date(2024, 1, 1), officers=officers)


def test_it_refuses_an_election_dated_before_the_current_term(tree, personas):
    actor = actor_of(personas.street_chair)
    services.committee_elect(actor=actor, org=tree.grassroots, elected_on=dt.date(2022, 1, 1), officers=[{"name": "甲", "position": Position.CHAIR}])
    with pytest.raises(ValidationError, match="应晚于上一届"):
        services.committee_elect(actor=actor, org=tree.grassroots, elected_on=dt.date(2021, 1, 1), officers=[{"name": "乙", "position": Position.CHAIR}])


def test_a_term_elected_on_29_february_ends_on_28_february(tree, personas):
    term = services.committee_elect(
        actor=actor_of(personas.street_chair), org=tree.grassroots, elected_on=dt.date(2024, 2, 29),
        officers=[{"name": "甲", "position": Position.CHAIR}],
    )
    assert term.ends_on == dt.date(2029, 2, 27)


def test_a_clash_outside_the_subtree_is_not_named(tree, personas):
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor_of(personas.outsider), parent=tree.sibling_street, code="G1", name="X", kind=Kind.COMMUNITY)
    message = exc.value.message_dict["code"][0]
    assert "临江精机工会" not in message and "管辖范围以外" in message
