from django.urls import path

from pmqa.assessments import excel, views

app_name = "assessments"
urlpatterns = [
    path("cycles/<int:cycle_pk>/start/", views.start, name="start"),
    path("assessments/<int:pk>/", views.home, name="home"),
    path("assessments/<int:pk>/profile/<str:code>/", views.profile_section, name="profile"),
    path("assessments/<int:pk>/items/<str:code>/", views.item_page, name="item"),
    path("assessments/<int:pk>/history/<str:key>/", views.history, name="history"),
    path(
        "assessments/<int:pk>/history/<str:key>/<int:revision_pk>/restore/",
        views.restore,
        name="restore",
    ),
    path("assessments/<int:pk>/evidence/", views.evidence, name="evidence"),
    path(
        "assessments/<int:pk>/evidence/<int:evidence_pk>/file/",
        views.evidence_file,
        name="evidence_file",
    ),
    path(
        "assessments/<int:pk>/evidence/<int:evidence_pk>/delete/",
        views.evidence_delete,
        name="evidence_delete",
    ),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/return/", views.return_to_editors, name="return"),
    path("assessments/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("assessments/<int:pk>/excel/", excel.download, name="excel"),
    path("assessments/<int:pk>/excel/import/", excel.upload, name="excel_import"),
]
