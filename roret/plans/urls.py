from django.urls import path

from roret.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("load/", views.plan_load, name="load"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/plan.xlsx", views.plan_workbook_download, name="workbook"),
    path("<int:pk>/adopt/", views.plan_adopt, name="adopt"),
    path("<int:pk>/rows/<int:row_pk>/", views.row_detail, name="row"),
]
