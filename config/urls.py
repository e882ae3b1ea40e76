from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from public import views
from public.feeds import LatestReviewsFeed, claim_review_feed
from public.sitemaps import SITEMAPS
from public.urls import (
    claim_patterns,
    correction_patterns,
    document_patterns,
    intervention_patterns,
    question_patterns,
    study_patterns,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("questions/", include(question_patterns)),
    path("claims/", include(claim_patterns)),
    path("sources/", include(document_patterns)),
    path("studies/", include(study_patterns)),
    path("safety/", include(intervention_patterns)),
    path("check/", include("checks.urls")),
    path("corrections/", include(correction_patterns)),
    path("api/v1/", include("api.urls")),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("data/", views.data, name="data"),
    path("data/<str:name>", views.data_file, name="data-file"),
    path("feeds/reviews.atom", LatestReviewsFeed(), name="review-feed"),
    path("feeds/claim-reviews.jsonld", claim_review_feed, name="claim-review-feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("admin/", admin.site.urls),
]
