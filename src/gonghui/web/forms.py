from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from gonghui.web.params import DATE_MAX, DATE_MIN, INT_MAX, INT_MIN


def _date_in_range(value) -> None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(f"日期应在{DATE_MIN.isoformat()}至{DATE_MAX.isoformat()}之间。", code="date_range")


def bound_field(field: forms.Field) -> None:
    """The edge's ranges (web/params.py) on a date or integer field declared without
    limits: a form takes 9999-12-31 or a 20-digit number as valid, and either would end
    in an OverflowError in date arithmetic or an out-of-range integer on saving."""
    if isinstance(field, forms.DateField) and _date_in_range not in field.validators:
        field.validators.append(_date_in_range)
    elif isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | forms.FloatField):
        if field.max_value is None:
            field.validators.append(MaxValueValidator(INT_MAX, message=f"数值不能大于{INT_MAX}。"))
        if field.min_value is None:
            field.validators.append(MinValueValidator(INT_MIN, message=f"数值不能小于{INT_MIN}。"))


class StyledForm(forms.Form):
    """Adds Bootstrap classes to widgets and the edge's ranges to unbounded date and
    integer fields; form fields are declared as usual."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            bound_field(f)
            widget = f.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def apply_errors(self, exc) -> None:
        """Put a service's ValidationError on the fields it names (others on the form)."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
