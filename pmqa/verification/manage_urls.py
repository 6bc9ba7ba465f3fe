from django.urls import path

from pmqa.verification import manage

app_name = "verification"
urlpatterns = [
    path("assignments/", manage.assignments, name="assignments"),
    path("assessments/<id:pk>/conflicts/", manage.conflicts, name="conflicts"),
]
