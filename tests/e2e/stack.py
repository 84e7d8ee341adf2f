"""The processes `bookshop up` runs, started one by one, so a test can stop, freeze or kill
any of them and start it again (which `bookshop up` itself never does: it stops everything
when one child dies).

The argv, environment and readiness of each process come from the runner itself
(bookshop.devserver.runner.programs), so these tests run exactly what `make run` runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from bookshop.devserver.endpoints import Endpoints
from bookshop.devserver.runner import UpOptions, child_environment, programs
from bookshop.devserver.supervisor import Program, http_ok
from tests.e2e.platform import ACCOUNT_CHECK_SUBJECT, HOST, Deployment, deployment, get_json

T = TypeVar("T")
ADMIN_PASSWORD = "integration-Tests-2026"


@dataclass
class DevStack:
    deploy: Deployment
    programs: dict[str, Program]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.deploy.root

    def url(self, name: str, path: str = "/") -> str:
        return self.deploy.url(name, path)

    def log(self, name: str) -> str:
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- processes ------------------------------------------------------------------------

    def start(self, name: str, timeout: float = 90) -> None:
        program = self.programs[name]
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        with (logs / f"{name}.log").open("ab") as out:
            self.processes[name] = subprocess.Popen(
                list(program.argv),
                cwd=self.root,
                # A Python child that hangs can then be made to print every thread's stack.
                env={**(program.env or {}), "PYTHONFAULTHANDLER": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stop, freeze or kill it whole
            )
        mark = len(self.log(name))
        deadline = time.monotonic() + timeout
        while not self._ready(program, mark):
            process = self.processes[name]
            if process.poll() is not None:
                raise AssertionError(
                    f"{name} exited {process.returncode}:\n{self.log(name)[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} not ready:\n{self.log(name)[-3000:]}")
            time.sleep(0.2)

    def _ready(self, program: Program, mark: int) -> bool:
        if program.ready_url:
            return http_ok(program.ready_url)()
        return bool(re.search(program.ready_line, self.log(program.name)[mark:]))

    def stop(self, name: str, timeout: float = 60) -> None:
        """A clean stop: SIGTERM, as `bookshop up` and container engines send. A process
        still running `timeout` seconds later fails the stop, with its threads' stacks."""
        process = self.processes.pop(name)
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            # SIGABRT has faulthandler (PYTHONFAULTHANDLER) write each thread's stack to
            # the log before the process dies, so the failure says where it hung.
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
            raise AssertionError(
                f"{name} still ran {timeout:.0f} s after SIGTERM:\n{self.log(name)[-6000:]}"
            ) from None
        finally:
            self._kill_group(process)

    def kill(self, name: str) -> None:
        """A hard crash: SIGKILL to the process and everything it started."""
        process = self.processes.pop(name)
        self._kill_group(process)
        process.wait(30)

    def freeze(self, name: str) -> None:
        """Stop the process in its tracks (SIGSTOP): it holds its sockets and answers nothing."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGCONT)

    @staticmethod
    def _kill_group(process: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        """Stop every process, even after one failed to stop; then report the first."""
        failures: list[AssertionError] = []
        for name in reversed(list(self.processes)):
            self.thaw(name)
            try:
                self.stop(name)
            except AssertionError as failure:
                failures.append(failure)
        if failures:
            raise failures[0]

    # -- the services -----------------------------------------------------------------------

    def manage(self, service: str, *args: str) -> subprocess.CompletedProcess:
        return self.deploy.manage(service, *args)

    def staff_api(self) -> httpx.Client:
        """The Store API as staff (the admin), by token."""
        response = httpx.post(
            self.url("store", "/api/v1/auth/token/"),
            json={"username": "admin", "password": ADMIN_PASSWORD},
            timeout=10,
        )
        response.raise_for_status()
        token = response.json()["token"]
        return httpx.Client(
            base_url=self.url("store", "/api/v1").rstrip("/"),
            headers={"Authorization": f"Token {token}"},
            timeout=15,
        )

    def inbox(self, to: str | None = None) -> list[dict]:
        """Messages in the mail catcher, newest first (only those to `to` if given)."""
        if to:
            query = f"/api/v2/search?kind=to&query={to}&limit=1000"
            return get_json(self.url("inbox", query))["items"]
        return get_json(self.url("inbox", "/api/v2/messages?limit=1000"))["items"]

    def subjects(self, to: str) -> list[str]:
        """The order and alert emails to `to`, by subject; the account's email check, sent
        once at sign-up, is left out so the tests count what each order step sends."""
        subjects = (item["Content"]["Headers"]["Subject"][0] for item in self.inbox(to))
        return sorted(s for s in subjects if not s.endswith(ACCOUNT_CHECK_SUBJECT))


@contextmanager
def dev_stack(root: Path, **env: str) -> Iterator[DevStack]:
    """Set up and start store, shop, worker, beat and mail under `root`; stop them after."""
    with deployment(root, BOOKSHOP_ADMIN_PASSWORD=ADMIN_PASSWORD, **env) as deploy:
        ports = deploy.ports
        options = UpOptions(
            endpoints=Endpoints(host=HOST, **ports),
            var_dir=deploy.var,
            web_workers=2,
            worker_concurrency=2,
        )
        environment = child_environment(options, ADMIN_PASSWORD, base=deploy.env)
        setup, children = programs(options, environment)
        for step in setup:
            subprocess.run(
                list(step.argv), cwd=root, env=dict(step.env), check=True,
                capture_output=True, timeout=180,
            )  # fmt: skip
        stack = DevStack(deploy=deploy, programs={p.name: p for p in children})
        try:
            for name in stack.programs:
                stack.start(name)
            yield stack
        finally:
            stack.stop_all()
