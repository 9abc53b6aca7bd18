import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEvent
from gonghui.members import selectors, services
from gonghui.members.choices import EventKind, Status
from gonghui.members.models import Member
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id


@pytest.fixture
def chair(personas):
    return actor_of(personas.grassroots_chair)


def add(actor, org, name="张三", **extra):
    values = {"name": name, "id_number": make_id(), "joined_on": dt.date(2020, 5, 1), "phone": "13812345678"}
    values.update(extra)
    return services.member_create(actor=actor, org=org, **values)


def test_it_registers_a_member_with_encrypted_keys_and_a_join_event(tree, chair):
    m = add(chair, tree.grassroots)
    assert m.name_pinyin == "zhangsan" and m.name_initials == "zs"
    assert m.id_masked.startswith("330108") and "*" in m.id_masked and m.phone_masked == "138****5678"
    assert [e.kind for e in m.events.all()] == [EventKind.JOIN]
    event = AuditEvent.objects.get(action="member.create")
    assert event.changes["id_number"][1] == "******"
    assert m.id_number not in str(event.changes)


def test_birth_date_and_gender_must_agree_with_the_id(tree, chair):
    number = make_id(dt.date(1990, 1, 2), male=True)
    with pytest.raises(ValidationError) as exc:
        add(chair, tree.grassroots, id_number=number, birth_date=dt.date(1990, 1, 3), gender="F")
    assert "出生日期与身份证号不一致" in exc.value.message_dict["birth_date"][0]
    assert "性别与身份证号不一致" in exc.value.message_dict["gender"][0]


def test_one_person_is_one_member_across_the_platform(tree, chair, personas):
    number = make_id()
    add(chair, tree.grassroots, id_number=number)
    with pytest.raises(ValidationError, match="已登记为会员"):
        add(chair, tree.branch, id_number=number)
    outsider = actor_of(personas.outsider)
    with pytest.raises(ValidationError) as exc:
        add(outsider, tree.sibling_grassroots, id_number=number)
    assert "其他工会" in exc.value.messages[0] and "临江" not in exc.value.messages[0]


def test_members_belong_to_grassroots_unions_or_below(tree, personas):
    with pytest.raises(ValidationError, match="基层工会"):
        add(actor_of(personas.street_chair), tree.street)


def test_it_refuses_a_join_before_working_age(tree, chair):
    with pytest.raises(ValidationError, match="16周岁"):
        add(chair, tree.grassroots, id_number=make_id(dt.date(2010, 1, 1)), joined_on=dt.date(2024, 1, 1))


def test_status_events_follow_the_rules(tree, chair):
    m = add(chair, tree.grassroots)
    services.member_record_event(actor=chair, member=m, kind=EventKind.RETIRE, on=dt.date(2024, 3, 1))
    m.refresh_from_db()
    assert m.status == Status.RETIRED and m.employment == "retired"
    with pytest.raises(ValidationError, match="不能办理"):
        services.member_record_event(actor=chair, member=m, kind=EventKind.RESERVE, on=dt.date(2024, 4, 1))
    with pytest.raises(ValidationError, match="不能早于"):
        services.member_record_event(actor=chair, member=m, kind=EventKind.WITHDRAW, on=dt.date(2024, 1, 1))


def test_counts_as_of_a_date_follow_the_history(tree, chair):
    a = add(chair, tree.grassroots, name="甲", joined_on=dt.date(2020, 1, 1))
    add(chair, tree.branch, name="乙", joined_on=dt.date(2024, 6, 1))
    services.member_record_event(actor=chair, member=a, kind=EventKind.WITHDRAW, on=dt.date(2025, 3, 1))
    g = tree.grassroots
    assert selectors.count_as_of(chair, g, dt.date(2019, 12, 31)) == 0
    assert selectors.count_as_of(chair, g, dt.date(2024, 6, 1)) == 2
    assert selectors.count_as_of(chair, g, dt.date(2025, 2, 28)) == 2
    assert selectors.count_as_of(chair, g, dt.date(2025, 3, 1)) == 1
    assert selectors.count_as_of(chair, g, dt.date(2025, 3, 1), subtree=False) == 0
    assert selectors.count_events(chair, g, EventKind.JOIN, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == 1


def test_a_transfer_is_proposed_by_one_union_and_confirmed_by_the_other(tree, personas):
    sender, receiver = actor_of(personas.grassroots_chair), actor_of(personas.outsider)
    m = add(sender, tree.grassroots, joined_on=dt.date(2020, 1, 1))
    transfer = services.transfer_propose(actor=sender, member=m, to_org=tree.sibling_grassroots, on=dt.date(2025, 6, 1))
    m.refresh_from_db()
    assert m.org == tree.grassroots  # stays until confirmed
    with pytest.raises(PermissionDenied):
        services.transfer_confirm(actor=sender, transfer=transfer)
    services.transfer_confirm(actor=receiver, transfer=transfer)
    m.refresh_from_db()
    assert m.org == tree.sibling_grassroots and m.org_path == tree.sibling_grassroots.path
    assert selectors.count_as_of(receiver, tree.sibling_grassroots, dt.date(2025, 5, 31)) == 0
    assert selectors.count_as_of(receiver, tree.sibling_grassroots, dt.date(2025, 6, 1)) == 1
    assert selectors.count_as_of(sender, tree.grassroots, dt.date(2025, 6, 1)) == 0
    district = actor_of(personas.district_admin)
    assert selectors.count_events(district, tree.sibling_street, EventKind.TRANSFER_IN, dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == 1
    # Inside the district's subtree the move is internal.
    assert selectors.count_events(district, tree.district, EventKind.TRANSFER_IN, dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == 0
    assert [e.kind for e in selectors.timeline(m)] == [EventKind.JOIN, EventKind.TRANSFER_OUT, EventKind.TRANSFER_IN]


def test_a_common_higher_union_may_confirm_and_a_rejection_needs_a_reason(tree, personas):
    sender = actor_of(personas.grassroots_chair)
    m = add(sender, tree.grassroots)
    t = services.transfer_propose(actor=sender, member=m, to_org=tree.sibling_grassroots, on=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError, match="原因"):
        services.transfer_reject(actor=actor_of(personas.district_admin), transfer=t, reason="")
    services.transfer_confirm(actor=actor_of(personas.district_admin), transfer=t)


def test_moving_a_union_moves_its_members_paths(tree, chair, personas):
    from gonghui.orgs.services import org_move

    m = add(chair, tree.branch)
    org_move(actor=actor_of(personas.district_admin), org=tree.grassroots, new_parent=tree.sibling_street)
    m.refresh_from_db()
    tree.branch.refresh_from_db()
    assert m.org_path == tree.branch.path and m.spells.get().org_path == tree.branch.path


def test_revealing_is_audited_and_needs_the_permission(tree, chair, personas):
    m = add(chair, tree.grassroots)
    assert services.member_reveal(actor=chair, member=m, field="id_number") == m.id_number
    assert AuditEvent.objects.filter(action="member.reveal", username="grassroots_chair").exists()
    from gonghui.access.permissions import Role
    from gonghui.testing.factories import staff

    officer = actor_of(staff(tree.grassroots, Role.OFFICER, username="officer9"))
    with pytest.raises(PermissionDenied):
        services.member_reveal(actor=officer, member=m, field="id_number")


def test_search_finds_by_pinyin_initials_id_phone_and_card(tree, chair):
    m = add(chair, tree.grassroots, name="张三", card_no="GH2025001")
    add(chair, tree.grassroots, name="李四", phone="13900000000")
    for q in ("zs", "zhangsan", "zhang", m.id_number, "13812345678", "GH2025001", "张"):
        assert list(selectors.member_search(chair, q=q)) == [m], q


def test_membership_rate_rolls_up_grassroots_employees(tree, chair, personas):
    for i in range(3):
        add(chair, tree.grassroots, name=f"会员{i}")
    members, employees, rate = selectors.membership_rate(actor_of(personas.district_admin), tree.district, dt.date.today())
    assert (members, employees) == (3, 800) and rate == pytest.approx(3 / 800)
    assert selectors.membership_rate(chair, tree.grassroots, dt.date.today())[1] == 300


def test_a_member_asks_to_change_their_phone_and_staff_decide(tree, chair):
    from gonghui.access.actor import Actor
    from gonghui.testing.factories import UserFactory

    user = UserFactory()
    m = add(chair, tree.grassroots)
    Member.objects.filter(pk=m.pk).update(user=user)
    m.refresh_from_db()
    me = Actor(user=user, org=tree.grassroots, role="member")
    with pytest.raises(ValidationError):
        services.change_request_create(actor=me, member=m, field="phone", value="123")
    req = services.change_request_create(actor=me, member=m, field="phone", value="13700001111")
    services.change_request_decide(actor=chair, request=req, approve=True)
    m.refresh_from_db()
    assert m.phone == "13700001111" and m.phone_masked == "137****1111"
