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
    return with_review_order(Claim.objects.public().for_list())


class FacetForm(forms.Form):
    """The claim list's form: labels as the page writes them, with no colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ClaimFilter(django_filters.FilterSet):
    """The claim list's search box and facets; every choice lives in the URL."""

    q = django_filters.CharFilter(
        label="Search claims",
        method="filter_search",
        widget=forms.SearchInput(
            attrs={
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
        form = FacetForm

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def keep_order(self, queryset, name, value):
        """The view orders and paginates: see ClaimSort.ordering()."""
        return queryset

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
        if not slug:
            return None
        return Document.objects.public().only("title", "slug").filter(slug=slug).first()

    def filter_design(self, queryset, name, value):
        linked = EvidenceLink.objects.filter(study__design=value).values("claim_id")
        return queryset.filter(pk__in=linked)
