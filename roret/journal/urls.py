from django.urls import path

from roret.journal import views

app_name = "journal"
urlpatterns = [
    path("citizens/<int:citizen_id>/", views.journal, name="citizen"),
    path("citizens/<int:citizen_id>/new/", views.add, name="add"),
    path("notes/<int:note_pk>/correct/", views.correct, name="correct"),
    # Corrections of recorded case data, one page per kind of record: its values, history and form.
    path("inquiries/<int:object_id>/correct/", views.correct_record, {"kind": "inquiry"}, name="correct_inquiry"),
    path("decisions/<int:object_id>/correct/", views.correct_record, {"kind": "decision"}, name="correct_decision"),
    path("placements/<int:object_id>/correct/", views.correct_record, {"kind": "placement"},
         name="correct_placement"),
    path("placement-tariffs/<int:object_id>/correct/", views.correct_record, {"kind": "tariff"},
         name="correct_placement_tariff"),
    path("goals/<int:object_id>/correct/", views.correct_record, {"kind": "goal"}, name="correct_goal"),
    path("relatives/<int:object_id>/correct/", views.correct_record, {"kind": "relative"}, name="correct_relative"),
]
