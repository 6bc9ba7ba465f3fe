from django.urls import path

from pmqa.dashboards import statistics_views, views, whatif
from pmqa.verification import views as review_views

app_name = "dashboards"
urlpatterns = [
    path("agency/", views.agency_home, name="agency"),
    path("agency/assessments/<id:pk>/scores/", views.assessment_detail, name="assessment"),
    path("review/", review_views.home, name="assessor"),
    path("manage/", views.admin_home, name="admin"),
    path("manage/statistics/", statistics_views.statistics_home, name="statistics_home"),
    path("manage/statistics/<int:year>/", statistics_views.cycle_statistics, name="statistics"),
    path("what-if/", whatif.what_if, name="what_if"),
]
