from django.urls import include, path

from roret.plans import report_views, views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("load/", views.plan_load, name="load"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/plan.xlsx", views.plan_workbook_download, name="workbook"),
    path("<int:pk>/adopt/", views.plan_adopt, name="adopt"),
    path("<int:pk>/rows/<int:row_pk>/", views.row_detail, name="row"),
    path("<int:pk>/status/", report_views.status_reports, name="status_reports"),
    path("<int:pk>/status/make/", report_views.status_report_start, name="status_report_start"),
    path("<int:pk>/status/<int:report_pk>/", report_views.status_report, name="status_report"),
    path("<int:pk>/status/<int:report_pk>/report.<str:fmt>", report_views.status_report_file,
         name="status_report_file"),
    # Realised effects and traffic lights (roret/plans/effect_urls.py), in the same namespace.
    path("", include("roret.plans.effect_urls")),
]
