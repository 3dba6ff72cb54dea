"""Economy writes: rebuilding the cost segments, budgets and their import.

The cost segments are derived data: :func:`refresh_segments` rebuilds them for some or all
placements from the engine's single-placement pieces. A service that changes what a placement
costs (a placement started or ended, an agreed or standard tariff, an offer's account function)
calls :func:`recost_after_commit` with the placements it touched: they are marked in the same
transaction and re-costed once, after the commit, however many times they were touched. The
demo build and ``roret economy_refresh`` rebuild everything. There are no model signals.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.core import text_limits
from roret.economy import engine, rollup
from roret.economy.models import CostSegment, EconomyState, PendingRecost

logger = logging.getLogger(__name__)

HORIZON_YEARS = 6  # open placements are costed to 1 January this many years ahead (the 5-year plan + 1)
BATCH = 5000


def horizon_for(today: datetime.date) -> datetime.date:
    return datetime.date(today.year + HORIZON_YEARS, 1, 1)


def current_horizon() -> datetime.date:
    state = EconomyState.objects.order_by("-pk").first()
    return state.horizon if state else horizon_for(datetime.date.today())


def _primary_target_groups(citizen_ids) -> dict[int, int]:
    """Each citizen's first-recorded target group: one group per citizen, so breakdowns add up."""
    from roret.citizens.models import Citizen

    through = Citizen.target_groups.through
    out: dict[int, int] = {}
    qs = through.objects.order_by("citizen_id", "pk").values_list("citizen_id", "term_id")
    if citizen_ids is not None:
        qs = qs.filter(citizen_id__in=citizen_ids)
    for citizen_id, term_id in qs.iterator(chunk_size=BATCH):
        out.setdefault(citizen_id, term_id)
    return out


SEGMENT_COLUMNS = ("placement_id", "citizen_id", "offer_id", "provider_id", "centre_id", "offer_type_id",
                   "target_group_id", "own", "sold", "residential", "paragraph", "account_function", "start_day",
                   "end_day", "placement_start", "placement_end", "cum0", "rate")


def _segments_for(placements: list[dict], horizon: datetime.date, own_code: str, flags_total: dict,
                  targets: dict[int, int]) -> list[tuple]:
    """Cost segment rows (tuples in SEGMENT_COLUMNS order) for placement value-dicts, tariffs loaded in bulk."""
    from roret.offers.models import Tariff
    from roret.placements.models import PlacementTariff

    offer_ids = {p["offer_id"] for p in placements}
    ids = [p["id"] for p in placements]
    standard = defaultdict(list)
    for offer_id, valid_from, amount, unit in Tariff.objects.filter(offer_id__in=offer_ids).values_list(
            "offer_id", "valid_from", "amount", "unit"):
        standard[offer_id].append(engine.TariffRow(valid_from, amount, unit))
    agreed = defaultdict(list)
    for chunk_start in range(0, len(ids), BATCH):
        chunk = ids[chunk_start:chunk_start + BATCH]
        for pid, valid_from, amount, unit, hours in PlacementTariff.objects.filter(placement_id__in=chunk).values_list(
                "placement_id", "valid_from", "amount", "unit", "hours_per_week"):
            agreed[pid].append(engine.TariffRow(valid_from, amount, unit, hours))
    rows = []
    for p in placements:
        flags = engine.Flags()
        stop = p["end"] if p["end"] is not None else max(horizon, p["start"] + datetime.timedelta(days=1))
        schedule = engine.schedule(standard[p["offer_id"]], agreed[p["id"]])
        keys = (p["id"], p["citizen_id"], p["offer_id"], p["offer__provider_id"], p["offer__provider__centre_id"],
                p["offer__offer_type_id"], targets.get(p["citizen_id"]), p["offer__provider__kind"] == "own",
                p["paying_municipality"] != own_code, p["is_residential"], p["grant__paragraph"],
                p["offer__account_function"])
        p_start = p["start"].toordinal()
        p_end = p["end"].toordinal() if p["end"] is not None else None
        for piece in engine.pieces(p["start"], stop, schedule, p["grant__hours_per_week"], flags):
            rows.append((*keys, piece.start.toordinal(), piece.end.toordinal(), p_start, p_end, piece.cum0, piece.rate))
        flags_total["missing_hours"] += flags.missing_hours
        flags_total["missing_tariff"] += flags.missing_tariff
    return rows


def _insert(rows: list[tuple]) -> None:
    """Plain executemany: the segments are derived rows, and model instances would cost more than the work."""
    if not rows:
        return
    table = connection.ops.quote_name(CostSegment._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(SEGMENT_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(SEGMENT_COLUMNS))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


PLACEMENT_FIELDS = ("id", "citizen_id", "offer_id", "start", "end", "paying_municipality", "is_residential",
                    "grant__hours_per_week", "grant__paragraph", "offer__provider_id", "offer__provider__kind",
                    "offer__provider__centre_id", "offer__offer_type_id", "offer__account_function")


def refresh_segments(placement_ids: Iterable[int] | None = None, *, today: datetime.date | None = None,
                     progress: Callable[[int, int], None] | None = None) -> dict:
    """Rebuild the cost segments of ``placement_ids`` (all placements when None), atomically.

    The monthly rollup follows in the same transaction: rebuilt with everything, else changed
    by the difference the placements' segments make, in exactly the months they change.

    Returns counts: placements, segments, missing_hours, missing_tariff.
    """
    from roret.placements.models import Placement

    today = today or datetime.date.today()
    own_code = settings.RORET["MUNICIPALITY_CODE"]
    full = placement_ids is None
    horizon = horizon_for(today) if full else current_horizon()
    qs = Placement.objects.order_by("pk").values(*PLACEMENT_FIELDS)
    if not full:
        placement_ids = list(placement_ids)
        qs = qs.filter(pk__in=placement_ids)
    flags = {"missing_hours": 0, "missing_tariff": 0}
    written = done = 0
    with transaction.atomic():
        if full:
            CostSegment.objects.all().delete()
            PendingRecost.objects.all().delete()
        else:
            # Two re-costings of the same placement run one after the other (PostgreSQL row locks;
            # SQLite takes one writer at a time), so neither inserts segments the other deletes.
            list(Placement.objects.select_for_update().filter(pk__in=placement_ids).values_list("pk", flat=True))
            before = rollup.contributions(rollup.segment_rows(placement_ids))
            CostSegment.objects.filter(placement_id__in=placement_ids).delete()
        placements = list(qs)
        total = len(placements)
        targets = _primary_target_groups(None if full else {p["citizen_id"] for p in placements})
        for chunk_start in range(0, total, BATCH):
            chunk = placements[chunk_start:chunk_start + BATCH]
            rows = _segments_for(chunk, horizon, own_code, flags, targets)
            _insert(rows)
            written += len(rows)
            done += len(chunk)
            if progress:
                progress(done, total)
        if full:
            rollup_rows = rollup.rebuild()
        else:
            rollup.apply_difference(before, rollup.contributions(rollup.segment_rows(placement_ids)))
        if full:
            EconomyState.objects.all().delete()
            EconomyState.objects.create(refreshed_at=timezone.now(), horizon=horizon, segments=written, **flags)
        elif not EconomyState.objects.exists():
            EconomyState.objects.create(refreshed_at=timezone.now(), horizon=horizon,
                                        segments=CostSegment.objects.count(), **flags)
    return {"placements": total, "segments": written, **flags, **({"rollup_rows": rollup_rows} if full else {})}


def fresh_segment_rows(today: datetime.date | None = None):
    """Every placement's cost segments as the engine makes them now, without writing: yields
    (rows in SEGMENT_COLUMNS order, placements done, placements in all) a chunk at a time, up to
    the stored horizon. What ``roret economy_check --exact`` compares the rollup with."""
    from roret.placements.models import Placement

    own_code = settings.RORET["MUNICIPALITY_CODE"]
    horizon = current_horizon() if today is None else horizon_for(today)
    placements = list(Placement.objects.order_by("pk").values(*PLACEMENT_FIELDS))
    targets = _primary_target_groups(None)
    flags = {"missing_hours": 0, "missing_tariff": 0}
    for chunk_start in range(0, len(placements), BATCH):
        chunk = placements[chunk_start:chunk_start + BATCH]
        yield _segments_for(chunk, horizon, own_code, flags, targets), chunk_start + len(chunk), len(placements)


def recost_after_commit(placement_ids: Iterable[int]) -> None:
    """Mark ``placement_ids`` as needing new cost segments, in the caller's transaction, and re-cost
    every marked placement once after it commits (at once when there is no transaction)."""
    ids = sorted(set(placement_ids))
    if not ids:
        return
    PendingRecost.objects.bulk_create([PendingRecost(placement_id=pk) for pk in ids])
    transaction.on_commit(recost_pending, robust=True)


def recost_pending() -> int:
    """Re-cost the placements marked by :func:`recost_after_commit`; returns how many.

    Only the marks read here are removed: a change committed while this runs leaves a mark of
    its own, which its own after-commit call re-costs."""
    marks = list(PendingRecost.objects.values_list("pk", "placement_id"))
    if not marks:
        return 0
    ids = sorted({placement_id for _pk, placement_id in marks})
    with transaction.atomic():
        refresh_segments(ids)
        PendingRecost.objects.filter(pk__in=[pk for pk, _id in marks]).delete()
    return len(ids)


# ---- budgets -------------------------------------------------------------------------------

BUDGET_HEADERS = {
    "year": {"year", "år"},
    "account_function": {"account_function", "account function", "funktion", "kontofunktion"},
    "amount": {"amount", "budget", "beløb"},
    "note": {"note", "bemærkning"},
}


# The budget column holds 14 digits, two of them decimals (economy.Budget.amount).
BUDGET_MAX = Decimal("999999999999.99")


def _too_large() -> str:
    return _("a budget has at most 12 digits before the decimal comma (999.999.999.999,99 kr.)")


class BudgetImportError(ValueError):
    """A budget file that cannot be imported; ``errors`` says what and where (row, column)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def set_budget(year: int, account_function: str, amount, *, actor, note: str = "", channel: str = "web"):
    """Enter or correct the budget of one account function and year (audited with before/after)."""
    from decimal import Decimal

    from roret.core import audit, permissions
    from roret.economy.models import Budget
    from roret.offers.models import AccountFunction

    permissions.require_role(actor, permissions.PLANNERS, "only the economist sets budgets")
    if account_function not in AccountFunction.values:
        raise BudgetImportError([f"{account_function!r} is not an account function (5.38.xx)"])
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise BudgetImportError(["a budget must be a non-negative amount"])
    if amount > BUDGET_MAX:
        raise BudgetImportError([_too_large()])
    if amount != amount.quantize(Decimal("0.01")):
        raise BudgetImportError([_("a budget is in kroner and øre: at most two decimals")])
    note = (note or "").strip()
    if found := text_limits.errors(Budget, note=note):
        raise BudgetImportError(list(found.values()))
    with transaction.atomic():
        budget = Budget.objects.select_for_update().filter(year=year, account_function=account_function).first()
        before = audit.snapshot(budget, ["year", "account_function", "amount", "note"]) if budget else None
        if budget is None:
            budget = Budget(year=year, account_function=account_function)
        budget.amount, budget.note = amount, note
        budget.save()
        audit.record(actor, "change" if before else "create", obj=budget, channel=channel,
                     summary=f"Budget {year} {account_function}: {amount} kr.", before=before,
                     after=audit.snapshot(budget, ["year", "account_function", "amount", "note"]))
    return budget


def import_budgets(file, *, actor, channel: str = "web", on_row=None) -> int:
    """Import budgets from an Excel sheet (columns year, account_function, amount[, note]).

    All rows or none: any bad cell raises :class:`BudgetImportError` listing every problem by
    row and column, and nothing is written. The rows are written in one transaction, so a
    database that fails halfway (a dropped connection, a refused row) leaves nothing written
    either, and the error says at which row it stopped. ``on_row(row_number)`` is called before
    each row is written (progress; the fault tests drop the connection there). Returns the
    number of budgets written.
    """
    from decimal import Decimal, InvalidOperation

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from roret.core import permissions
    from roret.core.parsing import declares_xml_entities
    from roret.offers.models import AccountFunction
    from roret.reports.toolkit.excel import unsafe_text

    permissions.require_role(actor, permissions.PLANNERS, "only the economist imports budgets")

    if declares_xml_entities(file):
        raise BudgetImportError([_("the file declares an XML entity or DOCTYPE, which an Excel sheet never needs; "
                                   "save it again from Excel as .xlsx")])
    try:
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise BudgetImportError([f"the file is not an Excel workbook (.xlsx): {exc.__class__.__name__}"]) from None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise BudgetImportError(["the sheet is empty"])
    header = [str(h).strip().casefold() if h is not None else "" for h in rows[0]]
    where = {}
    for key, names in BUDGET_HEADERS.items():
        for i, h in enumerate(header):
            if h in names:
                where[key] = i
    missing = [k for k in ("year", "account_function", "amount") if k not in where]
    if missing:
        raise BudgetImportError([f"row 1: missing column(s) {', '.join(missing)} (found: {', '.join(filter(None, header))})"])
    errors, parsed, seen = [], [], {}
    for r, values in enumerate(rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue

        def cell(key, values=values):
            i = where[key]
            return values[i] if i < len(values) else None

        def at(key, r=r):
            return f"row {r}, column {get_column_letter(where[key] + 1)} ({key})"

        year, function, amount = cell("year"), cell("account_function"), cell("amount")
        try:
            year = int(str(year).strip())
            if not 2000 <= year <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"{at('year')}: {year!r} is not a year")
            year = None
        function = str(function).strip() if function is not None else ""
        if function not in AccountFunction.values:
            errors.append(f"{at('account_function')}: {function!r} is not an account function (e.g. 5.38.50)")
        try:
            amount = Decimal(str(amount).strip().replace(" ", ""))
            if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
                raise InvalidOperation
            if amount > BUDGET_MAX:
                errors.append(f"{at('amount')}: {_too_large()}")
                amount = None
        except (InvalidOperation, ValueError):
            errors.append(f"{at('amount')}: {amount!r} is not a non-negative amount in kroner (two decimals at most)")
            amount = None
        if year is not None and function in AccountFunction.values:
            if (year, function) in seen:
                errors.append(f"row {r}: {year} {function} also on row {seen[(year, function)]}")
            seen[(year, function)] = r
        # A note the template wrote as '=... (no formula: reports.toolkit.excel) comes back as typed.
        note = unsafe_text(str(cell("note") or ""))[:200] if "note" in where else ""
        parsed.append((r, year, function, amount, note))
    if errors:
        raise BudgetImportError(errors)
    if not parsed:
        raise BudgetImportError(["the sheet has no budget rows below the header"])
    row = None
    try:
        with transaction.atomic():
            for row, year, function, amount, note in parsed:
                if on_row is not None:
                    on_row(row)
                set_budget(year, function, amount, actor=actor, note=note or "Importeret", channel=channel)
    except DatabaseError as exc:
        logger.warning("budget import stopped at row %s by a database error", row, exc_info=True)
        raise BudgetImportError([_("row %(row)s: the database stopped the import (%(error)s); try again")
                                 % {"row": row, "error": type(exc).__name__}]) from exc
    return len(parsed)


def budget_workbook(year: int) -> bytes:
    """An Excel sheet with the year's budgets per account function, ready to fill in and import."""
    from openpyxl import Workbook

    from roret.economy.models import Budget
    from roret.offers.models import AccountFunction
    from roret.reports.toolkit import excel

    wb = Workbook()
    ws = wb.active
    ws.title = f"Budget {year}"
    # Danish column names; the import also reads the English ones (BUDGET_HEADERS).
    ws.append(["år", "kontofunktion", "beløb", "bemærkning"])
    current = {b.account_function: b for b in Budget.objects.filter(year=year)}
    for function in AccountFunction.values:
        budget = current.get(function)
        ws.append([year, function, budget.amount if budget else None, budget.note if budget else ""])
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 18
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "#,##0.00"
    return excel.save(wb)


# ---- reimbursement levels and self-sufficiency targets ----------------------------------------

MIN_REASON = 10


class SettingsError(ValueError):
    """Economic settings that cannot be saved; ``errors`` maps a field to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise SettingsError({"year": _("Give the year as four digits, e.g. 2027.")}) from None
    if not 2000 <= year <= 2100:
        raise SettingsError({"year": _("Give a year between 2000 and 2100.")})
    return year


def set_reimbursement_levels(year, levels, *, actor, reason: str = "", channel: str = "web") -> list:
    """The SEL §176 reimbursement levels from ``year`` on: ``levels`` is [(threshold kr., rate)], the
    lowest threshold first. A year that has levels already is corrected with a reason; the audit row
    holds the levels before and after. Reimbursement is computed from the levels when a page or
    report asks, so a correction shows at once and leaves nothing to re-cost."""
    from decimal import Decimal, InvalidOperation

    from roret.core import audit, permissions
    from roret.economy.models import ReimbursementLevel

    permissions.require_role(actor, permissions.PLANNERS, "only the economist sets reimbursement levels")
    text_limits.check(_("Reason"), (reason or "").strip(), text_limits.REASON, "reason", SettingsError)
    year = _year(year)
    rows = []
    for i, (threshold, rate) in enumerate(levels, start=1):
        if threshold in (None, "") and rate in (None, ""):
            continue
        try:
            threshold = Decimal(str(threshold).replace(".", "").replace(" ", "").replace(",", "."))
            rate = Decimal(str(rate).replace(",", "."))
        except (InvalidOperation, ValueError):
            raise SettingsError({f"level_{i}": _("Level %(i)d: give a threshold in kroner and a rate such as 0,25.") % {"i": i}}) \
                from None
        if not (threshold.is_finite() and 0 < threshold < 10**10 and threshold == threshold.quantize(Decimal("0.01"))):
            raise SettingsError({f"level_{i}": _("Level %(i)d: the threshold is an amount in kroner above 0.") % {"i": i}})
        if not (rate.is_finite() and 0 <= rate <= 1 and rate == rate.quantize(Decimal("0.001"))):
            raise SettingsError({f"level_{i}": _("Level %(i)d: the rate is a share between 0 and 1 (e.g. 0,250).") % {"i": i}})
        rows.append((threshold.quantize(Decimal("0.01")), rate.quantize(Decimal("0.001"))))
    if not rows:
        raise SettingsError({"level_1": _("Give at least one threshold and its rate.")})
    if any(b[0] <= a[0] for a, b in zip(rows, rows[1:], strict=False)):
        raise SettingsError({"level_1": _("Each threshold must be above the one before it.")})
    with transaction.atomic():
        current = list(ReimbursementLevel.objects.select_for_update().filter(year=year).order_by("threshold"))
        before = [[str(r.threshold), str(r.rate)] for r in current]
        after = [[str(t), str(r)] for t, r in rows]
        if before == after:
            raise SettingsError({"level_1": _("%(year)d has these levels already.") % {"year": year}})
        reason = (reason or "").strip()
        if current and len(reason) < MIN_REASON:
            raise SettingsError({"reason": _("%(year)d has levels already: give the reason for the correction (at least %(n)d "
                                             "characters).") % {"year": year, "n": MIN_REASON}})
        ReimbursementLevel.objects.filter(year=year).delete()
        made = ReimbursementLevel.objects.bulk_create(
            [ReimbursementLevel(year=year, threshold=t, rate=r) for t, r in rows])
        audit.record(actor, "change" if current else "create", channel=channel, reason=reason,
                     summary=f"Refusionsgrænser (SEL §176) fra {year}: "
                             + "; ".join(f"{r * 100:g} % over {t:,.0f} kr.".replace(",", ".") for t, r in rows),
                     before={"year": year, "levels": before} if current else None,
                     after={"year": year, "levels": after})
    return made


def set_self_sufficiency_target(year, target, *, actor, reason: str = "", channel: str = "web"):
    """The target for the self-sufficiency rate in ``year`` (per cent). Changing a year's target
    needs a reason; the audit row holds before and after."""
    from decimal import Decimal, InvalidOperation

    from roret.core import audit, permissions
    from roret.economy.models import SelfSufficiencyTarget

    permissions.require_role(actor, permissions.PLANNERS, "only the economist sets self-sufficiency targets")
    text_limits.check(_("Reason"), (reason or "").strip(), text_limits.REASON, "reason", SettingsError)
    year = _year(year)
    try:
        target = Decimal(str(target).replace(",", ".").replace("%", "").strip())
    except (InvalidOperation, ValueError):
        raise SettingsError({"target": _("Give the target in per cent, e.g. 51.")}) from None
    if not (target.is_finite() and 0 <= target <= 100 and target == target.quantize(Decimal("0.01"))):
        raise SettingsError({"target": _("The target is a percentage from 0 to 100 with at most two decimals.")})
    target = target.quantize(Decimal("0.01"))
    with transaction.atomic():
        row = SelfSufficiencyTarget.objects.select_for_update().filter(year=year).first()
        reason = (reason or "").strip()
        if row is not None:
            if row.target == target:
                raise SettingsError({"target": _("The target for %(year)d is %(target)s %% already.") % {"year": year, "target": target}})
            if len(reason) < MIN_REASON:
                raise SettingsError({"reason": _("%(year)d has a target already: give the reason for changing it (at least %(n)d "
                                                 "characters).") % {"year": year, "n": MIN_REASON}})
        before = {"year": year, "target": str(row.target)} if row else None
        row = row or SelfSufficiencyTarget(year=year)
        row.target = target
        row.save()
        audit.record(actor, "change" if before else "create", obj=row, channel=channel, reason=reason,
                     summary=f"Mål for selvforsyningsgrad {year}: {target} %", before=before,
                     after={"year": year, "target": str(target)})
    return row
