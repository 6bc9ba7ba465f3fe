from django.urls import path

from pmqa.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("manage/kpi/", views.kpi_home, name="kpi_home"),
    path("manage/kpi/<int:year>/", views.kpi_year, name="kpi"),
    path("manage/kpi/<int:year>/rules/", views.kpi_rules, name="kpi_rules"),
]
