"""Demo catalogues: a wholesaler, a local grower and a surplus-food supplier for Fishwick.

The wholesaler's few hundred staples are generated from compact lines of
brands and sizes. Prices are plausible UK prices for late 2026 but made up,
as are the suppliers, addresses and reference prices: every supplier says so
in its notes. Fishwick shares the wholesaler with the co-ops of its council
and Ribbleton subscribes to it, so the demo shows a shared catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import insert

from coop.domain.catalogue import Tag, tags_to_bits
from coop.domain.money import round_half_up
from coop.extensions import db
from coop.models import Coop, Product, ShareScope, Supplier, SupplierKind
from coop.services.catalogue.sharing import set_share_scope, subscribe_to_catalogue

PRICED_ON = date(2026, 11, 2)
DEMO_NOTE = "Demo supplier: its name, address and prices are made up for trying coop."

VEGAN, VEGETARIAN, HALAL = Tag.VEGAN, Tag.VEGETARIAN, Tag.HALAL
GLUTEN_FREE, ORGANIC, FAIRTRADE, LOCAL = Tag.GLUTEN_FREE, Tag.ORGANIC, Tag.FAIRTRADE, Tag.LOCAL
PLANT = (VEGAN, VEGETARIAN)
PLANT_GF = (VEGAN, VEGETARIAN, GLUTEN_FREE)


@dataclass(frozen=True)
class Brand:
    """A maker of a line, its price against the line's base, and tags of its own."""

    name: str
    percent: int = 100
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True)
class Size:
    """A pack size: the member unit, how many come in a case, the base shop price of one."""

    unit: str
    case: int
    shop_pence: int


@dataclass(frozen=True)
class Line:
    """A kind of product every brand of which comes in every size."""

    code: str
    name: str
    category: str
    brands: tuple[Brand, ...]
    sizes: tuple[Size, ...]
    tags: tuple[Tag, ...] = ()
    vat_bp: int = 0
    origin: str = ""
    # What the wholesaler charges ex VAT, as a percentage of the shop price ex VAT.
    wholesale_percent: int = 72


def _b(*specs: str | tuple[str, int] | tuple[str, int, tuple[Tag, ...]]) -> tuple[Brand, ...]:
    brands = []
    for spec in specs:
        if isinstance(spec, str):
            brands.append(Brand(spec))
        else:
            brands.append(Brand(*spec))
    return tuple(brands)


def _s(*specs: tuple[str, int, int]) -> tuple[Size, ...]:
    return tuple(Size(*spec) for spec in specs)


OWN = ("Northern Essentials", 85)
SUMA = ("Suma", 120, (ORGANIC,))

# The table reads best one line of products per entry.
# fmt: off
LINES = (
    # Rice, grains and pasta
    Line("RICB", "basmati rice", "Rice and grains",
         _b(("Tilda", 145), ("Laila", 105), "East End", SUMA),
         _s(("500 g bag", 12, 165), ("1 kg bag", 10, 260), ("5 kg sack", 4, 1050)),
         PLANT_GF, origin="India"),
    Line("RICL", "long grain rice", "Rice and grains",
         _b(OWN, ("Ben's Original", 160), "Whitworths"),
         _s(("1 kg bag", 10, 150), ("2 kg bag", 6, 280)), PLANT_GF, origin="Italy"),
    Line("RICR", "brown rice", "Rice and grains", _b(SUMA, "Whitworths"),
         _s(("1 kg bag", 10, 210), ("3 kg bag", 4, 580)), PLANT_GF, origin="Italy"),
    Line("OATS", "porridge oats", "Rice and grains",
         _b(OWN, ("Quaker", 150), ("Mornflake", 115), SUMA),
         _s(("1 kg bag", 10, 165), ("2 kg bag", 6, 300), ("3 kg sack", 4, 420)),
         PLANT, origin="UK"),
    Line("COUS", "couscous", "Rice and grains", _b("Crazy Jack", OWN),
         _s(("500 g bag", 12, 130), ("1 kg bag", 10, 240)), PLANT),
    Line("QUIN", "quinoa", "Rice and grains", _b(SUMA, "Merchant Gourmet"),
         _s(("500 g bag", 8, 350),), PLANT_GF, origin="Peru"),
    Line("SPAG", "spaghetti", "Pasta and noodles",
         _b(OWN, ("De Cecco", 190), ("Napolina", 130), ("Barilla", 150)),
         _s(("500 g bag", 24, 95), ("1 kg bag", 12, 175)), PLANT, origin="Italy"),
    Line("PENN", "penne", "Pasta and noodles",
         _b(OWN, ("De Cecco", 190), ("Napolina", 130), ("Barilla", 150)),
         _s(("500 g bag", 24, 95), ("1 kg bag", 12, 175)), PLANT, origin="Italy"),
    Line("FUSI", "fusilli", "Pasta and noodles",
         _b(OWN, ("Napolina", 130), ("Barilla", 150)),
         _s(("500 g bag", 24, 95), ("1 kg bag", 12, 175)), PLANT, origin="Italy"),
    Line("MACA", "macaroni", "Pasta and noodles", _b(OWN, ("Napolina", 130), SUMA),
         _s(("500 g bag", 24, 100),), PLANT, origin="Italy"),
    Line("GFPA", "gluten-free fusilli", "Pasta and noodles", _b("Doves Farm", "Free From"),
         _s(("500 g bag", 12, 150),), PLANT_GF, origin="Italy"),
    Line("NOOD", "medium egg noodles", "Pasta and noodles", _b("Amoy", "Blue Dragon"),
         _s(("300 g pack", 12, 150),), (VEGETARIAN,), origin="China"),
    # Tins and jars
    Line("TOMC", "chopped tomatoes", "Tins and jars",
         _b(OWN, ("Napolina", 140), ("Mutti", 190), ("Cirio", 150)),
         _s(("400 g tin", 24, 60), ("2.5 kg catering tin", 6, 380)), PLANT_GF, origin="Italy"),
    Line("TOMP", "plum tomatoes", "Tins and jars", _b(OWN, ("Napolina", 140), ("Cirio", 150)),
         _s(("400 g tin", 24, 65),), PLANT_GF, origin="Italy"),
    Line("PASS", "passata", "Tins and jars", _b(OWN, ("Mutti", 180), ("Napolina", 130)),
         _s(("500 g carton", 12, 80),), PLANT_GF, origin="Italy"),
    Line("BEAN", "baked beans", "Tins and jars",
         _b(OWN, ("Heinz", 175), ("Branston", 130), ("Biona", 190, (ORGANIC,))),
         _s(("415 g tin", 24, 80), ("2.6 kg catering tin", 6, 520)), PLANT_GF, origin="UK"),
    Line("CHKT", "chickpeas in water", "Tins and jars", _b(OWN, ("KTC", 110), ("Biona", 190)),
         _s(("400 g tin", 24, 70),), PLANT_GF),
    Line("KIDN", "red kidney beans", "Tins and jars", _b(OWN, ("KTC", 110), ("Biona", 190)),
         _s(("400 g tin", 24, 65),), PLANT_GF),
    Line("BLKB", "black beans", "Tins and jars", _b(OWN, ("Biona", 190)),
         _s(("400 g tin", 24, 75),), PLANT_GF),
    Line("CORN", "sweetcorn", "Tins and jars", _b(OWN, ("Green Giant", 150), "Princes"),
         _s(("326 g tin", 12, 75),), PLANT_GF, origin="Thailand"),
    Line("COCO", "coconut milk", "Tins and jars", _b(OWN, ("KTC", 110), ("Biona", 190)),
         _s(("400 ml tin", 12, 115),), PLANT_GF, origin="Sri Lanka"),
    Line("TUNA", "tuna chunks in spring water", "Tins and jars",
         _b(OWN, ("John West", 160), "Princes"),
         _s(("145 g tin", 24, 110),), (GLUTEN_FREE,), origin="Ecuador"),
    Line("SOUP", "lentil and vegetable soup", "Tins and jars", _b(OWN, ("Heinz", 150)),
         _s(("400 g tin", 12, 95),), PLANT, origin="UK"),
    Line("PNBT", "smooth peanut butter", "Tins and jars",
         _b(OWN, ("Whole Earth", 160), ("Meridian", 180, (ORGANIC,))),
         _s(("340 g jar", 6, 230),), PLANT_GF),
    Line("JAMS", "strawberry jam", "Tins and jars", _b(OWN, ("Hartley's", 140), "Bonne Maman"),
         _s(("340 g jar", 6, 150),), PLANT_GF, origin="UK"),
    # Pulses
    Line("LENR", "red split lentils", "Pulses", _b(OWN, ("KTC", 110), ("East End", 105), SUMA),
         _s(("500 g bag", 12, 130), ("2 kg bag", 6, 450)), PLANT_GF, origin="Canada"),
    Line("LENG", "green lentils", "Pulses", _b(("East End", 105), SUMA),
         _s(("500 g bag", 12, 140), ("2 kg bag", 6, 480)), PLANT_GF, origin="Canada"),
    Line("CHKD", "dried chickpeas", "Pulses", _b(("East End", 105), ("KTC", 110), SUMA),
         _s(("500 g bag", 12, 120), ("2 kg bag", 6, 420)), PLANT_GF, origin="India"),
    Line("SPLT", "yellow split peas", "Pulses", _b(("East End", 105), "Whitworths"),
         _s(("500 g bag", 12, 110),), PLANT_GF, origin="UK"),
    # Baking
    Line("FLRP", "plain flour", "Baking",
         _b(OWN, ("McDougalls", 130), ("Allinson's", 140), ("Doves Farm", 180, (ORGANIC,))),
         _s(("1.5 kg bag", 10, 95), ("16 kg sack", 1, 1350)), PLANT, origin="UK"),
    Line("FLRS", "self-raising flour", "Baking",
         _b(OWN, ("McDougalls", 130), ("Doves Farm", 180, (ORGANIC,))),
         _s(("1.5 kg bag", 10, 100),), PLANT, origin="UK"),
    Line("FLRB", "strong wholemeal bread flour", "Baking",
         _b(("Allinson's", 140), ("Doves Farm", 180, (ORGANIC,))),
         _s(("1.5 kg bag", 10, 110), ("16 kg sack", 1, 1450)), PLANT, origin="UK"),
    Line("YEAS", "dried yeast", "Baking", _b("Allinson's", "Doves Farm"),
         _s(("100 g tin", 6, 180),), PLANT_GF, origin="UK"),
    Line("SUGG", "granulated sugar", "Baking",
         _b(OWN, ("Tate & Lyle", 130), ("Silver Spoon", 125), ("Traidcraft", 170, (FAIRTRADE,))),
         _s(("1 kg bag", 15, 120), ("5 kg bag", 4, 560)), PLANT_GF, origin="UK"),
    Line("SUGB", "light brown soft sugar", "Baking", _b(("Billington's", 150), OWN),
         _s(("500 g bag", 10, 150),), PLANT_GF, origin="Mauritius"),
    # Oils
    Line("OILS", "sunflower oil", "Oils and vinegar",
         _b(OWN, ("Flora", 150), ("KTC", 115)),
         _s(("1 litre bottle", 12, 210), ("5 litre drum", 2, 950)), PLANT_GF),
    Line("OILV", "vegetable oil", "Oils and vinegar", _b(OWN, ("KTC", 115)),
         _s(("1 litre bottle", 12, 190), ("5 litre drum", 2, 850)), PLANT_GF),
    Line("OILR", "cold-pressed rapeseed oil", "Oils and vinegar", _b("Yorkshire Rapeseed Oil"),
         _s(("500 ml bottle", 6, 450),), PLANT_GF, origin="UK"),
    Line("OILO", "olive oil", "Oils and vinegar",
         _b(OWN, ("Filippo Berio", 140), ("Napolina", 125)),
         _s(("500 ml bottle", 12, 550), ("1 litre bottle", 6, 1000)), PLANT_GF, origin="Spain"),
    Line("VINM", "malt vinegar", "Oils and vinegar", _b(("Sarson's", 130), OWN),
         _s(("568 ml bottle", 12, 100),), PLANT, origin="UK"),
    # Tea and coffee
    Line("TEAB", "tea bags", "Tea and coffee",
         _b(("Yorkshire Tea", 130), ("PG Tips", 125), ("Clipper", 140, (FAIRTRADE, ORGANIC)),
            ("Teapigs", 250)),
         _s(("80 bags", 12, 300), ("240 bags", 6, 800)), PLANT_GF, origin="Kenya"),
    Line("TEAR", "rooibos tea bags", "Tea and coffee",
         _b(("Clipper", 140, (FAIRTRADE, ORGANIC)), OWN),
         _s(("40 bags", 6, 200),), PLANT_GF, origin="South Africa"),
    Line("COFG", "ground coffee", "Tea and coffee",
         _b(("Cafédirect", 130, (FAIRTRADE,)), ("Lavazza", 140), OWN),
         _s(("227 g pack", 6, 420),), PLANT_GF, origin="Colombia"),
    Line("COFI", "instant coffee", "Tea and coffee",
         _b(("Kenco", 130), ("Nescafé", 140), ("Cafédirect", 150, (FAIRTRADE,))),
         _s(("100 g jar", 6, 450), ("200 g jar", 6, 800)), PLANT_GF),
    Line("COCP", "cocoa powder", "Tea and coffee", _b(("Cadbury", 130), "Green & Black's"),
         _s(("250 g tub", 6, 350),), PLANT_GF),
    # Breakfast cereals
    Line("CFLK", "cornflakes", "Breakfast cereals", _b(OWN, ("Kellogg's", 170), "Nature's Path"),
         _s(("500 g box", 10, 150),), (VEGETARIAN,)),
    Line("WBIS", "wholewheat biscuits", "Breakfast cereals", _b(OWN, ("Weetabix", 160)),
         _s(("24 biscuits", 10, 180), ("48 biscuits", 6, 330)), (VEGETARIAN,), origin="UK"),
    Line("MUES", "no-added-sugar muesli", "Breakfast cereals", _b(("Alpen", 150), SUMA),
         _s(("1 kg bag", 6, 350),), PLANT),
    Line("BRAN", "bran flakes", "Breakfast cereals", _b(OWN, ("Kellogg's", 170)),
         _s(("750 g box", 8, 200),), (VEGETARIAN,)),
    # Herbs and spices
    Line("SPCU", "ground cumin", "Herbs and spices", _b(("East End", 100), ("Schwartz", 230)),
         _s(("100 g bag", 10, 120),), PLANT_GF, origin="India"),
    Line("SPTU", "ground turmeric", "Herbs and spices", _b(("East End", 100), ("Schwartz", 230)),
         _s(("100 g bag", 10, 110),), PLANT_GF, origin="India"),
    Line("SPCH", "chilli powder", "Herbs and spices", _b(("East End", 100), ("Schwartz", 230)),
         _s(("100 g bag", 10, 115),), PLANT_GF, origin="India"),
    Line("SPGM", "garam masala", "Herbs and spices", _b(("East End", 100), ("Schwartz", 230)),
         _s(("100 g bag", 10, 130),), PLANT_GF, origin="India"),
    Line("SPPA", "smoked paprika", "Herbs and spices", _b(("East End", 100), ("Schwartz", 230)),
         _s(("100 g bag", 10, 150),), PLANT_GF, origin="Spain"),
    Line("SPPE", "ground black pepper", "Herbs and spices", _b(("East End", 100), OWN),
         _s(("100 g bag", 10, 160),), PLANT_GF, origin="Vietnam"),
    Line("SPMH", "mixed herbs", "Herbs and spices", _b(("Schwartz", 230), OWN),
         _s(("50 g bag", 10, 100),), PLANT_GF),
    Line("SALT", "table salt", "Herbs and spices", _b(("Saxa", 130), OWN),
         _s(("750 g drum", 12, 80),), PLANT_GF, origin="UK"),
    Line("STCK", "vegetable stock cubes", "Herbs and spices",
         _b(("Oxo", 130), ("Kallo", 150, (ORGANIC,)), OWN),
         _s(("12 cubes", 12, 130),), PLANT),
    # Milk and drinks
    Line("MLKS", "semi-skimmed UHT milk", "Milk and drinks",
         _b(OWN, ("Cravendale", 170), ("Arla", 150)),
         _s(("1 litre carton", 12, 95),), (VEGETARIAN, GLUTEN_FREE), origin="UK"),
    Line("MLKW", "whole UHT milk", "Milk and drinks", _b(OWN, ("Arla", 150)),
         _s(("1 litre carton", 12, 100),), (VEGETARIAN, GLUTEN_FREE), origin="UK"),
    Line("OATD", "oat drink", "Milk and drinks",
         _b(("Oatly", 170), ("Alpro", 150), OWN, ("Provamel", 180, (ORGANIC,))),
         _s(("1 litre carton", 8, 110),), PLANT, origin="Sweden"),
    Line("SOYD", "soya drink", "Milk and drinks", _b(("Alpro", 150), OWN),
         _s(("1 litre carton", 8, 105),), PLANT_GF),
    Line("SQSH", "orange squash, no added sugar", "Milk and drinks",
         _b(OWN, ("Robinsons", 160)), _s(("1 litre bottle", 12, 100),), PLANT_GF, vat_bp=2000),
    # Toiletries
    Line("TPST", "fluoride toothpaste", "Toiletries", _b(OWN, ("Colgate", 160), ("Aquafresh", 140)),
         _s(("100 ml tube", 12, 150),), vat_bp=2000),
    Line("TBRS", "toothbrushes, medium", "Toiletries", _b(OWN, ("Colgate", 160)),
         _s(("pack of 4", 6, 300),), vat_bp=2000),
    Line("SHMP", "shampoo", "Toiletries",
         _b(OWN, ("Head & Shoulders", 190), ("Faith in Nature", 200)),
         _s(("400 ml bottle", 6, 180),), vat_bp=2000),
    Line("SHWR", "shower gel", "Toiletries", _b(OWN, ("Radox", 130), ("Carex", 120)),
         _s(("500 ml bottle", 6, 150),), vat_bp=2000),
    Line("SOAP", "bar soap", "Toiletries", _b(("Imperial Leather", 120), ("Dove", 160), OWN),
         _s(("pack of 4", 12, 200),), vat_bp=2000),
    Line("HWSH", "handwash refill", "Toiletries", _b(OWN, ("Carex", 130), ("Ecover", 180)),
         _s(("1 litre bottle", 6, 250),), vat_bp=2000),
    Line("DEOD", "roll-on deodorant", "Toiletries", _b(("Sure", 150), OWN),
         _s(("50 ml", 6, 175),), vat_bp=2000),
    Line("SANP", "sanitary pads, regular", "Toiletries",
         _b(("Always", 150), ("Natracare", 170), OWN),
         _s(("pack of 14", 12, 200),)),  # period products are zero-rated
    # Baby
    Line("NAPP", "nappies", "Baby", _b(("Pampers", 150), OWN, ("Kit & Kin", 170)),
         _s(("size 1, 44 pack", 4, 600), ("size 2, 40 pack", 4, 600), ("size 3, 36 pack", 4, 600),
            ("size 4, 32 pack", 4, 600), ("size 5, 28 pack", 4, 600), ("size 6, 24 pack", 4, 600)),
         vat_bp=2000),
    Line("WIPE", "fragrance-free baby wipes", "Baby",
         _b(("WaterWipes", 170), OWN, ("Huggies", 130)),
         _s(("pack of 60", 12, 150), ("multipack of 4 x 60", 3, 560)), vat_bp=2000),
    # Household
    Line("WASH", "washing-up liquid", "Household",
         _b(OWN, ("Fairy", 170), ("Ecover", 190), ("Method", 180)),
         _s(("450 ml bottle", 12, 110), ("5 litre refill", 2, 1000)), vat_bp=2000),
    Line("LAUL", "non-bio laundry liquid", "Household",
         _b(OWN, ("Fairy", 180), ("Surcare", 150), ("Ecover", 190)),
         _s(("1.5 litre, 40 washes", 4, 500), ("5 litre refill", 2, 1500)), vat_bp=2000),
    Line("LAUP", "bio washing powder", "Household", _b(OWN, ("Persil", 180)),
         _s(("1.3 kg, 20 washes", 4, 450),), vat_bp=2000),
    Line("SOFT", "fabric conditioner", "Household", _b(OWN, ("Comfort", 170), ("Ecover", 160)),
         _s(("1.2 litre", 6, 250),), vat_bp=2000),
    Line("LOOR", "toilet roll, 2-ply", "Household",
         _b(OWN, ("Andrex", 160), ("Who Gives A Crap", 190)),
         _s(("pack of 9", 4, 450), ("pack of 24", 2, 1100)), vat_bp=2000),
    Line("KITR", "kitchen roll", "Household", _b(OWN, ("Plenty", 170)),
         _s(("pack of 2", 12, 200),), vat_bp=2000),
    Line("BLCH", "thick bleach", "Household", _b(OWN, ("Domestos", 160)),
         _s(("750 ml bottle", 12, 100),), vat_bp=2000),
    Line("SURF", "multi-surface cleaner", "Household", _b(OWN, ("Flash", 150), ("Method", 180)),
         _s(("500 ml spray", 8, 150),), vat_bp=2000),
    Line("BINB", "compostable food caddy liners", "Household", _b(OWN, ("BioBag", 160)),
         _s(("roll of 50", 10, 250),), vat_bp=2000),
)
# fmt: on

WHOLESALER = {
    "name": "Northern Wholefoods Wholesale",
    "kind": SupplierKind.WHOLESALER,
    "email": "orders@northern-wholefoods.example.org",
    "phone": "01632 960 123",
    "address": "Unit 4, Example Trading Estate (demo), Preston",
    "postcode": "PR2 9XX",
    "min_order_pence": 25_000,
    "delivery_charge_pence": 1_500,
    "order_days": 2 | 8,  # Tuesday and Thursday
    "lead_time_days": 2,
}
GROWER = {
    "name": "Goosnargh Lane Growers",
    "kind": SupplierKind.PRODUCER,
    "email": "veg@goosnargh-lane.example.org",
    "phone": "01632 960 456",
    "address": "Goosnargh Lane Farm (demo), near Preston",
    "postcode": "PR3 2XX",
    "is_local": True,
    "min_order_pence": 3_000,
    "order_days": 1 | 16,  # Monday and Friday
    "lead_time_days": 1,
}
SURPLUS = {
    "name": "Preston Surplus Food Network",
    "kind": SupplierKind.SURPLUS,
    "email": "collections@surplus-food.example.org",
    "address": "Depot 2, Sample Street (demo), Preston",
    "postcode": "PR1 7XX",
    "order_days": 4,  # Wednesday
}

# Seasonal vegetables in November: (code, name, unit, case size, case price ex VAT, shop price
# per unit, tags of their own). Vegetables are zero-rated.
SEASONAL_VEG = (
    ("GL-POT", "Maris Piper potatoes", "1 kg", 25, 1_750, 110, ()),
    ("GL-POTR", "red potatoes", "1 kg", 10, 850, 130, ()),
    ("GL-CAR", "carrots", "1 kg", 10, 550, 75, (ORGANIC,)),
    ("GL-PAR", "parsnips", "500 g", 10, 600, 90, ()),
    ("GL-SWE", "swede", "each", 10, 650, 85, ()),
    ("GL-LEE", "leeks", "500 g", 10, 800, 125, ()),
    ("GL-ONI", "brown onions", "1 kg", 10, 650, 95, ()),
    ("GL-ONR", "red onions", "500 g", 10, 550, 85, ()),
    ("GL-KAL", "curly kale", "200 g bag", 12, 900, 110, (ORGANIC,)),
    ("GL-CVN", "cavolo nero", "200 g bunch", 10, 1_100, 175, (ORGANIC,)),
    ("GL-SAV", "savoy cabbage", "each", 8, 640, 110, ()),
    ("GL-RCB", "red cabbage", "each", 8, 600, 100, ()),
    ("GL-SPR", "Brussels sprouts", "500 g", 10, 750, 120, ()),
    ("GL-BEE", "beetroot", "500 g", 10, 650, 100, (ORGANIC,)),
    ("GL-CEL", "celeriac", "each", 8, 880, 150, ()),
    ("GL-SQU", "butternut squash", "each", 10, 1_000, 140, ()),
    ("GL-CAU", "cauliflower", "each", 8, 880, 150, ()),
    ("GL-APB", "Bramley cooking apples", "1 kg", 10, 1_300, 220, ()),
    ("GL-APE", "eating apples, Cox", "1 kg", 10, 1_500, 250, ()),
    ("GL-MUS", "chestnut mushrooms", "250 g", 12, 960, 125, ()),
)

# Surplus food costs nothing: (code, name, category, unit, shop price per unit, tags, VAT).
SURPLUS_ITEMS = (
    ("SF-BRD", "Mixed bread and rolls", "Bakery", "bag", 250, (VEGETARIAN,), 0),
    ("SF-PAS", "Pastries and cakes", "Bakery", "tray", 300, (VEGETARIAN,), 0),
    ("SF-FRV", "Fruit and veg box", "Fruit and vegetables", "box", 600, PLANT_GF, 0),
    ("SF-BAN", "Bananas, ripe", "Fruit and vegetables", "bunch of 6", 100, PLANT_GF, 0),
    ("SF-SAL", "Salad bags", "Fruit and vegetables", "bag", 90, PLANT_GF, 0),
    ("SF-YOG", "Yoghurts, short date", "Chilled", "pack of 4", 150, (VEGETARIAN,), 0),
    ("SF-MLK", "Fresh milk, short date", "Chilled", "2 pints", 130, (VEGETARIAN,), 0),
    ("SF-RDY", "Ready meals, short date", "Chilled", "each", 350, (), 0),
    ("SF-TIN", "Mixed tins, dented", "Cupboard", "bag of 6", 500, (), 0),
    ("SF-CER", "Cereal, damaged boxes", "Cupboard", "box", 200, (VEGETARIAN,), 0),
    ("SF-SNK", "Snacks and biscuits", "Cupboard", "bag", 200, (VEGETARIAN,), 0),
    ("SF-TOI", "Toiletries, end of line", "Household", "bag", 400, (), 2000),
)


def _nearest_five(amount: Fraction) -> int:
    return round_half_up(amount / 5) * 5


def _seen_at(shop_pence: int, shop: str) -> dict[str, object]:
    """Return a reference price as the demo gives it: a shop's price on `PRICED_ON`."""
    return {
        "reference_price_pence": shop_pence,
        "reference_price_date": PRICED_ON,
        "reference_price_source": f"{shop} (demo figure)",
    }


def wholesale_rows(lines: tuple[Line, ...] = LINES) -> Iterator[dict[str, object]]:
    """Yield the wholesaler's products as Product column values, without a supplier."""
    for line in lines:
        number = 0
        for brand in line.brands:
            for size in line.sizes:
                number += 1
                shop_pence = _nearest_five(Fraction(size.shop_pence * brand.percent, 100))
                # The shop price includes VAT; the wholesaler's case price does not.
                ex_vat = Fraction(shop_pence * 10_000, 10_000 + line.vat_bp)
                case_pence = round_half_up(ex_vat * size.case * line.wholesale_percent / 100)
                yield {
                    "code": f"NW-{line.code}-{number:02d}",
                    "name": f"{brand.name} {line.name}",
                    "category": line.category,
                    "tag_bits": tags_to_bits((*line.tags, *brand.tags)),
                    "unit_label": size.unit,
                    "case_size": size.case,
                    "case_price_pence": case_pence,
                    "vat_bp": line.vat_bp,
                    "origin": line.origin,
                    "manufacturer": brand.name,
                    **_seen_at(shop_pence, "Tesco.com"),
                }


def _grower_rows() -> Iterator[dict[str, object]]:
    for code, name, unit, case, case_pence, shop_pence, tags in SEASONAL_VEG:
        yield {
            "code": code,
            "name": name[0].upper() + name[1:],
            "category": "Seasonal vegetables" if "apples" not in name else "Seasonal fruit",
            "tag_bits": tags_to_bits((*PLANT_GF, LOCAL, *tags)),
            "unit_label": unit,
            "case_size": case,
            "case_price_pence": case_pence,
            "origin": "Lancashire",
            "manufacturer": GROWER["name"],
            **_seen_at(shop_pence, "Booths"),
        }


def _surplus_rows() -> Iterator[dict[str, object]]:
    for code, name, category, unit, shop_pence, tags, vat_bp in SURPLUS_ITEMS:
        yield {
            "code": code,
            "name": name,
            "category": category,
            "tag_bits": tags_to_bits(tags),
            "unit_label": unit,
            "case_size": 1,
            "case_price_pence": 0,
            "vat_bp": vat_bp,
            "description": "What arrives varies with what was saved that week.",
            **_seen_at(shop_pence, "Tesco.com"),
        }


@dataclass(frozen=True)
class DemoCatalogue:
    """The demo suppliers, for the caller to mention."""

    wholesaler: Supplier
    grower: Supplier
    surplus: Supplier


def _supplier(coop: Coop, values: dict[str, object], rows: Iterator[dict[str, object]]) -> Supplier:
    supplier = Supplier(coop=coop, notes=DEMO_NOTE, **values)
    db.session.add(supplier)
    db.session.flush()
    # One multi-row INSERT per supplier keeps seeding quick.
    db.session.execute(insert(Product), [{"supplier_id": supplier.id, **row} for row in rows])
    return supplier


def load_demo_catalogue(*, publisher: Coop, subscriber: Coop) -> DemoCatalogue:
    """Add the demo suppliers to *publisher*, share the wholesaler, subscribe *subscriber*."""
    wholesaler = _supplier(publisher, WHOLESALER, wholesale_rows())
    grower = _supplier(publisher, GROWER, _grower_rows())
    surplus = _supplier(publisher, SURPLUS, _surplus_rows())
    set_share_scope(supplier=wholesaler, scope=ShareScope.COUNCIL)
    subscribe_to_catalogue(coop=subscriber, supplier=wholesaler)
    return DemoCatalogue(wholesaler=wholesaler, grower=grower, surplus=surplus)
