from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_roles_after_migrate(sender, **kwargs):
    from reviews.roles import roles_sync

    roles_sync()


def invalidate_pages_after_migrate(sender, **kwargs):
    """A deploy runs migrate: pages cached by the previous release must not outlive it."""
    from config.generation import site_changed

    site_changed()


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews and evidence"

    def ready(self):
        # After contrib.auth has created the permissions: reviews is the last app listed.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
        post_migrate.connect(invalidate_pages_after_migrate, sender=self)
