"""A token that changes whenever a write could change figures already counted from the
check-ins without adding a check-in: a check-in undone, a session's hours changed. The
figures cache (figures.py) keys on it together with the newest check-in, so reading the
state costs two index lookups instead of counting the check-in table (60 ms at 550,000
rows on PostgreSQL, bench/activities_scale.py)."""

from __future__ import annotations

import secrets

KEY = "activities.figures.generation"


def bump() -> None:
    from gonghui.core.models import SiteFlag

    SiteFlag.objects.update_or_create(key=KEY, defaults={"value": secrets.token_hex(8)})


def current() -> str:
    from gonghui.core.models import SiteFlag

    return SiteFlag.objects.filter(key=KEY).values_list("value", flat=True).first() or ""
