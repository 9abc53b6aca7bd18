"""Reads of summary drafts and phrasing, always scoped."""

from __future__ import annotations

from django.http import Http404

from gonghui.core.actor import Actor
from gonghui.core.scope import get_scoped_or_404
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
