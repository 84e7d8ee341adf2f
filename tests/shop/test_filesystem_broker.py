"""The embedded mode's broker folder, with producers and consumers in separate processes."""

import multiprocessing
import queue as queue_module

import pytest
from kombu import Connection

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
