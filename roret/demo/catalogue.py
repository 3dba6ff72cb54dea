"""The demo municipality's organisation and offer catalogue.

Calibrated to public figures (shared/fixtures/calibration.md and the development plans in
shared/background): a mid-sized department with about 400 mio. kr. a year on placements, about
three quarters residential, five own centres delivering about 45 % of the cost, and a social
psychiatry centre with a youth unit (§102 16 places, §104 24 places, §107 16 places), an adult
unit (§104 without visitation 30 places, ABL §105 housing), a §105 home with 11 places and a
day high school for up to 82 people. Tariffs are today's; earlier years are indexed back by
PRICE_INDEX a year.
"""

from dataclasses import dataclass, field

PRICE_INDEX = 0.025  # yearly price and wage adjustment applied to tariffs

# Target-group profiles (FFB display names) and the share of citizens that has each.
PROFILES = {
    "psychiatry": (0.42, ["Angst", "Depression", "Forandret virkelighedsopfattelse", "Personlighedsforstyrrelse",
                          "Spiseforstyrrelse"]),
    "intellectual": (0.24, ["Udviklingshæmning", "Multipel funktionsnedsættelse"]),
    "autism": (0.14, ["Autismespektrum", "Opmærksomhedsforstyrrelse"]),
    "brain_injury": (0.10, ["Erhvervet hjerneskade", "Medfødt hjerneskade"]),
    "social": (0.10, ["Stofmisbrug", "Alkoholmisbrug", "Hjemløshed", "Social isolation"]),
}


@dataclass
class OfferSpec:
    key: str
    name: str
    legal_basis: str
    offer_type: str          # FFB display name of the offer type
    account_function: str
    places: int              # own offers: places ten years ago; external: citizens today
    tariff: float            # today's standard tariff, kr.
    unit: str                # day, month, hour, module
    median_stay_days: float
    sigma: float = 0.7       # log-normal spread of stays
    profiles: tuple = ("psychiatry", "intellectual", "autism", "brain_injury", "social")
    age: tuple = (18, None)
    occupancy: float = 0.93  # long-run share of place-days occupied (own offers)
    centre: str = ""
    unit_name: str = ""
    provider: str = ""
    requires_visitation: bool = True
    strategic_vacancy: int = 0
    place_changes: list = field(default_factory=list)   # (years ago, change, reason)
    hours: tuple = (3, 8)     # hours per week for hourly tariffs
    agreed_spread: tuple = (1.0, 1.0)  # external: agreed tariff = standard x U(a, b)
    sold_share: float = 0.0   # own offers: share of stays sold to other municipalities
    growth: float = 0.03      # external: yearly growth in citizens


CENTRES = {
    "psyk": ("Center for Socialpsykiatri", ["Ungeenheden", "Voksenenheden", "Lindehuset", "Daghøjskolen"]),
    "handicap": ("Center for Handicap", ["Bostederne", "Aflastning"]),
    "bostotte": ("Center for Bostøtte", ["Bostøtteteamet", "Gruppeforløb"]),
    "beskaeft": ("Center for Beskæftigelse og Aktivitet", ["Værkstederne", "Aktivitetshuset"]),
    "autisme": ("Center for Autisme og Udviklingshæmning", ["Møllehuset", "Havbo"]),
}

RESIDENTIAL_TYPE_107 = "Midlertidigt botilbud til voksne"
RESIDENTIAL_TYPE_108 = "Almindeligt længerevarende botilbud til voksne"
HOUSING_TYPE = "Botilbudslignende tilbud"
ACTIVITY_TYPE = "Aktivitets- og samværstilbud"
EMPLOYMENT_TYPE = "Beskyttet beskæftigelsestilbud"
MOBILE_TYPE = "Mobilt tilbud"

PSY = ("psychiatry", "social")
DEV = ("intellectual", "autism", "brain_injury")

OWN_OFFERS = [
    # Center for Socialpsykiatri: youth unit, adult unit, the §105 home and the day high school.
    OfferSpec("ung102", "Ungeteamet – behandling", "SEL102", MOBILE_TYPE, "5.38.39", 16, 720, "day", 365,
              profiles=PSY, age=(18, 30), centre="psyk", unit_name="Ungeenheden", occupancy=0.9),
    OfferSpec("ung104", "Ungeenhedens aktivitetstilbud", "SEL104", ACTIVITY_TYPE, "5.38.59", 24, 560, "day", 540,
              profiles=PSY, age=(18, 30), centre="psyk", unit_name="Ungeenheden", occupancy=0.9),
    OfferSpec("ung107", "Ungebostedet", "SEL107", RESIDENTIAL_TYPE_107, "5.38.52", 16, 2480, "day", 540,
              profiles=PSY, age=(18, 30), centre="psyk", unit_name="Ungeenheden", strategic_vacancy=1,
              sold_share=0.08),
    OfferSpec("vaeresteder", "Værestedet (uden visitation)", "SEL104", ACTIVITY_TYPE, "5.38.59", 30, 160, "day",
              1100, profiles=PSY, centre="psyk", unit_name="Voksenenheden", requires_visitation=False,
              occupancy=0.85),
    OfferSpec("aaen", "Bofællesskabet Åen", "ABL105", HOUSING_TYPE, "5.38.39", 36, 1180, "day", 2200,
              profiles=PSY, centre="psyk", unit_name="Voksenenheden", sold_share=0.06,
              place_changes=[(3, 4, "Fire nye boliger i Åen")]),
    OfferSpec("linde", "Lindehuset (§105-bolig)", "ABL105", HOUSING_TYPE, "5.38.39", 11, 1450, "day", 2900,
              profiles=PSY, centre="psyk", unit_name="Lindehuset"),
    OfferSpec("daghojskole", "Daghøjskolen", "SEL104", ACTIVITY_TYPE, "5.38.59", 82, 430, "day", 900,
              profiles=PSY, centre="psyk", unit_name="Daghøjskolen", occupancy=0.88),
    # Center for Handicap.
    OfferSpec("kastanjen", "Bostedet Kastanjen", "SEL108", RESIDENTIAL_TYPE_108, "5.38.50", 24, 2290, "day",
              4400, sigma=0.6, profiles=DEV, centre="handicap", unit_name="Bostederne", sold_share=0.12),
    OfferSpec("egebakken", "Bostedet Egebakken", "SEL108", RESIDENTIAL_TYPE_108, "5.38.50", 18, 2650, "day",
              4000, sigma=0.6, profiles=DEV, centre="handicap", unit_name="Bostederne", sold_share=0.1),
    OfferSpec("solsikken", "Boligerne Solsikken", "ABL105", HOUSING_TYPE, "5.38.39", 30, 1260, "day", 2600,
              profiles=DEV, centre="handicap", unit_name="Bostederne",
              place_changes=[(3, 10, "Nybyggeri: 10 nye boliger")]),
    OfferSpec("birkely", "Aflastning Birkely", "SEL84", "Socialt akuttilbud", "5.38.39", 4, 2150, "day", 9,
              sigma=0.5, profiles=DEV, centre="handicap", unit_name="Aflastning", occupancy=0.75),
    # Center for Bostøtte: support in the citizen's own home, priced per hour of weekly scope.
    OfferSpec("bostotte", "Bostøtteteamet", "SEL85", MOBILE_TYPE, "5.38.39", 210, 425, "hour", 1800,
              centre="bostotte", unit_name="Bostøtteteamet", occupancy=0.92, hours=(2, 8),
              place_changes=[(5, 20, "Opnormering af bostøtten"), (2, 20, "Opnormering af bostøtten")]),
    OfferSpec("gruppe82a", "Gruppeforløb (§82a)", "SEL82a", MOBILE_TYPE, "5.38.39", 20, 1850, "month", 365,
              sigma=0.4, centre="bostotte", unit_name="Gruppeforløb", requires_visitation=False, occupancy=0.8),
    OfferSpec("kontakt99", "Kontaktpersonordningen (§99)", "SEL99", MOBILE_TYPE, "5.38.53", 25, 390, "hour", 900,
              profiles=PSY, centre="bostotte", unit_name="Bostøtteteamet", hours=(2, 5)),
    # Center for Beskæftigelse og Aktivitet.
    OfferSpec("vaerkstedet", "Værkstedet (§103)", "SEL103", EMPLOYMENT_TYPE, "5.38.58", 60, 470, "day", 2000,
              profiles=DEV + ("psychiatry",), centre="beskaeft", unit_name="Værkstederne"),
    OfferSpec("aktivitetshuset", "Aktivitetshuset (§104)", "SEL104", ACTIVITY_TYPE, "5.38.59", 50, 620, "day",
              1800, profiles=DEV, centre="beskaeft", unit_name="Aktivitetshuset"),
    # Center for Autisme og Udviklingshæmning.
    OfferSpec("mollehuset", "Bostedet Møllehuset", "SEL107", RESIDENTIAL_TYPE_107, "5.38.52", 12, 2850, "day",
              700, profiles=("autism", "intellectual"), centre="autisme", unit_name="Møllehuset", sold_share=0.1),
    OfferSpec("havbo", "Bostedet Havbo", "SEL108", RESIDENTIAL_TYPE_108, "5.38.50", 20, 3050, "day", 4400,
              sigma=0.6, profiles=("autism", "intellectual"), centre="autisme", unit_name="Havbo",
              sold_share=0.1),
    OfferSpec("mollen", "Aktivitetscentret Møllen", "SEL104", ACTIVITY_TYPE, "5.38.59", 30, 740, "day", 1500,
              profiles=("autism", "intellectual"), centre="autisme", unit_name="Havbo"),
]

# Providers the municipality buys from; codes 991-995 and the CVR numbers are fictitious. The last
# field: "private" draws a CVR number, a number is the CVR number itself, "" none.
EXTERNAL_PROVIDERS = [
    ("Nabokommune Nord – Handicap", "municipality", "991", ""),
    ("Nabokommune Syd – Socialpsykiatri", "municipality", "992", ""),
    ("Nabokommune Øst – Specialområdet", "municipality", "993", ""),
    # A region reports to Statistics Denmark by its CVR number (a fixed one: drawing it would move
    # every later random draw of the demo).
    ("Region Demo – Specialinstitutioner", "region", "", "29190607"),
    ("Bostedet Lærkebo ApS", "private", "", "private"),
    ("Fonden Kilden", "private", "", "private"),
    ("Socialt Bosted Vesterled A/S", "private", "", "private"),
]

# External offers: ``places`` is how many of our citizens use them today (growing ``growth`` a year).
EXTERNAL_OFFERS = [
    OfferSpec("ext_n108", "Bocenter Nord", "SEL108", RESIDENTIAL_TYPE_108, "5.38.50", 34, 2450, "day", 4400,
              sigma=0.6, profiles=DEV, provider="Nabokommune Nord – Handicap", agreed_spread=(1.0, 1.6)),
    OfferSpec("ext_n107", "Udslusningsboligerne Nord", "SEL107", RESIDENTIAL_TYPE_107, "5.38.52", 14, 2550, "day",
              600, profiles=PSY, provider="Nabokommune Nord – Handicap"),
    OfferSpec("ext_s107", "Psykiatrisk bosted Syd", "SEL107", RESIDENTIAL_TYPE_107, "5.38.52", 30, 2700, "day",
              900, profiles=PSY, provider="Nabokommune Syd – Socialpsykiatri", agreed_spread=(1.0, 1.5)),
    OfferSpec("ext_s105", "Botilbuddet Engen", "ABL105", HOUSING_TYPE, "5.38.39", 26, 1450, "day", 2500,
              profiles=PSY, provider="Nabokommune Syd – Socialpsykiatri"),
    OfferSpec("ext_o108", "Specialbostedet Øst", "SEL108", RESIDENTIAL_TYPE_108, "5.38.50", 28, 2950, "day",
              4000, sigma=0.6, profiles=("autism", "intellectual", "brain_injury"),
              provider="Nabokommune Øst – Specialområdet", agreed_spread=(1.0, 2.0)),
    OfferSpec("ext_r108", "Regionens døgntilbud", "SEL108", RESIDENTIAL_TYPE_108, "5.38.50", 18, 3900, "day",
              3600, sigma=0.6, profiles=("autism", "brain_injury", "intellectual"),
              provider="Region Demo – Specialinstitutioner", agreed_spread=(1.0, 2.2)),
    OfferSpec("ext_r107", "Regionens udredningsafsnit", "SEL107", RESIDENTIAL_TYPE_107, "5.38.52", 8, 4300, "day",
              300, profiles=("psychiatry", "autism"), provider="Region Demo – Specialinstitutioner",
              agreed_spread=(1.0, 1.8)),
    OfferSpec("ext_p107", "Lærkebo", "SEL107", RESIDENTIAL_TYPE_107, "5.38.52", 22, 3100, "day", 800,
              profiles=PSY + ("autism",), provider="Bostedet Lærkebo ApS", agreed_spread=(1.0, 1.9)),
    OfferSpec("ext_p108", "Kilden", "SEL108", RESIDENTIAL_TYPE_108, "5.38.50", 20, 3300, "day", 3300,
              sigma=0.6, profiles=DEV, provider="Fonden Kilden", agreed_spread=(1.0, 2.1)),
    OfferSpec("ext_v107", "Vesterled", "SEL107", RESIDENTIAL_TYPE_107, "5.38.52", 12, 3600, "day", 700,
              profiles=("social", "psychiatry"), provider="Socialt Bosted Vesterled A/S", agreed_spread=(1.0, 1.6)),
    OfferSpec("ext_n104", "Dagcenter Nord", "SEL104", ACTIVITY_TYPE, "5.38.59", 34, 690, "day", 1500,
              profiles=DEV, provider="Nabokommune Nord – Handicap"),
    OfferSpec("ext_s103", "Beskyttet værksted Syd", "SEL103", EMPLOYMENT_TYPE, "5.38.58", 20, 520, "day", 1800,
              provider="Nabokommune Syd – Socialpsykiatri"),
    OfferSpec("ext_p85", "Kilden Bostøtte", "SEL85", MOBILE_TYPE, "5.38.39", 36, 460, "hour", 1100,
              provider="Fonden Kilden", hours=(3, 10)),
]

# Other municipalities that buy places in our offers (sold places).
BUYING_MUNICIPALITIES = ["991", "992", "993", "994", "995"]
