from django.urls import path

from pmqa.assessments import excel
from pmqa.assessments.views import answers, evidence, history, submission

app_name = "assessments"
urlpatterns = [
    path("cycles/<id:cycle_pk>/start/", answers.start, name="start"),
    path("assessments/<id:pk>/", answers.home, name="home"),
    path("assessments/<id:pk>/profile/<str:code>/", answers.profile_section, name="profile"),
    path("assessments/<id:pk>/items/<str:code>/", answers.item_page, name="item"),
    path("assessments/<id:pk>/history/<str:key>/", history.history, name="history"),
    path(
        "assessments/<id:pk>/history/<str:key>/<id:revision_pk>/restore/",
        history.restore,
        name="restore",
    ),
    path("assessments/<id:pk>/evidence/", evidence.evidence, name="evidence"),
    path(
        "assessments/<id:pk>/evidence/<id:evidence_pk>/file/",
        evidence.evidence_file,
        name="evidence_file",
    ),
    path(
        "assessments/<id:pk>/evidence/<id:evidence_pk>/delete/",
        evidence.evidence_delete,
        name="evidence_delete",
    ),
    path("assessments/<id:pk>/submit/", submission.submit, name="submit"),
    path("assessments/<id:pk>/return/", submission.return_to_editors, name="return"),
    path("assessments/<id:pk>/ready/", submission.ready, name="ready"),
    path("assessments/<id:pk>/reopen/", submission.reopen, name="reopen"),
    path("assessments/<id:pk>/excel/", excel.download, name="excel"),
    path("assessments/<id:pk>/excel/import/", excel.upload, name="excel_import"),
]
