"""A small process supervisor: start children, merge their output, stop them all together.

One thread and `select` do all the work, which keeps `preexec_fn` safe. Even a `kill -9` of
`bookshop up` leaves no server behind holding a port: on Linux each child asks the kernel
for SIGTERM when the supervisor dies (PR_SET_PDEATHSIG); elsewhere (macOS, the BSDs) each
child runs under `bookshop.devserver.guard`, which stops it once a pipe from the
supervisor reads end-of-file. BOOKSHOP_CHILD_GUARD=portable forces the guard on Linux too.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import TextIO

PR_SET_PDEATHSIG = 1
COLOURS = ("36", "33", "32", "35", "34", "31")
GUARDS = ("pdeathsig", "portable")
# How long the output pump lets lines gather before writing them (see `_pump`).
PUMP_GATHER_SECONDS = 0.02


def default_guard(environ: Mapping[str, str] = os.environ) -> str:
    """How children learn the supervisor died: the kernel's signal on Linux, else the guard."""
    forced = environ.get("BOOKSHOP_CHILD_GUARD", "")
    if forced:
        if forced not in GUARDS:
            raise ValueError(f"BOOKSHOP_CHILD_GUARD must be one of {', '.join(GUARDS)}")
        return forced
    return "pdeathsig" if sys.platform.startswith("linux") else "portable"


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def http_ok(url: str) -> Callable[[], bool]:
    """A readiness probe: the URL answers 200."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own URL
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    return probe


@dataclass
class Program:
    """One child to run: its command, and how to tell it is ready to serve."""

    name: str
    argv: Sequence[str]
    ready_url: str | None = None
    ready_line: str | None = None  # a regex matched against its output lines
    env: Mapping[str, str] | None = None  # default: the supervisor's

    def __post_init__(self) -> None:
        self._ready_pattern = re.compile(self.ready_line) if self.ready_line else None


@dataclass
class _Child:
    program: Program
    process: subprocess.Popen
    colour: str
    ready: bool = False
    tail: deque = field(default_factory=lambda: deque(maxlen=30))
    buffer: bytes = b""


class ChildFailed(Exception):
    """A child exited on its own; the supervisor reports it and stops the rest."""


class Supervisor:
    """Runs programs side by side until one exits or a stop signal arrives."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        cwd: str,
        out: TextIO | None = None,
        guard: str | None = None,
    ) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.out = out or sys.stdout
        self.guard = guard or default_guard()
        # The portable guard's lifeline: children get the read end; the write end stays
        # here alone (pipes are not inherited), so it closes exactly when this process dies.
        self._lifeline = os.pipe() if self.guard == "portable" else None
        self.children: list[_Child] = []
        self.selector = selectors.DefaultSelector()
        self.stop_requested: str | None = None
        self._colour = self.out.isatty() and os.environ.get("NO_COLOR") is None
        self._width = 8

    # -- output ---------------------------------------------------------------------------

    def say(self, name: str, text: str, colour: str = "1") -> None:
        self.out.write(self._labelled(name, text.splitlines() or [""], colour))
        self.out.flush()

    def _labelled(self, name: str, lines: list[str], colour: str) -> str:
        label = name.ljust(self._width)
        if self._colour:
            label = f"\x1b[{colour}m{label}\x1b[0m"
        prefix = f"{time.strftime('%H:%M:%S')} {label} | "
        return "".join(f"{prefix}{line}\n" for line in lines)

    def _pump(self, timeout: float) -> None:
        ready = self.selector.select(timeout)
        if not ready:
            return
        # A web server under load writes a line per request. What arrives within a moment
        # more is read and written in one go: one wake-up and one write for many lines,
        # not one each (on two cores, that wake-up per request was CPU taken from the
        # servers). Lines reach the terminal at most that much later.
        time.sleep(PUMP_GATHER_SECONDS)
        written = []
        for key, _ in ready:
            child: _Child = key.data
            chunk = os.read(key.fd, 65536)
            if not chunk:
                self.selector.unregister(key.fileobj)
                continue
            child.buffer += chunk
            *raws, child.buffer = child.buffer.split(b"\n")
            lines = [raw.decode(errors="replace").rstrip("\r") for raw in raws]
            child.tail.extend(lines)
            pattern = child.program._ready_pattern
            if pattern and not child.ready and any(pattern.search(line) for line in lines):
                child.ready = True
            if lines:
                written.append(self._labelled(child.program.name, lines, child.colour))
        if written:
            self.out.write("".join(written))
            self.out.flush()

    # -- signals --------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        def request_stop(signum: int, frame: FrameType | None) -> None:
            self.stop_requested = signal.Signals(signum).name

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGHUP, request_stop)

    def _check_stop(self) -> None:
        if self.stop_requested:
            raise KeyboardInterrupt(self.stop_requested)

    # -- one-off steps ----------------------------------------------------------------------

    def run_steps(self, programs: Sequence[Program], *, check: bool = True) -> dict[str, list[str]]:
        """Run programs side by side to completion and return each one's last output lines.

        With `check`, raise ChildFailed if one fails; without, only say so.
        """
        children = [self._spawn(program) for program in programs]
        while any(child.process.poll() is None for child in children):
            self._check_stop()
            self._pump(0.1)
        # Read to the end of what they wrote (a step's last line is often what it did).
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and any(self._registered(child) for child in children):
            self._pump(0.05)
        for child in children:
            self.children.remove(child)
            code = child.process.returncode
            if code != 0:
                if check:
                    raise ChildFailed(f"{child.program.name} failed with exit code {code}")
                self.say("bookshop", f"{child.program.name} failed with exit code {code}", "33")
        return {child.program.name: list(child.tail) for child in children}

    def _registered(self, child: _Child) -> bool:
        stdout = child.process.stdout
        if stdout is None:
            return False
        try:
            self.selector.get_key(stdout)
        except KeyError:
            return False
        return True

    # -- long-running children --------------------------------------------------------------

    def _spawn(self, program: Program) -> _Child:
        self._width = max(self._width, len(program.name))
        argv = list(program.argv)
        guarded: dict = {"preexec_fn": _die_with_parent(os.getpid())}
        if self._lifeline is not None:
            lifeline = self._lifeline[0]
            argv = [sys.executable, "-m", "bookshop.devserver.guard", str(lifeline), "--", *argv]
            guarded = {"pass_fds": (lifeline,)}
        process = subprocess.Popen(  # noqa: S603 - argv built by the runner, no shell
            argv,
            cwd=self.cwd,
            env=dict(program.env) if program.env is not None else self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Each child leads a process group of its own, which stop() ends whole; and a
            # terminal's Ctrl-C reaches the supervisor only.
            start_new_session=True,
            **guarded,
        )
        child = _Child(program, process, COLOURS[len(self.children) % len(COLOURS)])
        self.children.append(child)
        assert process.stdout is not None  # stdout=PIPE
        self.selector.register(process.stdout, selectors.EVENT_READ, child)
        return child

    def start(self, programs: Sequence[Program], *, ready_timeout: float) -> None:
        """Start every program and return once all are ready."""
        for program in programs:
            self._spawn(program)
        deadline = time.monotonic() + ready_timeout
        next_probe = 0.0
        while not all(child.ready for child in self.children):
            self._check_stop()
            self._pump(0.1)
            self._raise_if_exited()
            now = time.monotonic()
            if now >= next_probe:
                next_probe = now + 0.3
                for child in self.children:
                    url = child.program.ready_url
                    if not child.ready and url and http_ok(url)():
                        child.ready = True
            if now > deadline:
                waiting = ", ".join(c.program.name for c in self.children if not c.ready)
                raise ChildFailed(f"not ready after {ready_timeout:.0f} s: {waiting}")

    def _raise_if_exited(self) -> None:
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                self._pump(0)
                how = f"was killed by {signal.Signals(-code).name}" if code < 0 else "exited"
                last = "\n".join(list(child.tail)[-10:]) or "(no output)"
                raise ChildFailed(
                    f"{child.program.name} {how} (exit code {code}); its last lines:\n{last}"
                )

    def watch(self) -> None:
        """Relay output until a child exits (ChildFailed) or a stop signal arrives."""
        while True:
            self._check_stop()
            self._pump(0.2)
            self._raise_if_exited()

    def stop(self, grace: float = 15.0) -> None:
        """Ask every child to stop, wait, then kill what is left of their process groups."""
        for child in self.children:
            if child.process.poll() is None:
                self.say("bookshop", f"stopping {child.program.name}")
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(c.process.poll() is None for c in self.children):
            self._pump(0.1)
        for child in self.children:
            if child.process.poll() is None:
                self.say("bookshop", f"{child.program.name} ignored SIGTERM; killing it")
            # The group also holds the child's own children (gunicorn and celery workers).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()
        self._pump(0)
        self.selector.close()
        if self._lifeline is not None:
            for fd in self._lifeline:
                os.close(fd)
            self._lifeline = None
