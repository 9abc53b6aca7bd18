"""Forms of the staff activity pages. They only shape input: codes, kinds and partners are
turned into records by the views (through selectors), and every rule is the services'."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from gonghui.activities.models import Funding, PartnerCategory, Status, Target
from gonghui.web.forms import StyledForm
from gonghui.web.params import DATE_MAX, DATE_MIN

CREATE_STATUSES = [(s.value, s.label) for s in (Status.PLANNED, Status.OPEN, Status.RUNNING, Status.DONE)]
CODE_SPLIT = re.compile(r"[\s,，、;；]+")
MAX_CO_ORGS = 20


def _datetime_in_range(value) -> None:
    # A form takes year 9999 (or 0001) as a valid datetime; turning it into UTC for the
    # database would overflow.
    if value is not None and not DATE_MIN <= value.date() <= DATE_MAX:
        raise ValidationError(f"时间应在{DATE_MIN.year}年至{DATE_MAX.year}年之间。", code="date_range")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def datetime_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(), validators=[_datetime_in_range],
                               help_text=help_text, error_messages={"invalid": "请填写有效的日期和时间，如 2025-10-31 09:00。"})


def split_codes(text: str) -> list[str]:
    return [c for c in CODE_SPLIT.split((text or "").strip()) if c]


class ActivityForm(StyledForm):
    org_code = forms.CharField(label="组织工会编码", max_length=32, help_text="默认为当前工作单位；也可填下级工会的编码。")
    kind = forms.ChoiceField(label="活动类型", error_messages={"invalid_choice": "请选择活动类型。", "required": "请选择活动类型。"})
    title = forms.CharField(label="活动名称", max_length=100, help_text="如：迎新春职工趣味运动会、女职工权益保护知识讲座。")
    starts_at = datetime_field("开始时间")
    ends_at = datetime_field("结束时间")
    place = forms.CharField(label="地点", max_length=100, required=False)
    status = forms.ChoiceField(label="状态", choices=CREATE_STATUSES, initial=Status.PLANNED,
                               help_text="开放会员报名请选“报名中”；补登已办完的活动请选“已结束”。")
    hours = forms.CharField(label="学时", max_length=10, required=False,
                            help_text="培训的学时；不填时按当天的时长计算（最多8学时）。")
    co_orgs = forms.CharField(label="协办分会（工会编码）", max_length=400, required=False,
                              help_text="组织工会的下级工会编码，多个用空格或逗号分隔。")
    partners = forms.MultipleChoiceField(label="合作单位", required=False, widget=forms.SelectMultiple(attrs={"size": 4}),
                                         error_messages={"invalid_choice": "所选合作单位不在可选范围内。"},
                                         help_text="可按住 Ctrl 多选；没有的请先在“合作单位”中登记。")
    target = forms.ChoiceField(label="参加对象", choices=Target.choices, initial=Target.ALL)
    target_org_code = forms.CharField(label="指定分会编码", max_length=32, required=False, help_text="参加对象为“指定分会”时填写。")
    capacity = forms.IntegerField(label="名额", required=False, help_text="不限名额请留空；报满后进入候补名单。")
    signup_ends_at = datetime_field("报名截止", required=False)
    cost = forms.CharField(label="费用（元）", max_length=20, required=False)
    funding = forms.ChoiceField(label="经费来源", choices=Funding.choices, initial=Funding.UNION)
    beneficiaries = forms.IntegerField(label="其他受益人数", required=False,
                                       help_text="未逐一登记的受益群众人数，如义诊服务的群众。")
    is_training = forms.BooleanField(label="这是一期培训班（按场次记学时）", required=False)
    quiz_name = forms.CharField(label="答卷/考试名称", max_length=100, required=False, help_text="如：妇女权益保障法知识答卷。")
    quiz_pass = forms.CharField(label="及格分", max_length=10, required=False)
    report = forms.CharField(label="活动报道/总结", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, kinds=(), partners=(), creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择")] + [(str(k.pk), k.name) for k in kinds]
        self.fields["partners"].choices = [(str(p.pk), f"{p.name}（{p.org.display_name}）") for p in partners]
        if not creating:
            for name in ("org_code", "status", "hours"):
                del self.fields[name]

    def clean_co_orgs(self):
        codes = split_codes(self.cleaned_data.get("co_orgs", ""))
        if len(codes) > MAX_CO_ORGS:
            raise ValidationError(f"协办分会最多{MAX_CO_ORGS}个。")
        return codes


class SessionForm(StyledForm):
    starts_at = datetime_field("开始时间")
    ends_at = datetime_field("结束时间")
    hours = forms.CharField(label="学时", max_length=10, required=False, help_text="不填时按当天的时长计算（最多8学时）。")
    topic = forms.CharField(label="内容/专题", max_length=200, required=False)
    teacher = forms.CharField(label="授课人", max_length=50, required=False, help_text="授课老师或邀请的专家。")
    teacher_title = forms.CharField(label="授课人职务/职称", max_length=100, required=False)


class StatusForm(StyledForm):
    status = forms.ChoiceField(label="新状态", choices=Status.choices)
    reason = forms.CharField(label="取消原因", max_length=200, required=False)


class AttachmentForm(StyledForm):
    file = forms.FileField(label="照片或扫描件", required=False,
                           widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}))
    caption = forms.CharField(label="说明", max_length=200, required=False)


class PartnerForm(StyledForm):
    org_code = forms.CharField(label="登记工会编码", max_length=32,
                               help_text="默认为当前工作单位；登记在上级工会的合作单位，下级工会的活动也能选用。")
    name = forms.CharField(label="单位名称", max_length=100)
    category = forms.ChoiceField(label="类别", choices=PartnerCategory.choices, initial=PartnerCategory.OTHER)
    contact = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["org_code"]


class KindForm(StyledForm):
    code = forms.CharField(label="编码", max_length=16, help_text="英文字母、数字和下划线，导入文件可用编码指代类型。")
    name = forms.CharField(label="名称", max_length=20)
    noun = forms.CharField(label="总结中的称呼", max_length=20, required=False, help_text="如“文体活动”；不填则同名称。")
    order = forms.IntegerField(label="排序", min_value=0, max_value=32767, initial=200)


class KindUpdateForm(StyledForm):
    kind = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput())
    name = forms.CharField(label="名称", max_length=20)
    noun = forms.CharField(label="总结中的称呼", max_length=20, required=False)
    order = forms.IntegerField(label="排序", min_value=0, max_value=32767)
    is_active = forms.BooleanField(label="启用", required=False)


class ActivityFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    org = forms.CharField(required=False, max_length=32)
    kind = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "全部状态")] + Status.choices)
    year = forms.IntegerField(required=False, min_value=DATE_MIN.year, max_value=DATE_MAX.year)
    month = forms.IntegerField(required=False, min_value=1, max_value=12)
    training = forms.BooleanField(required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部类型")] + [(k.code, k.name) for k in kinds]

    def clean(self):
        data = super().clean()
        if data.get("month") and not data.get("year"):
            data["year"] = dt.date.today().year
        return data


class PartnerFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
