from django.urls import path, register_converter
from django.urls.converters import IntConverter, SlugConverter

from public import views
from public.feeds import document_annotations


class KeyConverter(IntConverter):
    """A row's primary key: digits no larger than a BigAutoField (DEFAULT_AUTO_FIELD) holds
    on any database. A larger number names no row: the URL matches nothing (404) rather
    than reaching a query the database refuses."""

    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        key = super().to_python(value)
        if key > self.largest:
            raise ValueError(f"{value} is larger than any primary key.")
        return key


class RowSlugConverter(SlugConverter):
    """A row's slug: a slug no longer than the slug columns' 100 characters. A longer one
    names no row: the URL matches nothing (404), and no cache key is made from it."""

    regex = "[-a-zA-Z0-9_]{1,100}"


register_converter(KeyConverter, "key")
register_converter(RowSlugConverter, "rowslug")

claim_patterns = (
    [
        path("", views.ClaimListView.as_view(), name="list"),
        path("<rowslug:slug>/", views.ClaimDetailView.as_view(), name="detail"),
    ],
    "claims",
)
document_patterns = (
    [
        path("", views.DocumentListView.as_view(), name="list"),
        path("<rowslug:slug>/", views.DocumentDetailView.as_view(), name="detail"),
        path("<rowslug:slug>/annotations.jsonld", document_annotations, name="annotations"),
    ],
    "sources",
)
study_patterns = (
    [
        path("", views.StudyListView.as_view(), name="list"),
        path("<key:pk>/", views.StudyDetailView.as_view(), name="detail"),
    ],
    "studies",
)
intervention_patterns = (
    [
        path("", views.InterventionListView.as_view(), name="list"),
        path("<rowslug:slug>/", views.InterventionDetailView.as_view(), name="detail"),
    ],
    "safety",
)
question_patterns = (
    [
        path("", views.QuestionListView.as_view(), name="list"),
        path("<rowslug:slug>/", views.QuestionDetailView.as_view(), name="detail"),
    ],
    "questions",
)
correction_patterns = (
    [
        path("", views.CorrectionLogView.as_view(), name="log"),
        path("report/claim/<rowslug:key>/", views.report_error, {"kind": "claim"},
             name="report-claim"),
        path("report/question/<rowslug:key>/", views.report_error, {"kind": "question"},
             name="report-question"),
        path("report/study/<key:key>/", views.report_error, {"kind": "study"},
             name="report-study"),
        path("report/thanks/", views.report_thanks, name="thanks"),
    ],
    "corrections",
)  # fmt: skip
