"""Kombu's filesystem transport, made safe for several processes at once.

The embedded mode uses a folder as the Celery broker (no RabbitMQ to install). Kombu's
own channel creates a message's file and then writes it, while a consumer in another
process may already be moving that file away: it reads an empty message and the worker
dies with a JSONDecodeError (celery/kombu#1551). Here a producer writes the message under
a name consumers ignore and renames it into place once complete, and a consumer claims a
message by renaming it into the processed folder on the same filesystem, which exactly one
consumer can win.

A folder that goes away for a moment (renamed, remounted, a backup tool's doing) must not
kill the worker: kombu's listing raised FileNotFoundError out of the event loop, the worker
died, and `bookshop up` stopped every process. Here a consumer takes a missing folder for
an empty queue, logs it once, and looks again at its next poll; a producer waits a little
for the folder to come back before giving up. Neither creates the folder: a rename back
onto a folder made meanwhile would move the old one inside it. The shop's /healthz fails
while the folder is missing.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

# How long a producer waits for a missing folder to come back: longer than a blip, shorter
# than a web request's patience.
PUT_WAIT_SECONDS = 3.0
PUT_RETRY_SECONDS = 0.05

# Folders found missing, per process: logged once when they go and once when they return.
_missing: set[str] = set()


def _folder_gone(folder: str) -> None:
    if folder not in _missing:
        _missing.add(folder)
        logger.error(
            "broker folder %s is missing; taking its queues as empty until it is back", folder
        )


def _folder_seen(folder: str) -> None:
    if folder in _missing:
        _missing.discard(folder)
        logger.warning("broker folder %s is back", folder)


class Channel(filesystem.Channel):
    # Both signatures are kombu's filesystem channel's, which differ from its base class's.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        """Put `payload` on `queue`: complete before any consumer can see it."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot: "<stamp>_<uuid>" is what _get expects before the first dot.
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        body = dumps(payload).encode()
        deadline = monotonic() + PUT_WAIT_SECONDS
        while True:
            try:
                with open(partial, "wb") as handle:
                    handle.write(body)
                os.replace(partial, final)
            except FileNotFoundError as exc:
                # The folder is gone (or went between the write and the rename).
                _folder_gone(self.data_folder_out)
                if monotonic() >= deadline:
                    raise ChannelError(f"Cannot add {final!r} to the queue") from exc
                time.sleep(PUT_RETRY_SECONDS)
            except OSError as exc:
                raise ChannelError(f"Cannot add {final!r} to the queue") from exc
            else:
                _folder_seen(self.data_folder_out)
                return

    def _get(self, queue: str) -> dict[str, Any]:  # type: ignore[override]
        """Take the oldest message of `queue`; raise Empty when there is none."""
        suffix = f"{queue}.msg"
        claimed_folder = self.processed_folder
        try:
            names = sorted(os.listdir(self.data_folder_in))
        except (FileNotFoundError, NotADirectoryError):
            _folder_gone(self.data_folder_in)
            raise Empty() from None
        _folder_seen(self.data_folder_in)
        for name in names:
            if name.startswith(".") or name.partition(".")[2] != suffix:
                continue
            claimed = os.path.join(claimed_folder, f"{uuid.uuid4()}-{name}")
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                if not os.path.isdir(claimed_folder):
                    _folder_gone(claimed_folder)  # nowhere to claim it to: leave it queued
                    raise Empty() from None
                continue  # another consumer took it first, or the queue folder went
            try:
                with open(claimed, "rb") as handle:
                    payload = handle.read()
            finally:
                if not self.store_processed:
                    os.remove(claimed)
            return loads(payload.decode())
        raise Empty()

    def _size(self, queue: str) -> int:
        try:
            return int(super()._size(queue))
        except (FileNotFoundError, NotADirectoryError):
            _folder_gone(self.data_folder_in)
            return 0

    def _purge(self, queue: str) -> int:
        try:
            return int(super()._purge(queue))
        except (FileNotFoundError, NotADirectoryError):
            _folder_gone(self.data_folder_in)
            return 0


class Transport(filesystem.Transport):
    Channel = Channel
