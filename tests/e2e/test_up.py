"""`bookshop up` as a newcomer meets it: everything answers, mail flows, the shop holds the
store's token and shows the demo catalogue, and a stop leaves nothing behind."""

import hashlib
import io
import os
import re
import signal
import smtplib
import socket
import sys
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest

from bookshop.cli import build_parser
from bookshop.devserver.supervisor import Program, Supervisor
from tests.e2e.platform import (
    HOST,
    alive,
    deployment,
    descendants,
    get_json,
    port_is_free,
    wait_for,
)


@pytest.fixture
def fresh(tmp_path):
    with deployment(tmp_path) as deploy:
        yield deploy


def send_multipart(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "Bookshop <orders@bookshop.local>"
    message["To"] = "reader@example.com"
    message["Subject"] = subject
    message.set_content("Your order is on its way.")
    message.add_alternative("<p>Your order is <b>on its way</b>.</p>", subtype="html")
    with smtplib.SMTP(HOST, port, timeout=10) as smtp:
        smtp.send_message(message)


def get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        return response.read().decode()


def store_book_count(deploy) -> int:
    result = deploy.manage(
        "store", "shell", "--no-imports", "-c",
        "from bookshop.store.inventory.models import Book; print(Book.objects.count())",
    )  # fmt: skip
    return int(result.stdout)


def test_up_serves_everything_and_sigterm_stops_every_child(fresh):
    platform = fresh.up()
    try:
        platform.wait_until_running()
        # The demo catalogue went into the empty store, and the shop shows it already.
        banner = platform.output()
        assert "Demo catalogue: added 100 books and " in banner
        assert "store clear_db --yes" in banner
        assert "100 books" in get_text(fresh.url("shop"))
        covers = sorted((fresh.var / "media" / "books").glob("*.png"))
        assert len(covers) == 100
        assert len({hashlib.sha256(cover.read_bytes()).digest() for cover in covers}) == 100

        assert get_json(fresh.url("shop", "/healthz")) == {
            "status": "ok",
            "checks": {"database": "ok", "broker": "ok"},
        }
        assert get_json(fresh.url("store", "/healthz"))["status"] == "ok"
        assert fresh.url("shop") in banner
        assert fresh.url("inbox") in banner
        password = (fresh.var / "admin-password").read_text()
        assert f"admin / {password}" in banner

        send_multipart(fresh.ports["smtp"], "Order 1 is on its way")
        inbox = get_json(fresh.url("inbox", "/api/v2/messages"))
        assert inbox["total"] == 1
        item = inbox["items"][0]
        assert item["Content"]["Headers"]["Subject"] == ["Order 1 is on its way"]
        assert item["Content"]["Headers"]["To"] == ["reader@example.com"]
        assert [
            part["Headers"]["Content-Type"][0].split(";")[0] for part in item["MIME"]["Parts"]
        ] == [
            "text/plain",
            "text/html",
        ]

        # The shop reaches the store with the token bootstrap handed over.
        check = fresh.manage("shop", "check_store")
        assert "accepts the token of 'shop-service' (service)" in check.stdout

        children = descendants(platform.process.pid)
        assert len(children) >= 5  # mail, store, shop, worker, beat, and their own workers
    finally:
        status = platform.stop(signal.SIGTERM)

    assert status == 0
    assert [pid for pid in children if alive(pid)] == []
    assert all(port_is_free(port) for port in fresh.ports.values())


def test_up_s_web_servers_open_no_control_socket(tmp_path):
    # gunicorn's default control socket is $HOME/.gunicorn/gunicorn.ctl, one path for
    # both the shop's server and the store's.
    home = tmp_path / "home"
    home.mkdir()
    with deployment(tmp_path, HOME=str(home), XDG_RUNTIME_DIR="") as deploy:
        platform = deploy.up()
        try:
            platform.wait_until_running()
        finally:
            assert platform.stop() == 0

    assert list(home.iterdir()) == []
    assert "Control socket" not in platform.output()
    assert "Control server" not in platform.output()


def test_a_second_run_keeps_the_data_of_the_first(fresh):
    first = fresh.up()
    try:
        first.wait_until_running()
        assert "Demo catalogue: added 100 books" in first.output()
        send_multipart(fresh.ports["smtp"], "Kept across restarts")
        fresh.manage(
            "shop", "shell", "--no-imports", "-c",
            "from django.contrib.auth import get_user_model;"
            "get_user_model().objects.create_user('reader', 'reader@example.com')",
        )  # fmt: skip
        token = (fresh.var / "store-api-token").read_text()
        password = (fresh.var / "admin-password").read_text()
    finally:
        assert first.stop() == 0

    second = fresh.up()
    try:
        second.wait_until_running()
        assert (fresh.var / "store-api-token").read_text() == token
        assert f"admin / {password}" in second.output()
        subjects = [
            item["Content"]["Headers"]["Subject"][0]
            for item in get_json(fresh.url("inbox", "/api/v2/messages"))["items"]
        ]
        assert subjects == ["Kept across restarts"]
        # The store has books now, so the demo is not added again.
        assert "Demo catalogue" not in second.output()
        assert "demo catalogue: not added, the store already has 100 books" in second.output()
        assert store_book_count(fresh) == 100
        users = fresh.manage(
            "shop", "shell", "--no-imports", "-c",
            "from django.contrib.auth import get_user_model;"
            "print(sorted(get_user_model().objects.values_list('username', flat=True)))",
        )  # fmt: skip
        assert users.stdout.strip() == "['admin', 'reader']"
        fresh.manage("shop", "check_store")
    finally:
        assert second.stop(signal.SIGINT) == 0


def test_without_the_demo_the_store_stays_empty_and_the_shop_says_where_books_come_from(fresh):
    platform = fresh.up("--no-demo")
    try:
        platform.wait_until_running()
        assert "demo catalogue" not in platform.output().lower()
        assert store_book_count(fresh) == 0
        page = get_text(fresh.url("shop"))
        assert "No books found" in page
        assert "populate_db" in page
    finally:
        assert platform.stop() == 0


@pytest.mark.parametrize(
    ("environ", "argv", "demo"),
    [
        ({}, [], True),
        ({"BOOKSHOP_DEMO": "0"}, [], False),
        ({"BOOKSHOP_DEMO": "off"}, [], False),
        ({"BOOKSHOP_DEMO": "1"}, [], True),
        ({}, ["--no-demo"], False),
        ({"BOOKSHOP_DEMO": "1"}, ["--no-demo"], False),
    ],
)
def test_the_demo_is_on_unless_turned_off(monkeypatch, environ, argv, demo):
    monkeypatch.delenv("BOOKSHOP_DEMO", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    assert build_parser().parse_args(["up", *argv]).demo is demo


def test_a_crashed_child_is_reported_and_everything_stops(fresh):
    platform = fresh.up("--no-demo")
    try:
        platform.wait_until_running()
        children = descendants(platform.process.pid)
        beat = next(
            pid for pid in children
            if b"beat" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        )  # fmt: skip
        os.kill(beat, signal.SIGKILL)
        status = platform.process.wait(60)
    finally:
        platform.stop()

    assert status == 1
    assert "beat was killed by SIGKILL" in platform.output()
    assert [pid for pid in children if alive(pid)] == []
    assert all(port_is_free(port) for port in fresh.ports.values())


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


@pytest.mark.parametrize("guard", ["pdeathsig", "portable"])
def test_a_killed_supervisor_leaves_no_server_behind(tmp_path, guard):
    # "portable" is what macOS and the BSDs get: no PR_SET_PDEATHSIG, each child under a
    # guard that watches a pipe from the supervisor.
    with deployment(tmp_path, BOOKSHOP_CHILD_GUARD=guard) as deploy:
        platform = deploy.up("--no-demo")
        try:
            platform.wait_until_running()
            children = descendants(platform.process.pid)
            guards = [pid for pid in children if "bookshop.devserver.guard" in cmdline(pid)]
            assert len(guards) == (5 if guard == "portable" else 0)

            platform.process.kill()
            platform.process.wait(10)

            def ports_released() -> bool:
                return all(port_is_free(port) for port in deploy.ports.values())

            wait_for(ports_released, timeout=5, interval=0.1)
            wait_for(lambda: not [pid for pid in children if alive(pid)], timeout=15)
        finally:
            for pid in children:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


def test_up_refuses_ports_already_in_use(fresh):
    with socket.socket() as squatter:
        squatter.bind((HOST, fresh.ports["shop"]))
        squatter.listen()
        platform = fresh.up("--no-demo")
        status = platform.process.wait(60)

    assert status == 2
    assert f"already in use on {HOST}: shop port {fresh.ports['shop']}" in platform.output()


def test_a_burst_of_output_reaches_the_terminal_labelled_in_order_in_a_few_writes(tmp_path):
    writes: list[str] = []

    class Terminal(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return super().write(text)

    out = Terminal()
    supervisor = Supervisor(env=os.environ, cwd=str(tmp_path), out=out)
    # A line per write, as gunicorn's access log comes under load.
    burst = "for n in range(3000): print(f'GET /books/{n}/ 200', flush=True)"

    tails = supervisor.run_steps([Program("shop", [sys.executable, "-c", burst])])

    lines = out.getvalue().splitlines()
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d shop +\| GET /books/\d+/ 200", line) for line in lines)
    assert [line.rsplit("| ", 1)[1] for line in lines] == [
        f"GET /books/{n}/ 200" for n in range(3000)
    ]
    assert tails["shop"] == [f"GET /books/{n}/ 200" for n in range(2970, 3000)]
    # Gathered: far fewer writes than lines (it was one write and one flush per line).
    assert len(writes) <= 300
