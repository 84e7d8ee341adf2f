"""The ceiling the web benchmarks are measured against: a Django view that only answers
"ok", with no middleware, no database and no template, served by gunicorn exactly as
`bookshop up` serves the shop and the store (see `command`).

Run by bench/web_throughput.py; not part of the platform.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-ceiling-only",  # answers "ok", signs nothing
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", ok)]
application = get_wsgi_application()


def command(port: int, workers: int) -> list[str]:
    """gunicorn with the flags bookshop.devserver.runner gives the shop and the store."""
    return [
        sys.executable, "-m", "gunicorn", "ceiling:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--timeout", "30",
        "--graceful-timeout", "10",
        "--access-logfile", "-",
        "--name", "bookshop-bench-ceiling",
        "--no-control-socket",
    ]  # fmt: skip
