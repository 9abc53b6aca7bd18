"""Field encryption (AES-256-GCM) and blind indexes (HMAC-SHA256).

The master secret lives outside the database (GONGHUI_FIELD_KEY or the data dir's keys
folder). Two independent keys are derived from it with HKDF, so the blind index used for
uniqueness and exact search never reveals the encryption key. Ciphertexts carry a
version prefix so the key can be rotated later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "g1:"
_AAD = PREFIX.encode()


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gonghui-field-v1", info=info).derive(
            master.encode()
        )

    return derive(b"aes-gcm"), derive(b"blind-index")


def _enc_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0]


def _index_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[1]


@lru_cache(maxsize=4)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(_enc_key()).encrypt(nonce, plaintext.encode(), _AAD)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted field value")
    raw = base64.b64decode(token[len(PREFIX) :])
    return _aead(_enc_key()).decrypt(raw[:12], raw[12:], _AAD).decode()


@lru_cache(maxsize=16)
def _keyed(key: bytes, purpose: str):
    return hmac.new(key, f"{purpose}\x00".encode(), hashlib.sha256)


def blind_index(value: str, *, purpose: str) -> str:
    """Deterministic keyed hash for equality lookups; `purpose` separates the domains.

    HMAC(key, purpose NUL value), continued from a copy of the keyed state after
    "purpose NUL": the same digest, without keying the HMAC again for every value
    (an import hashes 200,000 of them)."""
    mac = _keyed(_index_key(), purpose).copy()
    mac.update(value.encode())
    return mac.hexdigest()
