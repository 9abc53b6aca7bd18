"""Pinyin search keys for names: 张三 → ("zhangsan", "zs").

pypinyin is asked once per distinct character and the answer kept, which makes keying a
100,000-row import cost milliseconds instead of seconds.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=20_000)
def _char(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    syllables = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return syllables[0].lower() if syllables else ""


def name_keys(name: str) -> tuple[str, str]:
    parts = [p for p in (_char(ch) for ch in name) if p]
    full = "".join(parts)
    initials = "".join(p[0] for p in parts if len(p) > 1 or not p.isdigit())
    return full[:200], initials[:50]


def looks_like_pinyin(q: str) -> bool:
    return bool(q) and q.isascii() and q.replace(" ", "").isalpha()
