"""compose.yaml's stack under a project name of the suite's own, seen from outside.

Ports are published on 127.0.0.1 only (free ones picked), the .env is the one
`make compose-env` writes with the suite's ports and host names on top, and every
container, network and volume carries the project's label, which is how the suite finds
them, and removes them (also those of an earlier run that was interrupted).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from tests.containers.engine import Engine, EngineError, run_command
from tests.e2e.platform import HOST, alive, free_ports
from tests.e2e.production import NginxFront

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "compose.yaml"
PROJECT_PREFIX = "bookshop-citest-"
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
# The tag of the images the suite builds (BOOKSHOP_VERSION): a tag of its own keeps the
# images a person built for real (`latest`) as they are; a rerun starts from its cache.
IMAGE_TAG = "citest"
# What the session's summary says: engine, images, timings, memory (conftest.py).
REPORT: list[str] = []
# Published port of each site: (.env name of the port, of the address it binds).
PUBLISHED = {
    "shop": ("SHOP_HTTP_PORT", "SHOP_HTTP_BIND"),
    "store": ("STORE_HTTP_PORT", "STORE_HTTP_BIND"),
    "mail": ("MAIL_UI_PORT", "MAIL_UI_BIND"),
    "rabbitmq": ("RABBITMQ_UI_PORT", "RABBITMQ_UI_BIND"),
}


def write_env_file(path: Path, ports: dict[str, int]) -> dict[str, str]:
    """`make compose-env`'s .env, with the suite's ports, image tag and host names."""
    run_command(["make", "-s", "-C", str(REPO), "compose-env", f"ENV_FILE={path}"])
    overrides = {"BOOKSHOP_VERSION": IMAGE_TAG}
    for site, (port, bind) in PUBLISHED.items():
        overrides[port] = str(ports[site])
        overrides[bind] = HOST
    for site in ("shop", "store"):
        overrides[f"{site.upper()}_HOSTS"] = f"{HOST},localhost"
        overrides[f"{site.upper()}_PUBLIC_URL"] = f"http://{HOST}:{ports[site]}"
    text = path.read_text()
    for name, value in overrides.items():
        text, count = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.MULTILINE)
        assert count == 1, f"{name} is not in .env.example"
    path.write_text(text)
    return dict(re.findall(r"^(\w+)=(.*)$", text, re.MULTILINE))


@dataclass(frozen=True)
class State:
    status: str  # running, exited, created, ...
    health: str  # healthy, unhealthy, starting, or "" without a health check
    exit_code: int


@dataclass
class ComposeStack(NginxFront):
    engine: Engine
    project: str
    env_file: Path
    settings: dict[str, str]
    ports: dict[str, int]
    config: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    _services_of: dict[str, str] = field(default_factory=dict, repr=False)

    # -- what a client outside sees ----------------------------------------------------
    def url(self, site: str, path: str = "/") -> str:
        return f"http://{HOST}:{self.ports[site]}{path}"

    def store_api(self) -> httpx.Client:
        """The Store API through nginx as the admin (staff), by the token the API hands
        out for the admin's password from .env."""
        token = httpx.post(
            self.url("store", "/api/v1/auth/token/"),
            json={
                "username": self.settings["BOOKSHOP_ADMIN_USER"],
                "password": self.settings["BOOKSHOP_ADMIN_PASSWORD"],
            },
            timeout=15,
        )
        assert token.status_code == 200, token.text
        return self.client("store", headers={"Authorization": f"Token {token.json()['token']}"})

    # -- compose ---------------------------------------------------------------------------
    def compose(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return run_command(
            [*self.engine.compose, "-p", self.project, "-f", str(COMPOSE),
             "--env-file", str(self.env_file), *args],
            timeout=timeout,
        )  # fmt: skip

    def load_config(self) -> dict:
        self.config = yaml.safe_load(self.compose("config").stdout)
        return self.config

    @property
    def services(self) -> dict[str, dict]:
        return self.config["services"]

    def one_shot(self, service: str) -> bool:
        """A service that runs to completion (bootstrap) rather than staying up."""
        # An unquoted `no` in the printed config reads as false.
        return self.services[service].get("restart") in ("no", False)

    def depends_on(self, service: str) -> set[str]:
        return set(self.services[service].get("depends_on") or {})

    def built_images(self) -> dict[str, dict]:
        """Each image compose.yaml builds, once, with its build section."""
        return {
            service["image"]: service["build"]
            for service in self.services.values()
            if service.get("build")
        }

    def build(self) -> None:
        started = time.monotonic()
        if self.engine.name == "docker":
            self.compose("build", timeout=1800)
        else:
            # One build per image (podman-compose would build the shop's three times);
            # the docker format keeps each stage's HEALTHCHECK.
            for image, build in self.built_images().items():
                context = Path(build.get("context", REPO))
                self.engine.run(
                    "build", "--format", "docker", "-f", str(context / build["dockerfile"]),
                    "--target", build["target"], "-t", image, str(context),
                    timeout=1800,
                )  # fmt: skip
        self.timings["build"] = time.monotonic() - started

    def up(self, services: Iterable[str] | None = None, timeout: float = 240) -> None:
        """Start each service as soon as what it depends on (among `services`, default
        all) is ready: healthy, or for bootstrap exited 0, as `depends_on` asks and
        podman-compose does not do. Returns once every one of them is ready."""
        wanted = set(services or self.services)
        started: dict[str, float] = {}
        ready: set[str] = set()
        while ready != wanted:
            startable = sorted(
                name for name in wanted - set(started) if self.depends_on(name) & wanted <= ready
            )
            if startable:
                self.compose("up", "-d", "--no-deps", *startable, timeout=600)
                started.update(dict.fromkeys(startable, time.monotonic()))
            waiting = set(started) - ready
            if not waiting and not startable:
                raise EngineError(f"circular depends_on among {sorted(wanted - ready)}")
            states = self.states()
            for name in sorted(waiting):
                if name in states and self.is_ready(name, states[name]):
                    ready.add(name)
                elif time.monotonic() - started[name] > timeout:
                    raise EngineError(f"{name} not ready in {timeout:.0f} s: {states.get(name)}")
            if ready != wanted:
                time.sleep(1)

    def recreate(self, service: str) -> None:
        """A new container for one service, nothing else touched. (`up --force-recreate`
        is no way to do it: podman-compose recreates the services that depend on it too.)"""
        self.engine.run("rm", "-f", self.container(service))
        self.up([service])

    def stop(self, *services: str) -> None:
        self.compose("stop", *services, timeout=300)

    def down(self) -> None:
        """`down`: containers and networks go, the named volumes stay."""
        self.compose("down", timeout=300)

    # -- containers ----------------------------------------------------------------------
    def containers(self, service: str | None = None, *, running: bool = False) -> list[str]:
        filters = ["--filter", f"label={PROJECT_LABEL}={self.project}"]
        if service:
            filters += ["--filter", f"label={SERVICE_LABEL}={service}"]
        listing = self.engine.run("ps", *([] if running else ["-a"]), *filters,
                                  "--format", "{{.Names}}")  # fmt: skip
        return listing.stdout.split()

    def container(self, service: str) -> str:
        [name] = self.containers(service)
        return name

    def service_of(self, container: str) -> str:
        """The compose service a container belongs to (its name stays when recreated)."""
        if container not in self._services_of:
            self._services_of[container] = self.engine.run(
                "inspect", "--format", f'{{{{index .Config.Labels "{SERVICE_LABEL}"}}}}',
                container,
            ).stdout.strip()  # fmt: skip
        return self._services_of[container]

    def state(self, service: str) -> State:
        return self.states()[service]

    def states(self) -> dict[str, State]:
        """The state of every service's container, in two engine calls."""
        ids = self.engine.run(
            "ps", "-a", "-q", "--filter", f"label={PROJECT_LABEL}={self.project}"
        ).stdout.split()
        if not ids:
            return {}
        # A container removed since `ps` is left out (the engine says so on stderr).
        lines = self.engine.run(
            "inspect", "--format",
            f'{{{{index .Config.Labels "{SERVICE_LABEL}"}}}}|{{{{.State.Status}}}}|'
            "{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.ExitCode}}",
            *ids, check=False,
        ).stdout.split()  # fmt: skip
        states = {}
        for line in lines:
            service, status, health, code = line.split("|")
            states[service] = State(status, health, int(code))
        return states

    def is_ready(self, service: str, state: State) -> bool:
        """Healthy (or running, without a health check), or for a one-shot exited 0;
        raises on unhealthy or a failed exit."""
        if self.one_shot(service):
            if state.status == "exited" and state.exit_code:
                raise EngineError(f"{service} exited {state.exit_code}:\n{self.logs(service)}")
            return state.status == "exited"
        if state.health == "unhealthy" or state.status == "exited":
            raise EngineError(f"{service} is {state}:\n{self.logs(service)[-4000:]}")
        return state.status == "running" and state.health in ("healthy", "")

    def started_at(self, service: str) -> str:
        return self.engine.run(
            "inspect", "--format", "{{.Id}} {{.State.StartedAt}}", self.container(service)
        ).stdout.strip()

    def exec(self, service: str, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.engine.run("exec", self.container(service), *command, check=check)

    def logs(self, service: str) -> str:
        result = self.engine.run("logs", self.container(service), check=False)
        return result.stdout + result.stderr

    def addresses(self, service: str) -> dict[str, str]:
        """The container's address on each of the project's networks."""
        listing = self.engine.run(
            "inspect", "--format",
            "{{range $name, $net := .NetworkSettings.Networks}}{{$name}}={{$net.IPAddress}} "
            "{{end}}",
            self.container(service),
        ).stdout.split()  # fmt: skip
        return {
            name.removeprefix(f"{self.project}_"): address
            for name, address in (entry.split("=", 1) for entry in listing)
        }

    def memory(self) -> dict[str, str]:
        """Memory in use per running service, as the engine's `stats` reports it."""
        running = self.containers(running=True)
        lines = self.engine.run(
            "stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}", *running
        ).stdout.splitlines()
        usage = {}
        for line in lines:
            name, _, mem = line.partition("\t")
            usage[self.service_of(name.strip())] = mem.split("/")[0].strip()
        return dict(sorted(usage.items()))

    # -- the databases, read inside their containers ---------------------------------------
    def table_rows(self, service: str) -> dict[str, tuple[int, str]]:
        """{table: (row count, md5 of all its rows)} of a PostgreSQL service's database."""
        env = self.services[service]["environment"]
        psql = ("psql", "-U", env["POSTGRES_USER"], "-d", env["POSTGRES_DB"], "-At", "-c")
        tables = self.exec(
            service, *psql,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        ).stdout.split()  # fmt: skip
        # The names come from pg_tables, not from a client.
        query = " UNION ALL ".join(
            f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, '|' "  # noqa: S608
            f"ORDER BY t::text), '')) FROM \"{table}\" t"
            for table in tables
        )
        rows = self.exec(service, *psql, query).stdout.splitlines()
        return {
            table: (int(count), digest) for table, count, digest in (row.split("|") for row in rows)
        }


def project_name() -> str:
    """The suite's own project: a prefix and this process's id."""
    return f"{PROJECT_PREFIX}{os.getpid()}"


def remove_project(engine: Engine, project: str) -> None:
    """Every container, network and volume labelled with the project, whatever state
    they are in (no compose file needed, so it works for an interrupted run too)."""
    label = f"label={PROJECT_LABEL}={project}"
    containers = engine.run("ps", "-a", "-q", "--filter", label).stdout.split()
    if containers:
        engine.run("rm", "-f", "-v", *containers, timeout=300)
    networks = engine.run("network", "ls", "-q", "--filter", label).stdout.split()
    if networks:
        engine.run("network", "rm", *networks, check=False)
    volumes = engine.run("volume", "ls", "-q", "--filter", label).stdout.split()
    if volumes:
        engine.run("volume", "rm", "-f", *volumes)


def remove_leftovers(engine: Engine) -> list[str]:
    """Projects of earlier runs of this suite whose process is gone: removed; returned.
    Both engines name containers, networks and volumes after their project."""
    names = engine.run("ps", "-a", "--format", "{{.Names}}").stdout.split()
    names += engine.run("network", "ls", "--format", "{{.Name}}").stdout.split()
    names += engine.run("volume", "ls", "--format", "{{.Name}}").stdout.split()
    projects = {
        match.group(0)
        for name in names
        if (match := re.match(rf"{PROJECT_PREFIX}(\d+)", name)) and not alive(int(match.group(1)))
    }
    for project in sorted(projects):
        remove_project(engine, project)
    return sorted(projects)


def pick_ports() -> dict[str, int]:
    return dict(zip(PUBLISHED, free_ports(len(PUBLISHED)), strict=True))


class HealthChecks(threading.Thread):
    """What Docker does by itself and podman 4.3 leaves to systemd: run each running
    container's health check at its interval. Eager (the default), a container not yet
    healthy is checked every 2 s, so the suite waits no longer than it must; otherwise
    the first check comes one interval after the container was seen, as Docker does."""

    def __init__(self, stack: ComposeStack, *, eager: bool = True) -> None:
        super().__init__(name="health-checks", daemon=True)
        self.stack = stack
        self.eager = eager
        self.done = threading.Event()
        self.next_run: dict[str, float] = {}
        self.failures: list[str] = []

    def intervals(self) -> dict[str, float]:
        result = {}
        for name, service in self.stack.services.items():
            check = service.get("healthcheck") or {}
            if check.get("test") and not check.get("disable"):
                result[name] = _seconds(check.get("interval", "30s"))
        return result

    def run(self) -> None:
        intervals = self.intervals()
        while not self.done.wait(1):
            try:
                self.round(intervals)
            except EngineError as exc:  # a container went away mid-round
                self.failures.append(str(exc)[:500])

    def round(self, intervals: dict[str, float]) -> None:
        """Run the checks that are due, side by side (each starts a process in its
        container, some a Python or an Erlang VM: seconds apiece)."""
        now = time.monotonic()
        due = []
        for container in self.stack.containers(running=True):
            service = self.stack.service_of(container)
            if service not in intervals:
                continue
            if container not in self.next_run and not self.eager:
                self.next_run[container] = now + intervals[service]
            if now >= self.next_run.get(container, 0):
                due.append((container, intervals[service]))
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(self.check, due))

    def check(self, due: tuple[str, float]) -> None:
        container, interval = due
        result = self.stack.engine.run("healthcheck", "run", container, check=False)
        wait = 2 if self.eager and result.returncode else interval
        self.next_run[container] = time.monotonic() + wait

    def stop(self) -> None:
        self.done.set()
        self.join(30)


def _seconds(duration: str | int | float) -> float:
    """compose's 1m30s / 15s / 500ms, or a number of nanoseconds (as `config` may print)."""
    if isinstance(duration, int | float):
        return duration / 1e9
    total = 0.0
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration):
        total += float(amount) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total
