"""Password rules with messages of our own.

Django's Chinese catalogue lags behind its source: the too-short message changed its
msgid in 5.x and came out in English. Every validator in AUTH_PASSWORD_VALIDATORS is one
of these, so what a user reads never depends on a translation being there."""

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短：至少{self.min_length}个字符。"

    def get_help_text(self):
        return f"密码至少{self.min_length}个字符。"


# The account fields a password is compared with, as the user knows them.
_ATTRIBUTE_LABELS = {
    "username": "用户名",
    "full_name": "姓名",
    "first_name": "名字",
    "last_name": "姓氏",
    "email": "电子邮箱",
}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password, user=None):
        # One attribute at a time, so the message can name it in our words rather than
        # in the field's (possibly untranslated) verbose name.
        for attribute in self.user_attributes:
            single = password_validation.UserAttributeSimilarityValidator(
                user_attributes=(attribute,), max_similarity=self.max_similarity
            )
            try:
                single.validate(password, user)
            except ValidationError:
                label = _ATTRIBUTE_LABELS.get(attribute, "账号信息")
                raise ValidationError(f"密码与{label}太相似，请换一个。", code="password_too_similar") from None

    def get_help_text(self):
        return "密码不能与用户名、姓名、电子邮箱等个人信息相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "该密码过于常见，容易被猜中，请换一个。"

    def get_help_text(self):
        return "密码不能是常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全是数字。"

    def get_help_text(self):
        return "密码不能全是数字。"


class CharacterClassValidator:
    """At least `min_classes` of: lower case, upper case, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isascii() or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、符号中的至少{self.min_classes}类。", code="password_classes"
            )

    def get_help_text(self):
        return f"密码须包含小写字母、大写字母、数字、符号中的至少{self.min_classes}类。"
