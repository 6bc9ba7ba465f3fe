from django.urls import path

from pmqa.reports import views

app_name = "reports"
urlpatterns = [
    path("<id:pk>/", views.report_page, name="page"),
    path("<id:pk>/pdf/", views.report_pdf, name="pdf"),
    path("<id:pk>/xlsx/", views.report_xlsx, name="xlsx"),
]
