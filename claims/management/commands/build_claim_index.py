import time

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.claim_index import build_claim_index


class Command(BaseCommand):
    help = (
        "Fit the page check's claim index on every claim and quote and write it to "
        "CLAIM_INDEX_PATH, where every worker picks it up. Run after a bulk load and now "
        "and then (nightly, say): between fits the index follows each claim's changes, "
        "weighing new words by the rarities learnt at the last fit."
    )

    def handle(self, *args, **options):
        began = time.perf_counter()
        index = build_claim_index()
        where = settings.CLAIM_INDEX_PATH or "memory only (CLAIM_INDEX_PATH is empty)"
        self.stdout.write(
            f"Claim index: {len(index.slugs):,} claims, {index.matcher.text_count:,} "
            f"texts, fitted in {time.perf_counter() - began:.1f} s; written to {where}."
            if index.matcher.fitted
            else "No claims yet: nothing to index."
        )
