"""A child's guard where the kernel cannot stop it when `bookshop up` dies.

Linux can send a child a signal when its parent dies (PR_SET_PDEATHSIG); macOS and other
POSIX systems cannot. There the supervisor starts each program through this guard:

    python -m bookshop.devserver.guard FD -- PROGRAM [ARGS...]

FD is the read end of a pipe whose only write end the supervisor holds. The guard runs the
program in its own process group (the one the supervisor made for it), passes on the
signals the supervisor sends, and exits as the program did. When the supervisor is gone,
by any death, even SIGKILL, the kernel closes the write end, the guard reads end-of-file,
and it stops the program: SIGTERM, and after a grace period SIGKILL for the whole group,
so no server is left holding a port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = 10.0
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)


def _wait_for_eof(fd: int) -> None:
    """Block until the pipe's write end is closed everywhere (the supervisor is gone)."""
    with contextlib.suppress(OSError):
        while os.read(fd, 512):
            pass


def _stop_group(process: subprocess.Popen, grace: float) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    # The program's own children (gunicorn and Celery workers) share this group; the guard
    # goes with them.
    os.killpg(os.getpgrp(), signal.SIGKILL)


def run(fd: int, argv: list[str], grace: float = GRACE_SECONDS) -> int:
    """Run `argv` until it exits or the supervisor holding the pipe's other end is gone."""
    process = subprocess.Popen(argv)  # noqa: S603 - the supervisor's own argv, no shell

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)

    def watch() -> None:
        _wait_for_eof(fd)
        if process.poll() is None:
            _stop_group(process, grace)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()
    code = process.wait()
    if code < 0:
        # Die of the same signal, so the supervisor reports what happened to the program.
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        return 128 - code  # a signal whose default is not to terminate
    return code


def main(args: list[str]) -> int:
    if len(args) < 3 or args[1] != "--":
        print("usage: python -m bookshop.devserver.guard FD -- PROGRAM [ARGS...]", file=sys.stderr)
        return 2
    return run(int(args[0]), args[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
