"""Celery tasks of the shop's orders."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="shop.orders.submit")
def submit_order(order_id: int) -> None:
    """Send a placed (pending) order to the store.

    Enqueued by orders.services.order_place once the order is committed. The store
    submission itself belongs to the integration work; until then this only logs.
    """
    logger.info("order %s placed; waiting for submission to the store", order_id)
