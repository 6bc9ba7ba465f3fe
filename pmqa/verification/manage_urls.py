from django.urls import path

from pmqa.reviews import manage

app_name = "verification"
urlpatterns = [
    path("assignments/", manage.assignments, name="assignments"),
    path("assessments/<int:pk>/conflicts/", manage.conflicts, name="conflicts"),
    path("reports/", manage.reports, name="reports"),
    path("reports/<int:pk>/", manage.report, name="report"),
    path("reports/<int:pk>/publish/", manage.publish, name="publish"),
    path("reports/<int:pk>/revise/", manage.revise, name="revise"),
    path("assessments/<int:pk>/audit/", manage.audit_trail, name="audit"),
]
