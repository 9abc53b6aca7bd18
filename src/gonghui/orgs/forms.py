from django import forms

from gonghui.orgs.models import HomeLevel, Kind, Position
from gonghui.web.forms import DateInput, StyledForm


class OrgForm(StyledForm):
    name = forms.CharField(label="工会名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=30, required=False)
    code = forms.CharField(label="工会编码", max_length=32, help_text="本平台内唯一，用于导入导出时指明上级工会。")
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择")] + Kind.choices)
    uscc = forms.CharField(label="统一社会信用代码", max_length=30, required=False, help_text="18位，工会法人登记的代码以“81”开头。")
    employee_count = forms.IntegerField(label="职工人数", min_value=0, initial=0, help_text="用于计算入会率。")
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    founded_on = forms.DateField(label="成立日期", required=False, widget=DateInput())
    has_separate_account = forms.BooleanField(label="独立开设银行账户", required=False)
    has_women_committee = forms.BooleanField(label="设立女职工委员会", required=False)
    has_audit_committee = forms.BooleanField(label="设立经费审查委员会", required=False)
    membership_target = forms.IntegerField(label="入会率目标（%）", min_value=1, max_value=100, required=False,
                                           help_text="对下级工会的职工入会率目标；工作总结据此提示差距。留空表示不设目标。")


class HomeLevelForm(StyledForm):
    """One conferral of a 职工之家 level (the current level is the latest one)."""

    level = forms.ChoiceField(label="评定等级", choices=[("", "请选择")] + [c for c in HomeLevel.choices if c[0] != HomeLevel.NONE])
    conferred_on = forms.DateField(label="评定日期", widget=DateInput())
    conferred_by = forms.CharField(label="评定机关", max_length=100, help_text="如：滨江区总工会、杭州市总工会。")
    document_no = forms.CharField(label="文号", max_length=60, required=False, help_text="选填，如：滨工〔2025〕12号。")


class MoveForm(StyledForm):
    parent_code = forms.CharField(label="新的上级工会编码", max_length=32, help_text="输入上级工会的编码或名称进行查找。")


class DeactivateForm(StyledForm):
    reason = forms.CharField(label="停用原因", max_length=200, widget=forms.TextInput(attrs={"placeholder": "如：单位注销、合并到其他工会"}))


class TermForm(StyledForm):
    elected_on = forms.DateField(label="换届选举日期", widget=DateInput())
    starts_on = forms.DateField(label="任期开始", required=False, widget=DateInput(), help_text="不填则与选举日期相同。")
    ends_on = forms.DateField(label="任期届满", required=False, widget=DateInput(), help_text="不填则按五年任期计算。")
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OfficerForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    position = forms.ChoiceField(label="职务", choices=Position.choices, initial=Position.MEMBER)


OfficerFormSet = forms.formset_factory(OfficerForm, extra=7, max_num=60)


class OrgFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "全部类型")] + Kind.choices)
    level = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("active", "在用"), ("inactive", "已停用"), ("all", "全部")])
    under = forms.CharField(required=False)  # a union's code: only its subtree (a summary's figure)
