"""A member's own history of what the union gave them and what they gave: 慰问, 帮扶 and
捐款, for their self-service page.

The module apps are optional (INSTALLED_APPS), so their models are looked up by label
rather than imported. Only what the member may see about themselves is passed on: dates,
kinds, amounts and items. Staff notes, the illness behind a 住院 benefit, the household's
income and health, and the spending-rule checks stay on the staff pages. A reversed
entry and its reversal cancel out and are both left out.
"""

from __future__ import annotations

from django.apps import apps

from gonghui.members.models import Member

LIMIT = 50  # a member's page, not an archive: the most recent entries of each kind


def _model(label: str):
    app_label, _, name = label.partition(".")
    if not apps.is_installed(f"gonghui.{app_label}"):
        return None
    return apps.get_model(app_label, name)


def _standing(model, member: Member):
    """The member's entries that stand: neither a reversal nor reversed."""
    return (model.objects.filter(member=member, reversal_of__isnull=True)
            .filter(reversal__isnull=True).order_by("-on", "-id"))


def member_history(member: Member) -> list[dict]:
    sections = []
    benefit = _model("benefits.BenefitRecord")
    if benefit is not None:
        rows = [{"on": r.on, "what": r.kind_label, "detail": r.goods or r.get_form_display(),
                 "amount": r.amount} for r in _standing(benefit, member)[:LIMIT]]
        sections.append({"key": "benefits", "title": "会员慰问", "empty": "暂无慰问记录", "rows": rows})
    record = _model("assistance.AssistanceRecord")
    if record is not None:
        rows = [{"on": r.on, "what": r.get_occasion_display(), "detail": r.goods_text, "amount": r.total,
                 "signed": r.signed} for r in _standing(record, member)[:LIMIT]]
        sections.append({"key": "assistance", "title": "困难帮扶", "empty": "暂无帮扶记录", "rows": rows, "has_signed": True})
    donation = _model("donations.Donation")
    if donation is not None:
        rows = [{"on": d.on, "what": d.drive.name, "detail": d.get_method_display(), "amount": d.amount}
                for d in _standing(donation, member).select_related("drive")[:LIMIT]]
        sections.append({"key": "donations", "title": "我的捐款", "empty": "暂无捐款记录", "rows": rows})
    return sections
