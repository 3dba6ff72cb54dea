"""URLs of the realised effects and traffic lights, included by roret/plans/urls.py under the
"plans" namespace (docs/plans.md)."""

from django.urls import path

from roret.plans import effect_views as views

urlpatterns = [
    path("<int:plan_pk>/effects/", views.plan_effects, name="plan_effects"),
    path("initiatives/<int:initiative_pk>/effects/", views.initiative_effects, name="initiative_effects"),
    path("initiatives/<int:initiative_pk>/effects/investment/", views.effects_investment, name="effects_investment"),
    path("initiatives/<int:initiative_pk>/effects/manual/", views.effects_manual, name="effects_manual"),
    path("initiatives/<int:initiative_pk>/effects/rules/", views.effects_rule_add, name="effects_rule_add"),
    path("initiatives/<int:initiative_pk>/effects/rules/<int:rule_pk>/remove/", views.effects_rule_remove,
         name="effects_rule_remove"),
    path("initiatives/<int:initiative_pk>/lights/<str:half>/", views.light_set, name="light_set"),
]
