"""A summary draft of a union, for the isolation matrix (tests/security/test_isolation_matrix.py)."""

import datetime as dt


def samples(org) -> tuple[dict, list[str]]:
    from gonghui.access.actor import Actor
    from gonghui.summary import services

    draft = services.summary_create(actor=Actor.system(), org=org, period=str(dt.date.today().year), subtree=True)
    doc = draft.latest.document
    doc["opening"] = [{"key": "opening", "runs": [{"text": "隔壁总结机密段落"}]}]
    services.summary_save(actor=Actor.system(), draft=draft, document=doc, name="隔壁版本")
    setting = services.summary_setting_set(actor=Actor.system(), org=org, year=dt.date.today().year,
                                           closing="隔壁工会结尾段落机密内容，请勿外传。")
    return {"draft_id": draft.pk, "fmt": "md", "setting_id": setting.pk}, ["隔壁总结机密段落", "隔壁工会结尾段落机密内容"]
