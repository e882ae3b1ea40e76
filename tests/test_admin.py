"""The admin's refusal of a save made over someone else's (config/admin.py), under real
concurrency: two people post the same change page at the same moment, each request on its
own thread and so its own database connection."""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from unittest import mock

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection, connections
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from config.admin import VersionGuardForm
from reviews.models import Assignment
from tests.admin_pages import change_form_data
from tests.factories import make_claim, make_review

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races PostgreSQL's row locks"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="races SQLite's file lock")


@dataclass
class Edit:
    """An object two people have open on its change page, each about to type into `field`."""

    obj: Model
    field: str
    people: tuple[AbstractUser, AbstractUser]

    @property
    def url(self) -> str:
        meta = self.obj._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.obj.pk])

    def stored(self) -> tuple[str, int]:
        rows = type(self.obj).objects.filter(pk=self.obj.pk)
        return rows.values_list(self.field, "version").get()


@pytest.fixture(params=["claim", "review draft"])
def edit(request, editor, superuser, reviewer) -> Edit:
    """Two editors on one claim; one reviewer with the same draft open in two sessions."""
    if request.param == "claim":
        return Edit(make_claim(), "statement", (editor, superuser))
    review = make_review(reviewer=reviewer)
    Assignment.objects.create(claim=review.claim, reviewer=reviewer, assigned_by=editor)
    return Edit(review, "rationale", (reviewer, reviewer))


def open_change_pages(edit: Edit) -> list[tuple[Client, dict]]:
    """Each person's client (one session each) and the form data of the page it opened."""
    opened = []
    for person in edit.people:
        # A server error comes back as a 500 response, as a browser would see it.
        client = Client(raise_request_exception=False)
        client.force_login(person)
        opened.append((client, change_form_data(client.get(edit.url))))
    return opened


def closing_connections(work):
    """`work` closing, when done, the database connections its thread opened."""

    def run(*args):
        try:
            return work(*args)
        finally:
            connections.close_all()

    return run


def in_new_thread(work):
    """The result of `work` run on a new thread, so on a database connection of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(closing_connections(work)).result(timeout=60)


def post_at_once(edit: Edit, opened, typed: list[str], *, at_version_check):
    """Post each person's form with their text typed in, all at once, each request calling
    `at_version_check()` when it reaches the version check; the responses, in order."""
    check = VersionGuardForm.clean

    def held_at_version_check(form):
        at_version_check()
        return check(form)

    post = closing_connections(lambda client, data: client.post(edit.url, data))
    with (
        mock.patch.object(VersionGuardForm, "clean", held_at_version_check),
        ThreadPoolExecutor(max_workers=len(opened)) as pool,
    ):
        posts = [
            pool.submit(post, client, {**data, edit.field: text})
            for (client, data), text in zip(opened, typed, strict=True)
        ]
        return [p.result(timeout=60) for p in posts]


def assert_one_saved_and_the_other_told(edit: Edit, responses, typed, stored) -> None:
    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == [200, 302], statuses
    winner, loser = statuses.index(302), statuses.index(200)
    html = responses[loser].content.decode()
    who = edit.people[winner].username
    assert f"Not saved: this {edit.obj._meta.verbose_name} was changed by {who} at" in html
    assert typed[loser] in html  # the loser's edits are still in the form
    assert stored == (typed[winner], 2)


@on_postgresql
def test_of_two_saves_at_once_one_wins_and_the_other_is_told(edit):
    """Both requests reach the version check before either checks (a barrier), in
    transactions on two connections. Unless checking and saving are one step under the
    row's lock, both see the version they opened and both saves succeed, the second
    silently replacing the first."""
    opened = open_change_pages(edit)
    typed = ["Wording from the first session.", "Wording from the second session."]
    meet = threading.Barrier(len(opened), timeout=10).wait

    responses = post_at_once(edit, opened, typed, at_version_check=meet)

    assert_one_saved_and_the_other_told(edit, responses, typed, edit.stored())


@pytest.fixture
def file_database(transactional_db, tmp_path):
    """Switch the threads a test starts to a file copy of the test database.

    SQLite's test database lives in memory with a shared cache: there, connections lock
    tables rather than the file, and a connection that meets a lock fails at once, never
    waiting for the busy timeout, which is not how the site's file database behaves. The
    copy is taken when the test calls the returned function (after its setup, which goes
    to the in-memory database); the test's own thread keeps the in-memory database."""
    path = str(tmp_path / "site.sqlite3")
    name = connection.settings_dict["NAME"]

    def switch() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [path])
        connection.settings_dict["NAME"] = path  # what connections opened from now use

    yield switch
    connection.settings_dict["NAME"] = name


@on_sqlite
def test_on_sqlite_the_second_writer_waits_and_is_told(edit, file_database):
    """The two requests are released together when both reach the version check, or after
    a second when only one can. A transaction that read before it wrote cannot wait for
    another writer without deadlock, so SQLite fails it with "database is locked" (a 500)
    unless each transaction takes the write lock when it begins: then the second request
    waits at its start, and then is told."""
    opened = open_change_pages(edit)
    typed = ["Wording from the first session.", "Wording from the second session."]
    file_database()
    barrier = threading.Barrier(len(opened), timeout=1)

    def meet_unless_kept_out() -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other request waits for the lock this one holds

    responses = post_at_once(edit, opened, typed, at_version_check=meet_unless_kept_out)

    stored = in_new_thread(edit.stored)
    assert_one_saved_and_the_other_told(edit, responses, typed, stored)
