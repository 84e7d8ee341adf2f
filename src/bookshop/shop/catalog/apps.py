from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _ensure_fulltext(using: str = "default", **kwargs: Any) -> None:
    from bookshop.shop.catalog.fulltext import ensure_fulltext

    ensure_fulltext(connections[using])


class CatalogConfig(AppConfig):
    name = "bookshop.shop.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        # After every migrate, also when a later migration rebuilt catalog_book on SQLite
        # and so dropped the full-text triggers (fulltext.py).
        post_migrate.connect(_ensure_fulltext, sender=self, dispatch_uid="catalog-fulltext")
