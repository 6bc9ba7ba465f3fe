from django.urls import path

from pmqa.api import views

app_name = "tokens"
urlpatterns = [
    path("", views.token_list, name="list"),
    path("<id:pk>/revoke/", views.token_revoke, name="revoke"),
]
