from django import forms

from gonghui.donations.models import DonorKind, DriveStatus, Method
from gonghui.web.forms import DateInput, StyledForm


class DriveForm(StyledForm):
    name = forms.CharField(label="活动名称", max_length=100, help_text="如：抗震救灾爱心捐款、金秋助学捐款。")
    purpose = forms.CharField(label="捐款用途", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())
    notes = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DriveCreateForm(DriveForm):
    org_code = forms.CharField(label="发起工会编码", max_length=32, help_text="默认为当前工作单位；也可填下级工会的编码。")

    field_order = ["org_code"]


class DonationForm(StyledForm):
    kind = forms.ChoiceField(label="捐款人类型", choices=DonorKind.choices, initial=DonorKind.MEMBER)
    member_query = forms.CharField(label="会员（姓名或身份证号）", max_length=30, required=False,
                                   help_text="捐款人是会员时填写；同名时请填身份证号。")
    name = forms.CharField(label="单位或个人名称", max_length=100, required=False, help_text="捐款人不是会员时填写。")
    amount = forms.CharField(label="金额（元）", max_length=20)
    on = forms.DateField(label="捐款日期", widget=DateInput())
    method = forms.ChoiceField(label="方式", choices=Method.choices, initial=Method.CASH)
    note = forms.CharField(label="备注", max_length=200, required=False)


class BatchForm(StyledForm):
    on = forms.DateField(label="捐款日期", widget=DateInput())
    method = forms.ChoiceField(label="方式", choices=Method.choices, initial=Method.CASH)
    default_amount = forms.CharField(label="统一金额（元）", max_length=20, required=False,
                                     help_text="每行未写金额时按此金额登记。")
    lines = forms.CharField(
        label="捐款名单", widget=forms.Textarea(attrs={"rows": 12}),
        help_text="每行一笔：会员姓名或身份证号，空格，金额，（可选）备注。单位捐款在名称前加“单位：”，"
                  "非会员个人加“个人：”。例如：张三 100；单位：临江机械厂 2000。全部正确才会登记。",
    )


class ReverseForm(StyledForm):
    reason = forms.CharField(label="更正原因", max_length=200)


class DriveFilterForm(forms.Form):
    q = forms.CharField(required=False)
    org = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "全部状态")] + DriveStatus.choices)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)


class PeriodForm(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    org = forms.CharField(required=False)
