from django.urls import path

from roret.reports import views

app_name = "reports"
urlpatterns = [
    path("kpi/", views.kpi_report_page, name="kpi_report"),
    path("kpi/report.pdf", views.kpi_report_pdf, name="kpi_report_pdf"),
    path("kpi/report.xlsx", views.kpi_report_xlsx, name="kpi_report_xlsx"),
    path("kpi/background/", views.kpi_report_start, name="kpi_report_start"),
    path("dst/", views.dst_page, name="dst"),
    path("dst/download/", views.dst_download, name="dst_download"),
]
