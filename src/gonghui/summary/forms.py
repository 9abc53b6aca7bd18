from django import forms
from django.core.exceptions import ValidationError

from gonghui.summary.periods import parse_period, period_choices
from gonghui.web.forms import StyledForm


class PeriodForm(StyledForm):
    org = forms.CharField(label="工会编码", max_length=32, required=False, help_text="留空为当前工作单位；可填下级工会的编码。")
    period = forms.CharField(label="期间", max_length=40,
                             help_text="如 2025（全年）、2025H1（上半年）、2025Q3（季度）、2025-10（月份）、2025-01-01..2025-06-30。")
    subtree = forms.BooleanField(label="包含下级工会", required=False, initial=True,
                                 help_text="勾选后汇总本会及所有下级工会的数据，并按下级工会列出分表。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = period_choices()

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class SaveForm(StyledForm):
    REQUIRED = "请为这个版本起个名字，如“主席审阅稿”。"
    name = forms.CharField(label="版本名称", max_length=60, help_text="如：初稿、主席审阅稿、定稿。",
                           error_messages={"required": REQUIRED},
                           widget=forms.TextInput(attrs={"data-required": REQUIRED, "autocomplete": "off"}))
    document = forms.CharField(widget=forms.HiddenInput, max_length=1_000_000)
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PhraseForm(StyledForm):
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    text = forms.CharField(label="措辞模板", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class SettingForm(StyledForm):
    """A union's settings for one year's summaries; the service checks the texts (prefs.py)."""

    org = forms.CharField(label="工会编码", max_length=32, required=False, help_text="留空为当前工作单位；可填下级工会的编码。")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写年度，如2025。", "invalid": "年度应为四位数字，如2025。",
                                              "min_value": "年度应在2000至2100之间。", "max_value": "年度应在2000至2100之间。"})
    guiding = forms.CharField(label="指导思想", required=False, max_length=400, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="开篇“以……为指导”的表述，留空则沿用上级工会的设置或系统默认。党的重要会议召开后请及时更新。")
    party = forms.CharField(label="党组织名称", required=False, max_length=80,
                            help_text="如“公司党委”“局党组”。开篇写作“在公司党委和上级工会的领导下”；留空则只写上级工会。")
    closing = forms.CharField(label="结尾段落", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="落款前的一段话（成绩归功于谁、明年的方向），每行一段；留空则使用系统默认的结尾。")
    key_themes = forms.MultipleChoiceField(label="本年度重点工作", required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text="开篇优先列出这些部分的成绩（最多选3项）。")

    def __init__(self, *args, **kwargs):
        from gonghui.summary.registry import THEMES

        super().__init__(*args, **kwargs)
        self.fields["key_themes"].choices = [(k, title.split("，")[0]) for k, (_, title) in sorted(THEMES.items(), key=lambda kv: kv[1][0])]
        self.fields["key_themes"].error_messages["invalid_choice"] = "没有“%(value)s”这个工作部分。"


class PurposeForm(StyledForm):
    theme = forms.CharField(widget=forms.HiddenInput, max_length=40)
    clauses = forms.CharField(label="成效语", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
