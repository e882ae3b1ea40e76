from django.db import transaction
from django.utils import timezone

from config.generation import site_changed
from corrections.models import Correction


def correction_report(*, subject, page_path: str, report: str, email: str = "") -> Correction:
    """Store a reader's report of an error on the page of `subject` (any row with a title or
    a name, and a public page at `page_path`)."""
    correction = Correction(
        subject=subject,
        page_title=str(subject)[:300],
        page_path=page_path[:300],
        report=report.strip(),
        email=email.strip(),
    )
    correction.full_clean()
    correction.save()
    return correction


def correction_settle(*, correction: Correction, by, status: str, what_changed: str = "",
                      editor_notes: str | None = None) -> Correction:  # fmt: skip
    """An editor moves a report on: being checked, corrected (saying what changed, which the
    public log shows from then on) or no error found. A correction already in the log keeps
    its date; the log's pages follow any change."""
    with transaction.atomic():
        stored = (
            Correction.objects.select_for_update()
            .filter(pk=correction.pk)
            .values("status", "corrected_at")
            .get()
        )
        was_corrected = stored["status"] == Correction.Status.CORRECTED
        correction.corrected_at = stored["corrected_at"]
        correction.status = status
        correction.what_changed = what_changed.strip()
        if editor_notes is not None:
            correction.editor_notes = editor_notes
        now = timezone.now()
        correction.handled_by, correction.handled_at = by, now
        if status == Correction.Status.CORRECTED:
            correction.corrected_at = correction.corrected_at or now
        else:
            correction.corrected_at = None
        correction.full_clean()
        correction.save()
        if was_corrected or status == Correction.Status.CORRECTED:
            site_changed()
    return correction
