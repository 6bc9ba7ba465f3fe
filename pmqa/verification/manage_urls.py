from django.urls import path

from pmqa.verification import manage

app_name = "verification"
urlpatterns = [
    path("assignments/", manage.assignments, name="assignments"),
    path("assessments/<int:pk>/conflicts/", manage.conflicts, name="conflicts"),
    path("assessments/<int:pk>/audit/", manage.audit_trail, name="audit"),
]
