"""Which backbone suits a set of texts: Chinese characters or not."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BACKBONE_BY_LANGUAGE", "cjk_share", "detect_language", "pick_backbone"]

#: The registered encoder used for each language when the backbone is ``"auto"``.
BACKBONE_BY_LANGUAGE: dict[str, str] = {
    "zh": "supplymind-zh-char-small",
    "en": "all-minilm-l6-v2",
}
_ZH_THRESHOLD = 0.2


def cjk_share(texts: Iterable[str]) -> float:
    """Share of CJK ideographs among the non-space characters of ``texts``."""
    cjk = other = 0
    for text in texts:
        for ch in text:
            if ch.isspace():
                continue
            if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
                cjk += 1
            else:
                other += 1
    return cjk / max(1, cjk + other)


def detect_language(texts: Iterable[str]) -> str:
    """``"zh"`` when at least a fifth of the characters are CJK ideographs, else ``"en"``."""
    return "zh" if cjk_share(texts) >= _ZH_THRESHOLD else "en"


def pick_backbone(texts: Iterable[str], backbone: str = "auto") -> str:
    """``backbone`` itself, or for ``"auto"`` the registered encoder of the texts' language."""
    if backbone != "auto":
        return backbone
    return BACKBONE_BY_LANGUAGE[detect_language(texts)]
