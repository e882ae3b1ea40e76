import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from reviews.roles import EDITOR, EDITOR_PERMISSIONS, REVIEWER, REVIEWER_PERMISSIONS, is_editorial

pytestmark = pytest.mark.django_db


def granted(name):
    return sorted(
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    )


def test_groups_exist_after_migrate_with_exactly_their_permissions():
    assert granted(REVIEWER) == sorted(REVIEWER_PERMISSIONS)
    assert granted(EDITOR) == sorted(EDITOR_PERMISSIONS)
    assert "reviews.publish_review" not in REVIEWER_PERMISSIONS


def test_setup_roles_is_idempotent_and_repairs_drift(capsys):
    group = Group.objects.get(name=REVIEWER)
    group.permissions.clear()
    call_command("setup_roles")
    call_command("setup_roles")
    assert granted(REVIEWER) == sorted(REVIEWER_PERMISSIONS)
    assert Group.objects.filter(name__in=[REVIEWER, EDITOR]).count() == 2
    assert "Reviewer:" in capsys.readouterr().out


def test_only_superusers_and_staff_with_a_role_are_editorial(
    django_user_model, reviewer, editor, superuser
):
    outsider = django_user_model.objects.create_user(username="x", password="x", is_staff=True)
    former = django_user_model.objects.create_user(username="y", password="x", is_staff=False)
    former.groups.add(Group.objects.get(name=REVIEWER))
    assert [is_editorial(u) for u in (reviewer, editor, superuser, outsider, former)] == [
        True, True, True, False, False,
    ]  # fmt: skip
