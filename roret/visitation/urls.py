from django.urls import path

from roret.visitation import views

app_name = "visitation"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("inquiries/new/", views.inquiry_new, name="inquiry_new"),
    path("inquiries/<int:inquiry_pk>/", views.inquiry, name="inquiry"),
    path("inquiries/<int:inquiry_pk>/take/", views.inquiry_take, name="inquiry_take"),
    path("citizens/<int:citizen_id>/assessment/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<int:assessment_pk>/", views.assessment, name="assessment"),
    path("assessments/<int:assessment_pk>/decision/", views.decision_new, name="decision_new"),
    path("decisions/<int:decision_pk>/", views.decision, name="decision"),
    path("decisions/<int:decision_pk>/letter.pdf", views.letter, name="letter"),
    path("citizens/<int:citizen_id>/timeline/", views.timeline, name="timeline"),
    path("citizens/<int:citizen_id>/fhir.json", views.fhir_export, name="fhir"),
    path("citizens/<int:citizen_id>/elderly-care/", views.elderly_care, name="elderly_care"),
    path("transitions/", views.transitions, name="transitions"),
    path("transitions/<int:transition_pk>/", views.transition, name="transition"),
]
