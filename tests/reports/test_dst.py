"""Statistics Denmark's reporting (roret/reports/dst.py): the month's records per paragraph, the check
that refuses a month DST would reject (by pseudonym, never CPR), the audited file, the page and the
command."""

import csv
import datetime
import io
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from roret.citizens import cpr as cprlib
from roret.core.models import AuditEntry, Term
from roret.offers.models import Provider
from roret.placements.models import Placement
from roret.reports import dst
from roret.reports.toolkit.tables import pseudonym
from tests.factories import PASSWORD, make_cpr

OCTOBER = dst.parse_month("2026-10")
# Written here again, not imported: the test's own reading of DST's list (docs/interop.md).
DST_CODE = {"SEL104": "104", "SEL102": "102", "SEL103": "103", "SEL108": "108", "SEL107": "107",
            "SEL85": "85", "ABL105": "85B", "SEL97": "97", "SEL82b": "82B", "SEL82a": "82A"}


def _with_target_group(citizen, display="Udviklingshæmning"):
    citizen.target_groups.add(Term.objects.get(group="target_group", display=display))
    return citizen


def _reported(month_first, month_last):
    """(DST service, placement) straight from the placement rows: in force on some day of the month,
    acted for by this municipality, under a paragraph DST counts."""
    own = int(settings.RORET["MUNICIPALITY_CODE"])
    for p in Placement.objects.select_related("grant", "offer"):
        if (p.start <= month_last and (p.end is None or p.end > month_first) and p.grant.paragraph in DST_CODE
                and int(p.acting_municipality) == own):
            code = DST_CODE[p.grant.paragraph]
            yield "85B" if code == "85" and p.offer.legal_basis == "ABL105" else code, p


def _counts_from_placements(month_first, month_last):
    return Counter(code for code, _p in _reported(month_first, month_last))


@pytest.fixture
def october(world):
    """Placements of several paragraphs around October 2026, all by DST's rules."""
    w = world
    offers = {
        "home": w.offer("Bostøtten", "SEL85", places=20, tariff="500.00", offer_type="Socialpædagogisk støtte"),
        "housing": w.offer("Almenboligerne", "ABL105", places=5, tariff="900.00",
                           offer_type="Almindeligt længerevarende botilbud til voksne"),
        "early": w.offer("Tidlig indsats", "SEL82b", places=10, tariff="300.00", offer_type="Socialpædagogisk støtte"),
        "work": w.offer("Værkstedet", "SEL103", places=10, tariff="400.00", offer_type="Aktivitets- og samværstilbud"),
        "shelter": w.offer("Herberget", "SEL110", places=5, tariff="800.00",
                           offer_type="Almindeligt længerevarende botilbud til voksne"),
    }
    d = datetime.date
    cases = [  # (offer, start, end) ; end is the first day after the placement
        (w.residential, d(2025, 3, 1), None),                  # 108, all month
        (w.residential, d(2026, 10, 31), None),                # 108, its last day only
        (w.day_offer, d(2026, 1, 1), d(2026, 10, 2)),          # 104, its first day only
        (w.day_offer, d(2026, 1, 1), d(2026, 10, 1)),          # 104, ended the day before: not reported
        (w.day_offer, d(2026, 11, 1), None),                   # 104, starts after: not reported
        (w.external, d(2026, 9, 15), d(2026, 10, 20)),         # 107
        (offers["home"], d(2024, 6, 1), None),                 # 85 in the citizen's own home
        (offers["housing"], d(2024, 6, 1), None),              # 85 in a housing-like offer
        (offers["early"], d(2026, 10, 10), d(2026, 12, 1)),    # 82b
        (offers["work"], d(2023, 1, 1), None),                 # 103
        (offers["shelter"], d(2026, 10, 5), None),             # 110: not in DST's statistic
        (offers["work"], d(2026, 1, 1), "sold"),               # another municipality's citizen: theirs to report
    ]
    placed = []
    for i, (offer, start, end) in enumerate(cases):
        citizen = _with_target_group(w.citizen(first_name=f"Borger{i}"))
        sold = {"acting_municipality": "0661", "paying_municipality": "0661"} if end == "sold" else {}
        placed.append(w.place(citizen, offer, start=start, end=None if sold else end, **sold))
    return placed


def test_it_reports_the_services_in_force_on_some_day_of_the_month_per_paragraph(october):
    built = dst.report(OCTOBER)
    assert built.problems == []
    got = {row["code"]: row["records"] for row in built.counts()}
    assert got == dict(_counts_from_placements(OCTOBER.first, OCTOBER.last))
    assert got == {"108": 2, "104": 1, "107": 1, "85": 1, "85B": 1, "82B": 1, "103": 1}


def test_the_file_is_semicolon_utf8_with_the_cpr_number_and_the_last_day(world, october, assert_audited):
    economist = world.users["economist"]
    built, data = dst.export(economist, OCTOBER)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))
    assert tuple(rows[0]) == dst.COLUMNS
    assert len(rows) - 1 == len(built.records) == 8
    by_placement = {int(r[-1]): dict(zip(dst.COLUMNS, r, strict=True)) for r in rows[1:]}
    external = next(p for p in october if p.offer == world.external)
    row = by_placement[external.pk]
    assert row["cpr"] == cprlib.normalise(external.citizen.cpr) and len(row["cpr"]) == 10
    assert (row["service"], row["legal_basis"], row["start"], row["end"]) == ("107", "SEL107", "2026-09-15", "2026-10-19")
    assert row["provider_kind"] == "municipality" and row["provider_id"] == "991"
    assert row["target_groups"] == Term.objects.get(group="target_group", display="Udviklingshæmning").code
    entry = assert_audited("export", economist)
    assert entry.object_type == "dst" and entry.object_id == "2026-10" and entry.citizen_count == 8
    assert entry.after["citizens"] == sorted({p.citizen_id for p in october if p.pk in by_placement})
    assert all(cprlib.normalise(p.citizen.cpr) not in entry.summary for p in october)


def test_a_formula_in_an_offer_name_is_not_a_formula_in_the_file(world):
    offer = world.offer("=HYPERLINK(\"x\")", "SEL104", places=2, tariff="1.00", offer_type="Aktivitets- og samværstilbud")
    world.place(_with_target_group(world.citizen()), offer, start=datetime.date(2026, 10, 1))
    _built, data = dst.export(world.users["economist"], OCTOBER)
    assert ";'=HYPERLINK" in data.decode() or ";\"'=HYPERLINK" in data.decode()


def test_it_refuses_a_month_with_broken_records_naming_the_pseudonym_and_field(world, october):
    region = Provider.objects.create(kind="region", name="Region Test")
    offer = world.offer("Regionens tilbud", "SEL102", places=0, tariff="1000.00", provider=region,
                        offer_type="Aktivitets- og samværstilbud")
    no_group = world.citizen(first_name="Uden", cpr=make_cpr())
    broken = world.place(no_group, offer, start=datetime.date(2026, 10, 3))
    before = AuditEntry.objects.filter(action="export").count()
    with pytest.raises(dst.Refused) as refused:
        dst.export(world.users["economist"], OCTOBER)
    found = {(p.pseudonym, p.placement_id, p.field) for p in refused.value.problems}
    assert found == {(pseudonym(no_group.pk), broken.pk, "target_groups"), (pseudonym(no_group.pk), broken.pk, "provider_id")}
    text = " ".join(str(p) for p in refused.value.problems)
    assert cprlib.normalise(no_group.cpr) not in text and no_group.cpr not in text and "Uden" not in text
    assert AuditEntry.objects.filter(action="export").count() == before


def _record(**changes):
    base = dict(citizen_id=1, placement_id=1, legal_basis="SEL104", service="104", target_groups=[("x", "X")],
                start=datetime.date(2026, 1, 1), end=None, acting_municipality="0657", paying_municipality="0657",
                provider_kind="own", provider_id="0657", offer_id=1, offer="Aktivitetshuset")
    return dst.Record(**{**base, **changes})


@pytest.mark.parametrize("record, field", [
    (_record(paying_municipality=""), "paying_municipality"),
    (_record(acting_municipality="abc"), "acting_municipality"),
    (_record(target_groups=[]), "target_groups"),
    (_record(start=None), "start"),
    (_record(start=datetime.date(2026, 11, 1)), "start"),
    (_record(end=datetime.date(2025, 12, 31)), "end"),
    (_record(service=None, legal_basis="SEL999"), "service"),
    (_record(service="82B", legal_basis="SEL82b", start=datetime.date(2020, 1, 1)), "start"),
    (_record(provider_id=""), "provider_id"),
    (_record(offer_id=None), "offer_id"),
])
def test_the_check_names_the_field_that_breaks_a_rule(record, field):
    problems = dst.check(OCTOBER, [record])
    assert [p.field for p in problems] == [field]
    assert problems[0].pseudonym == pseudonym(1)


def test_two_records_of_one_citizen_and_service_may_not_overlap():
    first = _record(end=datetime.date(2026, 10, 10))
    touching = _record(placement_id=2, start=datetime.date(2026, 10, 11))
    overlapping = _record(placement_id=3, start=datetime.date(2026, 10, 10))
    other_service = _record(placement_id=4, service="103", legal_basis="SEL103", start=datetime.date(2026, 10, 5))
    other_citizen = _record(citizen_id=2, placement_id=5, start=datetime.date(2026, 10, 5))
    assert dst.check(OCTOBER, [first, touching, other_service, other_citizen]) == []
    assert [(p.placement_id, p.field) for p in dst.check(OCTOBER, [first, overlapping])] == [(3, "start")]
    # a long one overlapping two short ones that do not overlap each other: both are named
    long = _record(placement_id=6, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
    short = [_record(placement_id=7, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 5)),
             _record(placement_id=8, start=datetime.date(2026, 10, 1), end=None)]
    assert sorted(p.placement_id for p in dst.check(OCTOBER, [long, *short])) == [7, 8]


def test_the_page_does_not_grow_a_query_per_record(client, world, october):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.login(username="economist", password=PASSWORD)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:dst"), {"month": "2026-10"}).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for i in range(5):
        world.place(_with_target_group(world.citizen(first_name=f"Flere{i}")), world.day_offer,
                    start=datetime.date(2026, 10, 1))
    assert queries() == before


def test_only_the_economist_reports(world):
    from roret.core.permissions import NotInScope

    for persona in ("admin", "committee", "leader", "caseworker", "centre_leader"):
        with pytest.raises(NotInScope):
            dst.export(world.users[persona], OCTOBER)


def test_months_are_yyyy_mm_and_default_to_the_last_full_month():
    assert dst.parse_month("2026-02").last == datetime.date(2026, 2, 28)
    assert dst.parse_month("2026-12").after == datetime.date(2027, 1, 1)
    assert dst.last_full_month(datetime.date(2026, 1, 15)).value == "2025-12"
    for bad in ("2026-13", "26-10", "oktober", ""):
        with pytest.raises(dst.MonthError):
            dst.parse_month(bad)


def test_the_page_shows_counts_and_problems_and_the_download_is_audited(client, world, october):
    client.login(username="economist", password=PASSWORD)
    page = client.get(reverse("reports:dst"), {"month": "2026-10"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="dst-counts"' in body and 'id="dst-problems"' not in body
    answer = client.post(reverse("reports:dst_download"), {"month": "2026-10"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert "dst-handicap-voksne-2026-10.csv" in answer["Content-Disposition"]
    assert AuditEntry.objects.filter(action="export", object_type="dst", object_id="2026-10").count() == 1

    no_group = world.citizen(first_name="Uden")
    world.place(no_group, world.day_offer, start=datetime.date(2026, 10, 3))
    page = client.get(reverse("reports:dst"), {"month": "2026-10"})
    body = page.content.decode()
    assert 'id="dst-problems"' in body and pseudonym(no_group.pk) in body and no_group.cpr not in body
    assert AuditEntry.objects.filter(action="list", object_id="dst_problems", citizen_count=1).exists()
    refused = client.post(reverse("reports:dst_download"), {"month": "2026-10"})
    assert refused.status_code == 302
    assert AuditEntry.objects.filter(action="export", object_type="dst").count() == 1


def test_the_command_exports_and_exits_2_with_the_problems(world, october, tmp_path, capsys):
    out = tmp_path / "dst.csv"
    call_command("dst", "export", "--month", "2026-10", "--out", str(out), "--as", "economist", verbosity=0)
    # As from the shell (`roret dst check`): Django's system checks run first (a method named
    # ``check`` on the command once replaced them and broke every run from the shell).
    shown = io.StringIO()
    call_command("dst", "check", "--month", "2026-10", skip_checks=False, stdout=shown)
    assert "no problems" in shown.getvalue()
    assert out.read_text(encoding="utf-8").splitlines()[0] == ";".join(dst.COLUMNS)
    assert AuditEntry.objects.filter(action="export", object_type="dst", channel="cli").exists()

    no_group = world.citizen(first_name="Uden")
    broken = world.place(no_group, world.day_offer, start=datetime.date(2026, 10, 3))
    stderr = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("dst", "export", "--month", "2026-10", "--out", str(tmp_path / "no.csv"), verbosity=0,
                     stderr=stderr)
    assert failed.value.returncode == 2
    assert f"{pseudonym(no_group.pk)} (placement {broken.pk}): target_groups" in stderr.getvalue()
    assert not (tmp_path / "no.csv").exists()
    with pytest.raises(CommandError) as failed:
        call_command("dst", "export", "--month", "2026-10", "--out", str(out), "--as", "admin", verbosity=0)
    with pytest.raises(CommandError) as failed:
        call_command("dst", "check", "--month", "2026-10", verbosity=0, stderr=io.StringIO())
    assert failed.value.returncode == 2


DEMO_TODAY = datetime.date(2026, 11, 23)


@pytest.mark.django_db
def test_a_demo_month_matches_counts_computed_from_the_placements_per_paragraph():
    call_command("demo", seed=2026, citizens=300, today=DEMO_TODAY, verbosity=0)
    month = dst.parse_month("2026-10")
    built = dst.report(month)
    expected = _counts_from_placements(month.first, month.last)
    assert sum(expected.values()) > 50  # a real month, not an empty one
    assert {row["code"]: row["records"] for row in built.counts()} == dict(expected)
    assert Placement.objects.exclude(acting_municipality=settings.RORET["MUNICIPALITY_CODE"]).exists()  # sold places
    citizens = {}
    for code, p in _reported(month.first, month.last):
        citizens.setdefault(code, set()).add(p.citizen_id)
    assert {row["code"]: row["citizens"] for row in built.counts()} == {k: len(v) for k, v in citizens.items()}
    # The demo's month passes DST's rules, so the economist can make the file on `make run`.
    assert built.problems == []
    _same_as_the_full_check(month)  # the page's grouped counts are the records' counts


def _same_as_the_full_check(month):
    """The page's summary (dst.summary) against the records built and checked one by one."""
    built, shown = dst.report(month), dst.summary(month)
    assert shown.counts == built.counts()
    assert (shown.records, shown.citizens) == (len(built.records), len(built.citizen_ids))
    assert shown.problems == built.problems  # the same problems, in the same order
    return shown


def test_the_page_summary_finds_every_problem_the_full_check_finds(world, october, monkeypatch):
    from roret.placements.models import Grant

    assert _same_as_the_full_check(OCTOBER).problems == []
    d = datetime.date
    region = Provider.objects.create(kind="region", name="Region uden numre")
    no_ids = world.offer("Regionens tilbud", "SEL102", places=0, tariff="1000.00", provider=region,
                         offer_type="Aktivitets- og samværstilbud")
    world.place(_with_target_group(world.citizen(first_name="Region")), no_ids, start=d(2026, 10, 3))
    world.place(world.citizen(first_name="Uden"), world.day_offer, start=d(2026, 10, 3))  # no target group
    twice = _with_target_group(world.citizen(first_name="Dobbelt"))
    world.place(twice, world.day_offer, start=d(2026, 9, 1), end=d(2026, 10, 15))
    overlapping = world.place(twice, world.day_offer, start=d(2026, 10, 10))
    sequential = _with_target_group(world.citizen(first_name="Flytter"))  # two records, no problem
    world.place(sequential, world.day_offer, start=d(2026, 9, 1), end=d(2026, 10, 10))
    world.place(sequential, world.day_offer, start=d(2026, 10, 10))
    # What the services refuse, written past them (as raw SQL would): a paying municipality that is
    # no code, an early-support placement before DST counted it and a paragraph DST does not know (an
    # end before the start the database itself refuses).
    bad_paying = world.place(_with_target_group(world.citizen(first_name="Kommune")), world.day_offer,
                             start=d(2026, 10, 1))
    Placement.objects.filter(pk=bad_paying.pk).update(paying_municipality="abc")
    early = next(p for p in october if p.grant.paragraph == "SEL82b")
    Placement.objects.filter(pk=early.pk).update(start=d(2020, 1, 1))
    unknown = world.place(_with_target_group(world.citizen(first_name="Ukendt")), world.day_offer,
                          start=d(2026, 10, 1))
    Grant.objects.filter(pk=unknown.grant_id).update(paragraph="SEL999")
    shown = _same_as_the_full_check(OCTOBER)
    fields = Counter(p.field for p in shown.problems)
    assert fields == {"provider_id": 1, "target_groups": 1, "start": 2, "paying_municipality": 1,
                      "service": 1}, shown.problems
    assert any(p.placement_id == overlapping.pk and p.field == "start" for p in shown.problems)
    assert {row["code"] for row in shown.counts} >= {"102", ""}
    # Many citizens who may break a rule (say, no target groups recorded anywhere yet): the page
    # checks the whole month instead of naming them in one query, with the same problems.
    monkeypatch.setattr(dst, "SUSPECTS_BY_ID", 2)
    assert _same_as_the_full_check(OCTOBER).problems == shown.problems
