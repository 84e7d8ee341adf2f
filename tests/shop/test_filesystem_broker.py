"""The embedded mode's broker folder, with producers and consumers in separate processes."""

import logging
import multiprocessing
import queue as queue_module
import threading

import pytest
from kombu import Connection
from kombu.exceptions import ChannelError

from bookshop.shop import filesystem_broker
from bookshop.shop.filesystem_broker import Transport

# Large messages keep each write open long enough for kombu's own channel to hand a
# consumer a half-written file within a few hundred messages; this one never does.
PRODUCERS, CONSUMERS, MESSAGES = 2, 3, 150


def connection(folder) -> Connection:
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "polling_interval": 0.01,
    }
    return Connection("filesystem://localhost//", transport=Transport, transport_options=options)


def produce(folder, producer: int) -> None:
    with connection(folder) as conn:
        simple = conn.SimpleQueue("work")
        for n in range(MESSAGES):
            simple.put({"producer": producer, "n": n, "padding": "x" * 300_000})
        simple.close()


def consume(folder, results, stop) -> None:
    with connection(folder) as conn:
        simple = conn.SimpleQueue("work", no_ack=True)
        while True:
            try:
                message = simple.get(timeout=0.05)
            except simple.Empty:
                if stop.is_set():
                    break
                continue
            results.put((message.payload["producer"], message.payload["n"]))
        simple.close()


@pytest.fixture
def folder(tmp_path):
    for name in ("queue", "processed", "control"):
        (tmp_path / name).mkdir()
    return tmp_path


def test_every_message_arrives_whole_and_once_across_processes(folder):
    context = multiprocessing.get_context("fork")
    results, stop = context.Queue(), context.Event()
    consumers = [
        context.Process(target=consume, args=(folder, results, stop)) for _ in range(CONSUMERS)
    ]
    producers = [context.Process(target=produce, args=(folder, p)) for p in range(PRODUCERS)]
    for process in consumers + producers:
        process.start()
    for process in producers:
        process.join(60)
    received = []
    while len(received) < PRODUCERS * MESSAGES:
        try:
            received.append(results.get(timeout=30))
        except queue_module.Empty:
            break
    stop.set()
    for process in consumers:
        process.join(30)

    assert [process.exitcode for process in consumers + producers] == [0] * (CONSUMERS + PRODUCERS)
    assert sorted(received) == [(p, n) for p in range(PRODUCERS) for n in range(MESSAGES)]
    assert list((folder / "queue").iterdir()) == []
    assert list((folder / "processed").iterdir()) == []


def test_a_missing_queue_folder_reads_as_empty_and_is_logged_once(folder, caplog):
    with connection(folder) as conn:
        simple = conn.SimpleQueue("missing", no_ack=True)
        (folder / "queue").rename(folder / "away")
        with caplog.at_level(logging.WARNING, logger="bookshop.shop.filesystem_broker"):
            for _ in range(3):
                with pytest.raises(simple.Empty):
                    simple.get(timeout=0.05)
            (folder / "away").rename(folder / "queue")
            simple.put({"n": 1})
            received = simple.get(timeout=1).payload
        simple.close()

    assert received == {"n": 1}
    assert [record.getMessage() for record in caplog.records] == [
        f"broker folder {folder / 'queue'} is missing; taking its queues as empty until it is back",
        f"broker folder {folder / 'queue'} is back",
    ]
    assert not (folder / "away").exists()  # nothing was created in its place meanwhile


def test_a_message_put_during_a_blip_waits_for_the_folder(folder):
    (folder / "queue").rename(folder / "away")
    timer = threading.Timer(0.3, (folder / "away").rename, args=[folder / "queue"])
    timer.start()
    with connection(folder) as conn:
        simple = conn.SimpleQueue("blip", no_ack=True)
        simple.put({"n": 2})
        received = simple.get(timeout=1).payload
        simple.close()
    timer.join()

    assert received == {"n": 2}


def test_a_folder_that_stays_away_fails_the_put_with_a_channel_error(folder, monkeypatch):
    monkeypatch.setattr(filesystem_broker, "PUT_WAIT_SECONDS", 0.2)
    (folder / "queue").rename(folder / "away")
    with connection(folder) as conn, pytest.raises(ChannelError):
        conn.SimpleQueue("stays-away").put({"n": 3})

    assert list((folder / "away").iterdir()) == []
    assert not (folder / "queue").exists()
