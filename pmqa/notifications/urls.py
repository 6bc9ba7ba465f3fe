from django.urls import path

from pmqa.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("<id:pk>/", views.go, name="go"),
    path("read/", views.read_all, name="read_all"),
    path("settings/", views.settings_page, name="settings"),
]
