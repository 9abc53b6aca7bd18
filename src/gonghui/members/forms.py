from django import forms

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
from gonghui.web.forms import DateInput, StyledForm


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


# What each status event does, as the confirmation states it ({name}: the member).
EVENT_EFFECTS = {
    EventKind.WITHDRAW: "将为“{name}”办理退会：会籍状态改为“已退会”，不再计入在册会员和入会率。",
    EventKind.RETIRE: "将为“{name}”办理退休：会籍状态和就业状态改为“退休”，不再计入在册会员和入会率。",
    EventKind.RESERVE: "将为“{name}”保留会籍：会籍状态改为“保留会籍”（仍计入在册会员），恢复前不能转会。",
    EventKind.DEATH: "将登记“{name}”去世：会籍状态改为“已去世”，此后不能再办理任何会籍变动。",
    EventKind.RESTORE: "将为“{name}”恢复会籍：会籍状态改为“正常”，重新计入在册会员。",
}


class ConfirmSelect(forms.Select):
    """A select whose options each carry the confirmation their choice needs
    (data-confirm, read by web/static/gonghui/confirm.js)."""

    def __init__(self, *args, confirm: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirm = confirm or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.confirm:
            option["attrs"]["data-confirm"] = self.confirm[str(value)]
        return option


class EventForm(StyledForm):
    """A status event: nothing is preselected, neither the event nor its date, and the
    member's page offers only the events the current status allows."""

    kind = forms.ChoiceField(label="会籍变动", choices=[("", "请选择")] + [(k, EventKind(k).label) for k in EVENT_RULES],
                             error_messages={"required": "请选择会籍变动事项。"})
    on = forms.DateField(label="日期", widget=DateInput(), error_messages={"required": "请填写会籍变动日期。"})
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:
            allowed = [k for k, (statuses, _) in EVENT_RULES.items() if member.status in statuses]
            self.fields["kind"].choices = [("", "请选择")] + [(k, EventKind(k).label) for k in allowed]
            effects = {k: EVENT_EFFECTS[k].format(name=member.name) + "日期：{on}。" for k in allowed}
            self.fields["kind"].widget = ConfirmSelect(choices=self.fields["kind"].choices, confirm=effects,
                                                       attrs=self.fields["kind"].widget.attrs)


class TransferForm(StyledForm):
    to_code = forms.CharField(label="转入工会编码", max_length=32, help_text="请向转入工会索取其工会编码。",
                              error_messages={"required": "请填写转入工会编码。"})
    on = forms.DateField(label="转移日期", widget=DateInput(), error_messages={"required": "请填写转移日期。"})
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
