from django import forms

from gonghui.assistance.choices import (
    TRANSITIONS,
    Cause,
    Funding,
    Housing,
    Hukou,
    Insurance,
    Occasion,
    Recipient,
    Relation,
    Status,
    Step,
    Tier,
)
from gonghui.web.forms import DateInput, StyledForm


def _blank(choices, label="未填"):
    return [("", label)] + list(choices)


def _tick_boxes(form) -> None:
    """StyledForm gives a multiple-checkbox list the text-box class, which draws every box
    as a full-width input; give its boxes the checkbox class instead."""
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxSelectMultiple):
            f.widget.attrs["class"] = "form-check-input"


class HouseholdForm(StyledForm):
    causes = forms.MultipleChoiceField(label="致困原因", choices=Cause.choices, widget=forms.CheckboxSelectMultiple, help_text="可多选。")
    size = forms.IntegerField(label="家庭人口", min_value=1, max_value=30, initial=1)
    annual_income = forms.DecimalField(label="家庭年收入（元）", min_value=0, max_digits=12, decimal_places=2, required=False)
    rigid_expenses = forms.DecimalField(label="刚性支出（元/年）", min_value=0, max_digits=12, decimal_places=2, required=False,
                                        help_text="医疗、教育等必需支出。")
    hardship_spending = forms.DecimalField(label="致困支出（元）", min_value=0, max_digits=12, decimal_places=2, required=False,
                                           help_text="意外事故、重大疾病等造成的支出。")
    housing = forms.ChoiceField(label="住房情况", choices=_blank(Housing.choices), required=False)
    hukou = forms.ChoiceField(label="户口类型", choices=_blank(Hukou.choices), required=False)
    insurance = forms.ChoiceField(label="医保", choices=_blank(Insurance.choices), required=False)
    zero_employment = forms.BooleanField(label="零就业家庭", required=False)
    single_parent = forms.BooleanField(label="单亲家庭", required=False)
    health = forms.CharField(label="健康状况", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    disability = forms.CharField(label="残疾情况", max_length=500, required=False)
    situation = forms.CharField(label="困难情况说明", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _tick_boxes(self)


class HouseholdCreateForm(HouseholdForm):
    head_id_number = forms.CharField(label="户主身份证号", max_length=30, help_text="户主须是本工会（或下级工会）的在册会员。")
    applied_on = forms.DateField(label="申请日期", widget=DateInput())

    field_order = ["head_id_number", "applied_on"]


class ApplyForm(HouseholdForm):
    pass


class TierForm(StyledForm):
    tier = forms.ChoiceField(label="困难类别", choices=Tier.choices)
    reason = forms.CharField(label="调整理由", max_length=200, required=False, help_text="与系统建议不同时必填。")
    on = forms.DateField(label="日期", widget=DateInput(), required=False, help_text="补录以往档案时填写实际日期；不填为今天。")


class StepForm(StyledForm):
    # No step is preselected: each one changes the archive, so the user names it.
    step = forms.ChoiceField(label="办理事项", choices=[("", "请选择"), *((s, Step(s).label) for s in TRANSITIONS)])
    on = forms.DateField(label="日期", widget=DateInput())
    reason = forms.CharField(label="原因/说明", max_length=200, required=False, help_text="脱困、返困、不予建档须填写原因。")

    def __init__(self, *args, status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if status is not None:  # only the steps the archive's state allows
            self.fields["step"].choices = [("", "请选择"), *((s, Step(s).label) for s, (allowed, _) in TRANSITIONS.items()
                                                           if status in allowed)]


class FamilyForm(StyledForm):
    relation = forms.ChoiceField(label="与户主关系", choices=Relation.choices)
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    income = forms.DecimalField(label="年收入（元）", min_value=0, max_digits=12, decimal_places=2, required=False)
    school_or_work = forms.CharField(label="就学/就业情况", max_length=100, required=False)
    health = forms.CharField(label="健康状况", max_length=500, required=False)
    disability = forms.CharField(label="残疾情况", max_length=500, required=False)


class PackageForm(StyledForm):
    on = forms.DateField(label="发放日期", widget=DateInput())
    occasion = forms.ChoiceField(label="帮扶类型", choices=Occasion.choices)
    cash = forms.DecimalField(label="现金（元）", min_value=0, max_digits=12, decimal_places=2, required=False)
    goods_item = forms.CharField(label="物品", max_length=30, required=False, help_text="如：米面油")
    goods_quantity = forms.DecimalField(label="数量", min_value=0, max_digits=8, decimal_places=2, required=False)
    goods_unit = forms.CharField(label="单位", max_length=10, required=False)
    goods_value = forms.DecimalField(label="物品价值（元）", min_value=0, max_digits=12, decimal_places=2, required=False)
    funding = forms.ChoiceField(label="资金来源", choices=Funding.choices)
    partner_name = forms.CharField(label="合作单位名称", max_length=100, required=False)
    handled_by = forms.CharField(label="经办人", max_length=50, required=False)

    def package(self) -> dict:
        d = self.cleaned_data
        goods = []
        if d.get("goods_item"):
            goods = [{"item": d["goods_item"], "quantity": d.get("goods_quantity") or 1, "unit": d.get("goods_unit") or "",
                      "value": d.get("goods_value") or 0}]
        return {"on": d["on"], "occasion": d["occasion"], "cash": d.get("cash") or 0, "goods": goods,
                "funding": d["funding"], "partner_name": d.get("partner_name", ""), "handled_by": d.get("handled_by", "")}


class RecordForm(PackageForm):
    id_number = forms.CharField(label="受助人身份证号", max_length=30, help_text="本工会（或下级工会）的会员；有困难档案的记入其档案。")
    note = forms.CharField(label="说明", max_length=200, required=False)

    field_order = ["id_number"]


class NonMemberRecordForm(PackageForm):
    """One assistance to a beneficiary who is not a member: a resident, or a paired
    village / group of households."""

    recipient = forms.ChoiceField(label="受助对象", choices=[c for c in Recipient.choices if c[0] != Recipient.MEMBER],
                                  initial=Recipient.RESIDENT)
    org_code = forms.CharField(label="登记工会编码", max_length=32, help_text="开展帮扶的工会（本工会或下级工会）。")
    name = forms.CharField(label="姓名或名称", max_length=100,
                           help_text="非会员居民填姓名；包联村或群众户组填名称，如“包联村红星村”“幸福小区困难户组”。")
    id_number = forms.CharField(label="身份证号", max_length=30, required=False,
                                help_text="非会员居民必填，加密保存，页面上遮蔽显示。")
    households = forms.IntegerField(label="受助户数", required=False, help_text="包联村或户组必填：本次走访慰问的户数。")
    people = forms.IntegerField(label="受助人数", required=False, help_text="选填，不少于户数。")
    note = forms.CharField(label="说明", max_length=200, required=False)

    field_order = ["recipient", "org_code", "name", "id_number", "households", "people"]


def parse_residents(text: str) -> list[dict]:
    """Lines of "姓名 身份证号" (spaces, tabs, commas or 、 between) into [{name, id_number}];
    ValidationError listing every line that is not of that shape."""
    people, errors = [], []
    for i, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("，", " ").replace(",", " ").replace("、", " ").replace("\t", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            errors.append(f"第{i}行：请按“姓名 身份证号”填写，每行一人。")
            continue
        people.append({"name": parts[0], "id_number": parts[1]})
    if errors:
        raise forms.ValidationError(errors)
    return people


class BatchForm(PackageForm):
    title = forms.CharField(label="批次名称", max_length=100, help_text="如：2025年元旦春节送温暖")
    org_code = forms.CharField(label="工会编码", max_length=32, help_text="发放范围：该工会及其下级的困难户。")
    tier = forms.ChoiceField(label="按类别选择", choices=[("", "全部在管困难户")] + Tier.choices, required=False,
                             help_text="未勾选下方具体名单时，按此条件选择。")
    households = forms.MultipleChoiceField(label="或勾选具体困难户", required=False, widget=forms.CheckboxSelectMultiple)
    residents = forms.CharField(label="非会员居民名单", required=False, max_length=20000,
                                widget=forms.Textarea(attrs={"rows": 3, "placeholder": "王秀兰 330106195403120027"}),
                                help_text="社区帮扶的非会员困难居民，每行“姓名 身份证号”，与会员分开统计。")
    only_residents = forms.BooleanField(label="只发给名单中的居民", required=False,
                                        help_text="勾选后不发给困难职工档案户（否则同时按上面的选择发给困难户）。")

    field_order = ["title", "org_code", "tier", "households", "residents", "only_residents"]

    def __init__(self, *args, household_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["households"].choices = household_choices
        _tick_boxes(self)

    def clean_residents(self):
        return parse_residents(self.cleaned_data.get("residents", ""))


class BatchSignForm(StyledForm):
    on = forms.DateField(label="签收日期", widget=DateInput())


class ReverseForm(StyledForm):
    reason = forms.CharField(label="冲销原因", max_length=200)


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(required=False)
    org = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "全部状态"), ("managed", "在管（建档、帮扶中）")] + Status.choices)
    tier = forms.ChoiceField(required=False, choices=[("", "全部类别")] + Tier.choices)
    cause = forms.ChoiceField(required=False, choices=[("", "全部原因")] + Cause.choices)
    year_class = forms.ChoiceField(required=False, choices=[("", ""), ("stock", "存量"), ("new", "增量"), ("returned", "返困")])
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    due = forms.BooleanField(required=False)
    as_of = forms.DateField(required=False)  # under management on that day (a summary's figure)


RECIPIENT_FILTER = [("", "全部受助对象"), ("member", "会员"), ("nonmember", "非会员（居民、包联村/户组）"),
                    ("resident", "非会员居民"), ("group", "包联村/群众户组")]


class RecordFilterForm(forms.Form):
    occasion = forms.ChoiceField(required=False, choices=[("", "全部类型")] + Occasion.choices)
    recipient = forms.ChoiceField(required=False, choices=RECIPIENT_FILTER)
    funding = forms.ChoiceField(required=False, choices=[("", "全部来源")] + Funding.choices)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    month = forms.RegexField(required=False, regex=r"^\d{4}-\d{2}$")
    org = forms.CharField(required=False)
    standing = forms.BooleanField(required=False)


class DibaoLineForm(StyledForm):
    region_code = forms.CharField(label="地区代码", max_length=12, help_text="民政部门使用的6位行政区划代码，如 330100（杭州市）。")
    region_name = forms.CharField(label="地区", max_length=50, help_text="如：杭州市")
    year = forms.IntegerField(label="年度", help_text="该标准执行的年份。")
    monthly_amount = forms.CharField(label="低保标准（元/人·月）", max_length=20, help_text="每人每月的金额，如 1185。")
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如：文件号、执行起始日期。")

    def __init__(self, *args, line=None, **kwargs):
        super().__init__(*args, **kwargs)
        if line is not None:  # a line's region and year identify it: change the figure, not the key
            for name in ("region_code", "year"):
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.fields[name].help_text = "已登记的标准不能改地区和年度；如录错，请新增正确的一条。"


class DibaoFilterForm(forms.Form):
    region = forms.CharField(required=False, max_length=50)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2200)


class RegionForm(StyledForm):
    org_code = forms.CharField(label="工会编码", max_length=32, help_text="本工会或下级工会；下级工会未设置时沿用上级的地区。")
    region_code = forms.ChoiceField(label="低保地区", choices=())

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", "请选择")] + [(code, f"{name}（{code}）") for code, name in regions]
