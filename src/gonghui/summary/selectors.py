"""Reads of summary drafts and phrasing, always scoped."""

from __future__ import annotations

from django.http import Http404

from gonghui.access.actor import Actor
from gonghui.access.scope import get_scoped_or_404
from gonghui.orgs.models import Org
from gonghui.summary.assemble import Phrasebook
from gonghui.summary.models import SummaryDraft, SummaryVersion
from gonghui.summary.registry import PHRASES


def drafts_for(actor: Actor):
    return SummaryDraft.objects.for_actor(actor).select_related("org")


def draft_get(actor: Actor, pk) -> SummaryDraft:
    return get_scoped_or_404(SummaryDraft.objects.select_related("org"), actor, pk=pk)


def version_get(draft: SummaryDraft, number=None) -> SummaryVersion:
    qs = draft.versions.all()
    version = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def versions_of(draft: SummaryDraft):
    return draft.versions.select_related("created_by").order_by("-number")


def phrase_rows(org: Org) -> list[dict]:
    """Every sentence with the wording in force at `org` and where it comes from."""
    book = Phrasebook(org)
    rows = []
    for key, phrase in sorted(PHRASES.items()):
        rows.append({"key": key, "phrase": phrase, "text": book.text(key), "overridden": key in book.overrides,
                     "fields": sorted(phrase.fields.items())})
    return rows


# --- settings for the summaries (summary/prefs.py) ----------------------------------------------


def settings_for(actor: Actor):
    """The year settings of the unions the actor covers, newest year first."""
    from gonghui.summary.models import SummarySetting

    return SummarySetting.objects.for_actor(actor).select_related("org", "updated_by").order_by("-year", "org__code")


def setting_get(actor: Actor, pk):
    from gonghui.summary.models import SummarySetting

    return get_scoped_or_404(SummarySetting.objects.select_related("org"), actor, pk=pk)


def purpose_rows(org: Org) -> list[dict]:
    """Every part with the effect clauses in force at `org` and where they come from."""
    from gonghui.summary.models import PurposeClauseSet
    from gonghui.summary.prefs import DEFAULT_PURPOSES, Purposes
    from gonghui.summary.registry import THEMES

    purposes = Purposes(org)
    own = set(PurposeClauseSet.objects.filter(org=org).values_list("theme", flat=True))
    return [{"theme": t, "title": title, "clauses": purposes.of(t), "own": t in own,
             "inherited": purposes.overridden(t) and t not in own, "default": DEFAULT_PURPOSES.get(t, ())}
            for t, (_, title) in sorted(THEMES.items(), key=lambda kv: kv[1][0])]
