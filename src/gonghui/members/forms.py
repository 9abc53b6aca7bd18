from django import forms

from gonghui.core.forms import DateInput, StyledForm
from gonghui.members.choices import (
    EVENT_RULES,
    Education,
    Employment,
    Ethnicity,
    EventKind,
    Gender,
    Hukou,
    NewForm,
    Political,
    Status,
)


class MemberForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, help_text="出生日期和性别按身份证号自动填写。")
    ethnicity = forms.ChoiceField(label="民族", choices=Ethnicity.choices, initial="汉族")
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "未填")] + Education.choices, required=False)
    political = forms.ChoiceField(label="政治面貌", choices=Political.choices, initial=Political.MASSES)
    hukou = forms.ChoiceField(label="户籍类型", choices=[("", "未填")] + Hukou.choices, required=False)
    is_migrant_worker = forms.BooleanField(label="农民工", required=False)
    new_form = forms.ChoiceField(label="新就业形态", choices=NewForm.choices, required=False)
    employment = forms.ChoiceField(label="就业状态", choices=Employment.choices, initial=Employment.EMPLOYED)
    position = forms.CharField(label="职务", max_length=50, required=False)
    joined_on = forms.DateField(label="入会时间", widget=DateInput())
    card_no = forms.CharField(label="会员证号", max_length=32, required=False)
    remarks = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MemberCreateForm(MemberForm):
    org_code = forms.CharField(label="所属工会编码", max_length=32)

    field_order = ["org_code"]


class MemberEditForm(MemberForm):
    """Editing leaves the ID number alone unless a new one is typed (it is shown masked)."""

    id_number = forms.CharField(label="身份证号", max_length=30, required=False, help_text="不修改请留空。")
    phone = forms.CharField(label="手机号", max_length=20, required=False, help_text="不修改请留空；清除请填“无”。")


class EventForm(StyledForm):
    kind = forms.ChoiceField(label="会籍变动", choices=[(k, EventKind(k).label) for k in EVENT_RULES])
    on = forms.DateField(label="日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=200, required=False)


class TransferForm(StyledForm):
    to_code = forms.CharField(label="转入工会编码", max_length=32, help_text="请向转入工会索取其工会编码。")
    on = forms.DateField(label="转移日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=200, required=False)


STATUS_FILTER = [("current", "在册会员（正常、保留会籍）"), ("all", "全部")] + Status.choices


class MemberFilterForm(forms.Form):
    q = forms.CharField(required=False)
    org = forms.CharField(required=False)
    subtree = forms.BooleanField(required=False)
    status = forms.ChoiceField(required=False, choices=STATUS_FILTER)
    gender = forms.ChoiceField(required=False, choices=[("", "性别")] + Gender.choices)
    migrant = forms.BooleanField(required=False)
    new_form = forms.BooleanField(required=False)
    joined_from = forms.DateField(required=False)
    joined_to = forms.DateField(required=False)
    # the filters behind a work-summary figure: members as of a day, members with an event
    as_of = forms.DateField(required=False)
    event = forms.ChoiceField(required=False, choices=[("", "")] + EventKind.choices)
    event_from = forms.DateField(required=False)
    event_to = forms.DateField(required=False)


class ChangeRequestForm(StyledForm):
    phone = forms.CharField(label="新手机号", max_length=20, required=False)
    education = forms.ChoiceField(label="新学历", choices=[("", "不修改")] + Education.choices, required=False)
