from django.db import models

from gonghui.core import crypto


class EncryptedTextField(models.TextField):
    """Text stored as AES-GCM ciphertext; Python code only ever sees the plaintext.

    It cannot be filtered on (each ciphertext is different): pair it with a blind index
    column for lookups.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
