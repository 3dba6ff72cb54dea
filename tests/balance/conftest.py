import datetime
from decimal import Decimal

import pytest

from roret.balance.models import BalanceTarget, StaffMonth
from roret.economy.models import Budget, SelfSufficiencyTarget
from roret.outcomes import services as outcome_services
from roret.outcomes.models import FollowUp, GoalProgress
from roret.visitation.models import Assessment, Inquiry
from tests.factories import term

D = datetime.date
TODAY = D(2025, 1, 15)        # the last completed half-year is 2024 H2: [2024-07-01, 2025-01-01)


class Scene:
    """Hand-made figures for 2024 H2 (and a little of 2024 H1), each worked out in the tests.

    Centre A: c1 and c2 live in the residential offer (2 places, 2,250 kr. a day) from 2024-01-01;
    c3 uses the day offer (10 places, 600 kr. a day) from 2024-07-01 to 2024-10-01. c4 lives in
    the external offer (3,100 kr. a day) from 2024-01-01: the department's, not the centre's."""

    def __init__(self, world):
        self.world = world
        w = world
        cw = w.users["caseworker"]
        self.c1 = w.citizen(first_name="Et")
        self.c2 = w.citizen(first_name="To")
        self.c3 = w.citizen(first_name="Tre")
        self.c4 = w.citizen(first_name="Fire")
        self.p1 = w.place(self.c1, w.residential, start=D(2024, 1, 1))
        self.p2 = w.place(self.c2, w.residential, start=D(2024, 1, 1))
        self.p3 = w.place(self.c3, w.day_offer, start=D(2024, 7, 1), end=D(2024, 10, 1))
        self.p4 = w.place(self.c4, w.external, start=D(2024, 1, 1))

        def who5(citizen, day, each):
            outcome_services.record_measurement(citizen, "WHO-5", [each] * 5, actor=cw, measured_on=day)

        who5(self.c1, D(2024, 3, 1), 2)    # 40, low
        who5(self.c1, D(2024, 9, 1), 3)    # 60, +20 since 40
        who5(self.c2, D(2024, 8, 1), 2)    # 40, low, no earlier one
        who5(self.c3, D(2024, 8, 15), 4)   # 80
        who5(self.c4, D(2024, 10, 1), 1)   # 20, low (external: the department only)

        g1b = w.grant(self.c1, w.day_offer, start=D(2024, 1, 1))   # a second grant (one open follow-up each)
        FollowUp.objects.all().delete()    # the grants' own schedule; these are pinned by hand
        g1, g2, g4 = (p.grant for p in (self.p1, self.p2, self.p4))
        fu1 = FollowUp.objects.create(citizen=self.c1, grant=g1, due_on=D(2024, 8, 1), held_on=D(2024, 7, 30),
                                      outcome="continue")
        fu2 = FollowUp.objects.create(citizen=self.c2, grant=g2, due_on=D(2024, 9, 1), held_on=D(2024, 9, 10),
                                      outcome="continue")
        FollowUp.objects.create(citizen=self.c1, grant=g1, due_on=D(2024, 11, 1))               # not held
        FollowUp.objects.create(citizen=self.c4, grant=g4, due_on=D(2024, 11, 1), held_on=D(2024, 11, 1),
                                outcome="continue")
        FollowUp.objects.create(citizen=self.c1, grant=g1b, due_on=D(2025, 1, 20))               # not due yet

        def goal(citizen):
            return outcome_services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"),
                                             theme=term("Praktiske opgaver"), own_words="Gøre rent selv",
                                             target_date=datetime.date.today() + datetime.timedelta(days=365),
                                             created_on=D(2024, 1, 15))

        ga, gb, gc = goal(self.c1), goal(self.c2), goal(self.c1)
        GoalProgress.objects.create(follow_up=fu1, goal=ga, progress="achieved")
        GoalProgress.objects.create(follow_up=fu1, goal=gc, progress="unchanged")
        GoalProgress.objects.create(follow_up=fu2, goal=gb, progress="progressing")

        def inquiry(citizen, deadline, closed_on):
            Inquiry.objects.create(citizen=citizen, source="citizen", received_on=deadline - datetime.timedelta(weeks=12),
                                   about="Hjælp", paragraph="SEL108", deadline=deadline, team=w.team,
                                   status="decided" if closed_on else "open", closed_on=closed_on)

        inquiry(self.c1, D(2024, 8, 1), D(2024, 7, 20))     # met
        inquiry(self.c2, D(2024, 9, 1), D(2024, 9, 5))      # late
        inquiry(self.c1, D(2024, 12, 1), None)              # open past its deadline
        inquiry(self.c4, D(2024, 10, 1), D(2024, 9, 1))     # met (the department only)

        def assessed(citizen, day, version=1):
            Assessment.objects.create(citizen=citizen, version=version, assessed_on=day, hopes="Bo selv",
                                      support_need=term("Højt støttebehov"), assessed_by=cw)

        assessed(self.c1, D(2023, 6, 1))     # current on 2024-12-31 (19 months)
        assessed(self.c2, D(2022, 6, 1))     # 31 months: not current
        assessed(self.c4, D(2024, 2, 1))     # current (the department only)

        for month in range(7, 13):
            StaffMonth.objects.create(centre=w.centre, month=D(2024, month, 1), fte_employed=Decimal("20"),
                                      fte_budgeted=Decimal("25"), sickness_days=Decimal("10"),
                                      working_days=Decimal("200"), leavers=1 if month in (7, 10) else 0,
                                      vacancies=3 if month == 12 else 1)
        # The other centre: 2 of 100 days sick in every month of 2024 H2.
        for month in range(7, 13):
            StaffMonth.objects.create(centre=w.other_centre, month=D(2024, month, 1), fte_employed=Decimal("5"),
                                      fte_budgeted=Decimal("5"), sickness_days=Decimal("2"),
                                      working_days=Decimal("100"), leavers=0, vacancies=0)
        SelfSufficiencyTarget.objects.create(year=2024, target=Decimal("50"))
        Budget.objects.create(year=2024, account_function="5.38.50", amount=Decimal("2928000"))
        BalanceTarget.objects.create(kind="sickness", value=Decimal("6"), valid_from=D(2024, 1, 1))
        BalanceTarget.objects.create(kind="sickness", centre=w.centre, value=Decimal("4.5"), valid_from=D(2024, 10, 1))
        BalanceTarget.objects.create(kind="sickness", centre=w.centre, value=Decimal("3"), valid_from=D(2025, 1, 2))


@pytest.fixture
def scene(world):
    return Scene(world)
