from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.audit.models import AuditEvent


def events_for(actor: Actor):
    """Events about the actor's subtree. Installation-level events (a failed login with an
    unknown username) have no union: only administrators of a top-level union see them."""
    if actor.is_operator:
        return AuditEvent.objects.all()
    qs = AuditEvent.objects.filter(org__path__startswith=actor.org.path)
    if actor.org.parent_id is None and actor.can("account.manage"):
        qs = AuditEvent.objects.filter(Q(org__path__startswith=actor.org.path) | Q(org__isnull=True))
    return qs


def event_search(actor: Actor, *, start: dt.date | None, end: dt.date | None, user: str, action: str, org=None, result: str = ""):
    qs = events_for(actor).select_related("org")
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(ts__gte=dt.datetime.combine(start, dt.time(), tzinfo=tz))
    if end:
        qs = qs.filter(ts__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))
    if user:
        qs = qs.filter(username=user.strip())
    if action:
        qs = qs.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if result in ("success", "failure"):
        qs = qs.filter(result=result)
    return qs
