import django_filters
from django import forms

from claims.models import Claim
from reviews.models import Certainty, EvidenceLink, Verdict
from sources.models import Document, Study


class ClaimFilter(django_filters.FilterSet):
    """The claim list's search box and facets; every choice lives in the URL."""

    q = django_filters.CharFilter(
        label="Search claims",
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. within an hour"}),
    )
    category = django_filters.ChoiceFilter(choices=Claim.Category.choices, empty_label="Any")
    verdict = django_filters.ChoiceFilter(
        label="Verdict", choices=Verdict.choices, empty_label="Any"
    )
    certainty = django_filters.ChoiceFilter(
        label="Certainty", choices=Certainty.choices, empty_label="Any"
    )
    document = django_filters.ModelChoiceFilter(
        label="Source document",
        queryset=Document.objects.only("title", "slug").order_by("title"),
        to_field_name="slug",
        method="filter_document",
        empty_label="Any",
    )
    design = django_filters.ChoiceFilter(
        label="Study design",
        choices=Study.Design.choices,
        method="filter_design",
        empty_label="Any",
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(
            ("published_at", "published"),
            ("statement", "statement"),
            ("category", "category"),
            ("document_count", "documents"),
        ),
        field_labels={
            "-published_at": "Newest review",
            "published_at": "Oldest review",
            "statement": "Statement (A–Z)",
            "-statement": "Statement (Z–A)",
            "category": "Category",
            "-category": "Category (reverse)",
            "-document_count": "Most documents",
            "document_count": "Fewest documents",
        },
        empty_label="Relevance",
    )

    class Meta:
        model = Claim
        fields = ["q", "category", "verdict", "certainty", "document", "design"]

    def filter_search(self, queryset, name, value):
        found = queryset.search(value)
        return found if self.data.get("sort") else found.order_by("-rank", "statement")

    def filter_document(self, queryset, name, value):
        return queryset.filter(pk__in=value.excerpts.values("claim_id"))

    def filter_design(self, queryset, name, value):
        linked = EvidenceLink.objects.filter(study__design=value).values("claim_id")
        return queryset.filter(pk__in=linked)
