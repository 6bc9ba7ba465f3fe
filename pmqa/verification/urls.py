from django.urls import path

from pmqa.verification import consensus_views, views

app_name = "reviews"
urlpatterns = [
    path("<id:pk>/", views.overview, name="overview"),
    path("<id:pk>/profile/", views.profile, name="profile"),
    path("<id:pk>/items/<str:code>/", views.item, name="item"),
    path("<id:pk>/items/<str:code>/ask/", views.clarify, name="clarify"),
    path("<id:pk>/submit/", views.submit, name="submit"),
    path("<id:pk>/evidence/<id:evidence_pk>/", views.evidence, name="evidence"),
    path("<id:pk>/consensus/", consensus_views.consensus, name="consensus"),
    path("<id:pk>/consensus/finalise/", consensus_views.finalise, name="finalise"),
    path("<id:pk>/round2/", views.round2, name="round2"),
    path("<id:pk>/round2/file/", views.round2_file, name="round2_file"),
]
