"""The development mail catcher: SMTP in, an inbox for people and MailHog's API out."""

import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest

from tests.e2e.platform import HOST, free_ports, get_json


@pytest.fixture(scope="module")
def catcher(tmp_path_factory):
    smtp_port, http_port = free_ports(2)
    maildir = tmp_path_factory.mktemp("mail")  # exists, yet holds no Maildir yet
    process = subprocess.Popen(
        [sys.executable, "-m", "bookshop", "mail", "--host", HOST,
         "--smtp-port", str(smtp_port), "--http-port", str(http_port), "--maildir", str(maildir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
    yield {"smtp": smtp_port, "base": base, "maildir": maildir}
    process.terminate()
    assert process.wait(10) == 0


@pytest.fixture
def inbox(catcher):
    request("DELETE", f"{catcher['base']}/api/v1/messages")
    return catcher


def request(method: str, url: str, headers: dict | None = None):
    req = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310
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


def test_cross_site_form_posts_are_refused(inbox):
    send(inbox["smtp"], "Keep me")

    status, _, _ = request(
        "POST", f"{inbox['base']}/delete-all", headers={"Origin": "http://evil.example"}
    )

    assert status == 403
    assert get_json(f"{inbox['base']}/api/v2/messages")["total"] == 1


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
