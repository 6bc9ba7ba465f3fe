from django.urls import path

from pmqa.verification import consensus_views, views

app_name = "reviews"
urlpatterns = [
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/items/<str:code>/", views.item, name="item"),
    path("<int:pk>/items/<str:code>/ask/", views.clarify, name="clarify"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence, name="evidence"),
    path("<int:pk>/consensus/", consensus_views.consensus, name="consensus"),
    path("<int:pk>/consensus/finalise/", consensus_views.finalise, name="finalise"),
    path("<int:pk>/round2/", views.round2, name="round2"),
    path("<int:pk>/round2/file/", views.round2_file, name="round2_file"),
]
