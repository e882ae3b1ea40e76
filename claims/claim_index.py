"""The claims a page check matches sentences against, fitted once and kept current.

Fitting the matcher reads every claim and quote and learns the words' rarities: seconds at
100,000 claims, so it is never done per request. Each process holds one index. It is
loaded from the file `build_claim_index` writes (settings.CLAIM_INDEX_PATH), or fitted
and written there by the first process that needs it; a newer file (a scheduled refit)
replaces it in every process at its next check.

Between fits it follows the claims: whenever the site's generation moves (every change an
editor makes moves it, once the change is committed), the index reads which claims' texts
were refreshed since it last looked (Claim.texts_changed_at, written by
claims_refresh_derived) and recomputes the rows of those alone; a deleted claim is
forgotten. The look-back reaches CHANGE_MARGIN further than the last look, so that a
change stamped inside a long transaction, and committed after that look, is still seen.
"""

import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import joblib
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from claims.matching import FORMAT, ClaimMatcher, Match, claim_texts
from claims.models import Claim, Excerpt
from config.generation import site_generation

CHANGE_MARGIN = timedelta(minutes=10)
READ_BATCH = 2_000

logger = logging.getLogger(__name__)


def _database() -> str:
    """Which database an index was fitted on: an index is never used against another."""
    return f"{connection.vendor}:{connection.settings_dict['NAME']}"


def _claims_with_texts():
    return Claim.objects.only("pk", "slug", "statement", "texts_changed_at").prefetch_related(
        Prefetch("excerpts", queryset=Excerpt.objects.only("pk", "claim_id", "quote"))
    )


@dataclass
class ClaimIndex:
    matcher: ClaimMatcher
    database: str
    looked_at: datetime  # when it last read the claims' change stamps
    stamps: dict[int, datetime | None] = field(default_factory=dict)  # claim pk: stamp read
    slugs: dict[int, str] = field(default_factory=dict)  # claim pk: slug matched under
    generation: str = ""  # the site generation it is current with
    file_mtime: float = 0.0  # of the file it was loaded from or saved to
    format: int = FORMAT

    @classmethod
    def fit(cls) -> "ClaimIndex":
        """Read every claim with its quotes and fit the matcher on them."""
        looked_at, generation = timezone.now(), site_generation(fresh=True)
        entries, stamps, slugs = [], {}, {}
        for claim in _claims_with_texts().order_by("pk").iterator(chunk_size=READ_BATCH):
            entries += [(claim.slug, text) for text in claim_texts(claim)]
            stamps[claim.pk], slugs[claim.pk] = claim.texts_changed_at, claim.slug
        return cls(ClaimMatcher(entries), _database(), looked_at, stamps, slugs, generation)

    def best_for_each(self, sentences: list[str]) -> list[list[Match]]:
        return self.matcher.best_for_each(sentences)

    def follow_changes(self) -> int:
        """Recompute the rows of the claims whose texts changed since the last look, and
        forget deleted claims. Returns how many claims it recomputed or forgot."""
        if not self.matcher.fitted:
            raise ValueError("An index of no claims cannot follow changes: fit it anew.")
        looked_at, generation = timezone.now(), site_generation(fresh=True)
        since = self.looked_at - CHANGE_MARGIN
        recent = Claim.objects.filter(texts_changed_at__gte=since).values_list(
            "pk", "texts_changed_at"
        )
        changed = [pk for pk, stamp in recent if self.stamps.get(pk, 0) != stamp]
        changes = {}
        for claim in _claims_with_texts().filter(pk__in=changed):
            if (old := self.slugs.get(claim.pk)) and old != claim.slug:
                self.matcher.remove(old)
            changes[claim.slug] = claim_texts(claim)
            self.stamps[claim.pk], self.slugs[claim.pk] = claim.texts_changed_at, claim.slug
        self.matcher.replace(changes)
        gone = self._forget_deleted()
        self.looked_at, self.generation = looked_at, generation
        return len(changes) + gone

    def _forget_deleted(self) -> int:
        if Claim.objects.count() == len(self.slugs):
            return 0
        present = set(Claim.objects.values_list("pk", flat=True).iterator(chunk_size=10_000))
        gone = [pk for pk in self.slugs if pk not in present]
        for pk in gone:
            self.matcher.remove(self.slugs.pop(pk))
            self.stamps.pop(pk, None)
        return len(gone)

    def save(self, path: Path) -> None:
        """Write the index whole or not at all: to a temporary file, then renamed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".claim-index-")
        os.close(handle)
        try:
            joblib.dump(self, temporary, compress=3)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.file_mtime = path.stat().st_mtime

    @classmethod
    def load(cls, path: Path) -> "ClaimIndex | None":
        """The index in the file, if there is one of this format, fitted on this database.
        (The file is the application's own, written by save(); it is never taken from
        elsewhere.)"""
        try:
            mtime = path.stat().st_mtime
            index = joblib.load(path)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged or foreign file is fitted anew, not trusted
            logger.warning("Claim index %s unreadable; fitting anew.", path, exc_info=True)
            return None
        if not isinstance(index, cls) or index.format != FORMAT or index.database != _database():
            return None
        index.file_mtime = mtime
        return index


def _index_path() -> Path | None:
    path = settings.CLAIM_INDEX_PATH
    return Path(path) if path else None


def build_claim_index() -> ClaimIndex:
    """Fit the index anew and write it where every process will find it."""
    index = ClaimIndex.fit()
    if path := _index_path():
        index.save(path)
    return index


_held: ClaimIndex | None = None
_lock = threading.Lock()


def claim_index() -> ClaimIndex:
    """This process's index, current with every committed change to the claims."""
    global _held
    with _lock:
        path = _index_path()
        index = _held
        if index is None or index.database != _database() or _newer_file(path, index):
            index = (ClaimIndex.load(path) if path else None) or build_claim_index()
        if not index.matcher.fitted:
            index = ClaimIndex.fit()  # no claims at its fit: nothing to keep, fit again
        elif index.generation != site_generation():
            index.follow_changes()
        _held = index
        return index


def _newer_file(path: Path | None, index: ClaimIndex) -> bool:
    try:
        return path is not None and path.stat().st_mtime > index.file_mtime
    except FileNotFoundError:
        return False


def forget_claim_index() -> None:
    """Drop this process's index (the tests start each from the database)."""
    global _held
    with _lock:
        _held = None
