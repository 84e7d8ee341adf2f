"""The development mail catcher: SMTP in, an inbox for people and MailHog's API out."""

import os
import re
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest

from tests.e2e.platform import HOST, free_ports, get_json


def start_catcher(tmp_path_factory, environ=None):
    smtp_port, http_port = free_ports(2)
    maildir = tmp_path_factory.mktemp("mail")  # exists, yet holds no Maildir yet
    process = subprocess.Popen(
        [sys.executable, "-m", "bookshop", "mail", "--host", HOST,
         "--smtp-port", str(smtp_port), "--http-port", str(http_port), "--maildir", str(maildir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ,
    )  # fmt: skip
    base = f"http://{HOST}:{http_port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get_json(f"{base}/api/v2/messages")
            break
        except OSError:
            assert process.poll() is None, "mail catcher exited"
            assert time.monotonic() < deadline, "mail catcher did not start"
            time.sleep(0.1)
    return process, {"smtp": smtp_port, "base": base, "maildir": maildir, "port": http_port}


@pytest.fixture(scope="module")
def catcher(tmp_path_factory):
    process, details = start_catcher(tmp_path_factory)
    yield details
    process.terminate()
    assert process.wait(10) == 0


@pytest.fixture
def inbox(catcher):
    request("DELETE", f"{catcher['base']}/api/v1/messages")
    return catcher


def request(method: str, url: str, headers: dict | None = None, data: bytes | None = None):
    req = urllib.request.Request(url, data, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def send(port: int, subject: str, to: str = "reader@example.com", html: str | None = None,
         bcc: str | None = None) -> None:  # fmt: skip
    message = EmailMessage()
    message["From"] = "Bookshop <orders@bookshop.local>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(f"Plain words about {subject}.")
    if html:
        message.add_alternative(html, subtype="html")
    recipients = [to, bcc] if bcc else [to]
    with smtplib.SMTP(HOST, port, timeout=10) as smtp:
        smtp.send_message(message, to_addrs=recipients)


def test_messages_are_listed_newest_first_in_mailhog_shape(inbox):
    send(inbox["smtp"], "First")
    send(inbox["smtp"], "Second", to="other@example.org", bcc="hidden@example.net")

    data = get_json(f"{inbox['base']}/api/v2/messages")

    assert (data["total"], data["count"], data["start"]) == (2, 2, 0)
    newest, oldest = data["items"]
    assert newest["Content"]["Headers"]["Subject"] == ["Second"]
    assert oldest["Content"]["Headers"]["Subject"] == ["First"]
    assert newest["Content"]["Headers"]["From"] == ["Bookshop <orders@bookshop.local>"]
    assert [f"{to['Mailbox']}@{to['Domain']}" for to in newest["To"]] == [
        "other@example.org",
        "hidden@example.net",
    ]
    assert newest["From"] == {
        "Relays": None,
        "Mailbox": "orders",
        "Domain": "bookshop.local",
        "Params": "",
    }
    assert "Plain words about Second." in newest["Content"]["Body"]
    assert newest["MIME"] is None
    assert newest["Created"].endswith("Z")


def test_paging_and_search(inbox):
    for n in range(3):
        send(inbox["smtp"], f"Page {n}", to=f"reader{n}@example.com")

    page = get_json(f"{inbox['base']}/api/v2/messages?start=1&limit=1")
    found = get_json(f"{inbox['base']}/api/v2/search?kind=to&query=READER2@example.com")
    containing = get_json(f"{inbox['base']}/api/v2/search?kind=containing&query=about+page+0")

    assert (page["total"], page["count"], page["start"]) == (3, 1, 1)
    assert page["items"][0]["Content"]["Headers"]["Subject"] == ["Page 1"]
    assert [i["Content"]["Headers"]["Subject"] for i in found["items"]] == [["Page 2"]]
    assert [i["Content"]["Headers"]["Subject"] for i in containing["items"]] == [["Page 0"]]
    status, _, body = request("GET", f"{inbox['base']}/api/v2/search?kind=subject&query=x")
    assert status == 400
    assert "kind must be" in body


def test_multipart_parts_and_the_html_shown_sandboxed(inbox):
    send(
        inbox["smtp"],
        "Receipt",
        html="<h1>Thanks</h1><script>alert('x')</script>",
    )
    item = get_json(f"{inbox['base']}/api/v2/messages")["items"][0]
    key = item["ID"]

    parts = item["MIME"]["Parts"]
    assert [p["Headers"]["Content-Type"][0].split(";")[0] for p in parts] == [
        "text/plain",
        "text/html",
    ]
    status, headers, page = request("GET", f"{inbox['base']}/messages/{key}")
    assert status == 200
    assert "<title>Receipt" in page
    assert "Plain words about Receipt." in page
    assert f"<iframe title='HTML part of the message' sandbox src='/messages/{key}/html'" in page
    assert "<script>" not in page  # the page itself carries no part of the HTML
    assert "script-src" not in headers["Content-Security-Policy"]

    status, headers, html = request("GET", f"{inbox['base']}/messages/{key}/html")
    assert status == 200
    assert headers["Content-Security-Policy"].startswith("sandbox;")
    assert "<h1>Thanks</h1>" in html


def test_the_inbox_page_lists_from_to_subject_and_time(inbox):
    send(inbox["smtp"], "Order <b>7</b> received")

    status, _, page = request("GET", f"{inbox['base']}/")

    assert status == 200
    assert "Order &lt;b&gt;7&lt;/b&gt; received" in page
    assert "Bookshop &lt;orders@bookshop.local&gt;" in page
    assert "reader@example.com" in page
    assert "1 message, newest first" in page
    assert " UTC</time>" in page


def test_delete_one_and_all(inbox):
    send(inbox["smtp"], "One")
    send(inbox["smtp"], "Two")
    first = get_json(f"{inbox['base']}/api/v2/messages")["items"][0]["ID"]

    assert request("DELETE", f"{inbox['base']}/api/v1/messages/{first}")[0] == 200
    assert request("DELETE", f"{inbox['base']}/api/v1/messages/{first}")[0] == 404
    assert get_json(f"{inbox['base']}/api/v2/messages")["total"] == 1
    assert request("DELETE", f"{inbox['base']}/api/v1/messages")[0] == 200
    assert get_json(f"{inbox['base']}/api/v2/messages")["total"] == 0


def form_token(inbox) -> str:
    page = request("GET", f"{inbox['base']}/")[2]
    return re.search(r"name='token' value='([^']+)'", page).group(1)


def total(inbox) -> int:
    return get_json(f"{inbox['base']}/api/v2/messages")["total"]


def test_cross_site_form_posts_are_refused(inbox):
    send(inbox["smtp"], "Keep me")
    token = f"token={form_token(inbox)}".encode()
    own = f"http://{HOST}:{inbox['port']}"
    url = f"{inbox['base']}/delete-all"

    from_elsewhere = request("POST", url, {"Origin": "http://evil.example"}, token)
    referred_from_elsewhere = request("POST", url, {"Referer": "http://evil.example/x"}, token)
    without_token = request("POST", url, {"Origin": own}, b"")
    wrong_token = request("POST", url, {"Origin": own}, b"token=guess")
    api_from_elsewhere = request(
        "DELETE", f"{inbox['base']}/api/v1/messages", {"Origin": "http://evil.example"}
    )
    by_get = request("GET", url)

    assert [from_elsewhere[0], referred_from_elsewhere[0], without_token[0], wrong_token[0]] == [
        403
    ] * 4
    assert (api_from_elsewhere[0], by_get[0]) == (403, 405)
    assert total(inbox) == 1
    assert request("POST", url, {"Origin": own}, token)[0] == 200  # 303 to the inbox
    assert total(inbox) == 0


def test_the_delete_buttons_post_the_form_token(inbox):
    send(inbox["smtp"], "Delete me")
    key = get_json(f"{inbox['base']}/api/v2/messages")["items"][0]["ID"]
    page = request("GET", f"{inbox['base']}/messages/{key}")[2]
    token = re.search(r"name='token' value='([^']+)'", page).group(1)

    status = request(
        "POST",
        f"{inbox['base']}/messages/{key}/delete",
        {"Referer": f"{inbox['base']}/messages/{key}"},
        f"token={token}".encode(),
    )[0]

    assert status == 200
    assert total(inbox) == 0


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:8025", "127.0.0.2", "localhost.evil.example", ""]
)
def test_other_host_names_are_refused(inbox, host):
    """A DNS-rebinding page reaches 127.0.0.1, but with its own name in the Host header."""
    send(inbox["smtp"], "Reset your password")
    key = get_json(f"{inbox['base']}/api/v2/messages")["items"][0]["ID"]

    for path in ["/", "/api/v2/messages", f"/messages/{key}", f"/api/v1/messages/{key}"]:
        status, _, body = request("GET", f"{inbox['base']}{path}", {"Host": host})
        assert (path, status) == (path, 400)
        assert "Reset" not in body
    status, _, _ = request("DELETE", f"{inbox['base']}/api/v1/messages", {"Host": host})
    assert status == 400
    assert total(inbox) == 1


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST."])
def test_loopback_names_are_answered(inbox, host):
    status, _, _ = request("GET", f"{inbox['base']}/", {"Host": f"{host}:{inbox['port']}"})

    assert status == 200


def test_a_configured_public_name_is_answered(tmp_path_factory):
    environ = {**os.environ, "BOOKSHOP_MAIL_HOSTS": "mail.bookshop.example, other.example"}
    process, catcher = start_catcher(tmp_path_factory, environ)
    try:
        answers = {
            host: request("GET", f"{catcher['base']}/", {"Host": host})[0]
            for host in ["mail.bookshop.example:8082", "other.example", "attacker.example"]
        }
    finally:
        process.terminate()
        process.wait(10)

    assert answers == {
        "mail.bookshop.example:8082": 200,
        "other.example": 200,
        "attacker.example": 400,
    }


def test_no_page_of_the_inbox_can_be_framed_by_another(inbox):
    send(inbox["smtp"], "Framed", html="<p>Rich</p>")
    key = get_json(f"{inbox['base']}/api/v2/messages")["items"][0]["ID"]

    for path in ["/", f"/messages/{key}", f"/messages/{key}/raw", "/api/v2/messages", "/nope"]:
        _, headers, _ = request("GET", f"{inbox['base']}{path}")
        assert (path, headers["X-Frame-Options"]) == (path, "DENY")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    _, headers, _ = request("GET", f"{inbox['base']}/messages/{key}/html")
    # The HTML part is framed by the inbox's own message page, and by nothing else.
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]


def test_unknown_and_malformed_ids_are_404(inbox):
    assert request("GET", f"{inbox['base']}/messages/nope")[0] == 404
    assert request("GET", f"{inbox['base']}/messages/..%2F..%2Fetc%2Fpasswd")[0] == 404
    assert request("GET", f"{inbox['base']}/api/v1/messages/..")[0] == 404
    assert request("PUT", f"{inbox['base']}/api/v1/messages")[0] == 405


def test_messages_survive_a_restart_because_they_live_in_the_maildir(inbox):
    send(inbox["smtp"], "Stored")

    files = list((inbox["maildir"] / "new").iterdir())

    assert len(files) == 1
    assert b"Subject: Stored" in files[0].read_bytes()
