"""Statistics Denmark's monthly reporting of adult social services ("Handicap og udsatte voksne"):
the records of a month, the check that refuses a month DST would reject, and the audited CSV file.

One record per placement in force on at least one day of the month under a paragraph DST counts
(``SERVICES``), carrying the citizen's CPR number: the file is personal data, made only for the
roles in ``permissions.DST_EXPORTERS`` and audited on every export. The check's messages name the
citizen by pseudonym, never by CPR number. The layout, the paragraph mapping and the assumptions
are in docs/interop.md ("Statistics Denmark")."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen
from roret.core import audit, permissions
from roret.core.models import AuditAction
from roret.offers.models import LegalBasis, Offer, ProviderKind
from roret.placements.models import Placement
from roret.reports.toolkit.excel import safe_text
from roret.reports.toolkit.tables import pseudonym


@dataclass(frozen=True)
class Service:
    """A service as DST counts it: its code in the file, its label and, for a service added to the
    statistic later, the first day DST takes it (a service under an older paragraph runs on with its
    own start date, so only the added ones have one)."""

    code: str
    label: object
    since: datetime.date | None = None
    mandatory: bool = True


# DST's services (dst.dk, "Handicap og udsatte (voksne)", Indhold), in DST's order.
SERVICES = {s.code: s for s in (
    Service("104", gettext_lazy("§104 activity and social offer")),
    Service("102", gettext_lazy("§102 treatment")),
    Service("103", gettext_lazy("§103 sheltered employment")),
    Service("108", gettext_lazy("§108 long-term residential offer")),
    Service("107", gettext_lazy("§107 temporary residential offer")),
    Service("85B", gettext_lazy("§85 support in a housing-like offer")),
    Service("85", gettext_lazy("§85 other socio-pedagogical support")),
    Service("96", gettext_lazy("§96 citizen-controlled personal assistance")),
    Service("98", gettext_lazy("§98 contact person for the deafblind")),
    Service("97", gettext_lazy("§97 companion scheme")),
    Service("95", gettext_lazy("§95 cash subsidy for helpers")),
    Service("82B", gettext_lazy("§82b early individual support"), since=datetime.date(2020, 7, 1)),
    Service("82A", gettext_lazy("§82a early group-based support"), since=datetime.date(2020, 7, 1), mandatory=False),
)}

# roret's legal basis (the grant's paragraph) -> DST's service. §85 support is "housing-like" when
# the offer it is given in is a housing-law home (ABL §105); §§ 95, 96 and 98 have no legal basis in
# roret yet. §84 (respite), §99 (contact person) and §110 (shelter) are not in this statistic.
BY_LEGAL_BASIS = {
    LegalBasis.SEL_104: "104", LegalBasis.SEL_102: "102", LegalBasis.SEL_103: "103",
    LegalBasis.SEL_108: "108", LegalBasis.SEL_107: "107", LegalBasis.ABL_105: "85B", LegalBasis.SEL_85: "85",
    LegalBasis.SEL_97: "97", LegalBasis.SEL_82B: "82B", LegalBasis.SEL_82A: "82A",
}
NOT_REPORTED = frozenset(set(LegalBasis.values) - set(BY_LEGAL_BASIS))
HOUSING_LIKE_OFFERS = frozenset({LegalBasis.ABL_105})

COLUMNS = ("month", "cpr", "service", "legal_basis", "target_groups", "start", "end", "acting_municipality",
           "paying_municipality", "provider_kind", "provider_id", "offer_id", "offer", "placement_id")
MUNICIPALITY = re.compile(r"^\d{3,4}$")


class MonthError(ValueError):
    """A reporting month that is not YYYY-MM."""


@dataclass(frozen=True)
class Month:
    """A reporting month: ``first`` is its first day, ``last`` its last."""

    first: datetime.date

    @property
    def last(self) -> datetime.date:
        return self.after - datetime.timedelta(days=1)

    @property
    def after(self) -> datetime.date:
        """The first day of the next month (the exclusive end of the month's [first, after))."""
        return (self.first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)

    @property
    def value(self) -> str:
        return f"{self.first:%Y-%m}"

    def __str__(self):
        return self.value


def parse_month(text: str) -> Month:
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise MonthError(f"{text!r} is not a month as YYYY-MM, e.g. 2026-10")
    return Month(datetime.date(int(match[1]), int(match[2]), 1))


def last_full_month(today: datetime.date | None = None) -> Month:
    first_of_this = (today or datetime.date.today()).replace(day=1)
    return Month((first_of_this - datetime.timedelta(days=1)).replace(day=1))


@dataclass
class Record:
    """One service of one citizen as reported for a month. ``end`` is the last day of the service
    (inclusive, as DST counts), where roret's placement stores the day after it ([start, end))."""

    citizen_id: int
    placement_id: int
    legal_basis: str
    service: str | None
    target_groups: list[tuple[str, str]]  # (KL FFB code, name)
    start: datetime.date | None
    end: datetime.date | None
    acting_municipality: str
    paying_municipality: str
    provider_kind: str
    provider_id: str
    offer_id: int | None
    offer: str
    cpr_token: str = field(default="", repr=False)

    @property
    def pseudonym(self) -> str:
        return pseudonym(self.citizen_id)


@dataclass(frozen=True)
class Problem:
    """One broken DST rule: whose record (pseudonym), which field, what is wrong."""

    pseudonym: str
    placement_id: int
    field: str
    message: str
    citizen_id: int = field(default=0, repr=False, compare=False)

    def __str__(self):
        return f"{self.pseudonym} (placement {self.placement_id}): {self.field}: {self.message}"


@dataclass
class Report:
    month: Month
    records: list[Record]
    problems: list[Problem]

    @property
    def citizen_ids(self) -> list[int]:
        return sorted({r.citizen_id for r in self.records})

    def counts(self) -> list[dict]:
        """Records and citizens per DST service, in DST's order (services with none left out)."""
        records, citizens = Counter(), defaultdict(set)
        for r in self.records:
            records[r.service] += 1
            citizens[r.service].add(r.citizen_id)
        return count_rows(records, Counter({service: len(ids) for service, ids in citizens.items()}))


def count_rows(records: Counter, citizens: Counter) -> list[dict]:
    """The counts table: records and distinct citizens per service, in DST's order, services with
    none left out, the paragraphs DST does not know (service None) last."""
    rows = [{"code": code, "label": s.label, "records": records[code], "citizens": citizens[code]}
            for code, s in SERVICES.items() if records[code]]
    if records[None]:
        rows.append({"code": "", "label": _("Paragraph unknown to Statistics Denmark"),
                     "records": records[None], "citizens": citizens[None]})
    return rows


def _provider_id(kind: str, cvr: str, municipality_code: str, own_code: str) -> str:
    if kind == ProviderKind.PRIVATE:
        return cvr
    if kind == ProviderKind.OWN:
        return municipality_code or own_code
    return municipality_code or cvr




def same_municipality(code: str) -> list[str]:
    """``code`` as it may be written: 657 and 0657 are one municipality."""
    bare = code.lstrip("0")
    return sorted({code, bare, bare.zfill(4)})


def service_of(basis: str, offer_basis: str | None) -> str | None:
    """DST's service for a grant's paragraph and its offer's legal basis (None: one DST does not know)."""
    service = BY_LEGAL_BASIS.get(basis)
    if service == "85" and offer_basis in HOUSING_LIKE_OFFERS:
        return "85B"
    return service


def month_placements(month: Month):
    """The placements the month reports: in force on at least one day of it, acted for by this
    municipality (DST takes each service from the municipality that referred the citizen, so a
    place sold to another municipality is theirs to report), under a paragraph not left out."""
    # The code placements are given as acting and paying municipality (placements.services).
    return (Placement.objects.overlapping(month.first, month.after)
            .filter(acting_municipality__in=same_municipality(settings.RORET["MUNICIPALITY_CODE"]))
            .exclude(grant__paragraph__in=NOT_REPORTED))


def records(month: Month, *, progress: Callable[[int, int], None] | None = None,
            citizens: list[int] | None = None) -> list[Record]:
    """The month's records: every placement in force on at least one day of the month whose grant
    stands on a paragraph DST counts, or on a code roret does not know (the check names those);
    ``citizens``: only theirs (all of each one's records, in the same order)."""
    own_code = settings.RORET["MUNICIPALITY_CODE"]
    placements = month_placements(month)
    if citizens is not None:
        placements = placements.filter(citizen_id__in=citizens)
    # Plain rows, not model instances: a month at 100,000 citizens is 80,000 placements, which as
    # instances with their citizen, grant, offer and provider (and a manager per citizen for the
    # target groups) took 12 s; as tuples and one query for the target groups about 1 s.
    rows = list(placements.order_by("citizen_id", "start", "pk").values_list(
        "citizen_id", "pk", "grant__paragraph", "offer__legal_basis", "start", "end", "acting_municipality",
        "paying_municipality", "offer__provider__kind", "offer__provider__cvr", "offer__provider__municipality_code",
        "offer_id", "offer__name", "citizen__cpr_encrypted"))
    groups: dict[int, list[tuple[str, str]]] = defaultdict(list)
    through = Citizen.target_groups.through
    for citizen_id, code, display in (through.objects.filter(citizen_id__in=placements.values("citizen_id"))
                                      .values_list("citizen_id", "term__code", "term__display")):
        groups[citizen_id].append((code, display))
    out = []
    for n, (citizen_id, pk, basis, offer_basis, start, end, acting, paying, kind, cvr, code, offer_id, offer_name,
            cpr_token) in enumerate(rows, 1):
        service = service_of(basis, offer_basis)
        out.append(Record(
            citizen_id=citizen_id, placement_id=pk, legal_basis=basis, service=service,
            target_groups=sorted(groups.get(citizen_id, ())),
            start=start, end=end - datetime.timedelta(days=1) if end else None,
            acting_municipality=acting, paying_municipality=paying,
            provider_kind=kind, provider_id=_provider_id(kind, cvr, code, own_code),
            offer_id=offer_id, offer=offer_name, cpr_token=cpr_token))
        if progress and (n % 1000 == 0 or n == len(rows)):
            progress(n, len(rows))
    return out


def check(month: Month, found: Iterable[Record]) -> list[Problem]:
    """DST's rules on the month's records; every record that breaks one gives a problem."""
    found = list(found)
    problems = []
    last = month.last

    def broken(r: Record, name: str, message: str):
        problems.append(Problem(r.pseudonym, r.placement_id, name, message, citizen_id=r.citizen_id))

    for r in found:
        service = SERVICES.get(r.service) if r.service else None
        if service is None:
            broken(r, "service", _("paragraph %(code)s is not one Statistics Denmark knows") % {"code": r.legal_basis})
        if not r.target_groups:
            broken(r, "target_groups", _("no target group: record one in the citizen's assessment"))
        if r.start is None:
            broken(r, "start", _("no start date"))
        elif r.start > last:
            broken(r, "start", _("starts after the month's end"))
        elif service is not None and service.since and r.start < service.since:
            broken(r, "start", _("starts %(start)s, before Statistics Denmark counts %(service)s (%(since)s)")
                   % {"start": r.start, "service": service.label, "since": service.since})
        if r.start is not None and r.end is not None and r.end < r.start:
            broken(r, "end", _("ends before it starts"))
        for name in ("acting_municipality", "paying_municipality"):
            if not MUNICIPALITY.match(getattr(r, name) or ""):
                broken(r, name, _("no municipality code of 3 or 4 digits"))
        if not r.provider_id:
            broken(r, "provider_id", _("the provider has no CVR number or municipality code"))
        if not r.offer_id:
            broken(r, "offer_id", _("no offer"))
    by_service = defaultdict(list)
    for r in found:
        if r.service and r.start is not None:
            by_service[r.citizen_id, r.service].append(r)
    for same in by_service.values():
        same.sort(key=lambda r: (r.start, r.placement_id))
        reaching = same[0]  # of the records so far, the one that ends last (None: open)
        for r in same[1:]:
            if reaching.end is None or reaching.end >= r.start:
                broken(r, "start", _("overlaps placement %(other)s of the same service") % {"other": reaching.placement_id})
            if reaching.end is not None and (r.end is None or r.end > reaching.end):
                reaching = r
    return problems


def report(month: Month, *, progress: Callable[[int, int], None] | None = None) -> Report:
    found = records(month, progress=progress)
    return Report(month, found, check(month, found))


# Above this many citizens who may break a rule the page checks the whole month, as the file does
# (same problems), rather than name them all in one query (PostgreSQL takes 65,535 parameters).
SUSPECTS_BY_ID = 10_000


@dataclass
class Summary:
    """What the page shows of a month: the counts per service, the totals and every problem."""

    month: Month
    counts: list[dict]
    records: int
    citizens: int
    problems: list[Problem]


def summary(month: Month) -> Summary:
    """The month's counts and problems without building a record per placement.

    One small query reads the offers (basis and provider id), one the month's placements as short
    rows (citizen, service, municipalities, a flag). The counts come from the rows, and the check
    (:func:`check`) runs on the records of the citizens who may break a rule only, all of each one's
    records: those with a row that a rule of one record may catch (the flag and the municipality
    codes ask each rule of :func:`check`, erring towards asking) or with two rows under one service
    (which may overlap). The rules decide per record or per citizen
    and service, so the problems and their order are the full check's (a test compares them). At
    100,000 citizens building and checking the month's 81,000 records took 1.6 s on the page."""
    own_code = settings.RORET["MUNICIPALITY_CODE"]
    offers = {pk: (basis, _provider_id(kind or "", cvr or "", code or "", own_code))
              for pk, basis, kind, cvr, code in Offer.objects.values_list(
                  "pk", "legal_basis", "provider__kind", "provider__cvr", "provider__municipality_code")}
    # The service and the rules of one record, asked in the query: each row is the citizen, the
    # service ("" for a paragraph DST does not know), the municipalities and a flag for a start
    # after the month, an end before the start, a start before DST counts the service, an offer
    # whose provider has no id, or a citizen without a target group.
    housing = [pk for pk, (basis, _id) in offers.items() if basis in HOUSING_LIKE_OFFERS]
    service = Case(*([When(grant__paragraph=LegalBasis.SEL_85, offer_id__in=housing, then=Value("85B"))]
                     if housing else []),
                   *[When(grant__paragraph=basis, then=Value(code)) for basis, code in BY_LEGAL_BASIS.items()],
                   default=Value(""), output_field=CharField())
    rule = Q(start__gt=month.last) | Q(end__isnull=False, end__lte=F("start"))
    for code, counted in SERVICES.items():
        if counted.since:
            bases = [basis for basis, c in BY_LEGAL_BASIS.items() if c == code or (code == "85B" and c == "85")]
            rule |= Q(grant__paragraph__in=bases, start__lt=counted.since)
    bad_offers = [pk for pk, (_basis, provider_id) in offers.items() if not provider_id]
    if bad_offers:
        rule |= Q(offer_id__in=bad_offers)
    through = Citizen.target_groups.through
    rule |= ~Exists(through.objects.filter(citizen_id=OuterRef("citizen_id")))
    query = (month_placements(month).order_by()
             .annotate(service=service, flagged=Case(When(rule, then=1), default=0))
             .values_list("citizen_id", "service", "acting_municipality", "paying_municipality", "flagged"))
    # The database's own rows: every column is an id, a code or the 0/1 flag, so nothing needs the
    # ORM's conversion, whose per-row pass was a fifth of the page at 81,000 rows; the counting is
    # Counter's and set's own loops.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    per_service = Counter(map(itemgetter(0, 1), rows))
    records_per, citizens_per = Counter(map(itemgetter(1), rows)), Counter(map(itemgetter(1), per_service))
    for counts in (records_per, citizens_per):  # "" is the paragraph DST does not know: None in the table
        if "" in counts:
            counts[None] = counts.pop("")
    everyone = set(map(itemgetter(0), rows))
    suspects = {citizen for (citizen, code), n in per_service.items() if n > 1 or not code}
    suspects.update(compress(map(itemgetter(0), rows), map(itemgetter(4), rows)))
    codes = set(map(itemgetter(2), rows)) | set(map(itemgetter(3), rows))
    bad_codes = {code for code in codes if not MUNICIPALITY.match(code or "")}
    if bad_codes:
        suspects.update(row[0] for row in rows if row[2] in bad_codes or row[3] in bad_codes)
    if not suspects:
        problems = []
    elif len(suspects) > SUSPECTS_BY_ID:  # e.g. a municipality that records no target groups yet
        problems = check(month, records(month))
    else:
        problems = check(month, records(month, citizens=sorted(suspects)))
    return Summary(month, count_rows(records_per, citizens_per), len(rows), len(everyone), problems)


class Refused(Exception):
    """A month with records that break DST's rules is not exported."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the month's records")


def csv_bytes(built: Report) -> bytes:
    """The records as DST's flat file: semicolon-separated UTF-8 with a header row (docs/interop.md)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in built.records:
        cpr = cprlib.normalise(cprlib.decrypt(r.cpr_token))
        writer.writerow([
            built.month.value, cpr, r.service or "", r.legal_basis, "|".join(code for code, _name in r.target_groups),
            r.start.isoformat() if r.start else "", r.end.isoformat() if r.end else "",
            r.acting_municipality, r.paying_municipality, r.provider_kind, r.provider_id, r.offer_id or "",
            safe_text(r.offer), r.placement_id])
    return out.getvalue().encode("utf-8")


def may_export(user) -> bool:
    return permissions.has_role(user, permissions.DST_EXPORTERS)


def export(user, month: Month, *, channel: str = "web",
           progress: Callable[[int, int], None] | None = None) -> tuple[Report, bytes]:
    """The month's file for DST, audited as an export naming its citizens; refused (``Refused``,
    nothing written) while any record breaks DST's rules. ``user`` None: the command line, as the system."""
    if user is not None:
        permissions.require_role(user, permissions.DST_EXPORTERS, "only the economist reports to Statistics Denmark")
    built = report(month, progress=progress)
    if built.problems:
        raise Refused(built.problems)
    data = csv_bytes(built)
    ids = built.citizen_ids
    audit.record(user, AuditAction.EXPORT, object_type="dst", object_id=month.value, citizen_count=len(ids),
                 channel=channel, after={"citizens": ids, "records": len(built.records)},
                 summary=f"Indberetning til Danmarks Statistik {month.value} hentet: {len(built.records)} "
                         f"ydelser, {len(ids)} {'borger' if len(ids) == 1 else 'borgere'}")
    return built, data


def filename(month: Month) -> str:
    return f"dst-handicap-voksne-{month.value}.csv"
