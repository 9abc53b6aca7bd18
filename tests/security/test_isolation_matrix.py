"""Every route, walked as a user of one subtree with ids from another: nothing leaks.

The routes come from the URL resolver, so a new page or API route is covered the day it
is added. A route whose URL takes a parameter this file does not know fails the test
until its app's tests/matrix.py provides a sample for it.
"""

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gonghui.access.permissions import Role
from gonghui.accounts.models import RoleGrant, User
from gonghui.audit.models import AuditEvent
from gonghui.orgs import services
from gonghui.orgs.models import Org
from gonghui.testing.factories import actor_of, staff

# Routes that are deliberately public or serve no domain data.
PUBLIC = {"accounts/login/", "accounts/otp/", "accounts/otp/setup/", "accounts/otp/qr.svg"}
# Routes about the logged-in person only (no id in the URL, nothing of a subtree).
SELF = {"members/me/"}
MARKER = "机密联系人"


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


ALL_ROUTES = sorted(set(walk()))


@dataclass
class Direction:
    viewer: User
    target_org: Org
    target_user: User
    target_grant: RoleGrant
    markers: list[str]


def module_samples():
    """Each gonghui app may provide tests/matrix.py with samples(org) -> (params, markers)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.tests.matrix"
        if config.name.startswith("gonghui.") and find_spec(f"{config.name}.tests") and find_spec(name):
            yield import_module(name).samples


def samples(direction: Direction) -> dict:
    """A record of the other subtree for every kind of id a route takes."""
    params = {"org_id": direction.target_org.pk, "user_id": direction.target_user.pk, "grant_id": direction.target_grant.pk}
    for provide in module_samples():
        more, markers = provide(direction.target_org)
        params.update(more)
        direction.markers.extend(markers)
    return params



def fill(route: str, values: dict[str, int]) -> str:
    def sub(m):
        name = m.group(2)
        assert name in values, f"route {route!r} takes <{name}>: add a sample for it to its app's tests/matrix.py"
        return str(values[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def snapshot():
    return (
        list(Org.objects.order_by("pk").values_list("pk", "path", "name", "is_active", "updated_at")),
        list(RoleGrant.objects.order_by("pk").values_list("pk", "user_id", "org_id", "role")),
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password", "totp_enabled")),
    )


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture(params=["street_to_sibling", "sibling_to_street", "branch_to_parent"])
def direction(request, tree, personas):
    operator = actor_of(personas.district_admin)
    for org in (tree.grassroots, tree.sibling_grassroots, tree.sibling_street, tree.street):
        services.org_update(actor=operator, org=org, contact_name=f"{MARKER}{org.code}")
    if request.param == "street_to_sibling":
        return Direction(personas.street_admin, tree.sibling_grassroots, personas.outsider, personas.outsider.grants.get(),
                         ["望湖电子工会", "望湖街道工会", "outsider", "sibling_admin", f"{MARKER}G2", f"{MARKER}S2"])
    if request.param == "sibling_to_street":
        return Direction(personas.sibling_admin, tree.grassroots, personas.grassroots_chair, personas.grassroots_chair.grants.get(),
                         ["临江精机工会", "一车间分会", "grassroots_chair", "street_admin", f"{MARKER}G1", f"{MARKER}S1"])
    viewer = staff(tree.branch, Role.SYSADMIN, username="branch_admin")
    return Direction(viewer, tree.grassroots, personas.grassroots_chair, personas.grassroots_chair.grants.get(),
                     ["grassroots_chair", "street_chair", f"{MARKER}G1", f"{MARKER}S1"])


def test_every_route_is_known_to_the_matrix(personas, tree):
    grant = personas.outsider.grants.get()
    known = set(samples(Direction(personas.street_admin, tree.sibling_grassroots, personas.outsider, grant, [])))
    for route in ALL_ROUTES:
        for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
            assert name in known, f"route {route!r} takes <{name}>: add it to the samples of its app's tests/matrix.py"


@pytest.mark.parametrize("route", ALL_ROUTES)
def test_nothing_of_another_subtree_leaks(route, direction, client):
    if route in PUBLIC or route in SELF or "static" in route:
        return
    client.force_login(direction.viewer)
    url = fill(route, samples(direction))
    from gonghui.members.models import Member, Transfer

    members_before = list(Member.objects.order_by("pk").values_list("pk", "org_id", "status", "phone_hash", "updated_at"))
    transfers_before = list(Transfer.objects.order_by("pk").values_list("pk", "state"))
    # A broad search ("工会" is in every union's name) would surface rows of the other
    # subtree if any list or lookup forgot the scope.
    probe = {"q": "工会", "org_code": direction.target_org.code, "parent": direction.target_org.pk, "user": direction.target_user.username[:2]}
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(client, method)(url, probe if method == "get" else {**probe, "org_code": direction.target_org.code, "grant": direction.target_grant.pk})
        assert response.status_code < 500, f"{method.upper()} {url} → {response.status_code}"
        if "<" in route:
            assert response.status_code in (302, 403, 404, 405, 422), f"{method.upper()} {url} answered {response.status_code}"
        text = body_of(response)
        for marker in direction.markers:
            assert marker not in text, f"{method.upper()} {url} shows {marker!r} from another subtree"
    assert snapshot() == before, f"{url} changed data of another subtree"
    assert list(Member.objects.order_by("pk").values_list("pk", "org_id", "status", "phone_hash", "updated_at")) == members_before
    assert list(Transfer.objects.order_by("pk").values_list("pk", "state")) == transfers_before


def test_probing_another_subtree_is_audited(direction, client):
    client.force_login(direction.viewer)
    client.get(f"/orgs/{direction.target_org.pk}/")
    assert AuditEvent.objects.filter(action="scope.denied", username=direction.viewer.username).exists()
