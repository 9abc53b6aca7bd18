"""Demo: the district's 入会率 target, and summaries drafted from the demo records so the
editor, the version list and the statistics page have something to show."""

from gonghui.core.demo import DemoContext


def populate(ctx: DemoContext) -> None:
    from gonghui.orgs.services import org_update
    from gonghui.summary import services

    district = ctx.orgs.get("BJ")
    if district is not None:
        org_update(actor=ctx.actor, org=district, membership_target=85)
    year = str(ctx.today.year)
    for code, subtree in (("LJ-001", True), ("BJ", True)):
        org = ctx.orgs.get(code)
        if org is not None:
            services.summary_create(actor=ctx.actor, org=org, period=year, subtree=subtree, today=ctx.today)
    ctx.notes.append(f"工作总结：已按记录起草临江精机工会和区总工会的{year}年工作总结，可在“工作总结”中修改、保存版本、导出 Word。")
