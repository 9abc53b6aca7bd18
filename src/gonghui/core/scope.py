"""The organization scope: the one place that decides which rows an actor may see.

Every domain model with a union reference uses ScopedQuerySet and names the path to its
Org in `scope_field`; selectors call `.for_actor(actor)`. Single-object lookups go
through `get_scoped_or_404`, which answers 404 for a row outside the actor's subtree,
exactly as for a row that does not exist, and records the attempt in the audit trail.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.http import Http404

from gonghui.core.actor import Actor


def scope_q(actor: Actor, org_field: str) -> Q:
    """Q restricting `org_field` (a path to an Org, or "" for Org itself) to the subtree."""
    if actor.is_operator:
        return Q()
    if actor.org is None:
        return Q(pk__in=[])  # no working union: nothing at all
    prefix = f"{org_field}__" if org_field else ""
    return Q(**{f"{prefix}path__startswith": actor.org.path})


class ScopedQuerySet(models.QuerySet):
    scope_field: str = "org"

    def for_actor(self, actor: Actor):
        return self.filter(scope_q(actor, self.scope_field))


def get_scoped_or_404(queryset, actor: Actor, **lookup):
    """The one row matching `lookup` inside the actor's scope, else 404.

    `queryset` is a ScopedQuerySet (scoped here) or a queryset a selector already scoped.
    """
    scoped = queryset.for_actor(actor) if hasattr(queryset, "for_actor") else queryset
    try:
        return scoped.get(**lookup)
    except queryset.model.DoesNotExist:
        # Out-of-scope rows get the same answer as missing ones; a probe is still worth an
        # audit row so that administrators can see it.
        if not actor.is_operator and queryset.model._default_manager.filter(**lookup).exists():
            from gonghui.audit.services import audit_denial

            audit_denial(actor=actor, action="scope.denied", object_type=queryset.model._meta.label, object_id=str(lookup))
        raise Http404("记录不存在或不在您的管辖范围内。") from None
