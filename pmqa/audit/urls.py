from django.urls import path

from pmqa.audit import views

app_name = "audit"
urlpatterns = [
    path("manage/assessments/<id:pk>/audit/", views.audit_trail, name="trail"),
    path("manage/audit/", views.audit_log, name="log"),
]
