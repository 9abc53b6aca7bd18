"""factory_boy factories. Unions are created through the real service, so their tree
paths, levels and audit events are exactly what production code would write."""

import itertools

import factory

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.accounts.models import RoleGrant, User
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Kind, Org

_codes = itertools.count(1)


class OrgFactory(factory.Factory):
    class Meta:
        model = Org

    parent = None
    kind = Kind.ENTERPRISE
    code = factory.LazyFunction(lambda: f"T{next(_codes):05d}")
    name = factory.LazyAttribute(lambda o: f"测试工会{o.code}")
    employee_count = 100

    @classmethod
    def _create(cls, model_class, *, parent=None, **kwargs):
        return org_services.org_create(actor=Actor.system(source="system"), parent=parent, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Test#Pass2025")


def grant(user: User, org: Org, role: str = Role.CHAIR) -> RoleGrant:
    return RoleGrant.objects.create(user=user, org=org, role=role)


def staff(org: Org, role: str = Role.CHAIR, **kwargs) -> User:
    """A user holding `role` at `org` (administrators come with the second factor on)."""
    user = UserFactory(**kwargs)
    if role == Role.SYSADMIN:
        import pyotp

        user.totp_secret = pyotp.random_base32()
        user.totp_enabled = True
    user.save()  # the factory sets the password after its own save
    grant(user, org, role)
    return user


def actor_of(user: User, org: Org | None = None) -> Actor:
    """The actor a logged-in user is: at `org`, or at their highest union."""
    grants = user.grants.select_related("org")
    grant = grants.get(org=org) if org is not None else grants.order_by("org__depth").first()
    return Actor.for_grant(grant, ip="127.0.0.1")
