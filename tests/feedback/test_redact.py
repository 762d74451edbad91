"""Redaction of personal data."""

from __future__ import annotations

import itertools

import pytest

from supplymind.feedback.redact import PII_KINDS, find_pii, luhn_valid, redact, valid_cn_id

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _cn_id(first17: str) -> str:
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]
    return first17 + check


VALID_ID = _cn_id("11010519491231002")  # ends in X
VALID_ID_DIGIT = _cn_id("44030419900101123")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的手机号是13812345678，请联系我", "我的手机号是[PHONE]，请联系我"),
        ("电话 +86 138 1234 5678 或 0086-13912345678", "电话 [PHONE] 或 [PHONE]"),
        ("酒店电话：0311-86911999。", "酒店电话：[PHONE]。"),
        ("call +44 20 7946 0958 now", "call [PHONE] now"),
        ("or (555) 123-4567 or 555-123-4567.", "or [PHONE] or [PHONE]."),
        ("mail john.doe+x@example.co.uk please", "mail [EMAIL] please"),
        (f"身份证{VALID_ID}谢谢", "身份证[ID]谢谢"),
        (f"ID {VALID_ID_DIGIT}.", "ID [ID]."),
        ("卡号 4111 1111 1111 1111 退款", "卡号 [CARD] 退款"),
        ("card 5500-0000-0000-0004 refund", "card [CARD] refund"),
        (
            "我住在北京市朝阳区建国路88号SOHO现代城5号楼1203室，快递放门口",
            "我住在[ADDRESS]，快递放门口",
        ),
        ("寄到杭州市西湖区文三路478号华星时代广场A座801室", "寄到[ADDRESS]"),
        (
            "Ship to 1600 Pennsylvania Avenue NW, Washington, DC 20500 asap",
            "Ship to [ADDRESS] asap",
        ),
        ("I live at 221B Baker Street, London.", "I live at [ADDRESS]."),
        ("全角１３８１２３４５６７８号码", "全角[PHONE]号码"),
    ],
)
def test_when_text_has_personal_data_then_it_is_replaced_by_its_tag(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "订单号 DO000123 已签收",  # an order number
        "1234567890123456 不是卡号",  # 16 digits, Luhn fails
        "6222021234567890124",  # 19 digits, Luhn fails
        _cn_id("11010519491231002")[:-1] + "1 身份证校验位错误",  # wrong check character
        "Flight 1234 was late by 3 hours, gate 22",
        "住在中山路2号线附近",  # a metro line, not a house number
        "北京路的店很好，南京东路也不错",
        "I paid $1,234.56 on 2015-02-24 at 10:45",
        "客服热线+512TF卡",
        "tracking 12345678901234567890123 arrived",  # a long code: no 18-digit run inside
    ],
)
def test_when_text_has_no_personal_data_then_it_is_unchanged(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    text = f"张先生 13812345678 {VALID_ID} a@b.cn 4111111111111111 上海市徐汇区漕溪北路88号"
    once = redact(text)
    assert redact(once) == once
    assert not any(ch.isdigit() for ch in once.replace("88号", ""))


def test_find_pii_reports_kinds_in_order_without_overlaps() -> None:
    text = f"a@b.com {VALID_ID} 13812345678"
    found = find_pii(text)
    assert [m.kind for m in found] == ["email", "id", "phone"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert {m.kind for m in found} <= set(PII_KINDS)


def test_an_id_that_also_passes_luhn_is_an_id_not_a_card() -> None:
    # Search an 18-digit ID that is Luhn-valid too: the ID rule must win.
    for serial in range(100, 1000):
        number = _cn_id(f"110105199001011{serial:03d}"[:17])
        if number[-1] != "X" and luhn_valid(number):
            break
    assert luhn_valid(number), "no Luhn-valid ID found in the search"
    assert [m.kind for m in find_pii(number)] == ["id"]


def test_checksums() -> None:
    assert valid_cn_id(VALID_ID)
    assert valid_cn_id(VALID_ID.lower())
    assert not valid_cn_id("11010519491331002X")  # month 13
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("41111a")


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="text: expected a string"):
        find_pii(12345)  # type: ignore[arg-type]
