"""The shop's Celery application: the workers that talk to the store and send email."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop.shop.settings")

app = Celery("bookshop.shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
