"""Which container engine runs the suite, and the commands it takes.

A Docker engine that answers, with its compose plugin, wins: the real images, Docker's
own health checks. Otherwise podman 4.3 (Debian 12's) with podman-compose (the `test`
extra pins it), which needs three things done for it: images built with
`--format docker` (else every HEALTHCHECK is dropped), health checks run by hand
(podman schedules them through systemd), and each service started by the suite once
what it depends on is ready (podman-compose ignores `condition: service_healthy`).
BOOKSHOP_CONTAINER_ENGINE=docker or =podman picks one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class EngineError(AssertionError):
    """A container command failed."""


@dataclass(frozen=True)
class Engine:
    name: str  # "docker" or "podman"
    cli: tuple[str, ...]
    compose: tuple[str, ...]
    version: str
    # Docker runs health checks and honours depends_on conditions by itself.
    drives_health: bool

    def run(
        self, *args: str, check: bool = True, timeout: float = 300, input: str | None = None
    ) -> subprocess.CompletedProcess:
        """`docker ARGS` or `podman ARGS`."""
        return run_command([*self.cli, *args], check=check, timeout=timeout, input=input)

    def describe(self) -> str:
        how = (
            "Docker runs the health checks"
            if not self.drives_health
            else "health checks run by the suite"
        )
        return f"{self.version} ({how})"


def run_command(
    command: list[str], *, check: bool = True, timeout: float = 300, input: str | None = None
) -> subprocess.CompletedProcess:
    """Run a command, capturing its output; raise EngineError if it fails (with check)."""
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, input=input
        )
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"{' '.join(command)} took more than {timeout:.0f} s") from exc
    if check and result.returncode:
        raise EngineError(
            f"{' '.join(command)} exited {result.returncode}:\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def _answers(command: list[str]) -> str | None:
    """The command's first line of output if it succeeds, else None."""
    if not shutil.which(command[0]):
        return None
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (subprocess.TimeoutExpired, OSError):
        return None
    return result.stdout.strip().splitlines()[0] if result.returncode == 0 else None


def _docker() -> Engine | None:
    server = _answers(["docker", "info", "--format", "{{.ServerVersion}}"])
    compose = _answers(["docker", "compose", "version", "--short"])
    if not (server and compose):
        return None
    return Engine(
        name="docker",
        cli=("docker",),
        compose=("docker", "compose"),
        version=f"Docker {server} with docker compose {compose}",
        drives_health=False,
    )


def _podman() -> Engine | None:
    podman_compose = Path(sys.executable).parent / "podman-compose"
    if not podman_compose.exists():
        found = shutil.which("podman-compose")
        if not found:
            return None
        podman_compose = Path(found)
    server = _answers(["podman", "version", "--format", "{{.Server.Version}}"])
    compose = _answers([str(podman_compose), "version", "--short"])
    if not server:
        return None
    return Engine(
        name="podman",
        cli=("podman",),
        compose=(str(podman_compose),),
        version=f"podman {server} with podman-compose {compose or '?'}",
        drives_health=True,
    )


def detect() -> Engine | None:
    """The engine to use, or None when neither answers."""
    wanted = os.environ.get("BOOKSHOP_CONTAINER_ENGINE", "")
    if wanted == "docker":
        return _docker()
    if wanted == "podman":
        return _podman()
    return _docker() or _podman()
