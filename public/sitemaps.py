from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from claims.models import Claim
from reviews.models import Review
from sources.models import Document, Study


class ClaimSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        published = Claim.objects.filter(reviews__status=Review.Status.PUBLISHED)
        return published.only("slug", "updated_at").order_by("pk")

    def lastmod(self, claim):
        return claim.updated_at


class DocumentSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Document.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, document):
        return document.updated_at


class StudySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Study.objects.only("pk", "updated_at").order_by("pk")

    def lastmod(self, study):
        return study.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return ["home", "claims:list", "studies:list", "methodology"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "claims": ClaimSitemap,
    "documents": DocumentSitemap,
    "studies": StudySitemap,
}
