import logging

from cryptography.exceptions import InvalidTag
from django.db import models

from gonghui.core import crypto

log = logging.getLogger(__name__)


class Undecryptable(str):
    """What an encrypted field reads as when the key cannot open it: empty and falsy,
    so pages keep working and the value is treated as missing (it is logged)."""

    def __new__(cls):
        return super().__new__(cls, "")


class EncryptedTextField(models.TextField):
    """Text stored as AES-GCM ciphertext; Python code only ever sees the plaintext.

    It cannot be filtered on (each ciphertext is different): pair it with a blind index
    column for lookups.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return crypto.decrypt(value)
        except (InvalidTag, ValueError):
            log.error("cannot decrypt %s.%s: wrong or rotated GONGHUI_FIELD_KEY?", self.model._meta.label, self.name)
            return Undecryptable()

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if isinstance(value, Undecryptable):
            raise ValueError("refusing to overwrite an undecryptable value with an empty one")
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
