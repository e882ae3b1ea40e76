from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("questions", views.QuestionViewSet, basename="question")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("studies", views.StudyViewSet, basename="study")
router.register("interventions", views.InterventionViewSet, basename="intervention")

urlpatterns = [
    *router.urls,
    path("check", views.CheckView.as_view(), name="check"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
