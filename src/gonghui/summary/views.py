"""Work summaries: generate, edit and save versions, compare with the records, export;
the statistics page; per-federation phrasing."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.exchange import files
from gonghui.orgs.selectors import org_get_by_code
from gonghui.summary import selectors, services
from gonghui.summary.assemble import changed_figures, document_facts, generate
from gonghui.summary.document import blocks, in_yuan, markdown, title_lines
from gonghui.summary.forms import PeriodForm, PhraseForm, SaveForm
from gonghui.summary.periods import parse_period
from gonghui.summary.registry import PHRASES
from gonghui.summary.services import MAX_DOCUMENT_BYTES
from gonghui.summary.stats import statistics, write_xlsx
from gonghui.web.http import flash_service, staff_view
from gonghui.web.params import INT_MAX, BadRequestParam, check_json, param_int

NOT_IN_SCOPE = ORG_NOT_IN_SCOPE
# The editor's document nests about ten levels (parts → sections → items → runs); the
# bound stops a hand-made one from recursing the JSON parser into a RecursionError.
MAX_DOCUMENT_DEPTH = 32


def _version_number(request) -> int | None:
    return param_int(request, "v", min_value=1, max_value=INT_MAX, label="版本号")


def _period_form(request, data):
    """The union/period/subtree form and, when valid, (org, period, subtree)."""
    form = PeriodForm(data, initial={"period": str(dt.date.today().year), "subtree": True})
    if data is None or not form.is_valid():
        return form, None
    org = request.actor.org
    if form.cleaned_data.get("org"):
        try:
            org = org_get_by_code(request.actor, form.cleaned_data["org"])
        except Http404:
            form.add_error("org", NOT_IN_SCOPE)
            return form, None
    return form, (org, form.cleaned_data["period"], bool(form.cleaned_data.get("subtree")))


@staff_view("summary.view")
def home(request):
    actor = request.actor
    form, chosen = _period_form(request, request.POST if request.method == "POST" else None)
    existing = []
    if request.method == "POST" and chosen:
        org, period, subtree = chosen
        # A second draft of the same union and period is rarely meant: offer the one there is.
        if not request.POST.get("again"):
            existing = list(selectors.drafts_for(actor).filter(org=org, period=period.code).order_by("-updated_at", "-id")[:5])
        if not existing:
            try:
                draft = services.summary_create(actor=actor, org=org, period=period, subtree=subtree)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("summary:draft", draft.pk)
    drafts = selectors.drafts_for(actor).order_by("-updated_at", "-id")[:100]
    return render(request, "summary/home.html", {"form": form, "drafts": drafts, "can_edit": actor.can("summary.edit"),
                                                 "can_phrases": actor.can("summary.phrases"), "existing": existing,
                                                 "chosen": chosen})


def _editor_blocks(document: dict) -> dict:
    """Numbers for the editor's first paint (the editor renumbers as parts move)."""
    numbers = {}
    for b in blocks(document):
        if b.kind in ("h1", "h2") and b.key:
            numbers[b.key] = b.number
    return numbers


def _wants_json(request) -> bool:
    """The editor saves with fetch() and reads the answer itself (editor.js)."""
    return "application/json" in request.headers.get("Accept", "")


def _form_errors(form) -> dict[str, list[str]]:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


def _restored(raw: str, version) -> dict | None:
    """The document a refused save sent, so a page that re-renders keeps the user's edits;
    None when it cannot be read (the version as saved is shown then)."""
    try:
        check_json(raw or "", max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        return services.clean_document(raw, version.facts, version.document)
    except (BadRequestParam, ValidationError):
        return None


@staff_view("summary.view")
def draft(request, draft_id):
    actor = request.actor
    draft = selectors.draft_get(actor, draft_id)
    version = selectors.version_get(draft, _version_number(request))
    save_form = SaveForm(request.POST or None, initial={"base": version.number})
    doc = version.document
    unsaved = False
    if request.method == "POST":
        actor.require("summary.edit")
        if save_form.is_valid():
            base = draft.versions.filter(number=save_form.cleaned_data.get("base") or 0).first()
            # Malformed JSON is the service's to word (on the form); only what would crash
            # its parser is refused here.
            try:
                document = check_json(save_form.cleaned_data["document"], max_bytes=MAX_DOCUMENT_BYTES,
                                      max_depth=MAX_DOCUMENT_DEPTH, label="文档", name="document")
            except BadRequestParam as exc:
                if not _wants_json(request):
                    raise
                return JsonResponse({"ok": False, "errors": {"__all__": [exc.message]}}, status=400)
            try:
                saved = services.summary_save(actor=actor, draft=draft, document=document,
                                              name=save_form.cleaned_data["name"], base=base)
            except ValidationError as exc:
                save_form.apply_errors(exc)
            else:
                messages.success(request, f"已保存为第{saved.number}版“{saved.name}”。")
                if _wants_json(request):
                    return JsonResponse({"ok": True, "url": reverse("summary:draft", args=[draft.pk]), "number": saved.number})
                return redirect("summary:draft", draft.pk)
        if _wants_json(request):
            # a refusal the user can correct is an answer, not a failed request (a 4xx would
            # also land in the browser's console as an error)
            return JsonResponse({"ok": False, "errors": _form_errors(save_form)})
        # Without the editor's script the page comes back: with the edits, not the version.
        restored = _restored(request.POST.get("document", ""), version)
        if restored is not None:
            doc, unsaved = restored, True
    doc = in_yuan(doc)
    return render(request, "summary/draft.html", {
        "draft": draft, "version": version, "doc": doc, "numbers": _editor_blocks(doc), "unsaved": unsaved,
        "versions": selectors.versions_of(draft), "form": save_form, "can_edit": actor.can("summary.edit"),
        "latest": version.number == draft.latest.number, "period_label": parse_period(draft.period).label,
        "lists": [("problems", "存在问题", doc.get("problems", [])),
                  ("plans", "下一步工作计划", doc.get("plans", []))],
    })


@staff_view("summary.view")
def check(request, draft_id):
    """Which figures of a version the records now contradict (rendered into the editor)."""
    actor = request.actor
    draft = selectors.draft_get(actor, draft_id)
    version = selectors.version_get(draft, _version_number(request))
    current = generate(actor=actor, org=draft.org, period=parse_period(draft.period), subtree=draft.subtree)
    changes = changed_figures(version.facts, current.facts, document_facts(version.document))
    return render(request, "summary/_check.html", {"draft": draft, "version": version, "changes": changes,
                                                   "changed_keys": json.dumps([c["key"] for c in changes]),
                                                   "can_edit": actor.can("summary.edit"),
                                                 "can_phrases": actor.can("summary.phrases")})


@require_POST
@staff_view("summary.edit")
def refresh(request, draft_id):
    draft = selectors.draft_get(request.actor, draft_id)
    try:
        version, changes = services.summary_refresh(actor=request.actor, draft=draft)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已按最新记录更新{len(changes)}个数字，保存为第{version.number}版。" if changes
                         else f"记录没有变化，数字均为最新（已保存为第{version.number}版）。")
    return redirect("summary:draft", draft.pk)


@require_POST
@staff_view("summary.edit")
def delete(request, draft_id):
    draft = selectors.draft_get(request.actor, draft_id)
    if flash_service(request, lambda: services.summary_delete(actor=request.actor, draft=draft), "已删除该工作总结。"):
        return redirect("summary:home")
    return redirect("summary:draft", draft.pk)


EXPORTS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


def render_export(document: dict, fmt: str) -> bytes:
    if fmt == "docx":
        from gonghui.summary.docx import docx_bytes

        return docx_bytes(document)
    if fmt == "md":
        return markdown(document).encode()
    return render_to_string("summary/export.html", {"doc": document, "blocks": blocks(document),
                                                    "title_lines": title_lines(document.get("title", ""))}).encode()


@staff_view("summary.view")
def export(request, draft_id, fmt):
    if fmt not in EXPORTS:
        raise Http404
    draft = selectors.draft_get(request.actor, draft_id)
    version = selectors.version_get(draft, _version_number(request))
    data = render_export(version.document, fmt)
    services.summary_exported(actor=request.actor, draft=draft, org=draft.org, fmt=fmt, period=draft.period)
    response = HttpResponse(data, content_type=EXPORTS[fmt])
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(draft.title)}.{fmt}"
    return response


# --- statistics -------------------------------------------------------------------------------


def _stats_request(request):
    data = request.GET if request.GET.get("period") else None
    return _period_form(request, data)


@staff_view("summary.view")
def stats(request):
    form, chosen = _stats_request(request)
    if chosen is None and request.GET.get("period") is None:
        form, chosen = _period_form(request, {"period": str(dt.date.today().year), "subtree": "on"})
    figures = None
    if chosen:
        org, period, subtree = chosen
        figures = statistics(actor=request.actor, org=org, period=period, subtree=subtree)
    charts = []
    if figures:
        charts = [{"id": f"chart-{i}", "title": c.title, "kind": c.kind, "rows": [list(r) for r in c.rows]}
                  for i, c in enumerate(figures.charts)]
    return render(request, "summary/stats.html", {"form": form, "stats": figures, "charts": charts,
                                                  "query": request.GET.urlencode()})


@staff_view("summary.view")
def stats_xlsx(request):
    form, chosen = _stats_request(request)
    if not chosen:
        messages.error(request, "请先选择工会和期间。" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("summary:stats")
    org, period, subtree = chosen
    figures = statistics(actor=request.actor, org=org, period=period, subtree=subtree)
    tmp = files.export_path("stats")
    write_xlsx(figures, tmp)
    services.summary_exported(actor=request.actor, draft=None, org=org, fmt="xlsx", period=period.code)
    name = f"{org.name}{period.label}统计报表.xlsx"
    return files.send_and_delete(tmp, name)


# --- phrasing ---------------------------------------------------------------------------------


@staff_view("summary.phrases")
def phrases(request):
    actor = request.actor
    org = actor.org
    if org is None:
        raise Http404
    form = PhraseForm(request.POST or None)
    if request.method == "POST":
        key = request.POST.get("key", "")
        if key not in PHRASES:
            raise Http404
        if request.POST.get("reset"):
            flash_service(request, lambda: services.phrase_reset(actor=actor, org=org, key=key), "已恢复默认措辞。")
            return redirect(f"{request.path}#p-{key}")
        if form.is_valid():
            try:
                services.phrase_set(actor=actor, org=org, key=key, text=form.cleaned_data["text"])
            except ValidationError as exc:
                messages.error(request, f"“{PHRASES[key].label}”未保存：" + "；".join(exc.messages))
            else:
                messages.success(request, f"已保存“{PHRASES[key].label}”的措辞，适用于{org.name}及所有下级工会。")
            return redirect(f"{request.path}#p-{key}")
    rows = selectors.phrase_rows(org)
    return render(request, "summary/phrases.html", {"rows": rows, "org": org, "json": json})


# --- a union's settings for its summaries -------------------------------------------------------


def _saved(request, url: str):
    """After a successful save: htmx follows HX-Redirect, a plain form the 302."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _setting_page(request, form, setting=None):
    from gonghui.summary.prefs import DEFAULT_GUIDING, in_force

    actor = request.actor
    year = dt.date.today().year
    force = in_force(actor.org, year) if actor.org is not None else None
    return render(request, "summary/settings.html", {
        "form": form, "setting": setting, "settings": selectors.settings_for(actor)[:200], "org": actor.org,
        "year": year, "force": force, "default_guiding": DEFAULT_GUIDING,
    })


def _setting_save(request, form, setting=None):
    """Validate the form, resolve the union (only one the actor covers), call the service;
    the response, or None when the form comes back with its errors."""
    if not form.is_valid():
        return None
    actor = request.actor
    org = setting.org if setting else actor.org
    if setting is None and form.cleaned_data.get("org"):
        try:
            org = org_get_by_code(actor, form.cleaned_data["org"])
        except Http404:
            form.add_error("org", NOT_IN_SCOPE)
            return None
    if org is None:
        raise Http404
    year = setting.year if setting else form.cleaned_data["year"]
    try:
        saved = services.summary_setting_set(actor=actor, org=org, year=year, guiding=form.cleaned_data["guiding"],
                                             party=form.cleaned_data["party"], closing=form.cleaned_data["closing"],
                                             key_themes=form.cleaned_data["key_themes"])
    except ValidationError as exc:
        form.apply_errors(exc)
        return None
    if saved is None:  # every field cleared: the setting is gone, the defaults apply
        messages.success(request, f"已清空{org.name}{year}年度的工作总结设置，重新生成初稿时使用默认内容。")
    else:
        messages.success(request, f"已保存{saved.org.name}{saved.year}年度的工作总结设置，重新生成初稿时生效。")
    return _saved(request, reverse("summary:settings"))


@staff_view("summary.phrases")
def settings_page(request):
    from gonghui.summary.forms import SettingForm

    form = SettingForm(request.POST or None, initial={"year": dt.date.today().year})
    if request.method == "POST":
        response = _setting_save(request, form)
        if response is not None:
            return response
    return _setting_page(request, form)


@staff_view("summary.phrases")
def setting_edit(request, setting_id):
    from gonghui.summary.forms import SettingForm

    setting = selectors.setting_get(request.actor, setting_id)
    initial = {"org": setting.org.code, "year": setting.year, "guiding": setting.guiding, "party": setting.party,
               "closing": setting.closing, "key_themes": setting.key_themes}
    data = None
    if request.method == "POST":
        # the union and year of a saved setting are what the address names, not the form
        data = request.POST.copy()
        data["org"], data["year"] = setting.org.code, str(setting.year)
    form = SettingForm(data, initial=initial)
    if request.method == "POST":
        response = _setting_save(request, form, setting)
        if response is not None:
            return response
    return _setting_page(request, form, setting)


@require_POST
@staff_view("summary.phrases")
def setting_delete(request, setting_id):
    setting = selectors.setting_get(request.actor, setting_id)
    label = f"{setting.org.name}{setting.year}年度"
    flash_service(request, lambda: services.summary_setting_delete(actor=request.actor, setting=setting),
                  f"已删除{label}的工作总结设置，该年度恢复使用默认设置。")
    return redirect("summary:settings")


@staff_view("summary.phrases")
def purposes(request):
    """The effect clauses of each part, for the actor's union and its subtree."""
    from gonghui.summary.forms import PurposeForm
    from gonghui.summary.registry import THEMES

    actor = request.actor
    org = actor.org
    if org is None:
        raise Http404
    if request.method == "POST":
        form = PurposeForm(request.POST)
        theme = request.POST.get("theme", "")
        if theme not in THEMES:
            raise Http404
        title = THEMES[theme][1].split("，")[0]
        if request.POST.get("reset"):
            flash_service(request, lambda: services.purpose_clauses_reset(actor=actor, org=org, theme=theme),
                          f"“{title}”已恢复默认成效语。")
        elif form.is_valid():
            try:
                services.purpose_clauses_set(actor=actor, org=org, theme=theme, clauses=form.cleaned_data["clauses"])
            except ValidationError as exc:
                messages.error(request, f"“{title}”的成效语未保存：" + "；".join(exc.messages))
            else:
                messages.success(request, f"已保存“{title}”的成效语，适用于{org.name}及所有下级工会。")
        else:
            messages.error(request, f"“{title}”的成效语未保存：" + "；".join(e for errs in form.errors.values() for e in errs))
        return _saved(request, f"{reverse('summary:purposes')}#t-{theme}")
    return render(request, "summary/purposes.html", {"rows": selectors.purpose_rows(org), "org": org})
