"""A summary draft of a union, for the isolation matrix (tests/security/test_isolation_matrix.py)."""

import datetime as dt


def samples(org) -> tuple[dict, list[str]]:
    from gonghui.core.actor import Actor
    from gonghui.summary import services

    draft = services.summary_create(actor=Actor.system(), org=org, period=str(dt.date.today().year), subtree=True)
    doc = draft.latest.document
    doc["opening"] = [{"key": "opening", "runs": [{"text": "隔壁总结机密段落"}]}]
    services.summary_save(actor=Actor.system(), draft=draft, document=doc, name="隔壁版本")
    return {"draft_id": draft.pk, "fmt": "md"}, ["隔壁总结机密段落"]
