"""Hand-written fragments of customer texts in Chinese and English, and their composition."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["BODIES", "compose"]

# fmt: off
_OPENERS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "negative": ("说实话有点失望。", "这次购物体验很糟糕。", "已经是第三次遇到这种情况了。",
                     "忍不住要吐槽一下。", "真的很无语。", ""),
        "neutral": ("整体还行。", "说一下这次的情况。", "反馈一个小问题。", ""),
        "positive": ("非常满意！", "好评！", "第二次回购了。", "一直在这家买。", "必须点赞。",
                     ""),
    },
    "en": {
        "negative": ("Really disappointed.", "Not happy with this order.",
                     "This is the third time this has happened.", "Honestly, poor experience.",
                     "Frustrating.", ""),
        "neutral": ("Mostly fine.", "A quick note on my last order.", "Just some feedback.", ""),
        "positive": ("Very happy!", "Great service.", "Ordered again and still impressed.",
                     "Been shopping here for years.", "Five stars.", ""),
    },
}

BODIES: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "late_delivery": ("这次的配送{order}比约定时间晚了{delay}才送到。",
                          "说好上午送达，结果拖到下午才到，{product}都等不及了。",
                          "配送一再延迟，客服也说不清楚原因。",
                          "送货时间窗口形同虚设，晚到了{delay}。",
                          "司机说路上堵车，但晚了{delay}也太离谱了{order}。"),
        "damaged": ("收到的{product}包装破了，有好几件压坏了。",
                    "{product}外箱被压扁，里面还漏液了{order}。",
                    "打开发现{product}有破损，没法用。",
                    "运输过程中明显没有保护好，{product}碎了两件。"),
        "wrong_item": ("我买的是{product}，送来的却是别的东西{order}。",
                       "发错货了，{product}变成了别的款。",
                       "订单里的{product}被换成了其他规格，也没人通知我。"),
        "missing_item": ("这一单{order}少了{product}，有{count}件没收到。",
                         "{product}少发了{count}件，签收时没注意。",
                         "包裹里没有{product}，请尽快补发。"),
        "quality": ("{product}的质量明显不如以前。", "{product}快过期了，保质期只剩几天。",
                    "{product}味道怪怪的，感觉不新鲜。"),
        "quality_goods": ("{product}的质量明显不如以前。", "{product}用了两天就坏了。",
                          "{product}做工粗糙，和图片差别很大。"),
        "price": ("{product}比隔壁超市贵了不少。", "{product}促销一结束价格就涨回去了。",
                  "同样的{product}，网上便宜很多。"),
        "customer_service": ("客服回复太慢，等了半天没人理。", "打了三次客服电话都没解决问题。",
                             "客服态度敷衍，只会复制粘贴。"),
        "positive": ("{product}很新鲜，价格也实惠。", "配送很准时，{product}包装完好。",
                     "{product}质量不错，家里人都喜欢。", "这次促销买的{product}很划算。",
                     "送货师傅很有礼貌，还帮忙搬进店里。", "{product}一直是我家的必备。"),
        "neutral": ("{product}还可以，没有特别惊艳。", "配送时间正常，{product}和描述一致。",
                    "价格一般，{product}质量中规中矩。", "希望{product}能多一些规格选择。"),
    },
    "en": {
        "late_delivery": ("My order{order} arrived {delay} after the promised window.",
                          "Delivery was supposed to come in the morning but showed up in the "
                          "afternoon.", "The delivery kept being pushed back and nobody could "
                          "tell me why.", "The time window means nothing, it came {delay} late"
                          "{order}."),
        "damaged": ("The {product} arrived with a torn package and several units crushed.",
                    "Box of {product} was dented and leaking{order}.",
                    "Opened the {product} and it was broken."),
        "wrong_item": ("I ordered {product} but received something else{order}.",
                       "Wrong item: got a different variant instead of the {product}.",
                       "They swapped my {product} for another size without asking."),
        "missing_item": ("{count} x {product} missing from my order{order}.",
                         "The {product} was not in the bag.",
                         "Short delivery again, no {product} in the box."),
        "quality": ("The {product} is not as good as it used to be.",
                    "The {product} was close to its expiry date.",
                    "The {product} tasted off, not fresh."),
        "quality_goods": ("The {product} is not as good as it used to be.",
                          "The {product} stopped working after two days.",
                          "The {product} feels cheap, nothing like the pictures."),
        "price": ("The {product} is much more expensive than at the shop next door.",
                  "Price of the {product} jumped right after the promotion.",
                  "Same {product} is cheaper online."),
        "customer_service": ("Waited ages for customer service to reply.",
                             "Called support three times and still no solution.",
                             "The agent just pasted a template answer."),
        "positive": ("The {product} is fresh and well priced.",
                     "Delivery on time and the {product} was packed well.",
                     "Good quality {product}, the whole family likes it.",
                     "Great deal on the {product} during the promotion.",
                     "The driver was friendly and helpful.",
                     "{product} is a staple in our house."),
        "neutral": ("The {product} is okay, nothing special.",
                    "Delivery was on time, {product} as described.",
                    "Average price, average {product}.",
                    "Would like more sizes of the {product}."),
    },
}

_CLOSINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "negative": ("希望尽快处理。", "请给个说法。", "再这样就不买了。", "已经申请退款。", ""),
        "neutral": ("", "继续观察。", "希望改进。"),
        "positive": ("会继续支持！", "推荐给朋友了。", "五星好评！", "下次还会再来。", ""),
    },
    "en": {
        "negative": ("Please sort this out.", "I want a refund.", "Not ordering again.",
                     "Expect a reply soon.", ""),
        "neutral": ("", "Thanks.", "Hope this helps."),
        "positive": ("Will order again!", "Recommended to my friends.", "Keep it up!",
                     "Thank you!", ""),
    },
}

# fmt: on


def _delay_text(minutes: float, language: str) -> str:
    if minutes >= 90:
        hours = round(minutes / 60)
        return f"{hours}个小时" if language == "zh" else f"{hours} hours"
    rounded = max(5, round(minutes / 5) * 5)
    return f"{rounded}分钟" if language == "zh" else f"{rounded} minutes"


def compose(
    rng: np.random.Generator,
    language: str,
    sentiment: str,
    topic: str,
    product: str,
    order: str | None,
    delay: float,
    channel: str,
) -> tuple[str, bool]:
    """A text from an opener, a body on ``topic``, a closing; and whether it names the product."""

    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    zh = language == "zh"
    order_text = "" if order is None else (f"（订单号{order}）" if zh else f" {order}")
    template = pick(BODIES[language][topic])
    body = template.format(
        product=product,
        order=order_text,
        delay=_delay_text(delay, language),
        count=int(rng.integers(1, 4)),
    )
    parts = [pick(_OPENERS[language][sentiment]), body]
    if channel != "survey":
        parts.append(pick(_CLOSINGS[language][sentiment]))
    if channel == "email":
        parts.insert(0, "您好，" if zh else "Hello,")
    if channel == "social" and rng.random() < 0.5:
        parts.append("#SM鲜选#" if zh else "#SMFresh")
    return ("" if zh else " ").join(p for p in parts if p), "{product}" in template
