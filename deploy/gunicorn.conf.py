"""Gunicorn settings for both web services, in the containers and in the production tests.

Read with `gunicorn -c deploy/gunicorn.conf.py bookshop.<service>.wsgi:application`.
Every value can be changed through the environment variable named beside it.
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# The container listens on every interface of its own network namespace; nginx is the
# only thing in front of it. PORT is set per image (shop 8000, store 8001).
bind = [os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")]

# Sync workers: nginx buffers slow clients, so each worker is busy only while Django
# works. Scale with more workers per container or more containers behind nginx.
workers = _int("GUNICORN_WORKERS", 3)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# A worker that leaks memory is replaced now and then; the jitter keeps them from
# restarting all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Heartbeat files on tmpfs: a container's overlay filesystem can stall them.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108

# Django decides what to believe of X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER); gunicorn
# trusts forwarded headers only from the addresses listed here (its own default: loopback).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# One line per request on stdout, with the client address nginx saw.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
proc_name = os.environ.get("GUNICORN_PROC_NAME", "bookshop")

# gunicorn 25.1+ opens a control socket for `gunicornc` under $XDG_RUNTIME_DIR or
# $HOME/.gunicorn/. In the images $HOME (/app) is not writable, so every start logged
# "Control server error: Permission denied"; nothing here uses the socket.
control_socket_disable = True
