"""The roster's 近12个月新入会 chart has twelve months, ending with this one."""

def test_the_last_twelve_months_are_twelve_whatever_the_day(tree, operator):
    import datetime as dt

    from gonghui.members.selectors import roster_figures

    for today in (dt.date(2026, 12, 3), dt.date(2024, 3, 1), dt.date(2025, 1, 31), dt.date(2024, 12, 31)):
        months = [k for k, _, _ in roster_figures(operator, tree.district, today=today)["per_month"]]
        assert len(months) == 12 and months[-1] == f"{today:%Y-%m}", (today, months)
