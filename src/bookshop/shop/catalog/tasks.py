"""Celery tasks of the catalogue mirror."""

import logging

from celery import shared_task

from bookshop.shop import dispatch
from bookshop.shop.catalog.services import catalog_sync
from bookshop.shop.store_client import StoreClient, StoreError

logger = logging.getLogger(__name__)


@shared_task(name=dispatch.CATALOG_SYNC)
def sync_catalog(full: bool = False) -> int:
    """Bring the mirror up to date with the store (beat, every CATALOG_SYNC_INTERVAL)."""
    try:
        with StoreClient() as client:
            result = catalog_sync(client=client, full=full)
    except (StoreError, ValueError) as exc:
        # Beat runs this again shortly; the cursor has not moved past what was written.
        logger.warning("catalog.sync outcome=failed full=%s error=%s", full, exc)
        return 0
    if result.written or result.deactivated or full:
        logger.info(
            "catalog.sync full=%s pages=%s received=%s written=%s deactivated=%s cursor=%s",
            full, result.pages, result.received, result.written, result.deactivated,
            result.cursor.isoformat() if result.cursor else None,
        )  # fmt: skip
    return result.written + result.deactivated
