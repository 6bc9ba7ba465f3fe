from django.urls import path

from pmqa.verification import agency

app_name = "reviews_agency"
urlpatterns = [
    path(
        "assessments/<int:pk>/clarifications/<int:clarification_pk>/answer/",
        agency.answer_clarification,
        name="answer",
    ),
    path("assessments/<int:pk>/round2/", agency.round2, name="round2"),
]
