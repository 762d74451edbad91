"""Picking the encoder by language."""

from __future__ import annotations

from supplymind.feedback.language import cjk_share, detect_language, pick_backbone


def test_chinese_texts_get_the_chinese_encoder() -> None:
    assert detect_language(["这家酒店很好 iPad"]) == "zh"
    assert pick_backbone(["这家酒店很好"]) == "supplymind-zh-char-small"
    assert pick_backbone(["The flight was late"]) == "all-minilm-l6-v2"
    assert pick_backbone(["这家酒店很好"], "some/folder") == "some/folder"


def test_cjk_share_counts_ideographs_among_non_space_characters() -> None:
    assert cjk_share(["好 a"]) == 0.5
    assert cjk_share([""]) == 0.0
