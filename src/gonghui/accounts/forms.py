from django import forms

from gonghui.access.permissions import Role
from gonghui.web.forms import StyledForm


class LoginForm(StyledForm):
    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(StyledForm):
    code = forms.CharField(
        label="动态口令", max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "placeholder": "6位数字"}),
    )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(
        label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少10位，包含小写字母、大写字母、数字、符号中的至少3类，不能是常见密码。",
    )
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


ROLE_CHOICES = [("", "请选择")] + [c for c in Role.choices]


class UserCreateForm(StyledForm):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录时使用，建议用姓名拼音或工号。")
    full_name = forms.CharField(label="姓名", max_length=50)
    org_code = forms.CharField(label="所在工会编码", max_length=32, help_text="输入编码或名称查找。")
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="首次登录时须修改。至少10位，包含3类字符。",
    )


class UserEditForm(StyledForm):
    full_name = forms.CharField(label="姓名", max_length=50)
    email = forms.EmailField(label="电子邮箱", required=False)


class GrantForm(StyledForm):
    org_code = forms.CharField(label="工会编码", max_length=32)
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES)


class ResetPasswordForm(StyledForm):
    password = forms.CharField(label="新的初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
