from django.urls import path

from pmqa.dashboards import views, whatif
from pmqa.verification import views as review_views

app_name = "dashboards"
urlpatterns = [
    path("agency/", views.agency_home, name="agency"),
    path("agency/assessments/<int:pk>/scores/", views.assessment_detail, name="assessment"),
    path("review/", review_views.home, name="assessor"),
    path("manage/", views.admin_home, name="admin"),
    path("what-if/", whatif.what_if, name="what_if"),
]
