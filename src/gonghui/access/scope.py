"""The organization scope: the one place that decides which rows an actor may see.

Every domain model with a union reference uses ScopedQuerySet and names the path to its
Org in `scope_field`; selectors call `.for_actor(actor)`. Single-object lookups go
through `get_scoped_or_404`, which answers 404 for a row outside the actor's subtree,
exactly as for a row that does not exist, and records the attempt in the audit trail.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404

from gonghui.access.actor import Actor
from gonghui.core.services import audit_failure


def scope_q(actor: Actor, org_field: str) -> Q:
    """Q restricting `org_field` (a path to an Org, or "" for Org itself) to the subtree."""
    if actor.is_operator:
        return Q()
    if actor.org is None:
        return Q(pk__in=[])  # no working union: nothing at all
    prefix = f"{org_field}__" if org_field else ""
    return Q(**{f"{prefix}path__startswith": actor.org.path})


def path_scope_q(actor: Actor, path_field: str) -> Q:
    """Like scope_q, for a model that keeps a copy of its union's path in `path_field`."""
    if actor.is_operator:
        return Q()
    if actor.org is None:
        return Q(pk__in=[])
    return Q(**{f"{path_field}__startswith": actor.org.path})


class ScopedQuerySet(models.QuerySet):
    scope_field: str = "org"
    # Set on big tables that copy their union's path, so the scope is a prefix match on
    # the table itself (no join to the union table).
    scope_path_field: str | None = None

    def for_actor(self, actor: Actor):
        if self.scope_path_field:
            return self.filter(path_scope_q(actor, self.scope_path_field))
        return self.filter(scope_q(actor, self.scope_field))


# (model label, path column) of every table that copies a union's path; org_move rewrites
# them with the union's own. Apps register theirs in AppConfig.ready().
PATH_COPIES: list[tuple[str, str]] = []


def register_path_copy(model_label: str, field: str) -> None:
    if (model_label, field) not in PATH_COPIES:
        PATH_COPIES.append((model_label, field))


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
            audit_failure(actor=actor, action="scope.denied", object_type=queryset.model._meta.label, object_id=str(lookup))
        raise Http404("记录不存在或不在您的管辖范围内。") from None


def ancestor_paths(path: str) -> list[str]:
    """"/1/7/12/" → ["/1/", "/1/7/", "/1/7/12/"]: the union and every union above it."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def org_model():
    """The union model, named by settings.GONGHUI_ORG_MODEL as Django names its user model:
    the lower layers reach unions without importing the app that defines them."""
    return apps.get_model(settings.GONGHUI_ORG_MODEL)


# What every form says when a union code is unknown or outside the actor's subtree (the
# same words for both: which of the two it is would itself leak).
ORG_NOT_IN_SCOPE = "找不到该编码的工会，或它不在您的管辖范围内。"


def org_by_code(actor: Actor, code: str):
    """The union with this code inside the actor's subtree, else 404 (codes are upper-case)."""
    return get_scoped_or_404(org_model().objects.all(), actor, code=(code or "").strip().upper())
