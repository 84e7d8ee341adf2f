"""Kombu's filesystem transport, made safe for several processes at once.

The embedded mode uses a folder as the Celery broker (no RabbitMQ to install). Kombu's
own channel creates a message's file and then writes it, while a consumer in another
process may already be moving that file away: it reads an empty message and the worker
dies with a JSONDecodeError (celery/kombu#1551). Here a producer writes the message under
a name consumers ignore and renames it into place once complete, and a consumer claims a
message by renaming it into the processed folder on the same filesystem, which exactly one
consumer can win.
"""

from __future__ import annotations

import os
import uuid
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps, loads


class Channel(filesystem.Channel):
    # Both signatures are kombu's filesystem channel's, which differ from its base class's.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        """Put `payload` on `queue`: complete before any consumer can see it."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot: "<stamp>_<uuid>" is what _get expects before the first dot.
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as handle:
                handle.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add {final!r} to the queue") from exc

    def _get(self, queue: str) -> dict[str, Any]:  # type: ignore[override]
        """Take the oldest message of `queue`; raise Empty when there is none."""
        suffix = f"{queue}.msg"
        claimed_folder = self.processed_folder
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.startswith(".") or name.partition(".")[2] != suffix:
                continue
            claimed = os.path.join(claimed_folder, f"{uuid.uuid4()}-{name}")
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another consumer took it first
            try:
                with open(claimed, "rb") as handle:
                    payload = handle.read()
            finally:
                if not self.store_processed:
                    os.remove(claimed)
            return loads(payload.decode())
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
