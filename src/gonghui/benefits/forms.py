from django import forms

from gonghui.benefits.models import Festival, Form, Kind
from gonghui.benefits.selectors import SELECTIONS
from gonghui.web.forms import DateInput, StyledForm
from gonghui.web.params import ID_MAX

KIND_CHOICES = [("", "请选择")] + Kind.choices
FESTIVAL_CHOICES = [("", "（非节日慰问不填）")] + Festival.choices


class BenefitFields(StyledForm):
    kind = forms.ChoiceField(label="慰问类别", choices=KIND_CHOICES)
    festival = forms.ChoiceField(label="节日", choices=FESTIVAL_CHOICES, required=False)
    on = forms.DateField(label="发放日期", widget=DateInput())
    form = forms.ChoiceField(label="形式", choices=Form.choices, initial=Form.GOODS)
    amount = forms.DecimalField(label="金额（元）", max_digits=10, decimal_places=2, min_value=0.01)
    goods = forms.CharField(label="物品/说明", max_length=200, required=False)
    illness = forms.CharField(label="病情/住院事由", max_length=100, required=False, help_text="生病住院慰问必填。")
    override_reason = forms.CharField(label="超标准说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="仅在超出慰问标准且经批准时填写（须有“批准超标准慰问”权限）。")


class RecordForm(BenefitFields):
    member = forms.CharField(label="会员", max_length=30, help_text="填写会员的完整身份证号或会员证号。")
    note = forms.CharField(label="备注", max_length=200, required=False)

    field_order = ["member"]


class CorrectForm(BenefitFields):
    reason = forms.CharField(label="更正原因", max_length=200)

    field_order = ["reason"]


class ReverseForm(StyledForm):
    reason = forms.CharField(label="冲销原因", max_length=200)


class BatchForm(BenefitFields):
    title = forms.CharField(label="批次名称", max_length=100, help_text="如“2025年中秋节慰问”。")
    org_code = forms.CharField(label="发放工会编码", max_length=32)
    subtree = forms.BooleanField(label="含下级工会", required=False, initial=True)
    selection = forms.ChoiceField(label="发放范围", choices=list(SELECTIONS.items()))
    month = forms.TypedChoiceField(label="生日月份", choices=[("", "—")] + [(str(i), f"{i}月") for i in range(1, 13)], coerce=int,
                                   required=False, empty_value=None)
    member_list = forms.CharField(label="指定会员名单", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="发放范围为“指定会员名单”时填写：每行一个完整身份证号或会员证号。")

    field_order = ["title", "org_code", "subtree", "selection", "month", "member_list"]


class RecordFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "全部类别")] + Kind.choices)
    festival = forms.ChoiceField(required=False, choices=[("", "全部节日")] + Festival.choices)
    org = forms.CharField(required=False)
    subtree = forms.BooleanField(required=False)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


class RuleSetForm(StyledForm):
    name = forms.CharField(label="标准名称", max_length=60)
    region = forms.CharField(label="适用地区", max_length=40)
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    effective_to = forms.DateField(label="失效日期", widget=DateInput(), required=False, help_text="留空表示长期有效。")
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RuleForm(StyledForm):
    cap_per_event = forms.DecimalField(label="每次上限（元）", max_digits=10, decimal_places=2, required=False, min_value=0.01)
    annual_cap = forms.DecimalField(label="每人每年上限（元）", max_digits=10, decimal_places=2, required=False, min_value=0.01)
    goods_only = forms.BooleanField(label="只发实物", required=False)
    once_per_illness = forms.BooleanField(label="同一病情每年一次", required=False)
    requires_dues = forms.BooleanField(label="须缴纳会费", required=False)


class ChooseForm(StyledForm):
    org_code = forms.CharField(label="工会编码", max_length=32)
    ruleset = forms.IntegerField(label="慰问标准", required=False, min_value=1, max_value=ID_MAX)  # an id: 64-bit
