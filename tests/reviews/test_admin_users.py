"""The user admin: editors manage roles, names and active flags, and nothing that lets them
act as another person; superusers manage everything; everyone changes their own password."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from reviews.roles import EDITOR, REVIEWER
from tests.admin_pages import login
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

OK, REDIRECT, DENIED = 200, 302, 403


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Every persona has a password; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def colleague(django_user_model):
    """Another editor: the account an editor must not be able to take over."""
    return make_member(django_user_model, "edna", EDITOR)


@pytest.fixture
def personas(reviewer, editor, superuser, colleague):
    return {
        "anonymous": None,
        "reviewer": reviewer,
        "editor": editor,
        "superuser": superuser,
        "colleague": colleague,
    }


def password_of(user) -> str:
    return f"pw-{user.username}-1"  # as tests/conftest.py make_member() sets it


PERSONAS = ["anonymous", "reviewer", "editor", "superuser"]
PAGES = {
    # (page, whose account): expected status for anonymous, reviewer, editor, superuser.
    # REDIRECT is the sign-in page for anonymous; for others, see test_the_redirects_go_to.
    ("changelist", None): [REDIRECT, DENIED, OK, OK],
    ("add", None): [REDIRECT, DENIED, DENIED, OK],
    ("change", "colleague"): [REDIRECT, DENIED, OK, OK],
    ("change", "superuser"): [REDIRECT, DENIED, REDIRECT, OK],
    ("change", "self"): [REDIRECT, DENIED, OK, OK],
    ("delete", "colleague"): [REDIRECT, DENIED, DENIED, OK],
    ("history", "colleague"): [REDIRECT, DENIED, OK, OK],
    ("history", "superuser"): [REDIRECT, REDIRECT, REDIRECT, OK],
    ("password_change", "colleague"): [REDIRECT, DENIED, DENIED, OK],
    ("password_change", "superuser"): [REDIRECT, DENIED, DENIED, OK],
    ("password_change", "self"): [REDIRECT, REDIRECT, REDIRECT, OK],
}


def page_url(page, whose, personas, persona):
    if whose is None:
        return reverse(f"admin:auth_user_{page}")
    account = personas[persona] if whose == "self" else personas[whose]
    if account is None:  # anonymous has no account of their own; any will do
        account = personas["colleague"]
    return reverse(f"admin:auth_user_{page}", args=[account.pk])


@pytest.mark.parametrize(("page", "whose"), list(PAGES))
def test_permission_matrix_for_user_admin_pages(client, personas, page, whose):
    for persona, expected in zip(PERSONAS, PAGES[(page, whose)], strict=True):
        response = login(client, personas[persona]).get(page_url(page, whose, personas, persona))
        assert response.status_code == expected, (page, whose, persona)
        if persona == "anonymous":
            assert "/admin/login/" in response["Location"]


def test_the_redirects_go_to_the_own_password_page_or_say_the_account_is_missing(
    client, personas, editor, superuser
):
    login(client, editor)
    own = client.get(reverse("admin:auth_user_password_change", args=[editor.pk]))
    assert own["Location"] == reverse("admin:password_change")
    hidden = client.get(reverse("admin:auth_user_change", args=[superuser.pk]), follow=True)
    assert hidden.redirect_chain[-1][0] == reverse("admin:index")
    assert "doesn’t exist" in hidden.content.decode()


def set_password_data(new="A-new-passphrase-42"):
    return {"password1": new, "password2": new, "usable_password": "true"}


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
@pytest.mark.parametrize("whose", ["colleague", "superuser"])
def test_nobody_but_a_superuser_sets_another_persons_password(client, personas, persona, whose):
    target = personas[whose]
    login(client, personas[persona])
    password_page = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(password_page, set_password_data())
    assert response.status_code == DENIED
    response = client.post(
        password_page, {"usable_password": "false", "unset-password": "1"}
    )  # Django's "disable password-based authentication"
    assert response.status_code == DENIED
    target.refresh_from_db()
    assert target.check_password(password_of(target))
    assert target.has_usable_password()


def test_an_editor_cannot_set_their_own_password_without_giving_the_current_one(client, editor):
    login(client, editor)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[editor.pk]), set_password_data()
    )
    assert response["Location"] == reverse("admin:password_change")
    editor.refresh_from_db()
    assert editor.check_password(password_of(editor))

    wrong = client.post(
        reverse("admin:password_change"),
        {"old_password": "not-it", "new_password1": "A-new-passphrase-42",
         "new_password2": "A-new-passphrase-42"},
    )  # fmt: skip
    assert wrong.status_code == OK
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    right = client.post(
        reverse("admin:password_change"),
        {"old_password": password_of(editor), "new_password1": "A-new-passphrase-42",
         "new_password2": "A-new-passphrase-42"},
    )  # fmt: skip
    assert right.status_code == REDIRECT
    editor.refresh_from_db()
    assert editor.check_password("A-new-passphrase-42")


def test_a_superuser_sets_anyones_password(client, superuser, colleague):
    login(client, superuser)
    page = reverse("admin:auth_user_password_change", args=[colleague.pk])
    assert "Change password: edna" in client.get(page).content.decode()
    response = client.post(page, set_password_data())
    assert response.status_code == REDIRECT
    colleague.refresh_from_db()
    assert colleague.check_password("A-new-passphrase-42")


def test_an_editors_user_form_offers_no_password_and_no_privileges(client, editor, colleague):
    login(client, editor)
    page = client.get(reverse("admin:auth_user_change", args=[colleague.pk]))
    form = page.context["adminform"].form
    assert set(form.fields) == {
        "first_name", "last_name", "email", "is_active", "is_staff", "groups", "password",
    }  # fmt: skip
    assert form.fields["password"].disabled  # Django's read-only hash, not shown to editors
    html = page.content.decode()
    assert "password/" not in html and "is_superuser" not in html
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {EDITOR, REVIEWER}


def test_an_editor_sets_names_flags_and_roles_and_nothing_else(client, editor, colleague):
    login(client, editor)
    permission = Permission.objects.get(codename="delete_user")
    response = client.post(
        reverse("admin:auth_user_change", args=[colleague.pk]),
        {
            "username": "root",
            "first_name": "Edna",
            "last_name": "Mode",
            "email": "edna@example.org",
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name=REVIEWER).pk],
            "is_superuser": "on",
            "user_permissions": [permission.pk],
            "password": "md5$salt$0123456789abcdef0123456789abcdef",
            "usable_password": "false",
        },
    )
    assert response.status_code == REDIRECT
    colleague.refresh_from_db()
    assert (colleague.first_name, colleague.last_name, colleague.email) == (
        "Edna", "Mode", "edna@example.org",
    )  # fmt: skip
    assert list(colleague.groups.values_list("name", flat=True)) == [REVIEWER]
    assert colleague.username == "edna" and not colleague.is_superuser
    assert not colleague.user_permissions.exists()
    assert colleague.check_password(password_of(colleague))


def test_an_editor_cannot_give_anyone_a_group_beyond_the_two_roles(client, editor):
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.add(Permission.objects.get(codename="delete_user"))
    login(client, editor)
    response = client.post(
        reverse("admin:auth_user_change", args=[editor.pk]),
        {
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name=EDITOR).pk, auditors.pk],
        },
    )
    assert response.status_code == OK
    assert "Select a valid choice" in response.content.decode()
    assert list(editor.groups.values_list("name", flat=True)) == [EDITOR]


def test_an_editor_cannot_change_a_superuser(client, editor, superuser):
    login(client, editor)
    response = client.post(
        reverse("admin:auth_user_change", args=[superuser.pk]),
        {"email": "mine@example.org", "is_staff": "on", "groups": []},
    )
    assert response.status_code == REDIRECT
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.email == ""
    delete = client.post(reverse("admin:auth_user_delete", args=[superuser.pk]), {"post": "yes"})
    assert delete.status_code in (REDIRECT, DENIED)
    assert type(superuser).objects.filter(pk=superuser.pk).exists()


def test_only_a_superuser_adds_accounts(client, editor, django_user_model):
    login(client, editor)
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "mallory", "usable_password": "false"},
    )
    assert response.status_code == DENIED
    assert not django_user_model.objects.filter(username="mallory").exists()


def test_the_user_autocomplete_lists_only_the_accounts_the_user_list_shows(client, personas):
    query = {"app_label": "reviews", "model_name": "assignment", "field_name": "reviewer"}
    found = {}
    for persona in PERSONAS:
        response = login(client, personas[persona]).get(reverse("admin:autocomplete"), query)
        found[persona] = response.status_code
        if response.status_code == OK:
            found[persona] = {row["text"] for row in response.json()["results"]}
    assert found == {
        "anonymous": REDIRECT,
        "reviewer": DENIED,
        "editor": {"rita", "edith", "edna"},
        "superuser": {"rita", "edith", "edna", "root"},
    }
