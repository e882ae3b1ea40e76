from django.apps import AppConfig
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


def sync_roles_after_migrate(sender, **kwargs):
    """Once per migrate, after the last app with models has had its permissions created:
    the roles name permissions of apps listed after this one."""
    from django.apps import apps as installed

    last = [config for config in installed.get_app_configs() if config.models_module][-1]
    if sender.label == last.label:
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
        post_migrate.connect(sync_roles_after_migrate)
        post_migrate.connect(invalidate_pages_after_migrate, sender=self)


class EditorialAdminSite(admin.AdminSite):
    """The admin, open to the editorial roles (reviews.roles) and superusers."""

    site_header = "Ketamine claims: editorial"
    site_title = "Ketamine claims editorial"
    index_title = "Evidence review"

    index_template = "admin/my_work.html"

    def has_permission(self, request):
        from reviews.roles import is_editorial  # the auth models load after the app configs

        return is_editorial(request.user)

    def index(self, request, extra_context=None):
        """The start page: the person's own work first ('My work'), then the models."""
        from reviews.work import my_work  # the models load after the app configs

        return super().index(request, {"my_work": my_work(request.user), **(extra_context or {})})


class EditorialAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the editorial site as its default site (admin.site)."""

    default = False  # INSTALLED_APPS names it; "reviews" alone means ReviewsConfig
    default_site = "reviews.apps.EditorialAdminSite"
