from django.urls import path

from pmqa.criteria import views

app_name = "criteria"
urlpatterns = [
    path("", views.edition_list, name="list"),
    path("<slug:code>/", views.edition_detail, name="detail"),
    path("<slug:code>/copy/", views.edition_copy, name="copy"),
]
