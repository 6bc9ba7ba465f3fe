from django.urls import path

from pmqa.assessments import excel
from pmqa.assessments.views import answers, evidence, history, submission

app_name = "assessments"
urlpatterns = [
    path("cycles/<int:cycle_pk>/start/", answers.start, name="start"),
    path("assessments/<int:pk>/", answers.home, name="home"),
    path("assessments/<int:pk>/profile/<str:code>/", answers.profile_section, name="profile"),
    path("assessments/<int:pk>/items/<str:code>/", answers.item_page, name="item"),
    path("assessments/<int:pk>/history/<str:key>/", history.history, name="history"),
    path(
        "assessments/<int:pk>/history/<str:key>/<int:revision_pk>/restore/",
        history.restore,
        name="restore",
    ),
    path("assessments/<int:pk>/evidence/", evidence.evidence, name="evidence"),
    path(
        "assessments/<int:pk>/evidence/<int:evidence_pk>/file/",
        evidence.evidence_file,
        name="evidence_file",
    ),
    path(
        "assessments/<int:pk>/evidence/<int:evidence_pk>/delete/",
        evidence.evidence_delete,
        name="evidence_delete",
    ),
    path("assessments/<int:pk>/submit/", submission.submit, name="submit"),
    path("assessments/<int:pk>/return/", submission.return_to_editors, name="return"),
    path("assessments/<int:pk>/reopen/", submission.reopen, name="reopen"),
    path("assessments/<int:pk>/excel/", excel.download, name="excel"),
    path("assessments/<int:pk>/excel/import/", excel.upload, name="excel_import"),
]
