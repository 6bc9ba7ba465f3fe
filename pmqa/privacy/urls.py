from django.urls import path

from pmqa.privacy import views as privacy_views

app_name = "privacy"
urlpatterns = [
    path("privacy/", privacy_views.privacy_notice, name="notice"),
    path("accounts/my-data/", privacy_views.my_data, name="my_data"),
]
