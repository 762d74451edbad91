"""The invented product range: categories, their brands and products, and demand traits.

Brands and products are made up; prices are in CNY.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATEGORIES", "Category", "Product"]


@dataclass(frozen=True)
class Product:
    """A product line of a category, sold in each of its ``variants`` by every brand."""

    en: str
    zh: str
    cost: float
    variants: tuple[str, ...]
    season: float | None = None  # yearly amplitude overriding the category's


@dataclass(frozen=True)
class Category:
    """A category: brands and products, price and pack rules, and demand traits."""

    name: str
    zh: str
    share: float
    brands: tuple[tuple[str, str], ...]
    products: tuple[Product, ...]
    margin: tuple[float, float]
    pack_sizes: tuple[int, ...]
    level: float  # median daily units per warehouse of a regular item
    weekend: float  # log amplitude of the weekend peak
    summer: float  # log amplitude of the yearly cycle peaking in late July
    cny: float  # log lift of the Chinese New Year stock-up
    year_end: float  # log lift around Double 11 and the year end
    holiday: float  # multiplier on public holidays
    promos_per_year: float
    elasticity: tuple[float, float]
    slow_odds: float  # relative odds of being an intermittent slow mover
    food: bool


# fmt: off
_P = Product
CATEGORIES: tuple[Category, ...] = (
    Category(
        "beverages", "饮料", 0.16,
        (("Jade Spring", "翠泉"), ("Golden Leaf", "金叶"), ("Blue Harbor", "蓝港"),
         ("Sunny Orchard", "阳光果园"), ("Mountain Breeze", "山风")),
        (_P("Mineral Water", "矿泉水", 1.2, ("550ml", "1.5L", "4.5L")),
         _P("Jasmine Green Tea", "茉莉绿茶", 2.5, ("500ml", "1L")),
         _P("Oolong Tea", "乌龙茶", 2.8, ("500ml", "Sugar Free 500ml")),
         _P("Cola", "可乐", 2.0, ("330ml Can", "500ml", "2L")),
         _P("Orange Juice", "橙汁", 5.0, ("300ml", "1L")),
         _P("Coconut Water", "椰子水", 4.5, ("330ml", "1L")),
         _P("Sparkling Water", "气泡水", 2.6, ("Lemon 480ml", "Peach 480ml", "Lime 480ml")),
         _P("Iced Coffee", "冰咖啡", 4.0, ("Latte 280ml", "Black 280ml"))),
        (1.35, 1.7), (12, 24), 30.0, 0.22, 0.35, 0.35, 0.05, 1.1, 8.0, (1.8, 3.2), 0.5, True,
    ),
    Category(
        "snacks", "零食", 0.16,
        (("Crispy Cat", "脆猫"), ("Happy Harvest", "乐丰"), ("Red Lantern", "红灯笼"),
         ("Little Panda", "小熊猫")),
        (_P("Potato Chips", "薯片", 4.0, ("Sea Salt 70g", "Spicy 70g", "Cucumber 70g",
                                          "Family Pack 150g")),
         _P("Seaweed Snack", "海苔", 3.5, ("Original 30g", "Sesame 30g")),
         _P("Rice Crackers", "米饼", 3.0, ("Original 120g", "Seaweed 120g")),
         _P("Beef Jerky", "牛肉干", 12.0, ("Spicy 100g", "Five-Spice 100g")),
         _P("Mixed Nuts", "每日坚果", 18.0, ("Daily Pack 25g x7", "Can 500g")),
         _P("Chocolate Wafers", "巧克力威化", 5.5, ("Dark 150g", "Milk 150g")),
         _P("Sunflower Seeds", "瓜子", 4.5, ("Original 200g", "Caramel 200g")),
         _P("Dried Mango", "芒果干", 8.0, ("80g", "200g"))),
        (1.4, 1.9), (6, 12, 24), 20.0, 0.2, 0.0, 0.55, 0.1, 1.1, 8.0, (1.8, 3.0), 0.8, True,
    ),
    Category(
        "dairy", "乳制品", 0.12,
        (("Cloud Pasture", "云牧"), ("White Crane", "白鹤"), ("Sunrise Farm", "晨曦牧场")),
        (_P("Fresh Milk", "鲜牛奶", 8.0, ("950ml", "450ml")),
         _P("UHT Milk", "纯牛奶", 40.0, ("250ml x12", "250ml x24")),
         _P("Yogurt", "酸奶", 6.0, ("Strawberry 200g", "Plain 200g", "Blueberry 4x100g")),
         _P("Greek Yogurt", "希腊酸奶", 9.0, ("Honey 135g", "Plain 135g")),
         _P("Cheese Slices", "奶酪片", 15.0, ("Cheddar 200g", "Light 200g")),
         _P("Butter", "黄油", 18.0, ("Salted 227g", "Unsalted 227g")),
         _P("Soy Milk", "豆奶", 3.5, ("Original 250ml", "Black Bean 250ml"))),
        (1.25, 1.5), (6, 12), 25.0, 0.12, -0.06, 0.3, 0.05, 1.05, 6.0, (1.5, 2.5), 0.4, True,
    ),
    Category(
        "frozen", "冷冻食品", 0.10,
        (("Snow Peak", "雪峰"), ("Golden Dragon", "金龙"), ("Arctic Bay", "北极湾")),
        (_P("Pork Dumplings", "猪肉水饺", 14.0, ("Cabbage 500g", "Chive 500g", "Family 1kg"),
            -0.2),
         _P("Glutinous Rice Balls", "汤圆", 9.0, ("Black Sesame 400g", "Peanut 400g"), -0.3),
         _P("Ice Cream Bar", "冰淇淋", 3.0, ("Vanilla", "Matcha", "Chocolate"), 0.6),
         _P("Ice Cream Tub", "冰淇淋桶", 22.0, ("Mango 450ml", "Cookies 450ml"), 0.5),
         _P("Frozen Shrimp", "冻虾仁", 35.0, ("300g", "500g")),
         _P("Steamed Buns", "包子", 10.0, ("Pork 6pcs", "Red Bean 6pcs"))),
        (1.3, 1.7), (6, 12), 12.0, 0.15, 0.0, 0.5, 0.05, 1.1, 5.0, (1.5, 2.8), 0.8, True,
    ),
    Category(
        "household", "家居日用", 0.12,
        (("Clean Leaf", "净叶"), ("HomeBright", "家亮"), ("Soft Cloud", "柔云")),
        (_P("Laundry Detergent", "洗衣液", 22.0, ("2kg", "3kg Lavender")),
         _P("Dish Soap", "洗洁精", 8.0, ("Lemon 1.2L", "Green Tea 1.2L")),
         _P("Paper Towels", "厨房纸", 9.0, ("6 rolls", "12 rolls")),
         _P("Toilet Paper", "卷纸", 25.0, ("10 rolls", "27 rolls")),
         _P("Trash Bags", "垃圾袋", 6.0, ("Medium 100pcs", "Large 50pcs")),
         _P("Facial Tissue", "抽纸", 12.0, ("3 packs", "6 packs")),
         _P("Mosquito Repellent", "驱蚊液", 15.0, ("Liquid Refill", "Spray 100ml"), 0.7)),
        (1.3, 1.8), (1, 4, 6), 8.0, 0.08, 0.0, 0.15, 0.25, 0.85, 5.0, (1.2, 2.2), 1.0, False,
    ),
    Category(
        "personal_care", "个人护理", 0.12,
        (("Pure Lotus", "净莲"), ("Ocean Mist", "海雾"), ("Silk Garden", "丝语")),
        (_P("Shampoo", "洗发水", 25.0, ("Anti-Dandruff 400ml", "Smooth 400ml")),
         _P("Body Wash", "沐浴露", 22.0, ("Peach 750ml", "Mint 750ml")),
         _P("Toothpaste", "牙膏", 9.0, ("Whitening 120g", "Herbal 120g", "Kids 60g")),
         _P("Toothbrush", "牙刷", 6.0, ("Soft 2pcs", "Charcoal 4pcs")),
         _P("Sunscreen", "防晒霜", 45.0, ("SPF50 50ml", "SPF30 100ml"), 0.8),
         _P("Hand Cream", "护手霜", 12.0, ("Rose 50g", "Shea 50g"), -0.5),
         _P("Face Masks", "面膜", 35.0, ("Hydrating 10pcs", "Brightening 10pcs"))),
        (1.5, 2.2), (1, 6, 12), 8.0, 0.08, 0.05, 0.15, 0.25, 0.85, 5.0, (1.2, 2.2), 1.2, False,
    ),
    Category(
        "electronics_accessories", "数码配件", 0.10,
        (("VoltEdge", "伏特"), ("Nimbus", "云端"), ("KiteLink", "风筝")),
        (_P("USB-C Cable", "数据线", 12.0, ("1m", "2m Braided")),
         _P("Wall Charger", "充电器", 35.0, ("20W", "65W GaN")),
         _P("Power Bank", "充电宝", 60.0, ("10000mAh", "20000mAh")),
         _P("Wireless Earbuds", "无线耳机", 90.0, ("Lite", "Pro")),
         _P("Phone Case", "手机壳", 15.0, ("Clear", "Silicone Black")),
         _P("Screen Protector", "钢化膜", 8.0, ("2-pack",)),
         _P("Bluetooth Speaker", "蓝牙音箱", 80.0, ("Mini", "Waterproof"))),
        (1.6, 2.6), (1, 5, 10), 3.0, 0.05, 0.0, 0.1, 0.6, 0.85, 4.0, (1.5, 3.0), 2.5, False,
    ),
    Category(
        "pantry", "粮油调味", 0.12,
        (("Golden Field", "金田"), ("Old Kitchen", "老灶"), ("Jiangnan Mill", "江南磨坊")),
        (_P("Jasmine Rice", "香米", 30.0, ("5kg", "10kg")),
         _P("Peanut Oil", "花生油", 55.0, ("5L", "1.8L")),
         _P("Soy Sauce", "生抽", 7.0, ("500ml", "1.9L")),
         _P("Dried Noodles", "挂面", 5.0, ("Wheat 1kg", "Egg 500g")),
         _P("Instant Noodles", "方便面", 12.0, ("Beef 5-pack", "Seafood 5-pack")),
         _P("Black Vinegar", "香醋", 6.0, ("500ml",)),
         _P("Chili Sauce", "辣椒酱", 8.0, ("280g",))),
        (1.2, 1.5), (1, 6, 12), 15.0, 0.1, -0.05, 0.45, 0.1, 1.1, 5.0, (1.0, 2.0), 0.6, True,
    ),
)
# fmt: on
