from django.urls import path

from pmqa.feedback import manage, views

app_name = "feedback"
urlpatterns = [
    path("review/<id:pk>/feedback/", views.feedback, name="edit"),
    path("review/<id:pk>/feedback/send/", views.send, name="send"),
    path("review/<id:pk>/feedback/kept/<id:kept_pk>/", views.keep_mine, name="keep_mine"),
    path("manage/reports/", manage.reports, name="reports"),
    path("manage/reports/<id:pk>/", manage.report, name="report"),
    path("manage/reports/<id:pk>/approve/", manage.approve, name="approve"),
    path("manage/reports/<id:pk>/publish/", manage.publish, name="publish"),
    path("manage/reports/<id:pk>/revise/", manage.revise, name="revise"),
]
