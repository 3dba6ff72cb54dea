"""Budgets per account function and year: the economy's budget import as a kind of this framework,
written through ``economy.services.set_budget`` (which checks and audits each budget)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.core import permissions
from roret.economy.services import BUDGET_HEADERS, BUDGET_MAX
from roret.imports.kinds import register
from roret.imports.kinds.base import Kind, Plan, amount, text, whole
from roret.imports.reading import Row, Table
from roret.offers.models import AccountFunction


class BudgetKind(Kind):
    name = "budgets"
    label = gettext_lazy("Budgets")
    roles = permissions.PLANNERS
    sheet_names = ("budget", "budgets")
    # The Danish name first (the template's), then the names the economy's own import reads.
    columns = {"year": ("år", *sorted(BUDGET_HEADERS["year"])),
               "account_function": ("kontofunktion", *sorted(BUDGET_HEADERS["account_function"])),
               "amount": ("beløb", *sorted(BUDGET_HEADERS["amount"])),
               "note": ("bemærkning", *sorted(BUDGET_HEADERS["note"]))}
    required = ("year", "account_function", "amount")
    example = (2026, "5.38.50", "12500000,00", "")

    def prepare(self, table: Table, *, actor, plan: Plan) -> None:
        from roret.economy.models import Budget

        self.current = {(b.year, b.account_function): b for b in Budget.objects.all()}
        self.seen: dict[tuple, int] = {}

    def check(self, row: Row, plan: Plan, *, actor) -> None:
        errors = len(plan.errors)
        year = whole(row, "year", plan, low=2000, high=2100, required=True)
        function = text(row, "account_function", plan, max_length=7, required=True)
        if function and function not in AccountFunction.values:
            plan.error(row, "account_function", _("%(value)s is not an account function (e.g. 5.38.50).")
                       % {"value": function})
        money = amount(row, "amount", plan, maximum=BUDGET_MAX, required=True)
        note = text(row, "note", plan, max_length=200) or "Importeret"
        if year and function and (year, function) in self.seen:
            plan.error(row, "account_function", _("%(year)d %(function)s is also on row %(row)d.")
                       % {"year": year, "function": function, "row": self.seen[(year, function)]})
        self.seen.setdefault((year, function), row.number)
        if len(plan.errors) > errors:
            return
        budget = self.current.get((year, function))
        if budget is not None and budget.amount == money and budget.note == note:
            plan.count("unchanged")
            return
        plan.count("new" if budget is None else "changed")
        plan.actions.append((year, function, money, note))

    def apply(self, plan: Plan, *, actor, channel: str, progress=None) -> None:
        from roret.economy.services import set_budget

        for year, function, money, note in plan.actions:
            set_budget(year, function, money, actor=actor, note=note, channel=channel)


register(BudgetKind())
