"""The ceiling the web benchmarks are measured against: a Django view that only answers
"ok", with no middleware, no database and no template, served by gunicorn exactly as
`bookshop up` serves the shop and the store (see `command`): run as a script, it starts
that gunicorn under bookshop up's own supervisor, whose output pump then carries the
ceiling's access log as it carries the pages'.

Run by bench/web_throughput.py (`python ceiling.py PORT WORKERS`); not part of the
platform.
"""

from __future__ import annotations

import os
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


def serve(port: int, workers: int) -> int:
    """The ceiling under a Supervisor, until SIGTERM; its output goes to stdout."""
    from bookshop.devserver.supervisor import ChildFailed, Program, Supervisor

    here = os.path.dirname(os.path.abspath(__file__))
    supervisor = Supervisor(env={**os.environ, "PYTHONPATH": here}, cwd=here)
    supervisor.install_signal_handlers()
    program = Program("ceiling", command(port, workers), ready_url=f"http://127.0.0.1:{port}/")
    try:
        supervisor.start([program], ready_timeout=60)
        supervisor.watch()
    except ChildFailed as failure:
        supervisor.say("ceiling", f"error: {failure}")
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2])))
