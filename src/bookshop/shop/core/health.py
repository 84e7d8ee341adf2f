"""The shop's extra health check: can it hand a task to its broker?"""

import os

from bookshop.shop.celery import app


def check_broker() -> None:
    """Raise unless the broker accepts a connection (or, on the filesystem, a file)."""
    options = app.conf.broker_transport_options or {}
    if options.get("data_folder_out"):
        # The filesystem broker: its queue and the folder consumers claim messages into.
        for key in ("data_folder_out", "data_folder_in", "processed_folder"):
            folder = options.get(key)
            if folder and not os.access(folder, os.W_OK | os.X_OK):
                raise OSError(f"broker folder {folder} is missing or not writable")
        return
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0, timeout=3)
