from django.urls import path

from pmqa.verification import agency

app_name = "reviews_agency"
urlpatterns = [
    path(
        "assessments/<id:pk>/clarifications/<id:clarification_pk>/answer/",
        agency.answer_clarification,
        name="answer",
    ),
    path("assessments/<id:pk>/round2/", agency.round2, name="round2"),
]
