"""Fixtures shared by every test: a small union tree and fixed personas.

    district (区总工会, BJ)
    ├── street (街道工会, S1) ── grassroots (企业工会, G1) ── branch (分会, B1)
    └── sibling_street (街道工会, S2) ── sibling_grassroots (企业工会, G2)

Personas: district_admin (系统管理员 @ district), street_chair (主席 @ S1),
grassroots_chair (主席 @ G1), branch_lead (分会负责人 @ B1), outsider (主席 @ S2),
street_admin / sibling_admin (系统管理员 @ S1 / S2, for the isolation matrix).
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.accounts.models import User
from gonghui.orgs.models import Kind, Org
from gonghui.testing.factories import OrgFactory, actor_of, staff  # noqa: F401  (actor_of re-exported)


@dataclass
class Tree:
    district: Org
    street: Org
    grassroots: Org
    branch: Org
    sibling_street: Org
    sibling_grassroots: Org


@pytest.fixture
def tree(db) -> Tree:
    district = OrgFactory(code="BJ", name="滨江区总工会", kind=Kind.DISTRICT, employee_count=0)
    street = OrgFactory(parent=district, code="S1", name="临江街道工会", kind=Kind.STREET, employee_count=0)
    grassroots = OrgFactory(parent=street, code="G1", name="临江精机工会", kind=Kind.ENTERPRISE, employee_count=300)
    branch = OrgFactory(parent=grassroots, code="B1", name="一车间分会", kind=Kind.BRANCH, employee_count=80)
    sibling_street = OrgFactory(parent=district, code="S2", name="望湖街道工会", kind=Kind.STREET, employee_count=0)
    sibling_grassroots = OrgFactory(parent=sibling_street, code="G2", name="望湖电子工会", kind=Kind.ENTERPRISE, employee_count=500)
    return Tree(district, street, grassroots, branch, sibling_street, sibling_grassroots)


@dataclass
class Personas:
    district_admin: User
    street_chair: User
    grassroots_chair: User
    branch_lead: User
    outsider: User
    street_admin: User
    sibling_admin: User


@pytest.fixture
def personas(tree) -> Personas:
    return Personas(
        district_admin=staff(tree.district, Role.SYSADMIN, username="district_admin", full_name="区总管理员"),
        street_chair=staff(tree.street, Role.CHAIR, username="street_chair", full_name="街道主席"),
        grassroots_chair=staff(tree.grassroots, Role.CHAIR, username="grassroots_chair", full_name="企业主席"),
        branch_lead=staff(tree.branch, Role.BRANCH_LEAD, username="branch_lead", full_name="分会负责人"),
        outsider=staff(tree.sibling_street, Role.CHAIR, username="outsider", full_name="望湖主席"),
        street_admin=staff(tree.street, Role.SYSADMIN, username="street_admin", full_name="临江管理员"),
        sibling_admin=staff(tree.sibling_street, Role.SYSADMIN, username="sibling_admin", full_name="望湖管理员"),
    )


@pytest.fixture
def login(client):
    """login(user) → the Django test client logged in as `user` at their first union."""

    def do(user: User, org: Org | None = None):
        client.force_login(user)
        if org is not None:
            session = client.session
            session["grant_id"] = user.grants.get(org=org).pk
            session.save()
        return client

    return do


@pytest.fixture
def operator() -> Actor:
    return Actor.system(source="cli")


# The demo's "today": fixed, so the demo data (and every draft written from it) is the
# same whatever day the suite runs.
DEMO_TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo database (`gonghui demo`'s data: seed 2025, today DEMO_TODAY), built once for
    the module that asks for it, inside a transaction rolled back after the module's last
    test. Its tests take `db` as well: each runs in a savepoint of that transaction.
    Yields the DemoContext (its `orgs` by code, its `today`)."""
    from django.db import transaction

    from gonghui.core.demo import build

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build(actor=Actor.system(source="system"), seed=2025, today=DEMO_TODAY, progress=lambda _step: None)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _audit_guard_restored(django_db_setup, django_db_blocker):
    """Put SQLite's append-only triggers back once a module's last flush is done."""
    yield
    from gonghui.audit.migrations import _triggers

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                _triggers.install(cursor, "sqlite")


@pytest.fixture(autouse=True)
def _flushable_audit_table(request):
    """Transactional tests (live server, browser) are torn down by flushing every table.
    On SQLite the flush is a DELETE, which the audit table's append-only trigger refuses
    (PostgreSQL TRUNCATEs, which row triggers do not see), so on SQLite the guard is
    lifted only for the flush after such a test and restored after its module."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    request.getfixturevalue("_audit_guard_restored")
    # The flush after an earlier transactional test also removed the rows migrations seed.
    from gonghui.activities.kinds import seed

    seed()
    if connection.vendor != "sqlite":
        yield
        return
    from gonghui.audit.migrations import _triggers

    with connection.cursor() as cursor:
        _triggers.install(cursor, "sqlite")
    yield
    with connection.cursor() as cursor:
        _triggers.remove(cursor, "sqlite")
