"""The two editorial roles and exactly what each may do. roles_sync() makes the database's
groups match this file; it runs after every migrate and from `manage.py setup_roles`."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

REVIEWER = "Reviewer"
EDITOR = "Editor"

REVIEWER_PERMISSIONS = [
    "sources.view_document",
    "sources.view_study",
    "sources.add_study",
    "sources.change_study",
    "claims.view_claim",
    "claims.view_excerpt",
    "reviews.view_evidencelink",
    "reviews.add_evidencelink",
    "reviews.change_evidencelink",
    "reviews.view_review",
    "reviews.add_review",
    "reviews.change_review",
    "reviews.view_assignment",
    "safety.view_intervention",
    "safety.view_safetyfact",
    "questions.view_question",
    "questions.view_finding",
    "questions.add_finding",
    "questions.change_finding",
    "questions.view_studyresult",
    "questions.add_studyresult",
    "questions.change_studyresult",
    "questions.delete_studyresult",
]
EDITOR_PERMISSIONS = [
    *REVIEWER_PERMISSIONS,
    "sources.add_document",
    "sources.change_document",
    "sources.delete_study",
    "claims.add_claim",
    "claims.change_claim",
    "claims.delete_claim",
    "claims.add_excerpt",
    "claims.change_excerpt",
    "claims.delete_excerpt",
    "claims.view_candidate",
    "reviews.delete_evidencelink",
    "reviews.publish_review",
    "reviews.adjudicate_claim",
    "reviews.add_assignment",
    "reviews.change_assignment",
    "reviews.delete_assignment",
    "safety.add_intervention",
    "safety.change_intervention",
    "safety.delete_intervention",
    "safety.add_safetyfact",
    "safety.change_safetyfact",
    "safety.delete_safetyfact",
    "questions.add_question",
    "questions.change_question",
    "questions.delete_question",
    "questions.publish_question",
    "questions.delete_finding",
    "auth.view_user",
    "auth.change_user",
    "corrections.view_correction",
    "corrections.change_correction",
    "claims.view_ingestionjob",
    "watching.view_watch",
    "watching.add_watch",
    "watching.change_watch",
    "watching.delete_watch",
]
ROLES = {REVIEWER: REVIEWER_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}


def _permissions(names: list[str]) -> list[Permission]:
    wanted = Q()
    for name in names:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(wanted))
    if len(found) != len(names):
        have = {f"{p.content_type.app_label}.{p.codename}" for p in found}
        raise LookupError(f"Unknown permissions: {sorted(set(names) - have)}")
    return found


def roles_sync() -> None:
    """Create the groups if missing and set their permissions to exactly the lists above."""
    for name, permission_names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(permission_names))


def is_editorial(user) -> bool:
    """May this user use the admin at all? Superusers, and staff in an editorial role."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name__in=ROLES).exists()
