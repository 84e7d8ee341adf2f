"""Bookshop: a customer Shop and a warehouse Store, joined by Celery workers."""

__version__ = "0.1.0"
