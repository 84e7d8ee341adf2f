"""The production stack of compose.yaml, run without containers.

Each container becomes a process on loopback, started the way its image starts it:

    container      here
    ---------      ----
    bootstrap      deploy/entrypoint.sh bootstrap (BOOKSHOP_STORE_* / BOOKSHOP_SHOP_*)
    store, shop    deploy/entrypoint.sh web (gunicorn -c deploy/gunicorn.conf.py)
    shop-worker    deploy/entrypoint.sh worker
    shop-beat      deploy/entrypoint.sh beat
    smtp-server    `bookshop mail`, which speaks MailHog's API
    nginx          Debian's nginx running deploy/nginx/bookshop.conf.template, its
                   ${NGINX_...} names filled in as the nginx image fills them
    db_*, redis,   the PostgreSQL, Redis and RabbitMQ of BOOKSHOP_TEST_SERVICES=1, with
    rabbitmq       databases and a vhost of this session's own

Settings are the compose stack's: DJANGO_ENV=production (DEBUG off, static files
collected with hashed names, as the image build does), plus SECURE_PROXY_SSL_HEADER=1 and
a short HSTS so tests can see that X-Forwarded-Proto travels from nginx to Django.
Cookies are not marked Secure (HTTPS=0, like the stack on http://localhost), so a plain
http client keeps its session.

Writing a test against it
-------------------------
The module-scoped `production` fixture in tests/e2e/test_deploy_production.py is a running
ProductionStack (with syncs every second or two). Everything goes through nginx, as in
test_an_order_goes_from_checkout_to_completion_through_nginx there:

    def test_something_customers_do(production):
        staff = production.store_api()                 # the admin's token, through nginx
        book = staff.post("/api/v1/books/", json={...}).json()
        customer = Shopper(production.url("shop"))     # tests/e2e/shopper.py
        customer.add(production.wait_for(lambda: <the book's shop id, once synced>), 1)
        order_id = customer.checkout()
        production.wait_for(lambda: customer.order_status(order_id) == "Processing")
        ...
        assert production.mail_subjects(customer_email) == [...]

The worker and beat run for real on RabbitMQ, so `wait_for` polls (with a deadline) until
the periodic syncs have done their work. `production.log("worker")` shows a process's
output when something does not happen; `production.client(site)` is a bare HTTP client
through nginx that keeps cookies.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from tests import services
from tests.e2e.platform import (
    ACCOUNT_CHECK_SUBJECT,
    HOST,
    alive,
    descendants,
    free_ports,
    get_json,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
NGINX_TEMPLATE = DEPLOY / "nginx" / "bookshop.conf.template"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "production-test-admin-password"

# Ports: gunicorn of each service, the mail catcher, and nginx's four servers.
PORT_NAMES = (
    "store", "shop", "smtp", "inbox",
    "nginx_shop", "nginx_store", "nginx_mail", "nginx_status",
)  # fmt: skip
# Which nginx server a site name means in url(), client() and get().
SITES = {"shop": "nginx_shop", "store": "nginx_store", "mail": "nginx_mail"}

T = TypeVar("T")


class StackError(AssertionError):
    """The stack did not come up, or a command in it failed."""


def render_nginx_site(template: str, values: Mapping[str, str]) -> str:
    """Fill the template's ${NGINX_...} names, as the nginx image's envsubst step does.

    Every name must have a value: a leftover would otherwise reach nginx as a variable of
    its own and fail in a confusing way.
    """
    names = set(re.findall(r"\$\{(NGINX_[A-Z_]+)\}", template))
    missing = names - set(values)
    if missing:
        raise StackError(f"no value for {sorted(missing)} in {NGINX_TEMPLATE.name}")
    return re.sub(r"\$\{(NGINX_[A-Z_]+)\}", lambda m: values[m.group(1)], template)


def nginx_main_config(site: Path, work: Path) -> str:
    """The part the nginx image's own /etc/nginx/nginx.conf plays, with every path it
    writes moved into `work`, so nginx runs as an ordinary process."""
    user = "user root;" if os.geteuid() == 0 else ""  # root's workers would be "nobody"
    temp = "\n".join(
        f"    {kind}_temp_path {work / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
pid {work / "nginx.pid"};
error_log stderr notice;
events {{
    worker_connections 256;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
{temp}
    include {site};
}}
"""


class NginxFront:
    """The stack as a client outside sees it: the shop, the store and the mail inbox
    behind nginx. Subclasses say where nginx listens (url); tests/e2e/journeys.py walks
    through it, for this module's processes and tests/containers' images alike."""

    def url(self, site: str, path: str = "/") -> str:
        """A URL through nginx: site is "shop", "store" or "mail"."""
        raise NotImplementedError

    def client(self, site: str, **kwargs) -> httpx.Client:
        """An HTTP client for one site through nginx that keeps cookies, like a browser
        (redirects are not followed unless asked)."""
        kwargs.setdefault("timeout", 15)
        return httpx.Client(base_url=self.url(site).rstrip("/"), **kwargs)

    def get(self, site: str, path: str, **kwargs) -> httpx.Response:
        with self.client(site) as client:
            return client.get(path, **kwargs)

    def mail_subjects(self, to: str | None = None) -> list[str]:
        """Subjects of the messages in the mail inbox (to one address, if given), newest
        first, read through nginx."""
        inbox = get_json(self.url("mail", "/api/v2/messages"))
        return [
            item["Content"]["Headers"]["Subject"][0]
            for item in inbox["items"]
            if to is None or to in item["Content"]["Headers"].get("To", [""])[0]
            # The account's address check at sign-up is not an order step.
            if not item["Content"]["Headers"]["Subject"][0].endswith(ACCOUNT_CHECK_SUBJECT)
        ]

    # Poll until a predicate returns something true (with a deadline), and return it.
    wait_for = staticmethod(wait_for)


@dataclass
class ProductionStack(NginxFront):
    """The running processes, their ports, environments and logs."""

    root: Path
    ports: dict[str, int]
    env: dict[str, dict[str, str]]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)

    # -- where things are ---------------------------------------------------------------
    @property
    def media_root(self) -> Path:
        return Path(self.env["store"]["MEDIA_ROOT"])

    def static_root(self, service: str) -> Path:
        return Path(self.env[service]["STATIC_ROOT"])

    def url(self, site: str, path: str = "/") -> str:
        """A URL through nginx: site is "shop", "store" or "mail"."""
        return f"http://{HOST}:{self.ports[SITES[site]]}{path}"

    def direct_url(self, service: str, path: str = "/") -> str:
        """A URL on a service's own gunicorn, as the container network sees it."""
        return f"http://{HOST}:{self.ports[service]}{path}"

    def log(self, name: str) -> str:
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- talking to it ------------------------------------------------------------------
    def store_api(self) -> httpx.Client:
        """A client of the Store API, through nginx, authenticated as the admin (staff)."""
        result = self.manage("store", "drf_create_token", ADMIN_USER)
        token = result.stdout.strip().split()[2]  # "Generated token <key> for user admin"
        return self.client("store", headers={"Authorization": f"Token {token}"})

    def manage(self, service: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """`bookshop <service> <args>` with that service's production environment."""
        return self._run([sys.executable, "-m", "bookshop", service, *args], service, check)

    def entrypoint(
        self, service: str, *args: str, check: bool = True, extra: Mapping[str, str] = {}
    ) -> subprocess.CompletedProcess:
        """deploy/entrypoint.sh <args>, as `docker compose run <service> <args>` would."""
        return self._run([str(ENTRYPOINT), *args], service, check, extra)

    def healthcheck(self, service: str, kind: str) -> subprocess.CompletedProcess:
        """The container health probe: deploy/healthcheck.py web|worker|beat."""
        return self._run(
            [sys.executable, str(DEPLOY / "healthcheck.py"), kind], service, check=False
        )

    def _run(self, command, service, check, extra: Mapping[str, str] = {}):
        result = subprocess.run(
            command,
            cwd=self.root,
            env={**self.env[service], **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode:
            raise StackError(
                f"{' '.join(map(str, command))} exited {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result

    # -- processes ----------------------------------------------------------------------
    def start(self, name: str, command: list[str], service: str) -> None:
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        with (logs / f"{name}.log").open("wb") as out:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=self.root,
                env=self.env[service],
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, name: str, ready: Callable[[], bool], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            process = self.processes[name]
            if process.poll() is not None:
                raise StackError(f"{name} exited {process.returncode}:\n{self.log(name)[-4000:]}")
            if time.monotonic() > deadline:
                raise StackError(f"{name} not ready in {timeout:.0f} s:\n{self.log(name)[-4000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop every process (reverse order of start), the way a container stop does."""
        tree = {name: descendants(p.pid) for name, p in self.processes.items()}
        for name, process in reversed(self.processes.items()):
            if process.poll() is None:
                # nginx stops gracefully on QUIT; the others on TERM.
                process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for pid in set().union(*tree.values()):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def rabbitmq_log(lines: int = 1000) -> list[str]:
    """The last lines of the log of the RabbitMQ that BOOKSHOP_TEST_SERVICES=1 uses."""
    result = subprocess.run(
        ["rabbitmq-diagnostics", "-q", "log_tail", "-N", str(lines)],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return result.stdout.splitlines()


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _environments(root: Path, ports: Mapping[str, int], databases: Mapping[str, str]):
    """Each service's environment, as compose.yaml gives it to the containers."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("BOOKSHOP_")}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "STATIC_ROOT"):
        base.pop(name, None)
    venv_bin = str(Path(sys.executable).parent)
    base.update(services.service_environment(root / "var"))
    base.update(
        PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
        DJANGO_ENV="production",
        HTTPS="0",
        SECURE_PROXY_SSL_HEADER="1",
        SECURE_HSTS_SECONDS="3600",
        ALLOWED_HOSTS=f"{HOST},localhost",
        EMAIL_HOST=HOST,
        EMAIL_PORT=str(ports["smtp"]),
        STORE_API_URL=f"http://{HOST}:{ports['store']}",
        STORE_PUBLIC_URL=f"http://{HOST}:{ports['nginx_store']}",
        SHOP_PUBLIC_URL=f"http://{HOST}:{ports['nginx_shop']}",
        STORE_API_TOKEN_FILE=str(root / "token" / "store-api-token"),
        MEDIA_ROOT=str(root / "media"),
        BOOKSHOP_ADMIN_USER=ADMIN_USER,
        BOOKSHOP_ADMIN_PASSWORD=ADMIN_PASSWORD,
        GUNICORN_WORKERS="2",
        CELERY_WORKER_CONCURRENCY="2",
        # A name of this session's own, so the worker probe pings this worker only.
        CELERY_WORKER_NAME=f"worker-{services.RUN_ID}",
    )
    env = {}
    for service, port in (("store", ports["store"]), ("shop", ports["shop"])):
        env[service] = {
            **base,
            "BOOKSHOP_SERVICE": service,
            "BOOKSHOP_VAR_DIR": str(root / "var" / service),
            "SECRET_KEY": f"{service}-production-test-key-" + "x" * 40,
            "DATABASE_URL": f"{services.PG_URL}/{databases[service]}",
            "STATIC_ROOT": str(root / "static" / service),
            "PORT": str(port),
            "GUNICORN_BIND": f"{HOST}:{port}",
        }
    return env


def _bootstrap_environment(env: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """compose.yaml's bootstrap service: each service's settings under its prefix."""
    result = dict(env["store"])
    for service in ("store", "shop"):
        for name in ("DATABASE_URL", "SECRET_KEY", "BOOKSHOP_VAR_DIR", "STATIC_ROOT"):
            result[f"BOOKSHOP_{service.upper()}_{name}"] = env[service][name]
    return result


@contextmanager
def production_stack(root: Path, **settings: str) -> Iterator[ProductionStack]:
    """Build and run the whole stack under `root`; stop it and drop its databases after.

    `settings` go to every process on top of the stack's own (say, shorter sync
    intervals: CATALOG_SYNC_INTERVAL="2"). Needs BOOKSHOP_TEST_SERVICES=1 (PostgreSQL,
    Redis, RabbitMQ) and nginx on PATH.
    """
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not nginx:
        raise StackError("nginx is not installed (Debian: apt-get install -y nginx)")
    ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
    base = f"bookshop_prod_{services.RUN_ID}"
    databases = {service: f"{base}_{service}" for service in ("store", "shop")}
    with ExitStack() as cleanup:
        for name in databases.values():
            services.postgres_create(name)
            cleanup.callback(services.postgres_drop, name)
        env = _environments(root, ports, databases)
        for service_env in env.values():
            service_env.update(settings)
        env["bootstrap"] = _bootstrap_environment(env)
        stack = ProductionStack(root=root, ports=ports, env=env, databases=[*databases.values()])
        cleanup.callback(stack.stop)

        # What the image build and the bootstrap service do.
        for service in ("store", "shop"):
            stack.manage(service, "collectstatic", "--noinput", "--verbosity", "0")
        stack.entrypoint("bootstrap", "bootstrap")

        stack.start(
            "mail",
            [sys.executable, "-m", "bookshop", "mail", "--host", HOST,
             "--smtp-port", str(ports["smtp"]), "--http-port", str(ports["inbox"]),
             "--maildir", str(root / "mail")],
            "shop",
        )  # fmt: skip
        stack.start("store", [str(ENTRYPOINT), "web"], "store")
        stack.start("shop", [str(ENTRYPOINT), "web"], "shop")
        stack.start("worker", [str(ENTRYPOINT), "worker"], "shop")
        stack.start("beat", [str(ENTRYPOINT), "beat"], "shop")

        work = root / "nginx"
        work.mkdir()
        site = work / "bookshop.conf"
        site.write_text(
            render_nginx_site(
                NGINX_TEMPLATE.read_text(),
                {
                    "NGINX_SHOP_LISTEN": f"{HOST}:{ports['nginx_shop']}",
                    "NGINX_STORE_LISTEN": f"{HOST}:{ports['nginx_store']}",
                    "NGINX_MAIL_LISTEN": f"{HOST}:{ports['nginx_mail']}",
                    "NGINX_STATUS_LISTEN": f"{HOST}:{ports['nginx_status']}",
                    "NGINX_SHOP_UPSTREAM": f"{HOST}:{ports['shop']}",
                    "NGINX_STORE_UPSTREAM": f"{HOST}:{ports['store']}",
                    "NGINX_MAIL_UPSTREAM": f"{HOST}:{ports['inbox']}",
                    # The upstreams here are addresses, which nginx never looks up.
                    "NGINX_RESOLVER": HOST,
                    "NGINX_SHOP_STATIC": env["shop"]["STATIC_ROOT"],
                    "NGINX_STORE_STATIC": env["store"]["STATIC_ROOT"],
                    "NGINX_MEDIA_ROOT": env["store"]["MEDIA_ROOT"],
                },
            )
        )
        main = work / "nginx.conf"
        main.write_text(nginx_main_config(site, work))
        nginx_command = [nginx, "-p", f"{work}/", "-e", "stderr", "-c", str(main)]
        check = subprocess.run([*nginx_command, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode:
            raise StackError(f"nginx rejects the config:\n{check.stderr}")
        stack.start("nginx", [*nginx_command, "-g", "daemon off;"], "shop")

        stack.wait_ready("mail", lambda: _http_ok(f"http://{HOST}:{ports['inbox']}/"))
        stack.wait_ready("store", lambda: _http_ok(stack.direct_url("store", "/healthz")))
        stack.wait_ready("shop", lambda: _http_ok(stack.direct_url("shop", "/healthz")))
        stack.wait_ready("worker", lambda: re.search(r"\bready\.", stack.log("worker")))
        stack.wait_ready("beat", lambda: "beat: Starting" in stack.log("beat"))
        stack.wait_ready(
            "nginx", lambda: _http_ok(f"http://{HOST}:{ports['nginx_status']}/nginx_status")
        )
        yield stack
