from django.apps import AppConfig


class WatchingConfig(AppConfig):
    name = "watching"
    verbose_name = "Watched pages"
