"""Places of the sample company: central Shanghai, its logistics parks and districts,
and the suppliers (invented companies in real cities).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DISTRICTS", "KM_PER_DEG_LAT", "SHANGHAI", "SUPPLIERS", "WAREHOUSE_SITES", "Supplier"]

SHANGHAI = (31.2304, 121.4737)
KM_PER_DEG_LAT = 110.574


@dataclass(frozen=True)
class Supplier:
    """A supplier: its site, usual transport mode, nominal lead time and categories."""

    name: str
    country: str
    lat: float
    lon: float
    mode: str  # usual transport mode, by distance: truck < 1,500 km in China, rail, sea
    lead_days: int  # nominal lead time
    categories: tuple[str, ...]


# fmt: off
SUPPLIERS: tuple[Supplier, ...] = (
    Supplier("Suzhou Jinhe Daily Chemicals", "CN", 31.2989, 120.5853, "truck", 3,
             ("household", "personal_care")),
    Supplier("Hangzhou Westlake Foods", "CN", 30.2741, 120.1551, "truck", 4,
             ("snacks", "pantry", "beverages")),
    Supplier("Shenzhen Pearl River Electronics", "CN", 22.5431, 114.0579, "truck", 6,
             ("electronics_accessories",)),
    Supplier("Qingdao Haibin Dairy", "CN", 36.0671, 120.3826, "truck", 4,
             ("dairy", "beverages", "frozen")),
    Supplier("Chengdu Tianfu Foods", "CN", 30.5728, 104.0668, "rail", 9,
             ("pantry", "snacks", "frozen")),
    Supplier("Saigon Agro Export", "VN", 10.8231, 106.6297, "sea", 16,
             ("snacks", "beverages", "frozen", "pantry")),
    Supplier("Busan Marine & Tech Trading", "KR", 35.1796, 129.0756, "sea", 8,
             ("electronics_accessories", "personal_care", "snacks")),
    Supplier("Auckland Pacific Dairy", "NZ", -36.8485, 174.7633, "sea", 24, ("dairy",)),
    Supplier("Osaka Kansai Trading", "JP", 34.6937, 135.5023, "sea", 10,
             ("personal_care", "snacks", "electronics_accessories")),
    Supplier("Hamburg Hanse Consumer", "DE", 53.5511, 9.9937, "rail", 28,
             ("household", "personal_care", "beverages")),
    Supplier("Bangkok Siam Beverages", "TH", 13.7563, 100.5018, "sea", 18,
             ("beverages", "snacks")),
    Supplier("Los Angeles West Coast Supply", "US", 34.0522, -118.2437, "sea", 30,
             ("electronics_accessories", "snacks", "personal_care")),
)
# fmt: on

# Logistics parks on the outskirts of Shanghai (approximate coordinates).
WAREHOUSE_SITES: tuple[tuple[str, float, float], ...] = (
    ("Jiading Logistics Park DC", 31.3420, 121.2180),
    ("Pudong Airport Logistics Park DC", 31.1690, 121.7620),
    ("Songjiang Logistics Park DC", 31.0330, 121.2300),
    ("Baoshan Luojing DC", 31.4580, 121.3600),
    ("Fengxian Nanqiao DC", 30.9200, 121.4740),
    ("Qingpu Zhaoxiang DC", 31.1560, 121.1660),
)

# District centres, used to name the stores.
# fmt: off
DISTRICTS: tuple[tuple[str, float, float], ...] = (
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
