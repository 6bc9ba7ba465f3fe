from django.urls import path

from pmqa.assessments import manage

app_name = "manage"
urlpatterns = [
    path("cycles/", manage.cycle_list, name="cycles"),
    path("cycles/<id:fiscal_year>/", manage.cycle_detail, name="cycle"),
]
