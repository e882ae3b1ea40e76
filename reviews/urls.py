from django.urls import path

from reviews import views

claim_patterns = (
    [
        path("", views.ClaimListView.as_view(), name="list"),
        path("<slug:slug>/", views.claim_detail, name="detail"),
    ],
    "claims",
)
document_patterns = (
    [
        path("", views.DocumentListView.as_view(), name="list"),
        path("<slug:slug>/", views.document_detail, name="detail"),
    ],
    "sources",
)
study_patterns = (
    [
        path("", views.StudyListView.as_view(), name="list"),
        path("<int:pk>/", views.StudyDetailView.as_view(), name="detail"),
    ],
    "studies",
)
