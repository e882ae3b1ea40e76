import copy
from datetime import UTC, datetime

import django_filters
from django import forms
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce

from claims.models import SEARCH_MAX_LENGTH, Claim, Excerpt, validate_search_query
from public.pagination import Ordering
from reviews.models import Certainty, EvidenceLink, Verdict
from sources.models import Document, Study

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RELEVANCE = Ordering(("rank", "id"), descending=True)


class ClaimSort(models.TextChoices):
    NEWEST_REVIEW = "-published", "Newest review"
    STATEMENT = "statement", "Statement (A–Z)"
    STATEMENT_REVERSE = "-statement", "Statement (Z–A)"
    CATEGORY = "category", "Category"
    MOST_DOCUMENTS = "-documents", "Most documents"

    @property
    def ordering(self) -> Ordering:
        return SORT_ORDERINGS[self]


SORT_ORDERINGS = {
    ClaimSort.NEWEST_REVIEW: Ordering(("review_order", "id"), descending=True),
    ClaimSort.STATEMENT: Ordering(("statement", "id")),
    ClaimSort.STATEMENT_REVERSE: Ordering(("statement", "id"), descending=True),
    ClaimSort.CATEGORY: Ordering(("category", "statement", "id")),
    ClaimSort.MOST_DOCUMENTS: Ordering(("document_count", "id"), descending=True),
}


def with_review_order(claims):
    """Unreviewed claims sort as if reviewed at the epoch: last under "newest review"."""
    return claims.annotate(review_order=Coalesce("published_at", Value(EPOCH)))


def claim_list_queryset():
    """Every claim as the claim list shows it, before its facets and order."""
    return with_review_order(Claim.objects.for_list())


class FiltersCopiedPerRequest(dict):
    """A filter set's filters, which django-filter deep-copies for every request: a
    shallow copy of each does, since a request only sets a filter's model and parent,
    and a filter with a method is bound to its copy again."""

    def __deepcopy__(self, memo) -> dict:
        copies = {}
        for name, filter_ in self.items():
            copied = copy.copy(filter_)
            if filter_.method is not None:
                copied.method = filter_.method  # a FilterMethod for the copy, not the original
            copies[name] = copied
        return copies


class FieldsSharedPerRequest(dict):
    """A form's fields, which Django deep-copies for every form: fields that no request
    changes can be shared, and the list's are (its controls are written by facet_control,
    which reads them)."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


class ClaimFilter(django_filters.FilterSet):
    """The claim list's search box and facets; every choice lives in the URL.

    Its filters and form fields are the same for every request, so the form class is
    built once and neither is deep-copied per request: django-filter would otherwise
    build the fields and a new form class on each request, and copying them costs more
    than the list's query."""

    q = django_filters.CharFilter(
        label="Search claims",
        method="filter_search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "e.g. within an hour",
                "maxlength": SEARCH_MAX_LENGTH,
            }
        ),
        validators=[validate_search_query],
    )
    category = django_filters.ChoiceFilter(choices=Claim.Category.choices, empty_label="Any")
    verdict = django_filters.ChoiceFilter(
        label="Verdict", choices=Verdict.choices, empty_label="Any"
    )
    certainty = django_filters.ChoiceFilter(
        label="Certainty", choices=Certainty.choices, empty_label="Any"
    )
    # A slug, not a menu: with a thousand documents, a select would outweigh the page.
    # Each document's page links to the list filtered by it.
    document = django_filters.CharFilter(
        label="Source document",
        method="filter_document",
        widget=forms.HiddenInput,
    )
    design = django_filters.ChoiceFilter(
        label="Study design",
        choices=Study.Design.choices,
        method="filter_design",
        empty_label="Any",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=ClaimSort.choices,
        method="keep_order",
        empty_label="Relevance",
    )

    class Meta:
        model = Claim
        fields = ["q", "category", "verdict", "certainty", "document", "design"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def keep_order(self, queryset, name, value):
        """The view orders and paginates: see ClaimSort.ordering()."""
        return queryset

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = FieldsSharedPerRequest(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    def search_terms(self) -> str:
        return self.form.cleaned_data.get("q", "") if self.is_valid() else ""

    def ordering(self) -> Ordering:
        sort = self.form.cleaned_data.get("sort") if self.is_valid() else ""
        if sort:
            return ClaimSort(sort).ordering
        if self.search_terms():
            return RELEVANCE
        return ClaimSort.CATEGORY.ordering

    def filter_document(self, queryset, name, value):
        return queryset.filter(
            pk__in=Excerpt.objects.filter(document__slug=value).values("claim_id")
        )

    def chosen_document(self) -> Document | None:
        slug = self.form.cleaned_data.get("document") if self.is_valid() else ""
        return Document.objects.only("title", "slug").filter(slug=slug).first() if slug else None

    def filter_design(self, queryset, name, value):
        linked = EvidenceLink.objects.filter(study__design=value).values("claim_id")
        return queryset.filter(pk__in=linked)


ClaimFilter.base_filters = FiltersCopiedPerRequest(ClaimFilter.base_filters)
