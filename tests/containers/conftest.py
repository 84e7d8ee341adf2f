"""One compose stack for the whole session: images built, services started in dependency
order, every health check passed; removed again at the end, whatever happened.

The summary says which engine ran it, where each public image came from (real or a
stand-in) and what it took: build time, time until every service was healthy, memory
per container.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services
from tests.containers import standins
from tests.containers.engine import Engine, detect
from tests.containers.stack import (
    REPO,
    REPORT,
    ComposeStack,
    HealthChecks,
    pick_ports,
    project_name,
    remove_leftovers,
    remove_project,
    write_env_file,
)


def pytest_report_header(config: pytest.Config) -> str:
    engine = detect()
    return f"containers: {engine.describe() if engine else 'no Docker engine, no podman'}"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    for line in REPORT:
        terminalreporter.write_line(f"containers: {line}")


def _public_images(stack: ComposeStack) -> list[str]:
    """The images nobody here builds: compose.yaml's, and the Dockerfile's bases."""
    named = {service["image"] for service in stack.services.values() if not service.get("build")}
    for build in stack.built_images().values():
        dockerfile = Path(build.get("context", REPO)) / build["dockerfile"]
        named.update(standins.dockerfile_images(dockerfile))
    return sorted(named)


def _prepare_podman_images(stack: ComposeStack, engine: Engine) -> None:
    """The real public images where they are here or can be pulled, stand-ins for the
    others; then the project's images; then the stand-ins built on those."""
    started = time.monotonic()
    public = _public_images(stack)
    on_store = [image for image in public if standins.built_on_the_store_image(image)]
    found, missing = standins.find(engine, [i for i in public if i not in on_store])
    outcomes = list(found)
    if missing:
        REPORT.append(standins.ensure_base(engine))
        outcomes += standins.build(engine, missing, standins.BASE)
    stack.build()
    found, missing = standins.find(engine, on_store)
    outcomes += found
    if missing:
        [store_image] = [
            image for image, build in stack.built_images().items() if build["target"] == "store"
        ]
        outcomes += standins.build(engine, missing, store_image)
    for outcome in sorted(outcomes, key=lambda o: o.image):
        REPORT.append(f"image {outcome.image}: {outcome.how}")
    REPORT.append(f"every image ready in {time.monotonic() - started:.0f} s")


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[ComposeStack]:
    engine = detect()
    if engine is None:
        message = (
            "no container engine: a Docker engine with `docker compose`, or podman with "
            "podman-compose (the test extra); .ci/run installs podman"
        )
        if services.ENABLED:
            pytest.fail(message)
        pytest.skip(message)
    REPORT.append(f"engine {engine.describe()}")
    left = remove_leftovers(engine)
    if left:
        REPORT.append(f"removed what interrupted runs left: {', '.join(left)}")
    ports = pick_ports()
    env_file = tmp_path_factory.mktemp("compose") / ".env"
    stack = ComposeStack(
        engine=engine,
        project=project_name(),
        env_file=env_file,
        settings=write_env_file(env_file, ports),
        ports=ports,
    )
    REPORT.append(f"project {stack.project}, published on 127.0.0.1: {ports}")
    stack.load_config()
    # BOOKSHOP_HEALTH_SCHEDULE=compose: first checks one interval in, as Docker runs them
    # (how long a real `up` takes to become healthy); by default as soon as possible.
    eager = os.environ.get("BOOKSHOP_HEALTH_SCHEDULE", "") != "compose"
    health = HealthChecks(stack, eager=eager) if engine.drives_health else None
    try:
        if engine.name == "podman":
            _prepare_podman_images(stack, engine)
        else:
            stack.build()
        if health:
            health.start()
        started = time.monotonic()
        stack.up()
        stack.timings["healthy"] = time.monotonic() - started
        REPORT.append(
            f"project images built in {stack.timings['build']:.0f} s; every service healthy "
            f"{stack.timings['healthy']:.0f} s after the first `up` "
            f"(health checks {'as soon as possible' if eager else 'on the compose intervals'})"
        )
        yield stack
    finally:
        if health:
            health.stop()
        try:
            stack.compose("down", "-v", timeout=300)
        finally:
            remove_project(engine, stack.project)
