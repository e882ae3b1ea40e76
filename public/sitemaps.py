from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from claims.models import Claim
from questions.models import Question
from safety.models import Intervention
from sources.models import Document, Study


class ClaimSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Claim.objects.reviewed().only("slug", "updated_at").order_by("pk")

    def lastmod(self, claim):
        return claim.updated_at


class DocumentSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Document.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, document):
        return document.updated_at


class StudySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Study.objects.public().only("pk", "updated_at").order_by("pk")

    def lastmod(self, study):
        return study.updated_at


class InterventionSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Intervention.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, intervention):
        return intervention.updated_at


class QuestionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Question.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, question):
        return question.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return [
            "home", "questions:list", "claims:list", "studies:list", "safety:list",
            "methodology",
        ]  # fmt: skip

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "questions": QuestionSitemap,
    "claims": ClaimSitemap,
    "documents": DocumentSitemap,
    "studies": StudySitemap,
    "safety": InterventionSitemap,
}
