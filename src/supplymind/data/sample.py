"""The embedded sample company: a seeded generator of a **fully synthetic** supply chain.

Nothing generated here describes a real business. "SM Fresh" is an invented grocery and
convenience chain in Shanghai; its brands, products, stores, suppliers, orders and customer
texts are made up. Place names, coordinates, holidays and the Chinese New Year calendar are
real so that maps and seasonal plots look plausible.

The company has stores scattered within ~40 km of central Shanghai, warehouses in the
logistics parks on the outskirts, and suppliers elsewhere in China and abroad. The seven
tables of :mod:`supplymind.data.schema` are generated from one seed, fully vectorised:

``locations``
    Warehouses (kind ``warehouse``), stores (``store``) and suppliers (``supplier``). The
    warehouses double as the delivery depots: ``delivery_orders.depot_id`` is a warehouse
    id and there are no separate ``depot`` rows.
``items``
    SKUs in eight categories with cost and regular price in CNY (margin by category), pack
    size, minimum order quantity (a multiple of the pack), launch date and, for some, a
    discontinuation date.
``demand``
    Daily units ordered by the stores of each warehouse's region, per item and warehouse
    (``location_id`` is the warehouse). Regular items have negative-binomial noise around a
    mean with trend, weekly and yearly seasonality, Chinese New Year, public holidays and
    promotions with a price elasticity; ~20% are intermittent slow movers (compound
    Poisson). Targets are whole units stored as floats. Items launched during the horizon
    have zero-demand rows before their launch (as in the M5 data) and ramp up after it;
    discontinued items decline, get a clearance markdown, and have no rows after their
    ``discontinued_at`` day. ``holiday`` flags Chinese public holidays; lunar-calendar
    dates are tabulated for 2015-2030 and approximated outside those years.
``inventory``
    Weekly start-of-day snapshots (00:00, before that day's receipts and shipments) of an
    (s, S) replenishment simulated day by day on the generated demand. Unmet demand is
    backordered; backorders of a discontinued item are cancelled at its end of life.
``purchase_orders``
    The orders of that simulation, one line per item, grouped into one purchase order per
    supplier, warehouse and day. Two suppliers (by default) are unreliable, with late
    deliveries and heavier tails; orders due after the horizon are still open.
``delivery_orders``
    Outbound deliveries from warehouses to stores over the last weeks of the horizon (2-3 a
    week per store) and ``planned`` ones for the days after it. ``demand`` is the load in
    kilograms; windows are 2-4 hours between 06:00 and 18:00.
``feedback``
    Customer texts in Chinese and English composed from hand-written fragments, with
    sentiment and complaint labels; late deliveries cause ``late_delivery`` complaints.

:func:`sample_ground_truth` returns the hidden parameters (which items are slow movers,
which suppliers are unreliable, ...) for tests and benchmarks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import ConfigurationError

__all__ = ["SampleCompanyConfig", "generate_sample_company", "sample_ground_truth"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DayArray = npt.NDArray[np.datetime64]

_NS_PER_MINUTE = 60 * 10**9
_SHANGHAI = (31.2304, 121.4737)
_KM_PER_DEG_LAT = 110.574


# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleCompanyConfig:
    """Size and shape of the synthetic sample company.

    Parameters
    ----------
    seed
        Seed of every random draw; the same configuration gives identical tables.
    n_items
        Number of SKUs.
    n_stores
        Number of stores around Shanghai.
    n_warehouses
        Number of warehouses (which are also the delivery depots).
    n_suppliers
        Number of suppliers.
    start
        First day of the demand history, ``YYYY-MM-DD``.
    n_days
        Length of the daily demand history.
    n_feedback
        Number of customer feedback texts.
    intermittent_share
        Share of SKUs that are intermittent slow movers.
    new_item_share
        Share of SKUs launched during the horizon.
    discontinued_share
        Share of SKUs reaching end of life during the horizon.
    n_unreliable_suppliers
        Suppliers that deliver late often, with heavy-tailed delays.
    delivery_weeks
        Weeks at the end of the horizon covered by delivered store deliveries.
    planned_days
        Days after the horizon covered by planned store deliveries.
    chinese_share
        Share of feedback texts written in Chinese.
    """

    seed: int = 0
    n_items: int = 300
    n_stores: int = 50
    n_warehouses: int = 2
    n_suppliers: int = 8
    start: str = "2023-01-02"
    n_days: int = 730
    n_feedback: int = 400
    intermittent_share: float = 0.2
    new_item_share: float = 0.1
    discontinued_share: float = 0.06
    n_unreliable_suppliers: int = 2
    delivery_weeks: int = 8
    planned_days: int = 7
    chinese_share: float = 0.7

    def __post_init__(self) -> None:
        minimums = {
            "seed": 0,
            "n_items": 1,
            "n_stores": 1,
            "n_warehouses": 1,
            "n_suppliers": 1,
            "n_days": 28,
            "n_feedback": 0,
            "n_unreliable_suppliers": 0,
            "delivery_weeks": 1,
            "planned_days": 0,
        }
        for name, minimum in minimums.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigurationError(
                    f"SampleCompanyConfig.{name}: expected an integer, found {value!r}"
                )
            if value < minimum:
                raise ConfigurationError(
                    f"SampleCompanyConfig.{name}: expected an integer >= {minimum}, found {value!r}"
                )
        for name in ("intermittent_share", "new_item_share", "discontinued_share", "chinese_share"):
            value = getattr(self, name)
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not 0.0 <= value <= 1.0
            ):
                raise ConfigurationError(
                    f"SampleCompanyConfig.{name}: expected a number in [0, 1], found {value!r}"
                )
        if self.new_item_share + self.discontinued_share > 1.0:
            raise ConfigurationError(
                "SampleCompanyConfig.discontinued_share: expected new_item_share + "
                f"discontinued_share <= 1, found {self.new_item_share} + "
                f"{self.discontinued_share}"
            )
        if self.n_unreliable_suppliers > self.n_suppliers:
            raise ConfigurationError(
                "SampleCompanyConfig.n_unreliable_suppliers: expected at most n_suppliers "
                f"({self.n_suppliers}), found {self.n_unreliable_suppliers}"
            )
        try:
            day = np.datetime64(self.start, "D") if isinstance(self.start, str) else None
        except ValueError:
            day = None
        if day is None or not 1990 <= day.astype("datetime64[Y]").astype(int) + 1970 <= 2100:
            raise ConfigurationError(
                "SampleCompanyConfig.start: expected a date 'YYYY-MM-DD' between 1990 and "
                f"2100, found {self.start!r}"
            )

    @classmethod
    def small(cls, seed: int = 0) -> SampleCompanyConfig:
        """A small company (40 items, 12 stores, 240 days) for quick runs and tests."""
        return cls(seed=seed, n_items=40, n_stores=12, n_days=240, n_feedback=120)

    @property
    def start_day(self) -> np.datetime64:
        """The first day of the horizon."""
        return np.datetime64(self.start, "D")


# --------------------------------------------------------------------------------------
# Catalogues (invented brands and companies; real places)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Product:
    en: str
    zh: str
    cost: float
    variants: tuple[str, ...]
    season: float | None = None  # yearly amplitude overriding the category's


@dataclass(frozen=True)
class _Category:
    name: str
    zh: str
    share: float
    brands: tuple[tuple[str, str], ...]
    products: tuple[_Product, ...]
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
_P = _Product
_CATEGORIES: tuple[_Category, ...] = (
    _Category(
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
    _Category(
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
    _Category(
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
    _Category(
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
    _Category(
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
    _Category(
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
    _Category(
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
    _Category(
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


@dataclass(frozen=True)
class _Supplier:
    name: str
    country: str
    lat: float
    lon: float
    mode: str  # usual transport mode, by distance: truck < 1,500 km in China, rail, sea
    lead_days: int  # nominal lead time
    categories: tuple[str, ...]


# fmt: off
_SUPPLIERS: tuple[_Supplier, ...] = (
    _Supplier("Suzhou Jinhe Daily Chemicals", "CN", 31.2989, 120.5853, "truck", 3,
              ("household", "personal_care")),
    _Supplier("Hangzhou Westlake Foods", "CN", 30.2741, 120.1551, "truck", 4,
              ("snacks", "pantry", "beverages")),
    _Supplier("Shenzhen Pearl River Electronics", "CN", 22.5431, 114.0579, "truck", 6,
              ("electronics_accessories",)),
    _Supplier("Qingdao Haibin Dairy", "CN", 36.0671, 120.3826, "truck", 4,
              ("dairy", "beverages", "frozen")),
    _Supplier("Chengdu Tianfu Foods", "CN", 30.5728, 104.0668, "rail", 9,
              ("pantry", "snacks", "frozen")),
    _Supplier("Saigon Agro Export", "VN", 10.8231, 106.6297, "sea", 16,
              ("snacks", "beverages", "frozen", "pantry")),
    _Supplier("Busan Marine & Tech Trading", "KR", 35.1796, 129.0756, "sea", 8,
              ("electronics_accessories", "personal_care", "snacks")),
    _Supplier("Auckland Pacific Dairy", "NZ", -36.8485, 174.7633, "sea", 24, ("dairy",)),
    _Supplier("Osaka Kansai Trading", "JP", 34.6937, 135.5023, "sea", 10,
              ("personal_care", "snacks", "electronics_accessories")),
    _Supplier("Hamburg Hanse Consumer", "DE", 53.5511, 9.9937, "rail", 28,
              ("household", "personal_care", "beverages")),
    _Supplier("Bangkok Siam Beverages", "TH", 13.7563, 100.5018, "sea", 18,
              ("beverages", "snacks")),
    _Supplier("Los Angeles West Coast Supply", "US", 34.0522, -118.2437, "sea", 30,
              ("electronics_accessories", "snacks", "personal_care")),
)
# fmt: on
_COVER_DAYS = {"truck": 7, "rail": 14, "sea": 28}  # order cycle by mode

# Logistics parks on the outskirts of Shanghai (approximate coordinates).
_WAREHOUSE_SITES: tuple[tuple[str, float, float], ...] = (
    ("Jiading Logistics Park DC", 31.3420, 121.2180),
    ("Pudong Airport Logistics Park DC", 31.1690, 121.7620),
    ("Songjiang Logistics Park DC", 31.0330, 121.2300),
    ("Baoshan Luojing DC", 31.4580, 121.3600),
    ("Fengxian Nanqiao DC", 30.9200, 121.4740),
    ("Qingpu Zhaoxiang DC", 31.1560, 121.1660),
)

# District centres, used to name the stores.
# fmt: off
_DISTRICTS: tuple[tuple[str, float, float], ...] = (
    ("Huangpu", 31.2317, 121.4846), ("Xuhui", 31.1885, 121.4365),
    ("Changning", 31.2204, 121.4242), ("Jing'an", 31.2290, 121.4480),
    ("Putuo", 31.2495, 121.3972), ("Hongkou", 31.2646, 121.5050),
    ("Yangpu", 31.2595, 121.5260), ("Minhang", 31.1129, 121.3817),
    ("Baoshan", 31.4045, 121.4891), ("Jiading", 31.3747, 121.2655),
    ("Pudong", 31.2215, 121.5447), ("Songjiang", 31.0322, 121.2277),
    ("Qingpu", 31.1497, 121.1241), ("Fengxian", 30.9180, 121.4740),
    ("Jinshan", 30.7417, 121.3420),
)
# fmt: on

# Chinese New Year, Dragon Boat and Mid-Autumn festivals (lunar calendar).
_LUNAR_HOLIDAYS: dict[int, tuple[str, str, str]] = {
    2015: ("2015-02-19", "2015-06-20", "2015-09-27"),
    2016: ("2016-02-08", "2016-06-09", "2016-09-15"),
    2017: ("2017-01-28", "2017-05-30", "2017-10-04"),
    2018: ("2018-02-16", "2018-06-18", "2018-09-24"),
    2019: ("2019-02-05", "2019-06-07", "2019-09-13"),
    2020: ("2020-01-25", "2020-06-25", "2020-10-01"),
    2021: ("2021-02-12", "2021-06-14", "2021-09-21"),
    2022: ("2022-02-01", "2022-06-03", "2022-09-10"),
    2023: ("2023-01-22", "2023-06-22", "2023-09-29"),
    2024: ("2024-02-10", "2024-06-10", "2024-09-17"),
    2025: ("2025-01-29", "2025-05-31", "2025-10-06"),
    2026: ("2026-02-17", "2026-06-19", "2026-09-25"),
    2027: ("2027-02-06", "2027-06-09", "2027-09-15"),
    2028: ("2028-01-26", "2028-05-28", "2028-10-03"),
    2029: ("2029-02-13", "2029-06-16", "2029-09-22"),
    2030: ("2030-02-03", "2030-06-05", "2030-09-12"),
}
_QINGMING_APRIL_4 = frozenset({2016, 2017, 2020, 2021, 2024, 2025, 2028, 2029})

# Weekly profile in log space, Monday first: Friday to Sunday peak.
_WEEK_SHAPE = np.array([-0.35, -0.45, -0.3, -0.15, 0.25, 1.0, 0.75])


# --------------------------------------------------------------------------------------
# Shared state of one generated company
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Network:
    locations: pd.DataFrame
    warehouse_ids: list[str]
    store_ids: list[str]
    store_warehouse: IntArray
    store_size: FloatArray
    supplier_ids: list[str]
    supplier_mode: list[str]
    supplier_lead: IntArray
    supplier_unreliable: BoolArray
    warehouse_share: FloatArray


@dataclass(frozen=True)
class _Catalog:
    items: pd.DataFrame
    category: IntArray
    name_zh: list[str]
    supplier: IntArray
    slow: BoolArray
    level: FloatArray
    slow_size: FloatArray
    dispersion: FloatArray
    growth: FloatArray
    weekend: FloatArray
    summer: FloatArray
    cny: FloatArray
    year_end: FloatArray
    holiday: FloatArray
    elasticity: FloatArray
    promos_per_year: FloatArray
    launch_day: IntArray  # offset from the start; negative before the horizon
    end_day: IntArray  # last selling day; n_days + large when never discontinued
    ramp_days: FloatArray
    region: FloatArray  # (n_items, n_warehouses) regional demand multipliers
    forecast_bias: FloatArray


@dataclass(frozen=True)
class _Calendar:
    days: DayArray
    dow: IntArray
    holiday: BoolArray
    summer: FloatArray
    cny_up: FloatArray
    cny_dip: FloatArray
    year_end: FloatArray
    holiday_eve: BoolArray


def _rng(config: SampleCompanyConfig, stream: int) -> np.random.Generator:
    # One independent stream per component: changing one table leaves the others intact.
    return np.random.default_rng([config.seed, stream])


def _ns(days: DayArray) -> npt.NDArray[np.datetime64]:
    return days.astype("datetime64[ns]")


def _at_minutes(days: DayArray, minutes: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    offset = (np.asarray(minutes, dtype=np.float64) * _NS_PER_MINUTE).astype(np.int64)
    stamps: npt.NDArray[np.datetime64] = _ns(days) + offset.astype("timedelta64[ns]")
    return stamps


def _haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(a)), dtype=np.float64)


# --------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------


def _warehouse_sites(n: int) -> list[tuple[str, float, float]]:
    sites = list(_WAREHOUSE_SITES[:n])
    lat0, lon0 = _SHANGHAI
    for k in range(len(sites), n):
        angle = 2 * math.pi * k / n + 0.3
        lat = lat0 + 36.0 * math.sin(angle) / _KM_PER_DEG_LAT
        lon = lon0 + 36.0 * math.cos(angle) / (111.32 * math.cos(math.radians(lat0)))
        sites.append((f"Outer Ring DC {k + 1}", round(lat, 4), round(lon, 4)))
    return sites


def _store_coordinates(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    urban = rng.random(n) < 0.6
    radius = np.where(urban, np.abs(rng.normal(0.0, 7.0, n)), rng.uniform(8.0, 40.0, n))
    radius = np.minimum(radius, 39.5)
    angle = rng.uniform(0.0, 2 * math.pi, n)
    lat0, lon0 = _SHANGHAI
    lat = lat0 + radius * np.sin(angle) / _KM_PER_DEG_LAT
    lon = lon0 + radius * np.cos(angle) / (111.32 * math.cos(math.radians(lat0)))
    return np.round(lat, 5), np.round(lon, 5)


def _network(config: SampleCompanyConfig) -> _Network:
    rng = _rng(config, 1)
    n_wh, n_st, n_sup = config.n_warehouses, config.n_stores, config.n_suppliers
    sites = _warehouse_sites(n_wh)
    wh_ids = [f"WH{k + 1:02d}" for k in range(n_wh)]
    wh_lat = np.array([s[1] for s in sites])
    wh_lon = np.array([s[2] for s in sites])

    st_ids = [f"ST{k + 1:03d}" for k in range(n_st)]
    st_lat, st_lon = _store_coordinates(rng, n_st)
    dist = _haversine_km(st_lat[:, None], st_lon[:, None], wh_lat[None, :], wh_lon[None, :])
    store_wh = np.asarray(dist.argmin(axis=1), dtype=np.int64)
    d_lat = np.array([d[1] for d in _DISTRICTS])
    d_lon = np.array([d[2] for d in _DISTRICTS])
    district = _haversine_km(st_lat[:, None], st_lon[:, None], d_lat[None, :], d_lon[None, :])
    counts: dict[str, int] = {}
    st_names = []
    for k in district.argmin(axis=1):
        name = _DISTRICTS[int(k)][0]
        counts[name] = counts.get(name, 0) + 1
        st_names.append(f"SM Fresh {name} No.{counts[name]}")
    store_size = np.exp(rng.normal(0.0, 0.35, n_st))

    suppliers = [_SUPPLIERS[k % len(_SUPPLIERS)] for k in range(n_sup)]
    sup_ids = [f"SUP{k + 1:02d}" for k in range(n_sup)]
    sup_names = [
        s.name if k < len(_SUPPLIERS) else f"{s.name} {k // len(_SUPPLIERS) + 1}"
        for k, s in enumerate(suppliers)
    ]
    jitter = np.array([0.0 if k < len(_SUPPLIERS) else 0.05 for k in range(n_sup)])
    sup_lat = np.array([s.lat for s in suppliers]) + jitter
    sup_lon = np.array([s.lon for s in suppliers]) + jitter
    unreliable = np.zeros(n_sup, dtype=np.bool_)
    unreliable[rng.choice(n_sup, size=config.n_unreliable_suppliers, replace=False)] = True

    served = np.bincount(store_wh, minlength=n_wh).astype(np.float64)
    # The +1 is the warehouse's own online and business customers: no region is empty.
    share = (served + 1.0) / (n_st + n_wh) * n_wh

    locations = pd.DataFrame(
        {
            "location_id": [*wh_ids, *st_ids, *sup_ids],
            "kind": ["warehouse"] * n_wh + ["store"] * n_st + ["supplier"] * n_sup,
            "lat": np.concatenate([wh_lat, st_lat, sup_lat]).astype(np.float64),
            "lon": np.concatenate([wh_lon, st_lon, sup_lon]).astype(np.float64),
            "name": [s[0] for s in sites] + st_names + sup_names,
            "country": ["CN"] * (n_wh + n_st) + [s.country for s in suppliers],
        }
    )
    return _Network(
        locations=locations,
        warehouse_ids=wh_ids,
        store_ids=st_ids,
        store_warehouse=store_wh,
        store_size=np.asarray(store_size, dtype=np.float64),
        supplier_ids=sup_ids,
        supplier_mode=[s.mode for s in suppliers],
        supplier_lead=np.array([s.lead_days for s in suppliers], dtype=np.int64),
        supplier_unreliable=unreliable,
        warehouse_share=share,
    )


# --------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------


def _category_counts(n_items: int) -> IntArray:
    shares = np.array([c.share for c in _CATEGORIES])
    raw = shares / shares.sum() * n_items
    counts: IntArray = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n_items - int(counts.sum())]] += 1
    return counts


def _item_names(
    rng: np.random.Generator, cat: _Category, n: int
) -> tuple[list[str], list[str], FloatArray, FloatArray]:
    combos = [
        (b_en, b_zh, p, v) for b_en, b_zh in cat.brands for p in cat.products for v in p.variants
    ]
    picks = rng.choice(len(combos), size=n, replace=n > len(combos))
    names: list[str] = []
    names_zh: list[str] = []
    costs = np.empty(n)
    season = np.empty(n)
    seen: dict[str, int] = {}
    for j, k in enumerate(picks):
        b_en, b_zh, product, variant = combos[int(k)]
        name = f"{b_en} {product.en} {variant}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
        names_zh.append(f"{b_zh}{product.zh}")
        costs[j] = product.cost
        season[j] = cat.summer if product.season is None else product.season
    return names, names_zh, costs, season


def _catalog(config: SampleCompanyConfig, network: _Network) -> _Catalog:
    rng = _rng(config, 2)
    n, T = config.n_items, config.n_days
    counts = _category_counts(n)
    category = np.repeat(np.arange(len(_CATEGORIES)), counts).astype(np.int64)
    names: list[str] = []
    names_zh: list[str] = []
    base_cost = np.empty(n)
    summer = np.empty(n)
    offset = 0
    for c, cat in enumerate(_CATEGORIES):
        m = int(counts[c])
        en, zh, cost, season = _item_names(rng, cat, m)
        names += en
        names_zh += zh
        base_cost[offset : offset + m] = cost
        summer[offset : offset + m] = season
        offset += m

    def per_item(attr: str) -> FloatArray:
        return np.array([float(getattr(_CATEGORIES[c], attr)) for c in category])

    unit_cost = np.round(base_cost * np.exp(rng.normal(0.0, 0.25, n)), 2)
    unit_cost = np.maximum(unit_cost, 0.3)
    lo = np.array([_CATEGORIES[c].margin[0] for c in category])
    hi = np.array([_CATEGORIES[c].margin[1] for c in category])
    raw_price = unit_cost * rng.uniform(lo, hi)
    price = np.where(raw_price >= 10.0, np.ceil(raw_price) - 0.1, np.round(raw_price, 1))
    price = np.round(np.maximum(price, unit_cost + 0.1), 2)
    pack = np.array([rng.choice(_CATEGORIES[c].pack_sizes) for c in category], dtype=np.int64)
    moq = pack * rng.choice(np.array([1, 2, 4, 10]), size=n, p=[0.4, 0.3, 0.2, 0.1])

    # Main supplier: one that carries the category, else any supplier.
    supplier = np.empty(n, dtype=np.int64)
    n_sup = config.n_suppliers
    for i in range(n):
        name = _CATEGORIES[int(category[i])].name
        able = [k for k in range(n_sup) if name in _SUPPLIERS[k % len(_SUPPLIERS)].categories]
        supplier[i] = int(rng.choice(able)) if able else int(rng.integers(n_sup))

    odds = per_item("slow_odds")
    n_slow = round(config.intermittent_share * n)
    slow = np.zeros(n, dtype=np.bool_)
    slow[rng.choice(n, size=n_slow, replace=False, p=odds / odds.sum())] = True

    level = per_item("level") * np.exp(rng.normal(0.0, 0.9, n))
    level = np.where(slow, np.exp(rng.normal(math.log(0.35), 0.5, n)), np.maximum(level, 3.0))
    slow_size = 1.0 + np.exp(rng.normal(math.log(1.2), 0.5, n))

    # Lifecycle: most items predate the horizon, some launch or end during it.
    status = rng.permutation(n)
    n_new = round(config.new_item_share * n)
    n_end = round(config.discontinued_share * n)
    launch_day = -rng.integers(30, 3000, n)
    new = status[:n_new]
    launch_day[new] = rng.integers(int(0.08 * T), int(0.75 * T) + 1, n_new)
    end_day = np.full(n, 10 * T + 10_000, dtype=np.int64)
    ended = status[n_new : n_new + n_end]
    end_day[ended] = rng.integers(int(0.3 * T), T - 7, n_end)

    start = config.start_day
    launched_at = _ns(start + launch_day.astype("timedelta64[D]"))
    discontinued = np.where(
        end_day < T,
        _ns(start + np.minimum(end_day, T).astype("timedelta64[D]")),
        np.datetime64("NaT", "ns"),
    )
    items = pd.DataFrame(
        {
            "item_id": [f"SKU{i + 1:05d}" for i in range(n)],
            "name": names,
            "category": [_CATEGORIES[c].name for c in category],
            "unit_cost": unit_cost.astype(np.float64),
            "price": price.astype(np.float64),
            "pack_size": pack,
            "moq": moq.astype(np.int64),
            "launched_at": launched_at,
            "discontinued_at": discontinued.astype("datetime64[ns]"),
        }
    )
    el_lo = np.array([_CATEGORIES[c].elasticity[0] for c in category])
    el_hi = np.array([_CATEGORIES[c].elasticity[1] for c in category])
    return _Catalog(
        items=items,
        category=category,
        name_zh=names_zh,
        supplier=supplier,
        slow=slow,
        level=level,
        slow_size=slow_size,
        dispersion=np.exp(rng.normal(math.log(8.0), 0.4, n)),
        growth=rng.normal(0.05, 0.15, n),
        weekend=per_item("weekend") * rng.uniform(0.6, 1.4, n),
        summer=summer * rng.uniform(0.6, 1.4, n),
        cny=per_item("cny") * rng.uniform(0.5, 1.5, n),
        year_end=per_item("year_end") * rng.uniform(0.5, 1.5, n),
        holiday=per_item("holiday"),
        elasticity=rng.uniform(el_lo, el_hi),
        promos_per_year=per_item("promos_per_year") * rng.uniform(0.5, 1.5, n),
        launch_day=launch_day.astype(np.int64),
        end_day=end_day,
        ramp_days=rng.uniform(10.0, 45.0, n),
        region=network.warehouse_share[None, :]
        * np.exp(rng.normal(0.0, 0.2, (n, config.n_warehouses))),
        forecast_bias=np.exp(rng.normal(0.0, 0.15, n)),
    )


# --------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------


def _lunar(year: int) -> tuple[np.datetime64, np.datetime64, np.datetime64]:
    # Outside the table: typical dates (documented approximation).
    cny, dragon, autumn = _LUNAR_HOLIDAYS.get(
        year, (f"{year}-02-05", f"{year}-06-10", f"{year}-09-20")
    )
    return np.datetime64(cny, "D"), np.datetime64(dragon, "D"), np.datetime64(autumn, "D")


def _public_holidays(year: int) -> list[np.datetime64]:
    cny, dragon, autumn = _lunar(year)
    one = np.timedelta64(1, "D")
    qingming = 4 if year in _QINGMING_APRIL_4 else 5
    days = [np.datetime64(f"{year}-01-01", "D"), dragon, autumn]
    days += [cny + k * one for k in range(-1, 6)]
    days.append(np.datetime64(f"{year}-04-{qingming:02d}", "D"))
    days += [np.datetime64(f"{year}-05-{d:02d}", "D") for d in range(1, 6)]
    days += [np.datetime64(f"{year}-10-{d:02d}", "D") for d in range(1, 8)]
    return days


def _calendar(config: SampleCompanyConfig, n_days: int) -> _Calendar:
    days = config.start_day + np.arange(n_days).astype("timedelta64[D]")
    epoch = days.astype(np.int64)
    dow = ((epoch + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
    years = days.astype("datetime64[Y]")
    doy = (days - years.astype("datetime64[D]")).astype(np.int64)
    first, last = int(years[0].astype(np.int64)) + 1970, int(years[-1].astype(np.int64)) + 1970
    span = range(first - 1, last + 2)
    holidays = np.array([d for y in span for d in _public_holidays(y)], dtype="datetime64[D]")
    holiday = np.isin(days, holidays)
    eve = np.isin(days + np.timedelta64(1, "D"), holidays) & ~holiday

    cny_up = np.zeros(n_days)
    cny_dip = np.ones(n_days)
    for year in span:
        gap = (epoch - _lunar(year)[0].astype(np.int64)).astype(np.int64)
        before = (gap >= -21) & (gap < 0)
        cny_up = np.where(before, (22.0 + gap) / 21.0, cny_up)
        # Shanghai empties over the Spring Festival and refills slowly.
        cny_dip = np.where((gap >= 0) & (gap <= 2), 0.45, cny_dip)
        cny_dip = np.where((gap >= 3) & (gap <= 6), 0.65, cny_dip)
        cny_dip = np.where((gap >= 7) & (gap <= 13), 0.85, cny_dip)

    month_day = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    month = (days.astype("datetime64[M]").astype(np.int64) % 12) + 1
    year_end = np.zeros(n_days)
    year_end = np.where((month == 11) & (month_day <= 11), month_day / 11.0 * 1.5, year_end)
    year_end = np.where((month == 12) & (month_day == 12), 0.8, year_end)
    year_end = np.where((month == 12) & (month_day >= 20), 0.5, year_end)
    return _Calendar(
        days=days,
        dow=dow,
        holiday=holiday,
        summer=np.cos(2 * math.pi * (doy - 200) / 365.25),
        cny_up=cny_up,
        cny_dip=cny_dip,
        year_end=year_end,
        holiday_eve=eve,
    )


# --------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------


def _promotions(config: SampleCompanyConfig, catalog: _Catalog) -> FloatArray:
    """Discount depth per item and day: chain-wide runs of 3-14 days, plus clearance."""
    rng = _rng(config, 3)
    n, T = config.n_items, config.n_days
    runs = rng.poisson(catalog.promos_per_year * T / 365.0)
    item = np.repeat(np.arange(n), runs)
    first = rng.integers(0, T, item.size)
    length = rng.choice(np.array([3, 4, 5, 7, 7, 10, 14]), size=item.size)
    depth = rng.choice(
        np.array([0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]),
        size=item.size,
        p=[0.15, 0.2, 0.25, 0.15, 0.13, 0.08, 0.04],
    )
    promo = np.zeros((n, T))
    for i, a, b, d in zip(item, first, first + length, depth, strict=True):
        promo[i, a:b] = d
    t = np.arange(T)
    clearance = (t[None, :] > catalog.end_day[:, None] - 14) & (
        t[None, :] <= catalog.end_day[:, None]
    )
    promo = np.where(clearance, np.maximum(promo, 0.4), promo)
    active = (t[None, :] >= catalog.launch_day[:, None]) & (t[None, :] <= catalog.end_day[:, None])
    return np.where(active, promo, 0.0)


def _expected_demand(catalog: _Catalog, cal: _Calendar, promo: FloatArray) -> FloatArray:
    """Mean daily units per item, warehouse and day, shape ``(n_items, n_warehouses, T)``."""
    T = cal.days.size
    t = np.arange(T, dtype=np.float64)
    c = catalog
    log_mean = (
        np.log(c.level)[:, None]
        + c.growth[:, None] * t[None, :] / 365.0
        + c.weekend[:, None] * _WEEK_SHAPE[cal.dow][None, :]
        + c.summer[:, None] * cal.summer[None, :]
        + c.cny[:, None] * cal.cny_up[None, :]
        + c.year_end[:, None] * cal.year_end[None, :]
    )
    mean = np.exp(log_mean) * cal.cny_dip[None, :]
    mean *= np.where(cal.holiday[None, :], c.holiday[:, None], 1.0)
    food = c.holiday[:, None] > 1.0
    mean *= np.where(cal.holiday_eve[None, :] & food, 1.15, 1.0)
    mean *= (1.0 - promo) ** (-c.elasticity[:, None])
    # Customers stocked up during the promotion: a short dip after it.
    ended = (np.roll(promo, 1, axis=1) > 0) | (np.roll(promo, 2, axis=1) > 0)
    ended[:, :2] = False
    mean *= np.where(ended & (promo == 0), 0.85, 1.0)
    age = t[None, :] - c.launch_day[:, None]
    ramp = np.where(age >= 0, 1.0 - np.exp(-(age + 1.0) / c.ramp_days[:, None]), 0.0)
    to_end = c.end_day[:, None] - t[None, :]
    decline = np.clip(0.3 + 0.7 * to_end / 60.0, 0.3, 1.0)
    mean *= ramp * np.where(to_end >= 0, decline, 0.0)
    return np.asarray(mean[:, None, :] * c.region[:, :, None], dtype=np.float64)


def _sample_demand(config: SampleCompanyConfig, catalog: _Catalog, mean: FloatArray) -> FloatArray:
    """Integer units: negative binomial for regular items, compound Poisson for slow ones."""
    rng = _rng(config, 4)
    k = catalog.dispersion[:, None, None]
    regular = rng.negative_binomial(np.broadcast_to(k, mean.shape), k / (k + mean))
    size = catalog.slow_size[:, None, None]
    occurs = rng.random(mean.shape) < 1.0 - np.exp(-np.minimum(mean / size, 1.5))
    slow = np.where(occurs, rng.geometric(np.broadcast_to(1.0 / size, mean.shape)), 0)
    units = np.where(catalog.slow[:, None, None], slow, regular)
    return np.asarray(units, dtype=np.float64)


def _demand_table(
    network: _Network,
    catalog: _Catalog,
    cal: _Calendar,
    promo: FloatArray,
    units: FloatArray,
) -> pd.DataFrame:
    _, W, T = units.shape
    keep = (np.arange(T)[None, None, :] <= catalog.end_day[:, None, None]) & np.ones(
        (1, W, 1), dtype=np.bool_
    )
    item_idx, wh_idx, day_idx = np.nonzero(keep)
    item_ids = catalog.items["item_id"].to_numpy(dtype=object)
    price = np.round(
        catalog.items["price"].to_numpy()[item_idx] * (1.0 - promo[item_idx, day_idx]), 2
    )
    return pd.DataFrame(
        {
            "item_id": item_ids[item_idx],
            "location_id": np.asarray(network.warehouse_ids, dtype=object)[wh_idx],
            "timestamp": _ns(cal.days)[day_idx],
            "target": units[keep],
            "price": price.astype(np.float64),
            "promotion": promo[item_idx, day_idx].astype(np.float64),
            "holiday": cal.holiday[day_idx].astype(np.int64),
        }
    )


# --------------------------------------------------------------------------------------
# Replenishment: inventory and purchase orders
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _OrderLines:
    day: IntArray
    pair: IntArray
    group: IntArray
    quantity: FloatArray
    received: FloatArray
    nominal: IntArray
    actual: IntArray
    air: BoolArray


def _window_sum(cs: FloatArray, tail: FloatArray, a: IntArray, b: IntArray) -> FloatArray:
    """Planned demand over days ``[a, b)``; beyond the horizon the recent rate goes on."""
    T = cs.shape[1] - 1
    rows = np.arange(cs.shape[0])
    inside = cs[rows, np.minimum(b, T)] - cs[rows, np.minimum(a, T)]
    beyond = (np.maximum(b - T, 0) - np.maximum(a - T, 0)) * tail
    return np.asarray(inside + beyond, dtype=np.float64)


def _lead_delays(rng: np.random.Generator, nominal: IntArray, unreliable: BoolArray) -> IntArray:
    """Days late (negative: early) for each shipment."""
    n = nominal.size
    # Suppliers pad their promise a little, so most shipments arrive on or before the day.
    jitter = rng.normal(-(0.05 * nominal + 0.6), 0.08 * nominal + 0.5, n)
    late = unreliable & (rng.random(n) < 0.5)
    tail = rng.gamma(1.3, 0.35 * nominal + 2.0, n)
    reliable_tail = (~unreliable) & (rng.random(n) < 0.05)
    delay = jitter + np.where(late, tail, 0.0) + np.where(reliable_tail, rng.exponential(2.0, n), 0)
    return np.asarray(np.round(delay), dtype=np.int64)


def _simulate(
    config: SampleCompanyConfig,
    network: _Network,
    catalog: _Catalog,
    mean: FloatArray,
    units: FloatArray,
) -> tuple[FloatArray, _OrderLines]:
    """Simulate a daily (s, S) policy per item and warehouse.

    Returns the weekly snapshots ``(n_snapshots, 3, P)`` of on hand, on order and
    backorders, and the order lines.
    """
    rng = _rng(config, 5)
    n, W, T = units.shape
    P = n * W
    item_of = np.repeat(np.arange(n), W)
    wh_of = np.tile(np.arange(W), n)
    sup = catalog.supplier[item_of]
    lead = network.supplier_lead[sup]
    modes = np.array(network.supplier_mode, dtype=object)[sup]
    cover = np.array([_COVER_DAYS[m] for m in modes], dtype=np.int64)
    unreliable = network.supplier_unreliable[sup]
    pack = catalog.items["pack_size"].to_numpy(dtype=np.float64)[item_of]
    moq = catalog.items["moq"].to_numpy(dtype=np.float64)[item_of]
    end_day = catalog.end_day[item_of]
    slow = catalog.slow[item_of]
    var_factor = np.where(slow, 2.0 * catalog.slow_size[item_of] - 1.0, 1.0)
    k = catalog.dispersion[item_of]

    plan = mean.reshape(P, T) * catalog.forecast_bias[item_of][:, None]
    cs = np.concatenate([np.zeros((P, 1)), np.cumsum(plan, axis=1)], axis=1)
    recent = min(T, 28)
    tail = (cs[:, T] - cs[:, T - recent]) / recent
    demand = units.reshape(P, T)
    # Planners cover a few more days of lead time for the suppliers they know to be late.
    safety_days = np.where(unreliable, 0.25, 0.1) * lead + 1

    def levels(t: int) -> tuple[FloatArray, FloatArray]:
        start = np.full(P, t + 1, dtype=np.int64)
        ltd = _window_sum(cs, tail, start, start + lead + safety_days.astype(np.int64))
        cycle = _window_sum(cs, tail, start + lead, start + lead + cover)
        sd = np.sqrt(ltd * var_factor + ltd**2 / (k * np.maximum(lead, 1)))
        s = ltd + 1.65 * sd
        return s, s + cycle

    s0, big_s0 = levels(-1)
    on_hand = np.where(
        catalog.launch_day[item_of] < 0, np.round(s0 + rng.random(P) * (big_s0 - s0)), 0.0
    )
    on_order = np.zeros(P)
    backorders = np.zeros(P)
    due_ordered = np.zeros((P, T))
    due_received = np.zeros((P, T))
    snaps: list[FloatArray] = []
    lines: list[tuple[IntArray, ...]] = []
    qty_parts: list[FloatArray] = []
    next_group = 0
    for t in range(T):
        if t % 7 == 0:
            snaps.append(np.stack([on_hand, on_order, backorders]))
        on_hand = on_hand + due_received[:, t]
        on_order = on_order - due_ordered[:, t]
        need = backorders + demand[:, t]
        shipped = np.minimum(on_hand, need)
        on_hand = on_hand - shipped
        backorders = np.where(t >= end_day, 0.0, need - shipped)
        s, big_s = levels(t)
        position = on_hand + on_order - backorders
        ordering = np.nonzero((position < s) & (t < end_day) & (big_s > 0))[0]
        if ordering.size == 0:
            continue
        qty = np.ceil((big_s - position)[ordering] / pack[ordering]) * pack[ordering]
        qty = np.maximum(qty, moq[ordering])
        keys = sup[ordering] * W + wh_of[ordering]
        groups, inverse = np.unique(keys, return_inverse=True)
        group_sup = groups // W
        # Sea freight for backordered goods is expedited by air.
        urgent = np.bincount(inverse, weights=backorders[ordering], minlength=groups.size) > 0
        air = urgent & (np.array(network.supplier_mode, dtype=object)[group_sup] == "sea")
        nominal = np.where(air, 3, network.supplier_lead[group_sup])
        g_unrel = network.supplier_unreliable[group_sup]
        actual = np.maximum(1, nominal + _lead_delays(rng, nominal, g_unrel & ~air))
        short = rng.random(ordering.size) < np.where(unreliable[ordering], 0.08, 0.02)
        received = np.where(short, np.floor(qty * rng.uniform(0.7, 0.98, ordering.size)), qty)
        arrival = t + actual[inverse]
        inside = arrival < T
        np.add.at(due_ordered, (ordering[inside], arrival[inside]), qty[inside])
        np.add.at(due_received, (ordering[inside], arrival[inside]), received[inside])
        on_order = on_order.copy()
        on_order[ordering] += qty
        lines.append(
            (
                np.full(ordering.size, t, dtype=np.int64),
                ordering.astype(np.int64),
                (next_group + inverse).astype(np.int64),
                nominal[inverse].astype(np.int64),
                actual[inverse].astype(np.int64),
                air[inverse].astype(np.int64),
            )
        )
        qty_parts.append(np.stack([qty, received]))
        next_group += groups.size

    def cat(j: int) -> IntArray:
        return np.concatenate([part[j] for part in lines]) if lines else np.zeros(0, np.int64)

    amounts = np.concatenate(qty_parts, axis=1) if qty_parts else np.zeros((2, 0))
    orders = _OrderLines(
        day=cat(0),
        pair=cat(1),
        group=cat(2),
        quantity=amounts[0],
        received=amounts[1],
        nominal=cat(3),
        actual=cat(4),
        air=cat(5).astype(np.bool_),
    )
    return np.asarray(np.stack(snaps), dtype=np.float64), orders


def _inventory_table(
    network: _Network, catalog: _Catalog, cal: _Calendar, snaps: FloatArray
) -> pd.DataFrame:
    S, _, P = snaps.shape
    W = len(network.warehouse_ids)
    snap_day = np.arange(S) * 7
    item_of = np.repeat(np.arange(P // W), W)
    keep = snap_day[None, :] <= catalog.end_day[item_of][:, None]  # (P, S)
    pair_idx, snap_idx = np.nonzero(keep)
    item_ids = catalog.items["item_id"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "item_id": item_ids[item_of[pair_idx]],
            "location_id": np.asarray(network.warehouse_ids, dtype=object)[pair_idx % W],
            "timestamp": _ns(cal.days[snap_day])[snap_idx],
            "on_hand": snaps[snap_idx, 0, pair_idx],
            "on_order": snaps[snap_idx, 1, pair_idx],
            "backorders": snaps[snap_idx, 2, pair_idx],
        }
    )


def _purchase_order_table(
    config: SampleCompanyConfig,
    network: _Network,
    catalog: _Catalog,
    cal: _Calendar,
    orders: _OrderLines,
) -> pd.DataFrame:
    rng = _rng(config, 6)
    W, T = len(network.warehouse_ids), config.n_days
    n_groups = int(orders.group.max()) + 1 if orders.group.size else 0
    order_minute = rng.integers(9 * 60, 17 * 60, n_groups)[orders.group]
    receive_minute = rng.integers(7 * 60, 17 * 60, n_groups)[orders.group]
    item = orders.pair // W
    sup = catalog.supplier[item]
    ordered_at = _at_minutes(cal.days[orders.day], order_minute)
    # Suppliers promise a delivery day; goods that arrive by the end of that working day
    # (18:00) are on time.
    promised_day = cal.days[orders.day] + orders.nominal.astype("timedelta64[D]")
    promised_at = _at_minutes(promised_day, np.full(item.size, 18 * 60))
    arrival = orders.day + orders.actual
    open_ = arrival >= T
    arrival_day = config.start_day + np.minimum(arrival, T - 1).astype("timedelta64[D]")
    received_at = np.where(
        open_, np.datetime64("NaT", "ns"), _at_minutes(arrival_day, receive_minute)
    )
    inflation = 1.0 + 0.02 * (orders.day - T) / 365.0
    cost = catalog.items["unit_cost"].to_numpy()[item] * inflation
    cost = np.round(cost * np.exp(rng.normal(0.0, 0.02, item.size)), 2)
    modes = np.array(network.supplier_mode, dtype=object)[sup]
    table = pd.DataFrame(
        {
            "po_id": np.array([f"PO{g + 1:06d}" for g in orders.group], dtype=object),
            "item_id": catalog.items["item_id"].to_numpy(dtype=object)[item],
            "supplier_id": np.asarray(network.supplier_ids, dtype=object)[sup],
            "location_id": np.asarray(network.warehouse_ids, dtype=object)[orders.pair % W],
            "ordered_at": ordered_at,
            "promised_at": promised_at,
            "received_at": received_at.astype("datetime64[ns]"),
            "quantity": orders.quantity.astype(np.float64),
            "received_quantity": np.where(open_, np.nan, orders.received).astype(np.float64),
            "unit_cost": cost.astype(np.float64),
            "mode": np.where(orders.air, "air", modes).astype(object),
        }
    )
    return table.sort_values(["po_id", "item_id"], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------------------
# Store deliveries
# --------------------------------------------------------------------------------------

_PATTERNS: tuple[tuple[int, ...], ...] = ((0, 3), (1, 4), (2, 5), (0, 2, 4), (1, 3, 5))


def _delivery_orders(
    config: SampleCompanyConfig, network: _Network, units: FloatArray
) -> pd.DataFrame:
    rng = _rng(config, 7)
    T = config.n_days
    first = max(0, T - 7 * config.delivery_weeks)
    days = config.start_day + np.arange(first, T + config.planned_days).astype("timedelta64[D]")
    n_days = days.size
    dow = (days.astype(np.int64) + 3) % 7
    planned = np.arange(first, T + config.planned_days) >= T
    # The season of the loads follows the warehouse's unit demand over the past week.
    volume = units.sum(axis=0)  # (W, T)
    weekly = np.stack([np.convolve(v, np.ones(7) / 7, mode="full")[:T] for v in volume])
    ref = weekly[:, first:T].mean(axis=1, keepdims=True)
    season = np.ones((volume.shape[0], n_days))
    season[:, : T - first] = weekly[:, first:T] / np.maximum(ref, 1e-9)
    disrupted = rng.random(n_days) < 0.1  # rain, traffic incidents

    n_st = config.n_stores
    pattern = rng.integers(0, len(_PATTERNS), n_st)
    start_hour = rng.choice(np.array([6, 7, 8, 9, 10, 13, 14]), size=n_st)
    width = np.minimum(rng.choice(np.array([2, 3, 4]), size=n_st), 18 - start_hour)
    service = np.round(np.clip(10 + 12 * network.store_size + rng.normal(0, 3, n_st), 10, 30))
    store_idx, day_idx = np.nonzero(
        np.array([[d in _PATTERNS[p] for d in dow] for p in pattern], dtype=np.bool_)
    )
    m = store_idx.size
    per_week = np.array([len(_PATTERNS[p]) for p in pattern])[store_idx]
    wh = network.store_warehouse[store_idx]
    kg = (
        network.store_size[store_idx]
        * 420.0
        * 7.0
        / (per_week * 2.5)
        * season[wh, day_idx]
        * np.exp(rng.normal(0.0, 0.12, m))
    )
    w_start = start_hour[store_idx] * 60
    w_end = w_start + width[store_idx] * 60
    scheduled = w_start + np.round(rng.uniform(0.15, 0.6, m) * width[store_idx] * 12) * 5
    # Afternoon windows and rush hours see more late arrivals.
    p_late = (
        0.05
        + 0.05 * (start_hour[store_idx] >= 13)
        + 0.05 * ((start_hour[store_idx] <= 8) | (w_end >= 17 * 60))
        + 0.25 * disrupted[day_idx]
    )
    late = rng.random(m) < p_late
    on_time = np.clip(scheduled + rng.normal(0.0, 12.0, m), w_start, w_end)
    arrived = np.where(late, w_end + 5 + rng.exponential(40.0, m), on_time)
    outcome = rng.random(m)
    failed = outcome < 0.012 + 0.03 * disrupted[day_idx]
    cancelled = (~failed) & (outcome > 0.995)
    status = np.where(failed, "failed", np.where(cancelled, "cancelled", "delivered"))
    status = np.where(planned[day_idx], "planned", status)
    delivered = status == "delivered"
    day_of = days[day_idx]
    frame = pd.DataFrame(
        {
            "location_id": np.asarray(network.store_ids, dtype=object)[store_idx],
            "depot_id": np.asarray(network.warehouse_ids, dtype=object)[wh],
            "demand": np.round(kg, 1).astype(np.float64),
            "window_start": _at_minutes(day_of, w_start),
            "window_end": _at_minutes(day_of, w_end),
            "service_minutes": service[store_idx].astype(np.float64),
            "scheduled_at": _at_minutes(day_of, scheduled),
            "delivered_at": np.where(
                delivered, _at_minutes(day_of, np.round(arrived)), np.datetime64("NaT", "ns")
            ).astype("datetime64[ns]"),
            "status": status.astype(object),
        }
    )
    frame = frame.sort_values(["window_start", "location_id"], kind="stable", ignore_index=True)
    frame.insert(0, "order_id", [f"DO{k + 1:06d}" for k in range(len(frame))])
    return frame


# --------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------

# fmt: off
_COMPLAINTS = (
    "late_delivery", "damaged", "wrong_item", "missing_item", "quality", "price",
    "customer_service",
)
_CHANNELS = ("app_review", "chat", "email", "social", "survey")

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

_BODIES: dict[str, dict[str, tuple[str, ...]]] = {
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

_DELIVERY_LINKED = ("late_delivery", "damaged", "wrong_item", "missing_item")
_ITEM_LINKED = ("damaged", "wrong_item", "missing_item", "quality", "price")
# fmt: on


def _delay_text(minutes: float, language: str) -> str:
    if minutes >= 90:
        hours = round(minutes / 60)
        return f"{hours}个小时" if language == "zh" else f"{hours} hours"
    rounded = max(5, round(minutes / 5) * 5)
    return f"{rounded}分钟" if language == "zh" else f"{rounded} minutes"


def _compose(
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
    template = pick(_BODIES[language][topic])
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


def _late_complaint_times(
    rng: np.random.Generator, late: pd.DataFrame, n: int, horizon_end: np.datetime64
) -> tuple[npt.NDArray[np.datetime64], IntArray]:
    """Late deliveries prompt complaints within a day or so: their times and sources."""
    from_late = np.nonzero(rng.random(len(late)) < 0.35)[0]
    if from_late.size > n // 4:
        from_late = np.sort(rng.choice(from_late, size=n // 4, replace=False))
    after = (rng.uniform(30, 30 * 60, from_late.size) * _NS_PER_MINUTE).astype("timedelta64[ns]")
    times = late["delivered_at"].to_numpy()[from_late] + after
    return np.minimum(times, horizon_end).astype("datetime64[ns]"), from_late.astype(np.int64)


def _feedback_labels(
    rng: np.random.Generator, n_late: int, in_window: BoolArray
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Sentiments and complaint types; the first ``n_late`` are late-delivery complaints."""
    n = in_window.size
    drawn = rng.choice(
        np.array(["negative", "neutral", "positive"]), size=n - n_late, p=[0.3, 0.22, 0.48]
    )
    sentiment = np.array(["negative"] * n_late + list(drawn), dtype=object)
    topic = np.array(["late_delivery"] * n_late + [""] * (n - n_late), dtype=object)
    weights = np.array([0.12, 0.15, 0.1, 0.1, 0.28, 0.13, 0.12])
    for j in range(n_late, n):
        if sentiment[j] == "negative":
            w = weights.copy()
            if in_window[j]:
                w[0] = 0.0  # there, late-delivery complaints come from actual late deliveries
            topic[j] = _COMPLAINTS[int(rng.choice(len(_COMPLAINTS), p=w / w.sum()))]
        elif sentiment[j] == "neutral" and rng.random() < 0.3:
            topic[j] = ("price", "customer_service")[int(rng.integers(2))]
    return sentiment, topic


def _feedback(
    config: SampleCompanyConfig,
    catalog: _Catalog,
    cal: _Calendar,
    mean: FloatArray,
    deliveries: pd.DataFrame,
) -> pd.DataFrame:
    rng = _rng(config, 8)
    n, T = config.n_feedback, config.n_days
    horizon_end = _ns(cal.days[-1:])[0] + np.timedelta64(23 * 60 + 59, "m")
    done = deliveries[deliveries["status"] == "delivered"]
    delay = (done["delivered_at"] - done["window_end"]).dt.total_seconds().to_numpy() / 60.0
    late = done[delay > 20.0]
    late_delay = delay[delay > 20.0]
    late_at, from_late = _late_complaint_times(rng, late, n, horizon_end)
    k = from_late.size

    # The rest follows the business volume over the horizon, mostly in the evening.
    volume = mean.sum(axis=(0, 1))
    day = rng.choice(T, size=n - k, p=volume / volume.sum())
    hour_w = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 7, 6, 5, 5, 6, 7, 8, 9, 10, 9, 6, 3.0])
    minute = rng.choice(24, size=n - k, p=hour_w / hour_w.sum()) * 60 + rng.integers(0, 60, n - k)
    timestamps = np.concatenate([late_at, _at_minutes(cal.days[day], minute)])
    first_delivery = (
        deliveries["window_start"].min() if len(deliveries) else np.datetime64("NaT", "ns")
    )
    sentiment, topic = _feedback_labels(rng, k, timestamps >= first_delivery)

    language = np.where(rng.random(n) < config.chinese_share, "zh", "en").astype(object)
    channel = np.array(_CHANNELS, dtype=object)[
        rng.choice(len(_CHANNELS), size=n, p=[0.35, 0.2, 0.15, 0.15, 0.15])
    ]
    item_ids = catalog.items["item_id"].to_numpy(dtype=object)
    names_en = catalog.items["name"].to_numpy(dtype=object)
    start_ns = _ns(cal.days[:1])[0]
    day_of = ((timestamps - start_ns) // np.timedelta64(1, "D")).astype(np.int64)
    done_at = done["delivered_at"].to_numpy()
    done_ids = done["order_id"].to_numpy(dtype=object)
    late_ids = late["order_id"].to_numpy(dtype=object)

    texts: list[str] = []
    items: list[str | None] = []
    orders: list[str | None] = []
    for j in range(n):
        t = int(min(max(day_of[j], 0), T - 1))
        active = (catalog.launch_day <= t) & (catalog.end_day >= t)
        w = np.where(active, catalog.level, 0.0)
        item = int(rng.choice(w.size, p=w / w.sum())) if w.sum() > 0 else int(rng.integers(w.size))
        order: str | None = None
        minutes = float(rng.uniform(30, 180))
        if j < k:
            order = str(late_ids[from_late[j]])
            minutes = float(late_delay[from_late[j]])
        elif topic[j] in _DELIVERY_LINKED and rng.random() < 0.7:
            recent = np.nonzero(
                (done_at < timestamps[j]) & (done_at >= timestamps[j] - np.timedelta64(3, "D"))
            )[0]
            if recent.size:
                order = str(done_ids[recent[int(rng.integers(recent.size))]])
        label = str(topic[j]) or str(sentiment[j])
        if label == "quality" and not _CATEGORIES[int(catalog.category[item])].food:
            label = "quality_goods"
        product = catalog.name_zh[item] if language[j] == "zh" else str(names_en[item])
        text, named = _compose(
            rng,
            str(language[j]),
            str(sentiment[j]),
            label if label in _BODIES["zh"] else str(sentiment[j]),
            product,
            order,
            minutes,
            str(channel[j]),
        )
        texts.append(text)
        linked = named and (topic[j] in _ITEM_LINKED or rng.random() < 0.6)
        items.append(str(item_ids[item]) if linked else None)
        orders.append(order)

    frame = pd.DataFrame(
        {
            "timestamp": timestamps,
            "channel": channel,
            "language": language,
            "text": np.array(texts, dtype=object),
            "sentiment": sentiment,
            "complaint_type": np.array([str(t) if t else None for t in topic], dtype=object),
            "item_id": np.array(items, dtype=object),
            "order_id": np.array(orders, dtype=object),
        }
    )
    frame = frame.sort_values("timestamp", kind="stable", ignore_index=True)
    frame.insert(0, "feedback_id", np.array([f"FB{k + 1:06d}" for k in range(n)], dtype=object))
    return frame


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def generate_sample_company(
    config: SampleCompanyConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate the seven tables of the synthetic sample company.

    Parameters
    ----------
    config
        Size and seed of the company; the defaults when ``None``.
    progress
        Called with a short message before each stage.

    Returns
    -------
    dict
        ``items``, ``locations``, ``demand``, ``inventory``, ``purchase_orders``,
        ``delivery_orders`` and ``feedback``, each with the columns of
        :mod:`supplymind.data.schema` in declared order. The same configuration gives
        identical tables.
    """
    config = SampleCompanyConfig() if config is None else config

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    say("locations")
    network = _network(config)
    say("items")
    catalog = _catalog(config, network)
    cal = _calendar(config, config.n_days)
    say("demand")
    promo = _promotions(config, catalog)
    mean = _expected_demand(catalog, cal, promo)
    units = _sample_demand(config, catalog, mean)
    demand = _demand_table(network, catalog, cal, promo, units)
    say("inventory and purchase orders")
    snaps, orders = _simulate(config, network, catalog, mean, units)
    inventory = _inventory_table(network, catalog, cal, snaps)
    purchase_orders = _purchase_order_table(config, network, catalog, cal, orders)
    say("delivery orders")
    deliveries = _delivery_orders(config, network, units)
    say("feedback")
    feedback = _feedback(config, catalog, cal, mean, deliveries)
    return {
        "items": catalog.items,
        "locations": network.locations,
        "demand": demand,
        "inventory": inventory,
        "purchase_orders": purchase_orders,
        "delivery_orders": deliveries,
        "feedback": feedback,
    }


def sample_ground_truth(config: SampleCompanyConfig | None = None) -> dict[str, pd.DataFrame]:
    """The hidden parameters behind :func:`generate_sample_company`.

    Parameters
    ----------
    config
        The configuration the company was generated with.

    Returns
    -------
    dict
        ``items``: per SKU its ``intermittent`` flag, mean daily ``level`` per warehouse,
        ``annual_growth``, ``weekend_amplitude``, ``summer_amplitude`` and price
        ``elasticity``. ``suppliers``: per supplier its usual ``mode``,
        ``nominal_lead_days`` and ``unreliable`` flag. ``stores``: the warehouse serving
        each store.
    """
    config = SampleCompanyConfig() if config is None else config
    network = _network(config)
    catalog = _catalog(config, network)
    return {
        "items": pd.DataFrame(
            {
                "item_id": catalog.items["item_id"],
                "intermittent": catalog.slow,
                "level": catalog.level,
                "annual_growth": catalog.growth,
                "weekend_amplitude": catalog.weekend,
                "summer_amplitude": catalog.summer,
                "elasticity": catalog.elasticity,
            }
        ),
        "suppliers": pd.DataFrame(
            {
                "supplier_id": network.supplier_ids,
                "mode": network.supplier_mode,
                "nominal_lead_days": network.supplier_lead,
                "unreliable": network.supplier_unreliable,
            }
        ),
        "stores": pd.DataFrame(
            {
                "store_id": network.store_ids,
                "warehouse_id": np.asarray(network.warehouse_ids, dtype=object)[
                    network.store_warehouse
                ],
            }
        ),
    }
