"""Curated reference tables for the portfolio generator.

A key-account team segments its customers by industry, size and region
(行业、规模、地区).  The generator needs those categories to be stable across
releases, so they live here rather than in Faker's volatile data: industries
with their typical size, spend, risk and needs; size bands by employees; US
states and Chinese provinces (省份) with their main cities (城市); a product
catalogue of a B2B supplier; and the roles of a buying centre (采购中心).

Weights are relative (they are normalised where they are used).  Industry and
category codes are English in every locale so that analyses and policies can
key on them; the Chinese labels are given for display.
"""

from __future__ import annotations

from dataclasses import dataclass

from kamsim.vocabulary import LOCALES  # noqa: F401  (the locales kamsim generates; re-exported here)

#: Locales the generator supports.

#: Currency label of generated money columns (see docs/DESIGN.md: CU, default label CNY).
CURRENCY = "CNY"


@dataclass(frozen=True)
class Industry:
    """One industry and how its accounts tend to look.

    Attributes
    ----------
    code, label_zh
        English code (the value of ``accounts.industry``) and Chinese label.
    weight
        Relative frequency in a portfolio.
    size_tilt
        Shift towards larger size bands (log-odds units; 0 = average).
    spend_factor
        Multiplier of annual potential spend for a firm of a given size.
    risk_factor
        Multiplier of the 12-month probability of default.
    growth
        Mean latent growth potential (0-1).
    fit
        Mean strategic fit with our offer (0-1).
    needs
        Relative weights of the needs profiles price, quality, service,
        innovation, reliability.

    The words of Chinese company names per industry live in
    :data:`kamsim.generators.company_names_zh.INDUSTRY_WORDS`.
    """

    code: str
    label_zh: str
    weight: float
    size_tilt: float
    spend_factor: float
    risk_factor: float
    growth: float
    fit: float
    needs: tuple[float, float, float, float, float]


INDUSTRIES: tuple[Industry, ...] = (
    Industry("manufacturing", "制造业", 0.17, 0.3, 1.2, 1.0, 0.45, 0.65, (0.25, 0.30, 0.15, 0.10, 0.20)),
    Industry("automotive", "汽车", 0.07, 0.6, 1.5, 1.1, 0.40, 0.60, (0.30, 0.30, 0.10, 0.10, 0.20)),
    Industry("electronics", "电子", 0.09, 0.3, 1.3, 1.0, 0.55, 0.65, (0.20, 0.25, 0.10, 0.30, 0.15)),
    Industry("information_technology", "信息技术", 0.10, 0.0, 1.0, 1.2, 0.70, 0.55, (0.10, 0.15, 0.20, 0.45, 0.10)),
    Industry("healthcare", "医疗健康", 0.08, 0.2, 1.1, 0.7, 0.60, 0.50, (0.10, 0.35, 0.20, 0.15, 0.20)),
    Industry("retail", "零售", 0.10, 0.1, 0.8, 1.3, 0.40, 0.45, (0.45, 0.10, 0.25, 0.05, 0.15)),
    Industry("logistics", "物流", 0.08, 0.2, 0.9, 1.2, 0.45, 0.50, (0.35, 0.10, 0.20, 0.05, 0.30)),
    Industry("energy", "能源", 0.06, 0.8, 1.6, 0.8, 0.40, 0.50, (0.15, 0.20, 0.10, 0.15, 0.40)),
    Industry("construction", "建筑", 0.08, 0.2, 1.0, 1.6, 0.35, 0.40, (0.40, 0.20, 0.10, 0.05, 0.25)),
    Industry("food_beverage", "食品饮料", 0.07, 0.1, 0.8, 1.0, 0.40, 0.45, (0.35, 0.30, 0.15, 0.05, 0.15)),
    Industry("financial_services", "金融服务", 0.06, 0.5, 1.2, 0.6, 0.50, 0.45, (0.10, 0.20, 0.35, 0.20, 0.15)),
)

#: Needs profiles in the order of :attr:`Industry.needs` (schema ``needs_profile``).
NEEDS_PROFILES: tuple[str, ...] = ("price", "quality", "service", "innovation", "reliability")


@dataclass(frozen=True)
class SizeBand:
    """A size band: employees in ``[min_employees, max_employees]`` and base share of accounts."""

    name: str
    min_employees: int
    max_employees: int
    weight: float
    median_age_years: float
    contacts: tuple[int, int]  # min and max contacts per account (inclusive)
    prospect_share: float  # share of accounts of this band that are not yet customers


SIZE_BANDS: tuple[SizeBand, ...] = (
    SizeBand("small", 5, 49, 0.42, 8.0, (1, 2), 0.14),
    SizeBand("medium", 50, 249, 0.31, 15.0, (2, 3), 0.15),
    SizeBand("large", 250, 999, 0.17, 25.0, (3, 4), 0.17),
    SizeBand("enterprise", 1000, 20000, 0.10, 40.0, (4, 5), 0.20),
)


@dataclass(frozen=True)
class Region:
    """A sales region (US state or Chinese province) with its main cities, largest first."""

    name: str
    weight: float
    cities: tuple[str, ...]


US_STATES: tuple[Region, ...] = (
    Region("California", 0.14, ("Los Angeles", "San Francisco", "San Diego", "San Jose")),
    Region("Texas", 0.11, ("Houston", "Dallas", "Austin", "San Antonio")),
    Region("New York", 0.10, ("New York City", "Buffalo", "Rochester", "Albany")),
    Region("Florida", 0.07, ("Miami", "Orlando", "Tampa", "Jacksonville")),
    Region("Illinois", 0.06, ("Chicago", "Naperville", "Springfield")),
    Region("Pennsylvania", 0.05, ("Philadelphia", "Pittsburgh", "Allentown")),
    Region("Ohio", 0.05, ("Columbus", "Cleveland", "Cincinnati")),
    Region("Georgia", 0.04, ("Atlanta", "Savannah", "Augusta")),
    Region("Washington", 0.04, ("Seattle", "Spokane", "Tacoma")),
    Region("Massachusetts", 0.04, ("Boston", "Worcester", "Cambridge")),
    Region("North Carolina", 0.04, ("Charlotte", "Raleigh", "Greensboro")),
    Region("Michigan", 0.04, ("Detroit", "Grand Rapids", "Ann Arbor")),
    Region("New Jersey", 0.04, ("Newark", "Jersey City", "Princeton")),
    Region("Virginia", 0.035, ("Richmond", "Virginia Beach", "Arlington")),
    Region("Arizona", 0.03, ("Phoenix", "Tucson", "Mesa")),
    Region("Colorado", 0.03, ("Denver", "Colorado Springs", "Boulder")),
    Region("Minnesota", 0.025, ("Minneapolis", "Saint Paul", "Rochester")),
    Region("Tennessee", 0.025, ("Nashville", "Memphis", "Knoxville")),
    Region("Indiana", 0.02, ("Indianapolis", "Fort Wayne")),
    Region("Wisconsin", 0.02, ("Milwaukee", "Madison")),
)

CN_PROVINCES: tuple[Region, ...] = (
    Region("广东省", 0.13, ("广州市", "深圳市", "东莞市", "佛山市")),
    Region("江苏省", 0.11, ("南京市", "苏州市", "无锡市", "常州市")),
    Region("浙江省", 0.09, ("杭州市", "宁波市", "温州市", "嘉兴市")),
    Region("山东省", 0.08, ("济南市", "青岛市", "烟台市", "潍坊市")),
    Region("上海市", 0.07, ("上海市",)),
    Region("北京市", 0.06, ("北京市",)),
    Region("河南省", 0.05, ("郑州市", "洛阳市")),
    Region("四川省", 0.05, ("成都市", "绵阳市")),
    Region("湖北省", 0.045, ("武汉市", "宜昌市", "襄阳市")),
    Region("福建省", 0.045, ("福州市", "厦门市", "泉州市")),
    Region("湖南省", 0.04, ("长沙市", "株洲市")),
    Region("安徽省", 0.035, ("合肥市", "芜湖市")),
    Region("河北省", 0.035, ("石家庄市", "唐山市", "保定市")),
    Region("天津市", 0.03, ("天津市",)),
    Region("重庆市", 0.03, ("重庆市",)),
    Region("陕西省", 0.03, ("西安市", "宝鸡市")),
    Region("辽宁省", 0.03, ("沈阳市", "大连市")),
    Region("江西省", 0.02, ("南昌市", "赣州市")),
    Region("云南省", 0.015, ("昆明市",)),
    Region("广西壮族自治区", 0.015, ("南宁市", "柳州市")),
)

#: Regions per locale.
REGIONS: dict[str, tuple[Region, ...]] = {"en_US": US_STATES, "zh_CN": CN_PROVINCES}

#: Relative weight of the 1st, 2nd, ... city of a region (truncated and renormalised).
CITY_WEIGHTS: tuple[float, ...] = (0.5, 0.25, 0.15, 0.10)


@dataclass(frozen=True)
class ProductTemplate:
    """A product line of the supplier's catalogue; prices in CU per unit."""

    category: str
    name_en: str
    name_zh: str
    price_range: tuple[float, float]
    margin_range: tuple[float, float]


#: Catalogue templates, interleaved by category so that the first k cover every category.
PRODUCT_TEMPLATES: tuple[ProductTemplate, ...] = (
    ProductTemplate("components", "Precision Bearing Set", "精密轴承组件", (800, 2500), (0.25, 0.35)),
    ProductTemplate("equipment", "Industrial Pump", "工业泵", (20000, 80000), (0.18, 0.28)),
    ProductTemplate("consumables", "Lubricant Drum", "润滑油桶装", (300, 1200), (0.35, 0.45)),
    ProductTemplate("services", "Maintenance Contract", "维保服务合同", (5000, 30000), (0.45, 0.60)),
    ProductTemplate("software", "Monitoring Software Licence", "监控软件许可", (8000, 40000), (0.65, 0.80)),
    ProductTemplate("components", "Control Valve Assembly", "控制阀总成", (1500, 6000), (0.25, 0.35)),
    ProductTemplate("equipment", "Automation Controller", "自动化控制器", (15000, 60000), (0.18, 0.28)),
    ProductTemplate("consumables", "Filter Cartridge Pack", "滤芯套装", (200, 900), (0.35, 0.45)),
    ProductTemplate("services", "On-site Training Day", "现场培训", (3000, 12000), (0.45, 0.60)),
    ProductTemplate("software", "Analytics Subscription", "数据分析订阅", (6000, 30000), (0.65, 0.80)),
    ProductTemplate("components", "Sensor Module", "传感器模块", (600, 3000), (0.25, 0.35)),
    ProductTemplate("equipment", "Packaging Line Unit", "包装线单元", (50000, 200000), (0.18, 0.28)),
    ProductTemplate("consumables", "Safety Supplies Kit", "安全防护用品套装", (150, 600), (0.35, 0.45)),
    ProductTemplate("services", "Installation Service", "安装调试服务", (4000, 20000), (0.45, 0.60)),
    ProductTemplate("software", "Asset Management Seat", "设备管理软件席位", (1000, 5000), (0.65, 0.80)),
)

#: Buying-centre roles other than the decision maker, with relative weights.
CONTACT_ROLES: tuple[tuple[str, float], ...] = (
    ("influencer", 0.30),
    ("buyer", 0.30),
    ("user", 0.25),
    ("gatekeeper", 0.15),
)

#: Seniority order (schema ``contacts.seniority``).
SENIORITIES: tuple[str, ...] = ("c_level", "director", "manager", "staff")

#: P(seniority | role) in the order of :data:`SENIORITIES`.
SENIORITY_BY_ROLE: dict[str, tuple[float, float, float, float]] = {
    "decision_maker": (0.45, 0.45, 0.10, 0.00),
    "influencer": (0.10, 0.40, 0.40, 0.10),
    "buyer": (0.00, 0.15, 0.55, 0.30),
    "user": (0.00, 0.05, 0.35, 0.60),
    "gatekeeper": (0.00, 0.05, 0.30, 0.65),
}


def industry_codes() -> tuple[str, ...]:
    """Codes of :data:`INDUSTRIES` in table order."""
    return tuple(i.code for i in INDUSTRIES)


def size_band_names() -> tuple[str, ...]:
    """Names of :data:`SIZE_BANDS`, smallest first."""
    return tuple(b.name for b in SIZE_BANDS)
