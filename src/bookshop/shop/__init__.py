"""The Shop: the customer site, with its Celery workers."""

from bookshop.shop.celery import app as celery_app

__all__ = ["celery_app"]
