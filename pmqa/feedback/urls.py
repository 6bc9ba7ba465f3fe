from django.urls import path

from pmqa.feedback import manage, views

app_name = "feedback"
urlpatterns = [
    path("review/<int:pk>/feedback/", views.feedback, name="edit"),
    path("manage/reports/", manage.reports, name="reports"),
    path("manage/reports/<int:pk>/", manage.report, name="report"),
    path("manage/reports/<int:pk>/publish/", manage.publish, name="publish"),
    path("manage/reports/<int:pk>/revise/", manage.revise, name="revise"),
]
