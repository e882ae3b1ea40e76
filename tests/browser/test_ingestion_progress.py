"""An ingestion job's page in a real browser: its bar moves as pages are ingested, without
the editor reloading, and the results appear once every page is done."""

import pytest

from claims.services import ingestion_item_run, ingestion_job_create
from tests.browser.test_content_security_policy import listen_for_violations, sign_in
from tests.factories import seed_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_progress_bar_follows_the_workers_and_the_results_appear(
    live_server, page, django_user_model, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the pages wait for the "worker" below
    django_user_model.objects.create_superuser(username="root", password="pw-root-1")
    job = ingestion_job_create(
        by=None, items=[{"data": seed_page(n).encode(), "name": f"page-{n}.md"} for n in range(2)]
    )
    first, second = job.items.order_by("position")
    violations = listen_for_violations(page)
    sign_in(page, live_server.url, "root", "pw-root-1")
    page.goto(live_server.url + job.get_absolute_url())
    bar = page.locator("#job-progress")
    assert bar.get_attribute("value") == "0" and page.get_by_text("Refresh").is_visible()

    page.evaluate("() => { window.notReloaded = true; }")
    ingestion_item_run(item_id=first.pk)  # one page done by a worker, the page left open
    page.get_by_text("1 of 2 pages done").wait_for()
    assert page.locator("#job-progress").evaluate("bar => bar.value") == 1
    assert page.evaluate("() => window.notReloaded") is True  # moved by the script

    ingestion_item_run(item_id=second.pk)
    page.get_by_text("Review the candidates of").nth(1).wait_for()  # reloaded with results
    assert page.locator("#job-progress").get_attribute("value") == "2"
    assert "finished" in page.locator(".ingestion-progress").inner_text()
    assert violations == []
