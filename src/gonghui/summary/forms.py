from django import forms
from django.core.exceptions import ValidationError

from gonghui.core.forms import StyledForm
from gonghui.summary.periods import parse_period, period_choices


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
