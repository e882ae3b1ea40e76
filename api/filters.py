"""The facets of the lists the claim list does not have; the claim list's own are the
site's (public.filters.ClaimFilter)."""

import django_filters

from questions.models import Question
from safety.models import Intervention
from sources.models import Document, Study


class QuestionFilter(django_filters.FilterSet):
    class Meta:
        model = Question
        fields = ["topic"]


class DocumentFilter(django_filters.FilterSet):
    class Meta:
        model = Document
        fields = ["kind"]


class StudyFilter(django_filters.FilterSet):
    """As the study list's design menu."""

    class Meta:
        model = Study
        fields = ["design"]


class InterventionFilter(django_filters.FilterSet):
    class Meta:
        model = Intervention
        fields = ["drug", "route"]
