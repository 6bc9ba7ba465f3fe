from django.urls import path

from pmqa.accounts import twofactor_views as views

app_name = "twofactor"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes.txt", views.recovery_download, name="recovery_download"),
    path("recovery-codes/new/", views.new_codes, name="new_codes"),
    path("settings/", views.manage, name="manage"),
    path("settings/remove/", views.remove, name="remove"),
]
