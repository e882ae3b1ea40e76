from django.core.management.base import BaseCommand

from reviews.roles import ROLES, roles_sync


class Command(BaseCommand):
    help = "Create the Reviewer and Editor groups with exactly their permissions (idempotent)."

    def handle(self, *args, **options):
        roles_sync()
        for name, permissions in ROLES.items():
            self.stdout.write(f"{name}: {len(permissions)} permissions")
