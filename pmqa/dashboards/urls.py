from django.urls import path

from pmqa.dashboards import kpi_views, statistics_views, views, whatif
from pmqa.verification import views as review_views

app_name = "dashboards"
urlpatterns = [
    path("agency/", views.agency_home, name="agency"),
    path("agency/assessments/<id:pk>/scores/", views.assessment_detail, name="assessment"),
    path("review/", review_views.home, name="assessor"),
    path("manage/", views.admin_home, name="admin"),
    path("manage/statistics/", statistics_views.statistics_home, name="statistics_home"),
    path("manage/statistics/<int:year>/", statistics_views.cycle_statistics, name="statistics"),
    path("manage/kpi/", kpi_views.kpi_home, name="kpi_home"),
    path("manage/kpi/<int:year>/", kpi_views.kpi_year, name="kpi"),
    path("manage/kpi/<int:year>/rules/", kpi_views.kpi_rules, name="kpi_rules"),
    path("what-if/", whatif.what_if, name="what_if"),
]
