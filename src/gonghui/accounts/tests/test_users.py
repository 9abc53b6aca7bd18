import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.access.permissions import Role
from gonghui.accounts import services
from gonghui.accounts.models import RoleGrant, User
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import actor_of


def test_an_administrator_creates_a_staff_account_below(tree, personas, login):
    client = login(personas.street_admin)
    response = client.post(
        "/accounts/users/new/",
        {"username": "newclerk", "full_name": "新干事", "org_code": "G1", "role": Role.OFFICER, "password": "Clerk#Pass2025"},
    )
    user = User.objects.get(username="newclerk")
    assert response.url == f"/accounts/users/{user.pk}/"
    assert user.must_change_password
    assert RoleGrant.objects.get(user=user).org == tree.grassroots
    event = AuditEvent.objects.get(action="user.create")
    assert "Clerk#Pass2025" not in str(event.changes) and event.username == "street_admin"


def test_it_explains_bad_account_input(tree, personas, login):
    client = login(personas.street_admin)
    response = client.post("/accounts/users/new/", {"username": "x", "full_name": "某人", "org_code": "G1", "role": Role.OFFICER, "password": "weak"})
    text = response.content.decode()
    assert "至少3个字符" in text and "至少3类" in text
    response = client.post("/accounts/users/new/", {"username": "", "full_name": "", "org_code": "G1", "role": "", "password": ""})
    assert "这个字段是必填项" in response.content.decode()
    assert not User.objects.filter(username__in=["x", ""]).exists()


def test_it_refuses_a_union_outside_the_subtree(tree, personas, login):
    client = login(personas.street_admin)
    response = client.post(
        "/accounts/users/new/",
        {"username": "spy", "full_name": "越权", "org_code": "G2", "role": Role.OFFICER, "password": "Clerk#Pass2025"},
    )
    assert "不在您的管辖范围内" in response.content.decode()
    assert not User.objects.filter(username="spy").exists()


def test_only_a_higher_union_grants_the_administrator_role(tree, personas):
    actor = actor_of(personas.street_admin)
    with pytest.raises(PermissionDenied, match="上级工会"):
        services.grant_create(actor=actor, user=personas.street_chair, org=tree.street, role=Role.SYSADMIN)
    grant = services.grant_create(actor=actor, user=personas.grassroots_chair, org=tree.grassroots, role=Role.SYSADMIN)
    assert grant.role == Role.SYSADMIN


def test_a_chair_cannot_manage_accounts(tree, personas):
    with pytest.raises(PermissionDenied):
        services.grant_create(actor=actor_of(personas.street_chair), user=personas.grassroots_chair, org=tree.grassroots, role=Role.OFFICER)


def test_it_refuses_a_duplicate_grant(tree, personas):
    with pytest.raises(ValidationError, match="已有"):
        services.grant_create(actor=actor_of(personas.street_admin), user=personas.grassroots_chair, org=tree.grassroots, role=Role.CHAIR)


def test_an_administrator_cannot_touch_an_account_with_roles_elsewhere(tree, personas):
    from gonghui.testing.factories import grant

    grant(personas.grassroots_chair, tree.sibling_grassroots, Role.OFFICER)
    with pytest.raises(PermissionDenied, match="管辖范围以外"):
        services.password_reset(actor=actor_of(personas.street_admin), user=personas.grassroots_chair, new_password="Reset#Pass2025")


def test_it_revokes_a_grant_but_not_the_one_in_use(tree, personas):
    actor = actor_of(personas.street_admin)
    grant = personas.grassroots_chair.grants.get()
    services.grant_revoke(actor=actor, grant=grant)
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(action="grant.revoke").exists()
    own = personas.street_admin.grants.get()
    with pytest.raises((ValidationError, PermissionDenied)):
        services.grant_revoke(actor=actor, grant=own)


def test_it_deactivates_an_account_but_not_ones_own(tree, personas):
    actor = actor_of(personas.street_admin)
    services.user_deactivate(actor=actor, user=personas.grassroots_chair)
    personas.grassroots_chair.refresh_from_db()
    assert not personas.grassroots_chair.is_active
    with pytest.raises(ValidationError, match="自己"):
        services.user_deactivate(actor=actor, user=personas.street_admin)


def test_it_resets_a_lost_second_factor(tree, personas, login):
    target = personas.grassroots_chair
    target.totp_secret, target.totp_enabled = "JBSWY3DPEHPK3PXP", True
    target.save()
    client = login(personas.street_admin)
    client.post(f"/accounts/users/{target.pk}/totp-reset/")
    target.refresh_from_db()
    assert not target.totp_enabled and target.totp_secret == ""


def test_the_user_list_shows_only_accounts_in_the_subtree(tree, personas, login):
    text = login(personas.street_admin).get("/accounts/users/").content.decode()
    assert "grassroots_chair" in text and "branch_lead" in text
    assert "outsider" not in text and "sibling_admin" not in text and "district_admin" not in text


def test_the_user_page_hides_roles_elsewhere(tree, personas, login):
    from gonghui.testing.factories import grant

    grant(personas.grassroots_chair, tree.sibling_grassroots, Role.OFFICER)
    text = login(personas.sibling_admin).get(f"/accounts/users/{personas.grassroots_chair.pk}/").content.decode()
    assert "望湖电子工会" in text and "临江精机工会" not in text


def test_it_switches_the_working_union(tree, personas, login):
    from gonghui.testing.factories import grant

    second = grant(personas.grassroots_chair, tree.sibling_grassroots, Role.OFFICER)
    client = login(personas.grassroots_chair)
    assert "临江精机工会" in client.get("/").content.decode()
    client.post("/accounts/switch/", {"grant": second.pk, "next": "/"})
    page = client.get("/").content.decode()
    assert "望湖电子工会 · 工作台" in page
    assert AuditEvent.objects.filter(action="grant.switch", username="grassroots_chair").exists()


def test_it_refuses_switching_to_someone_elses_grant(tree, personas, login):
    other = personas.outsider.grants.get()
    response = login(personas.grassroots_chair).post("/accounts/switch/", {"grant": other.pk})
    assert response.status_code == 404


def test_a_user_without_roles_sees_an_explanation(db, client):
    from gonghui.testing.factories import UserFactory

    user = UserFactory()
    user.save()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403 and "尚未分配" in response.content.decode()
