"""The summary over the JSON API: the figures a summary is written from (with their
links), its text, and the drafts with their versions."""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.errors import HttpError

from gonghui.orgs.selectors import org_get_by_code
from gonghui.summary import selectors
from gonghui.summary.assemble import generate
from gonghui.summary.document import plain_text
from gonghui.summary.periods import parse_period

router = Router(tags=["工作总结"])


class FigureOut(Schema):
    key: str
    label: str
    text: str
    value: str | None
    link: str


class GeneratedOut(Schema):
    org: str
    period: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    subtree: bool
    title: str
    text: str
    figures: list[FigureOut]


class VersionOut(Schema):
    number: int
    name: str
    created_at: dt.datetime


class DraftOut(Schema):
    id: int
    org: str
    period: str
    subtree: bool
    title: str
    updated_at: dt.datetime
    versions: list[VersionOut]


def _period(code: str):
    try:
        return parse_period(code)
    except ValidationError as exc:
        raise HttpError(422, "；".join(exc.messages)) from None


@router.get("/generate", response=GeneratedOut, summary="按记录生成工作总结（文本与每个数字的来源）")
def generate_summary(request, org: str, period: str, subtree: bool = False):
    request.actor.require("summary.view")
    target = org_get_by_code(request.actor, org)
    p = _period(period)
    g = generate(actor=request.actor, org=target, period=p, subtree=subtree)
    figures = [{"key": k, **v} for k, v in g.facts.items()]
    return {"org": target.code, "period": p.code, "start": p.start, "end": p.end, "as_of": g.context.as_of, "subtree": subtree,
            "title": g.document["title"], "text": plain_text(g.document), "figures": figures}


@router.get("/drafts", response=list[DraftOut], summary="已起草的工作总结（本单位管辖范围内，最近100份）")
def list_drafts(request):
    request.actor.require("summary.view")
    drafts = selectors.drafts_for(request.actor).prefetch_related("versions").order_by("-updated_at", "-id")[:100]
    return [{"id": d.pk, "org": d.org.code, "period": d.period, "subtree": d.subtree, "title": d.title, "updated_at": d.updated_at,
             "versions": sorted(d.versions.all(), key=lambda v: -v.number)} for d in drafts]


@router.get("/drafts/{draft_id}/text", response=str, summary="某一版本的全文（纯文本）")
def draft_text(request, draft_id: int, version: int | None = None):
    request.actor.require("summary.view")
    draft = selectors.draft_get(request.actor, draft_id)
    return plain_text(selectors.version_get(draft, version).document)
